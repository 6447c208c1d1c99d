"""The project's own demo province and process library, loaded by `motcua demo`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.db import db
from motcua.history.models import HistoryEvent
from motcua.tasks.models import Task
from support.clock import FakeClock, local
from support.paths import DEMO, REPO, load_json
from support.walk import Walker


@pytest.fixture
def demo(app: Flask) -> Flask:
    result = app.test_cli_runner().invoke(args=["demo", "--no-dossiers"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def walker(demo: Flask, make_walker: Callable[..., Walker]) -> Walker:
    return make_walker(load_json(DEMO / "org.json")["users"], REPO / "forms")


def test_demo_loads_idempotently(demo: Flask) -> None:
    result = demo.test_cli_runner().invoke(args=["demo", "--no-dossiers"])
    assert result.exit_code == 0, result.output
    assert "tạo mới: 0" in result.output
    assert "giữ nguyên phiên bản 1" in result.output


def test_provincial_procedure_uses_all_five_roles(walker: Walker) -> None:
    dossier = walker.create("mc.lan", "1.009974", "to-khai-cap-giay-phep-xay-dung")
    code = dossier["code"]
    assert code.startswith("000.00.09.H42-260316-")
    assert dossier["due_at"] == "2026-03-30T09:00:00+07:00"
    seen = []
    for user, outcome, extra in [
        ("mc.lan", "accept", {}), ("tp.thanh", None, {"assignee": "cv.hieu"}),
        ("cv.hieu", "approve", {}), ("tp.thanh", "forward", {}), ("gd.long", "approve", {}),
        ("vt.nhung", None, {}), ("mc.quang", None, {}),
    ]:
        task = walker.task(user, code)
        seen.append((task["role"], task["unit"]))
        answer = walker.complete(user, code, outcome, **extra)
    assert answer["dossier"]["status"] == "returned"
    assert seen == [("receiver", "000.00.31.H42"), ("unit_head", "000.03.09.H42"),
                    ("specialist", "000.03.09.H42"), ("unit_head", "000.03.09.H42"),
                    ("leader", "000.00.09.H42"), ("clerk", "000.00.09.H42"),
                    ("receiver", "000.00.31.H42")]


def test_same_day_commune_procedure(walker: Walker) -> None:
    dossier = walker.create("xa.yen", "2.000815", "to-khai-chung-thuc-ban-sao")
    assert dossier["due_at"] == "2026-03-16T14:00:00+07:00"  # 4 working hours
    code = dossier["code"]
    walker.complete("xa.yen", code, "accept")
    walker.complete("xa.phuong", code, "approve")
    walker.complete("xa.hai", code, "sign")
    answer = walker.complete("xa.yen", code)
    assert answer["dossier"]["status"] == "returned"


def test_interagency_step_timer_reminder_and_overdue(
        walker: Walker, demo: Flask, clock: FakeClock) -> None:
    code = walker.create("mc.lan", "1.009972", "to-khai-tham-dinh-bao-cao-nckt")["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.thanh", code, assignee="cv.trang")
    answer = walker.complete("cv.trang", code, "consult")
    [consult] = answer["next_tasks"]
    # The step at another agency: its own unit's officers see it, the handling unit does not.
    assert consult["unit"] == "000.05.13.H42"
    assert consult["due_at"] == "2026-03-23T09:00:00+07:00"  # 5 d
    assert walker.task("cv.linh", code)["id"] == consult["id"]
    assert all(t["dossier"] != code for t in walker.api.get("cv.hieu", "/tasks").get_json())

    runner = demo.test_cli_runner()
    clock.set(local(2026, 3, 23, 8, 59))
    assert "Hẹn giờ đã kích hoạt: 0" in runner.invoke(args=["worker", "--once"]).output
    clock.set(local(2026, 3, 23, 9, 1))
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Hẹn giờ đã kích hoạt: 1; công việc quá hạn mới: 1" in result.output
    reminder = walker.task("tp.thanh", code, "Đôn đốc cơ quan phối hợp")
    assert reminder["role"] == "unit_head"
    db.session.expire_all()
    overdue = db.session.scalar(select(Task).where(Task.id == consult["id"]))
    assert overdue is not None and overdue.overdue and overdue.state == "ready"
    actions = db.session.scalars(select(HistoryEvent.action).order_by(HistoryEvent.id)).all()
    assert "timer" in actions and "overdue" in actions
    # A second worker round finds nothing new.
    assert "Hẹn giờ đã kích hoạt: 0; công việc quá hạn mới: 0" in runner.invoke(
        args=["worker", "--once"]).output

    walker.complete("tp.thanh", code, name="Đôn đốc cơ quan phối hợp")
    answer = walker.complete("cv.linh", code, "agree")
    history = walker.api.get("mc.lan", f"/dossiers/{code}/history").get_json()
    late = [e for e in history if e["action"] == "completed" and e["step"] == "Task_Consult"]
    assert late[0]["timing"] == "late"
    assert answer["dossier"]["status"] == "processing"
