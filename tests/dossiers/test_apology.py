"""Apology and new appointment through the API: who may, what changes, what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from support.walk import Walker, sample_at_examination

PROCEDURE = "2.000488"
START_FORM = "to-khai-ly-lich-tu-phap"


def test_holder_moves_the_due_time_and_the_letter_is_issued(api: Any, walker: Walker) -> None:
    code = sample_at_examination(walker)
    response = api.post("cv.mai", f"/dossiers/{code}/apology", json={
        "reason": "Chờ kết quả xác minh", "new_due": "2026-04-03T16:00"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["due_at"] == "2026-04-03T16:00:00+07:00"
    events = api.get("cv.mai", f"/dossiers/{code}/history").get_json()
    extended = [e for e in events if e["action"] == "extended"]
    assert extended and extended[0]["note"] == "Chờ kết quả xác minh"
    assert any(e["action"] == "document" and e["document"] == "apology" for e in events)


@pytest.mark.parametrize(("body", "field"), [
    ({"reason": "", "new_due": "2026-04-03T16:00"}, "reason"),
    ({"reason": "Chậm", "new_due": "2026-03-24T16:00"}, "new_due"),
])
def test_invalid_apology_names_the_field(api: Any, walker: Walker, body: dict[str, str],
                                         field: str) -> None:
    code = sample_at_examination(walker)
    response = api.post("cv.mai", f"/dossiers/{code}/apology", json=body)
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == [field]
    dossier = api.get("cv.mai", f"/dossiers/{code}").get_json()
    assert dossier["due_at"] == "2026-03-30T09:00:00+07:00"


def test_unreadable_new_due_is_422(api: Any, walker: Walker) -> None:
    code = sample_at_examination(walker)
    response = api.post("cv.mai", f"/dossiers/{code}/apology",
                        json={"reason": "Chậm", "new_due": "thứ hai tuần sau"})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "new_due"


def test_officer_who_worked_on_it_but_holds_nothing_now_is_forbidden(
        api: Any, walker: Walker) -> None:
    code = sample_at_examination(walker)
    response = api.post("mc.lan", f"/dossiers/{code}/apology",
                        json={"reason": "Chậm", "new_due": "2026-04-03T16:00"})
    assert response.status_code == 403


def test_no_apology_while_waiting_for_a_supplement(api: Any, walker: Walker) -> None:
    code = sample_at_examination(walker)
    walker.complete("cv.mai", code, "supplement", note="Thiếu giấy tờ")
    response = api.post("gd.son", f"/dossiers/{code}/apology",
                        json={"reason": "Chậm", "new_due": "2026-05-04T16:00"})
    assert response.status_code == 409
