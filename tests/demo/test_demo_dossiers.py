"""``motcua demo`` makes months of dossiers through the platform's own operations: a spread
of statuses, channels and timings, intact history chains, and nothing more on a second run."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import WorkingCalendar
from motcua.clock import now
from motcua.db import db
from motcua.demo.fill import Context, fill, papers
from motcua.demo.people import applicant
from motcua.demo.plans import Offer, fates, make_plans
from motcua.dossiers.models import Dossier, DossierStatus
from motcua.dossiers.timing import late_open_at, timing_of_finished
from motcua.folding import fold
from motcua.history.chain import first_break
from motcua.history.models import EventAction, HistoryEvent
from motcua.org.models import Agency, User
from motcua.processes.meanings import Meaning
from motcua.schema_errors import validate
from support.clock import FakeClock, local
from support.paths import REPO

# Late enough that four months of dossiers all fall after the demo decision took effect.
NOW = local(2026, 7, 15, 10, 0)


@pytest.fixture
def demo(app: Flask, clock: FakeClock) -> str:
    clock.set(NOW)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _dossiers() -> list[Dossier]:
    return list(db.session.scalars(select(Dossier).order_by(Dossier.id)))


def test_demo_dossiers(demo: str, app: Flask) -> None:
    """One run per database (sixty dossiers take a while): what it made, its histories, and
    a second run."""
    assert "Hồ sơ mẫu: đã tạo 60 hồ sơ" in demo
    _spread()
    _histories()
    _second_run(app)


def _spread() -> None:
    dossiers = _dossiers()
    assert len(dossiers) == 60
    # The command put the test's clock back.
    assert now() == NOW

    status = Counter(d.status for d in dossiers)
    assert {DossierStatus.RETURNED, DossierStatus.REFUSED, DossierStatus.STOPPED} <= set(status)
    assert status[DossierStatus.STOPPED] == 1
    assert status[DossierStatus.SUPPLEMENT_REQUESTED] >= 1
    assert sum(n for s, n in status.items() if s in (
        DossierStatus.RECEIVED, DossierStatus.PROCESSING, DossierStatus.DONE)) >= 3
    assert set(Counter(d.channel for d in dossiers)) == {"direct", "online", "postal"}
    assert len({d.procedure_id for d in dossiers}) == 3
    assert len({d.agency_id for d in dossiers}) >= 2

    timing = Counter(db.session.scalars(select(timing_of_finished()).select_from(Dossier)))
    # Judged when each result was ready: most early or on time, some late.
    assert timing["on_time"] + timing["early"] > timing["late"] > 0
    assert timing["on_time"] > 0 and timing["early"] > 0
    late_open = db.session.scalar(select(func.count()).select_from(Dossier)
                                  .where(late_open_at(NOW)))
    assert late_open and late_open >= 2
    supplements = Counter(d.supplement_count for d in dossiers)
    assert supplements[2] == 1 and supplements[1] >= 3
    apologised = [d for d in dossiers if d.apology_count]
    assert len(apologised) >= 2
    assert all(d.due_at is not None and d.first_due_at is not None
               and d.due_at > d.first_due_at for d in apologised)
    # Realistic Vietnamese names, written with their diacritics.
    assert sum(1 for d in dossiers if fold(d.applicant_name) != d.applicant_name.casefold()) > 50

    calendar = load_calendar()
    start = NOW - timedelta(days=121)
    for d in dossiers:
        assert start < d.received_at < NOW
        if d.channel != "online":
            assert calendar.next_working_minute(d.received_at) == d.received_at, d.code
    online = [d for d in dossiers if d.channel == "online"]
    assert all(d.applicant_user_id is not None for d in online)
    kinds = set(db.session.scalars(select(User.kind).where(
        User.id.in_([d.applicant_user_id for d in online]))))
    assert kinds == {"applicant"}


def _histories() -> None:
    actions: Counter[str] = Counter()
    for dossier in _dossiers():
        events = list(db.session.scalars(select(HistoryEvent).where(
            HistoryEvent.dossier_id == dossier.id).order_by(HistoryEvent.id)))
        assert first_break(events) is None, dossier.code
        moments = [e.at for e in events]
        assert moments == sorted(moments) and moments[-1] <= NOW, dossier.code
        actions.update(e.action for e in events)
    for action in (EventAction.RECEIVED, EventAction.COMPLETED, EventAction.EXTENDED,
                   EventAction.STOPPED, EventAction.OVERDUE):
        assert actions[action], action


def _second_run(app: Flask) -> None:
    before = len(_dossiers())
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"Hồ sơ mẫu: đã có {before} hồ sơ, không tạo thêm" in result.output
    assert len(_dossiers()) == before


def test_no_dossiers_when_asked(app: Flask, clock: FakeClock) -> None:
    clock.set(NOW)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--no-dossiers"])
    assert result.exit_code == 0, result.output
    assert "Hồ sơ mẫu" not in result.output
    assert runner.invoke(args=["demo", "--dossiers", "0"]).exit_code == 0
    assert not _dossiers()
    assert db.session.scalar(select(Agency.id).limit(1)) is not None


def _schemas() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, json.loads(p.read_text(encoding="utf-8")))
            for p in sorted((REPO / "forms").glob("*.schema.json"))]


@pytest.mark.parametrize("seed", range(20))
def test_filled_forms_are_valid(seed: int) -> None:
    rng = random.Random(seed)
    names = ("Đơn đề nghị", "Bản sao giấy chứng nhận quyền sử dụng đất")
    ctx = Context(rng=rng, at=NOW, applicant=applicant(rng, "Tỉnh Mẫu",
                                                       organisation=bool(seed % 2)),
                  papers=names, project="Nhà làm việc", signer="Hồ Đức Long")
    for name, schema in _schemas():
        data = fill(schema, ctx, {"assignee": "cv.hieu"} if "assignee" in schema.get(
            "properties", {}) else None)
        assert validate(data, schema) == [], name
        for key, spec in (schema.get("properties") or {}).items():
            if spec.get("type") == "array":
                listed = papers(spec["items"], ctx, names)
                assert validate({**data, key: listed}, schema) == [], (name, key)


def test_plans_are_seeded_and_cover_every_fate() -> None:
    offers = [Offer("1.000001", True, 4800, {Meaning.SUPPLEMENT: 2, Meaning.REFUSE: 2,
                                             Meaning.BACK: 2}, ("Đơn",)),
              Offer("2.000002", False, 240, {Meaning.SUPPLEMENT: 1, Meaning.REFUSE: 2},
                    ("Bản chính",))]
    people = {"cd.a": "Nguyễn Văn An"}

    def plans(seed: int) -> list[Any]:
        return make_plans(random.Random(seed), 40, offers, ["cd.a"], people,
                          NOW - timedelta(days=120), NOW, WorkingCalendar(), "Tỉnh Mẫu")

    assert plans(1) == plans(1) and plans(1) != plans(2)
    made = plans(1)
    assert [p.received_at for p in made] == sorted(p.received_at for p in made)
    assert all(p.received_at < NOW for p in made)
    assert sum(1 for p in made if p.supplement_at == {0, 1}) == 1
    # A plan needing two steps that offer a supplement goes to a process that has them.
    assert all(p.procedure == "1.000001" for p in made if len(p.supplement_at) == 2 or p.back)
    assert all(p.channel != "online" for p in made if p.procedure == "2.000002")
    assert {"postal", "online", "direct"} == {p.channel for p in made}
    assert Counter(fates(40)) == {"plain": 23, "refuse": 2, "stop": 1, "supplement": 5,
                                  "supplement_twice": 1, "apology": 2, "back": 3, "stall": 2,
                                  "awaiting": 1}
    assert len(fates(3)) == 3
