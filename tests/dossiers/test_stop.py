"""Stopping a dossier: who may, what happens to its tasks and its documents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.models import IssuedDocument
from support.walk import Walker


def test_the_agency_leader_stops_a_dossier(walker: Walker, api: Any) -> None:
    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, assignee="cv.mai")
    examine = walker.task("cv.mai", code)
    assert api.post("cv.mai", f"/dossiers/{code}/stop",
                    json={"reason": "x"}).status_code == 403
    assert api.post("gd.son", f"/dossiers/{code}/stop",
                    json={"reason": "  "}).status_code == 422
    response = api.post("gd.son", f"/dossiers/{code}/stop",
                        json={"reason": "Người nộp đề nghị dừng"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "stopped"
    assert {t["state"] for t in body["tasks"]} <= {"completed", "cancelled"}
    done = api.post("cv.mai", f"/tasks/{examine['id']}/complete",
                    json={"outcome": "approve", "data": walker.data_for("tham-dinh")})
    assert done.status_code == 409
    assert api.post("gd.son", f"/dossiers/{code}/stop",
                    json={"reason": "lần hai"}).status_code == 409
    history = api.get("gd.son", f"/dossiers/{code}/history").get_json()
    stopped, notice_event = history[-2:]
    assert (stopped["action"], stopped["note"]) == ("stopped", "Người nộp đề nghị dừng")
    assert (stopped["actor_role"], stopped["actor_unit"]) == ("leader", "000.00.12.H99")
    assert (notice_event["action"], notice_event["document"]) == ("document", "stop")
    assert api.get(None, f"/lookup/{code}").get_json()["status"] == "stopped"
    notice = db.session.scalar(select(IssuedDocument).where(IssuedDocument.kind == "stop"))
    assert notice is not None and notice.content["reason"] == "Người nộp đề nghị dừng"


def test_another_agency_cannot_even_see_it(walker: Walker, api: Any) -> None:
    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    assert api.post("xa.chutich", f"/dossiers/{code}/stop",
                    json={"reason": "x"}).status_code == 404
