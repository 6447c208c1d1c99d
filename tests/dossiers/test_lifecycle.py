"""Full lifecycles of the shared sample procedure through the HTTP API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from motcua.db import db
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.tasks.models import Task
from support.clock import FakeClock, local
from support.walk import Walker

PROCEDURE = "2.000488"
START_FORM = "to-khai-ly-lich-tu-phap"


def test_receipt_sets_code_due_and_first_task(walker: Walker) -> None:
    dossier = walker.create("mc.lan", PROCEDURE, START_FORM)
    assert dossier["code"] == "000.00.12.H99-260316-0001"
    assert dossier["status"] == "received"
    assert dossier["received_at"] == "2026-03-16T09:00:00+07:00"
    # 10 working days from Monday 09:00 → Monday two weeks later, 09:00.
    assert dossier["due_at"] == "2026-03-30T09:00:00+07:00"
    [task] = dossier["tasks"]
    assert (task["step"], task["role"], task["unit"]) == ("Task_Receive", "receiver",
                                                          "000.00.31.H99")
    assert task["due_at"] == "2026-03-16T14:00:00+07:00"  # 0.5 d: 3 h before lunch + 1 h


def test_out_of_hours_reception_counts_from_next_working_minute(
        walker: Walker, clock: FakeClock) -> None:
    clock.set(local(2026, 3, 21, 10, 0))  # Saturday
    dossier = walker.create("mc.lan", PROCEDURE, START_FORM)
    assert dossier["received_at"] == "2026-03-21T10:00:00+07:00"
    assert dossier["due_at"] == "2026-04-03T17:00:00+07:00"  # Monday 08:00 + 10 d
    assert dossier["tasks"][0]["due_at"] == "2026-03-23T12:00:00+07:00"


def test_full_lifecycle_with_supplement_and_send_backs(walker: Walker, api: Any,
                                                       clock: FakeClock) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    answer = walker.complete("mc.lan", code, "accept")
    assert answer["dossier"]["status"] == "processing"
    assert [t["step"] for t in answer["next_tasks"]] == ["Task_Assign"]
    answer = walker.complete("tp.hung", code, assignee="cv.mai")
    [examine] = answer["next_tasks"]
    assert examine["assignee"] == "cv.mai"  # assignee_field assigns the next step

    clock.set(local(2026, 3, 18, 10, 0))
    answer = walker.complete("cv.mai", code, "supplement", note="Thiếu bản sao căn cước")
    assert answer["dossier"]["status"] == "supplement_requested"
    assert [d["kind"] for d in answer["documents"]] == ["supplement"]
    detail = api.get("mc.lan", f"/dossiers/{code}").get_json()
    assert detail["due_at"] is None  # the clock stops

    clock.set(local(2026, 3, 24, 14, 0))
    answer = walker.complete("mc.tuan", code)
    assert answer["dossier"]["status"] == "processing"
    # The complete dossier gets a new receipt with the new appointment.
    assert [d["kind"] for d in answer["documents"]] == ["receipt"]
    assert answer["next_tasks"][0]["assignee"] == "cv.mai"  # back to the same specialist
    detail = api.get("mc.lan", f"/dossiers/{code}").get_json()
    assert detail["due_at"] == "2026-04-07T14:00:00+07:00"  # restarted from zero

    walker.complete("cv.mai", code, "approve")
    answer = walker.complete("tp.hung", code, "back", note="Bổ sung căn cứ")  # review
    assert [t["step"] for t in answer["next_tasks"]] == ["Task_Examine"]
    walker.complete("cv.mai", code, "approve")
    walker.complete("tp.hung", code, "agree")
    answer = walker.complete("gd.son", code, "back", note="Xem lại")  # approval sends back
    assert [t["step"] for t in answer["next_tasks"]] == ["Task_Review"]
    walker.complete("tp.hung", code, "agree")
    walker.complete("gd.son", code, "sign")
    answer = walker.complete("vt.ha", code)
    assert answer["dossier"]["status"] == "done"
    answer = walker.complete("mc.lan", code)
    assert answer == {"dossier": {"code": code, "status": "returned"}, "next_tasks": [],
                      "documents": []}

    history = api.get("gd.son", f"/dossiers/{code}/history").get_json()
    handovers = [e for e in history if e["action"] == "completed"]
    assert len(handovers) == 13
    assert [e["from"] for e in handovers[:3]] == [
        "Tiếp nhận, kiểm tra hồ sơ", "Phân công xử lý", "Thẩm định hồ sơ"]
    assert handovers[0]["to"] == "Phân công xử lý"
    assert handovers[-1]["to"] == "Kết thúc: đã trả kết quả"
    assert {e["timing"] for e in handovers if e["timing"]} <= {"early", "on_time", "late"}
    # Assigning took from Monday 09:00 to Wednesday: its 0.5 d ran out Monday 14:00.
    examine = next(e for e in handovers if e["step"] == "Task_Examine")
    assert examine["timing"] == "early"
    assert handovers[1]["timing"] == "on_time"
    kinds = db.session.scalars(select(IssuedDocument.kind).order_by(IssuedDocument.id)).all()
    assert kinds == ["receipt", "supplement", "receipt", "result"]
    assert db.session.scalar(select(func.count()).select_from(Task).where(
        Task.state.in_(("ready", "claimed")))) == 0


def test_supplement_at_reception_then_accept(walker: Walker, api: Any) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    answer = walker.complete("mc.lan", code, "supplement", note="Thiếu tờ khai")
    assert answer["dossier"]["status"] == "supplement_requested"
    assert [t["step"] for t in answer["next_tasks"]] == ["Task_Supplement"]
    answer = walker.complete("mc.lan", code)
    assert answer["dossier"]["status"] == "processing"
    assert [t["step"] for t in answer["next_tasks"]] == ["Task_Receive"]
    answer = walker.complete("mc.lan", code, "accept")
    assert [t["step"] for t in answer["next_tasks"]] == ["Task_Assign"]


def test_refusal_at_reception_ends_the_dossier(walker: Walker, api: Any) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    answer = walker.complete("mc.lan", code, "refuse", note="Không thuộc thẩm quyền")
    assert answer["dossier"] == {"code": code, "status": "refused"}
    assert answer["next_tasks"] == [] and [d["kind"] for d in answer["documents"]] == ["refusal"]
    assert api.get("mc.lan", "/tasks").get_json() == []
    kinds = db.session.scalars(select(IssuedDocument.kind)).all()
    assert kinds == ["refusal"]
    lookup = api.get(None, f"/lookup/{code}").get_json()
    assert (lookup["procedure"], lookup["status"]) == ("2.000488", "refused")


def test_state_stays_small_however_many_loops(walker: Walker, api: Any) -> None:
    """Send-back loops must not make the saved state (and each step's cost) grow."""
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, assignee="cv.dung")
    sizes = []
    for _ in range(12):
        walker.complete("cv.dung", code, "approve")
        walker.complete("tp.hung", code, "back", note="Xem lại")
        db.session.expire_all()
        state = db.session.scalar(select(Dossier.workflow_state).where(Dossier.code == code))
        assert state is not None
        sizes.append(len(state["workflow"]["tasks"]))
    assert sizes[-1] == sizes[1], sizes
    assert sizes[-1] < 30
