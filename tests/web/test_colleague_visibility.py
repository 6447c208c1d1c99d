"""What a colleague of the same role and unit may see of a task they neither hold nor held:
its header, never the dossier's applicant, application, attachments or history, unless the
dossier's own visibility rule lets them read it. Enumerating task ids reveals no more."""

from __future__ import annotations

from typing import Any

from flask import Flask

from support.walk import Walker, sample_at_examination
from support.web import Browser, text

APPLICANT = "Nguyễn Văn An"
ID_NUMBER = "001090012345"


def test_a_colleague_sees_the_header_only(app: Flask, walker: Walker, api: Any) -> None:
    code = sample_at_examination(walker)
    task = walker.task("cv.mai", code)
    colleague = Browser(app, "cv.dung")
    page = colleague.get(f"/tasks/{task['id']}")
    assert page.status_code == 200
    body = text(page)
    assert task["name"] in body and code in body and "Phạm Thị Mai" in body
    for secret in (APPLICANT, ID_NUMBER, "Tờ khai", "Quá trình xử lý", "Tệp đính kèm"):
        assert secret not in body, secret
    # Nor can they act on it, or open the dossier it belongs to.
    assert colleague.post(f"/tasks/{task['id']}", {"outcome": "approve"}).status_code in (404, 409)
    assert colleague.get(f"/dossiers/{code}").status_code == 404
    # The holder reads everything.
    assert APPLICANT in text(Browser(app, "cv.mai").get(f"/tasks/{task['id']}"))


def test_enumerating_task_ids_reveals_nothing_more(app: Flask, walker: Walker,
                                                   api: Any) -> None:
    code = sample_at_examination(walker)
    walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")  # another dossier
    colleague = Browser(app, "cv.dung")
    top = max(t["id"] for t in api.get("mc.lan", f"/dossiers/{code}").get_json()["tasks"]) + 5
    for task_id in range(1, top):
        page = colleague.get(f"/tasks/{task_id}")
        assert page.status_code in (200, 404)
        assert APPLICANT not in text(page) and ID_NUMBER not in text(page)
        answer = api.get("cv.dung", f"/tasks/{task_id}")
        assert answer.status_code in (200, 404)
        if answer.status_code == 200:
            assert set(answer.get_json()) <= {
                "id", "dossier", "name", "step", "role", "unit", "assignee", "started_at",
                "due_at", "overdue", "form", "outcomes", "document", "state", "outcome",
                "meaning", "reopened", "completed_at"}


def test_an_unclaimed_task_of_the_unit_is_readable_by_who_may_pick_it_up(
        app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    walker.complete("mc.lan", code, "accept")
    task = walker.task("tp.hung", code)
    assert APPLICANT in text(Browser(app, "tp.hung").get(f"/tasks/{task['id']}"))
