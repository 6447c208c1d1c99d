"""A timer on a step's border, in the demo province's procedure 1.009972: what it opens is
handed over by its own event, inside the model; the late consultation is a late step."""

from __future__ import annotations

from collections.abc import Callable

from execution_support import by_rule, dossier, findings, rewrite
from flask import Flask
from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.worker import fire_due_timers
from motcua.history.models import EventAction, HistoryEvent
from support.clock import FakeClock, local
from support.paths import DEMO, REPO, load_json
from support.walk import Walker


def test_a_timer_hands_over_inside_the_model(app: Flask, make_walker: Callable[..., Walker],
                                            clock: FakeClock) -> None:
    assert app.test_cli_runner().invoke(args=["demo", "--no-dossiers"]).exit_code == 0
    walker = make_walker(load_json(DEMO / "org.json")["users"], REPO / "forms")
    code = walker.create("mc.lan", "1.009972", "to-khai-tham-dinh-bao-cao-nckt")["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.thanh", code, assignee="cv.trang")
    walker.complete("cv.trang", code, "consult")
    clock.set(local(2026, 3, 24, 9, 0))  # the consultation's time is up
    assert fire_due_timers(clock()) == 1
    db.session.commit()
    walker.complete("tp.thanh", code)  # the reminder the timer opened
    walker.complete("cv.linh", code, "agree")  # the consultation, answered late
    found = findings(code, clock)
    assert not by_rule(found, "outside_model"), [f.message for f in found]
    assert not by_rule(found, "outside_lane")
    [late] = by_rule(found, "late_step")
    assert late.element_id == "Task_Consult"
    timer = db.session.scalar(select(HistoryEvent).where(
        HistoryEvent.dossier_id == dossier(code).id, HistoryEvent.action == EventAction.TIMER))
    assert timer is not None and timer.to_steps == ["Task_Remind"]
    # Had the timer opened the synthesis instead, it would have left the model.
    rewrite(timer, to_steps=["Task_Synthesize"])
    [outside] = by_rule(findings(code, clock), "outside_model")
    assert (outside.element_id, outside.event) == ("Timer_ConsultOverdue", timer.seq)
    assert outside.message.startswith('Hẹn giờ "Quá hạn cho ý kiến" chuyển hồ sơ tới bước')
