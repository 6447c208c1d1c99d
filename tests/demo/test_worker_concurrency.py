"""Several workers at once: each due timer fires exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from motcua.db import db
from motcua.dossiers.worker import fire_due_timers
from motcua.history.models import HistoryEvent
from motcua.tasks.models import Task
from support.clock import FakeClock, local
from support.paths import DEMO, REPO, load_json
from support.walk import Walker

# Each worker runs in a thread with an app context, a session and a connection of its own,
# and both at once: only real commits show one worker what the other did.
pytestmark = pytest.mark.committed


def test_two_workers_fire_each_timer_once(app: Flask, make_walker: Callable[..., Walker],
                                          clock: FakeClock) -> None:
    assert app.test_cli_runner().invoke(args=["demo", "--no-dossiers"]).exit_code == 0
    walker = make_walker(load_json(DEMO / "org.json")["users"], REPO / "forms")
    codes = []
    for _ in range(6):
        code = walker.create("mc.lan", "1.009972", "to-khai-tham-dinh-bao-cao-nckt")["code"]
        walker.complete("mc.lan", code, "accept")
        walker.complete("tp.thanh", code, assignee="cv.trang")
        walker.complete("cv.trang", code, "consult")
        codes.append(code)
    clock.set(local(2026, 3, 24, 9, 0))
    barrier = threading.Barrier(2)
    fired: list[int] = []

    def work() -> None:
        with app.app_context():
            barrier.wait()
            fired.append(fire_due_timers(clock()))
            db.session.commit()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(fired) == 6, fired
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(HistoryEvent).where(
        HistoryEvent.action == "timer")) == 6
    reminders = db.session.scalar(select(func.count()).select_from(Task).where(
        Task.element_id == "Task_Remind"))
    assert reminders == 6
