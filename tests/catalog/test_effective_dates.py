"""A decision takes effect on its effective date: until then the previous state holds.

The shared sample decision (101/QĐ-UBND) publishes 2.000488 (10 working days) effective
2026-03-10; the tests below add amendments, an abolition and a replacement effective later,
and receive dossiers through the API on both sides of each date."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.catalog.models import Procedure, ProcedureRevision, RevisionStatus
from motcua.catalog.operations import (
    get_procedure,
    import_decision,
    procedure_in_force,
    require_open,
    revisions,
)
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.errors import Invalid
from motcua.importing import ImportReport
from motcua.org.models import Agency
from motcua.processes.operations import upload_and_publish
from support.api import AGENCY, UNIT, Api, assert_error, dossier_body, fields_of
from support.clock import FakeClock, local
from support.paths import SAMPLES, load_json
from support.sample import SAMPLE_BPMN, SAMPLE_FORMS, form_files

CODE = "2.000488"
COMMUNE = "000.00.20.H99"  # UBND xã Đông Hải


def _sample_entry() -> dict[str, Any]:
    entry: dict[str, Any] = load_json(SAMPLES / "decision.json")["procedures"][0]
    assert entry["code"] == CODE
    return entry


def _import(number: str, issued: str, effective: str, *procedures: dict[str, Any]
            ) -> ImportReport:
    doc = {"decision": {"number": number, "date": issued, "effective": effective,
                        "issuer": "UBND tỉnh Mẫu", "title": f"Quyết định {number}"},
           "procedures": list(procedures)}
    report = import_decision(doc, json.dumps(doc, ensure_ascii=False, indent=1))
    db.session.commit()
    return report


def _amend(number: str = "102/QĐ-UBND", issued: str = "2026-03-20",
           effective: str = "2026-04-01", **changes: Any) -> ImportReport:
    """The procedure devolves to the commune, 8 working days, from ``effective``."""
    values = {"time_limit": "8d", "agency": COMMUNE, "handling_unit": COMMUNE, **changes}
    return _import(number, issued, effective, dict(_sample_entry(), action="amended", **values))


def _abolish(effective: str = "2026-05-04") -> ImportReport:
    return _import("103/QĐ-UBND", "2026-04-15", effective, {"action": "abolished", "code": CODE})


def _receive(api: Api, code: str = CODE) -> Any:
    return api.post("mc.lan", "/dossiers", json=dossier_body(procedure=code))


def _received(api: Api, code: str = CODE) -> dict[str, Any]:
    response = _receive(api, code)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _refused(api: Api, code: str = CODE) -> str:
    before = db.session.query(Dossier).count()
    error = assert_error(_receive(api, code), 422)
    assert fields_of(error) == {"procedure"}
    assert db.session.query(Dossier).count() == before
    return error["message"]


def _listed(api: Api, on: str | None = None) -> dict[str, dict[str, Any]]:
    path = "/procedures" + (f"?on={on}" if on else "")
    response = api.get("ks.nga", path)
    assert response.status_code == 200, response.get_json()
    return {p["code"]: p for p in response.get_json()}


def _handling_unit(dossier: dict[str, Any]) -> str:
    code = db.session.scalar(
        select(Agency.code).join(Dossier, Dossier.handling_unit_id == Agency.id)
        .where(Dossier.code == dossier["code"]))
    assert code is not None
    return code


def test_a_new_procedure_is_not_accepted_before_its_effective_date(
        sample: dict[str, Any], api: Api, clock: FakeClock) -> None:
    clock.set(local(2026, 3, 9, 16, 0))
    message = _refused(api)
    assert "chưa có hiệu lực" in message and "10/03/2026" in message
    listed = _listed(api)[CODE]
    assert (listed["status"], listed["effective"], listed["time_limit"]) == (
        "pending", "2026-03-10", "10d")
    assert listed["process_version"] is None
    # The date is the province's: 23:59 on the 9th is still before, 00:30 on the 10th is on.
    clock.set(datetime(2026, 3, 9, 16, 59, tzinfo=UTC))
    _refused(api)
    clock.set(datetime(2026, 3, 9, 17, 30, tzinfo=UTC))
    # Counted from 08:00 on the 10th: due at the end of the tenth working day.
    assert _received(api)["due_at"] == "2026-03-23T17:00:00+07:00"
    clock.set(local(2026, 3, 10, 8, 30))
    dossier = _received(api)
    assert dossier["due_at"] == "2026-03-24T08:30:00+07:00"  # 10 working days
    assert dossier["agency"] == AGENCY and _handling_unit(dossier) == UNIT
    listed = _listed(api)[CODE]
    assert (listed["status"], listed["effective"], listed["decision"]) == (
        "active", "2026-03-10", "101/QĐ-UBND")
    assert listed["process_version"] == 1


def test_an_amendment_waits_for_its_date_while_the_earlier_revision_holds(
        sample: dict[str, Any], api: Api, clock: FakeClock) -> None:
    report = _amend()
    assert report.updated["procedure"] == 1
    # 16 March: decision 101 is still the law (10 days, Sở Tư pháp).
    dossier = _received(api)
    assert dossier["due_at"] == "2026-03-30T09:00:00+07:00"
    assert dossier["agency"] == AGENCY and dossier["code"].startswith(AGENCY + "-")
    assert _handling_unit(dossier) == UNIT
    assert _listed(api)[CODE]["time_limit"] == "10d"
    clock.set(local(2026, 3, 31, 9, 0))
    assert _received(api)["due_at"] == "2026-04-14T09:00:00+07:00"
    # 1 April: the amendment is in force (8 days, the commune is competent).
    clock.set(local(2026, 4, 1, 9, 0))
    dossier = _received(api)
    assert dossier["due_at"] == "2026-04-13T09:00:00+07:00"
    assert dossier["agency"] == COMMUNE and dossier["code"].startswith(COMMUNE + "-")
    assert _handling_unit(dossier) == COMMUNE
    listed = _listed(api)[CODE]
    assert (listed["time_limit"], listed["agency"], listed["handling_unit"],
            listed["effective"], listed["decision"]) == (
        "8d", COMMUNE, COMMUNE, "2026-04-01", "102/QĐ-UBND")
    # Both versions are kept; the catalogue of a past day shows what was in force then.
    assert [(r.decision.number, r.time_limit) for r in revisions(get_procedure(CODE))] == [
        ("101/QĐ-UBND", "10d"), ("102/QĐ-UBND", "8d")]
    assert _listed(api, on="2026-03-31")[CODE]["time_limit"] == "10d"


def test_an_abolition_takes_effect_on_its_date(sample: dict[str, Any], api: Api,
                                               clock: FakeClock) -> None:
    _abolish()
    clock.set(local(2026, 5, 2, 9, 0))  # the Saturday before: still accepted
    _received(api)
    assert _listed(api)[CODE]["status"] == "active"
    clock.set(local(2026, 5, 4, 0, 0))
    message = _refused(api)
    assert "bãi bỏ" in message and "04/05/2026" in message
    listed = _listed(api)[CODE]
    assert (listed["status"], listed["effective"], listed["process_version"]) == (
        "abolished", "2026-05-04", None)
    # What was abolished stays readable: the name and time limit in force until then.
    assert (listed["name"], listed["time_limit"]) == (_sample_entry()["name"], "10d")


def test_an_abolition_after_an_amendment_keeps_the_amended_state(
        sample: dict[str, Any], clock: FakeClock) -> None:
    _amend()
    _abolish()
    procedure = get_procedure(CODE)
    abolished = procedure_in_force(procedure, date(2026, 5, 4))
    assert abolished is not None and abolished.status is RevisionStatus.ABOLISHED
    assert (abolished.time_limit, abolished.agency.code) == ("8d", COMMUNE)
    # The procedure row caches the latest revision, for display only.
    assert (procedure.status, procedure.time_limit) == ("abolished", "8d")


def test_a_replacement_takes_effect_on_its_date(sample: dict[str, Any], api: Api,
                                                clock: FakeClock) -> None:
    new_code = CODE + ".1"
    _import("104/QĐ-UBND", "2026-05-10", "2026-06-01", dict(
        _sample_entry(), action="replaced", code=new_code, replaces=CODE, time_limit="5d"))
    # The sample's steps take the old 10 days; within the new 5 the examination gets 2.
    bpmn = SAMPLE_BPMN.read_text(encoding="utf-8")
    assert bpmn.count('name="allotted" value="7d"') == 1
    bpmn = bpmn.replace('name="allotted" value="7d"', 'name="allotted" value="2d"')
    upload_and_publish(new_code, bpmn.encode("utf-8"), SAMPLE_BPMN.name,
                       form_files(SAMPLE_FORMS), date(2026, 1, 1))
    db.session.commit()
    clock.set(local(2026, 5, 29, 9, 0))
    _received(api)
    assert "chưa có hiệu lực" in _refused(api, new_code)
    listed = _listed(api)
    assert (listed[CODE]["status"], listed[new_code]["status"]) == ("active", "pending")
    clock.set(local(2026, 6, 1, 9, 0))  # a Monday
    message = _refused(api)
    assert "thay thế" in message and new_code in message and "01/06/2026" in message
    assert _received(api, new_code)["due_at"] == "2026-06-08T09:00:00+07:00"  # 5 days
    listed = _listed(api)
    assert (listed[CODE]["status"], listed[CODE]["replaced_by"], listed[CODE]["effective"]) == (
        "replaced", new_code, "2026-06-01")
    assert (listed[new_code]["status"], listed[new_code]["time_limit"]) == ("active", "5d")
    old = get_procedure(CODE)
    assert [(r.decision.number, r.status) for r in revisions(old)] == [
        ("101/QĐ-UBND", RevisionStatus.ACTIVE), ("104/QĐ-UBND", RevisionStatus.REPLACED)]
    assert (old.status, old.replaced_by_id) == ("replaced", get_procedure(new_code).id)


def test_reimporting_changes_nothing(app: Flask, sample: dict[str, Any], tmp_path: Path
                                     ) -> None:
    text = (SAMPLES / "decision.json").read_text(encoding="utf-8")
    again = import_decision(json.loads(text), text)
    assert (again.created, again.updated) == ({}, {})
    assert again.unchanged == {"decision": 1, "procedure": 3}
    _amend()
    before = [(r.id, r.procedure_id, r.decision_id, r.time_limit, r.status)
              for r in db.session.scalars(select(ProcedureRevision).order_by(ProcedureRevision.id))]
    report = _amend()
    assert (report.created, report.updated) == ({}, {})
    assert report.unchanged == {"decision": 1, "procedure": 1}
    after = [(r.id, r.procedure_id, r.decision_id, r.time_limit, r.status)
             for r in db.session.scalars(select(ProcedureRevision).order_by(ProcedureRevision.id))]
    assert after == before and len(after) == 4  # 3 from 101, 1 from 102


def test_the_state_in_force_on_any_date_is_readable(sample: dict[str, Any]) -> None:
    # Imported out of order: a later-effective amendment first, an earlier one after.
    _amend()
    _amend(number="105/QĐ-UBND", issued="2026-03-12", effective="2026-03-20",
           time_limit="9d", agency=AGENCY, handling_unit=UNIT)
    _abolish()
    procedure = get_procedure(CODE)
    expected = {date(2026, 3, 9): None, date(2026, 3, 10): ("101/QĐ-UBND", "10d"),
                date(2026, 3, 19): ("101/QĐ-UBND", "10d"), date(2026, 3, 20): ("105/QĐ-UBND", "9d"),
                date(2026, 3, 31): ("105/QĐ-UBND", "9d"), date(2026, 4, 1): ("102/QĐ-UBND", "8d"),
                date(2026, 5, 3): ("102/QĐ-UBND", "8d"), date(2026, 5, 4): ("103/QĐ-UBND", "8d")}
    for day, state in expected.items():
        revision = procedure_in_force(procedure, day)
        assert (None if revision is None else (revision.decision.number, revision.time_limit)
                ) == state, day
    with pytest.raises(Invalid) as not_yet:
        require_open(procedure, date(2026, 3, 9))
    assert not_yet.value.details == [
        {"field": "procedure", "message": "Thủ tục chưa có hiệu lực, áp dụng từ ngày 10/03/2026"}]
    assert require_open(procedure, date(2026, 3, 25)).time_limit_minutes == 9 * 480
    with pytest.raises(Invalid, match="bãi bỏ"):
        require_open(procedure, date(2026, 5, 4))
    # The cache on the procedure row follows the latest revision, whatever the import order.
    assert (procedure.status, procedure.time_limit) == ("abolished", "8d")


def test_a_procedure_never_in_force_is_refused_as_abolished(sample: dict[str, Any]) -> None:
    # 2.000505 enters the catalogue already abolished by 101 (effective 10 March).
    procedure = get_procedure("2.000505")
    assert procedure_in_force(procedure, date(2026, 3, 9)) is None
    with pytest.raises(Invalid) as before:
        require_open(procedure, date(2026, 3, 9))
    assert "áp dụng từ" not in before.value.message
    with pytest.raises(Invalid, match="bãi bỏ"):
        require_open(procedure, date(2026, 3, 10))


def test_step_numbers_are_kept_as_written(sample: dict[str, Any]) -> None:
    entry = _sample_entry()
    steps = entry["steps"]
    sub = dict(steps[2], no="3.1", work="Xác minh thông tin", time="1d")
    _import("106/QĐ-UBND", "2026-03-11", "2026-03-12",
            dict(entry, action="amended", steps=[*steps[:3], sub, *steps[3:]]))
    revision = procedure_in_force(get_procedure(CODE), date(2026, 3, 12))
    assert revision is not None
    assert [s["no"] for s in revision.steps] == [1, 2, 3, "3.1", 4, 5, 6, 7]
    stored = db.session.scalar(select(Procedure.steps).where(Procedure.code == CODE))
    assert stored is not None and stored[3]["no"] == "3.1"


@pytest.mark.parametrize("no", ["", 3.5, True, None])
def test_a_step_number_must_be_an_integer_or_text(sample: dict[str, Any], no: Any) -> None:
    from motcua.importing import ImportProblems

    entry = _sample_entry()
    entry["steps"][1]["no"] = no
    with pytest.raises(ImportProblems) as problems:
        _import("107/QĐ-UBND", "2026-03-11", "2026-03-12", dict(entry, action="amended"))
    assert [p["field"] for p in problems.value.details] == ["$.procedures[0].steps[1].no"]
