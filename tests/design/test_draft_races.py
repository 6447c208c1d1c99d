"""Two designers saving the same draft from the same revision at the same moment: exactly
one save wins, the other is told (409), and the winner's work is what is kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from motcua.design.models import DraftRevision
from support.api import PROCEDURE, Api, bearer, count, issue_token, run_together
from support.sample import SAMPLE_BPMN

pytestmark = pytest.mark.committed

SECOND: dict[str, Any] = {"username": "tk.lien", "full_name": "Tạ Kim Liên", "password": "demo-Lien-2026",
          "memberships": [{"agency": "000.00.12.H99", "role": "designer"}]}
DESIGNERS = [("qt.binh", "demo-Binh-2026"), (SECOND["username"], SECOND["password"])]


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_saves_from_one_revision_have_one_winner(
        province: Callable[..., dict[str, Any]],
        make_api: Callable[[list[dict[str, Any]]], Api], app: Flask, round_: int) -> None:
    api = make_api(province(users=[dict(SECOND)])["users"])
    bpmn = SAMPLE_BPMN.read_text(encoding="utf-8")
    draft = api.post("qt.binh", "/drafts", json={"procedure": PROCEDURE, "bpmn": bpmn}
                     ).get_json()
    client = app.test_client()
    tokens = [issue_token(client, name, password) for name, password in DESIGNERS]
    edits = [bpmn.replace("Tiếp nhận hồ sơ", f"Tiếp nhận ({name})") for name, _ in DESIGNERS]

    def save(token: str, edit: str) -> Any:
        return lambda c: c.put(f"/api/v1/drafts/{draft['id']}", headers=bearer(token),
                               json={"revision": 1, "bpmn": edit})

    results = run_together(app, [save(t, e) for t, e in zip(tokens, edits, strict=True)])
    assert sorted(status for status, _ in results) == [200, 409], results
    winner = next(i for i, (status, _) in enumerate(results) if status == 200)
    shown = api.get("qt.binh", f"/drafts/{draft['id']}").get_json()
    assert (shown["revision"], shown["bpmn"]) == (2, edits[winner])
    assert count(DraftRevision) == 2
