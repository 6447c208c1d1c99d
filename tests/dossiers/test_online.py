"""Online dossiers from applicant accounts; out-of-hours submissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from support.clock import FakeClock, local
from support.paths import SAMPLES
from support.walk import Walker

CITIZEN = {"username": "cong.dan", "full_name": "Trần Văn Bình", "password": "cong-dan-2026",
           "kind": "applicant", "email": "binh@example.vn", "phone": "0912345678",
           "memberships": []}


@pytest.fixture
def walker(province: Callable[..., dict[str, Any]],
           make_walker: Callable[..., Walker]) -> Walker:
    """The sample province's officers, and an applicant account (``cong.dan``)."""
    return make_walker(province(users=[CITIZEN])["users"], SAMPLES / "forms")


def test_online_dossier_goes_to_the_nearest_desk(walker: Walker, clock: FakeClock) -> None:
    clock.set(local(2026, 3, 20, 20, 30))  # Friday evening
    dossier = walker.create("cong.dan", "2.000488", "to-khai-ly-lich-tu-phap",
                            channel="online", applicant={})
    assert dossier["channel"] == "online"
    assert dossier["desk"] == "000.00.31.H99"  # the provincial service centre
    assert dossier["applicant"]["name"] == "Trần Văn Bình"
    # Counted from Monday 08:00: the desk has until 12:00 for its 0.5 d.
    assert dossier["tasks"][0]["due_at"] == "2026-03-23T12:00:00+07:00"
    code = dossier["code"]
    # The applicant sees their own dossier; another applicant would not.
    assert walker.api.get("cong.dan", f"/dossiers/{code}").status_code == 200
    assert walker.task("mc.tuan", code)["step"] == "Task_Receive"


def test_applicants_cannot_file_at_the_desk_and_officers_not_online(walker: Walker) -> None:
    body = {"procedure": "2.000488", "applicant": {"name": "A"},
            "data": walker.data_for("to-khai-ly-lich-tu-phap")}
    assert walker.api.post("cong.dan", "/dossiers",
                           json={**body, "channel": "direct"}).status_code == 403
    assert walker.api.post("mc.lan", "/dossiers",
                           json={**body, "channel": "online"}).status_code == 403
    assert walker.api.get("cong.dan", "/tasks").get_json() == []
