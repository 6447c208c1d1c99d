"""Model conformance on a day: for each procedure, the process version in force that day
against the decision (the procedure's revision) in force that day.

A version is in force on a day when it is published with an effective date on or before it
and was not retired by then (the latest such, as ``processes.version_in_effect`` chooses
today's). Comparisons with the step table are the designer's legal checks, run on the stored
version (``processes.checks.legal.review``); the rules on the catalogue are here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import defer, load_only

from motcua.audit.conformance.catalogue_rules import catalogue_findings
from motcua.audit.conformance.rules import ERROR, UNREADABLE, Finding, Status, by_severity
from motcua.audit.conformance.wording import legal_findings
from motcua.audit.scope import require_auditor
from motcua.audit.settings import DEFAULTS, setting
from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import FIRST_YEAR, LAST_YEAR, TZ
from motcua.catalog.models import Decision, Procedure, ProcedureRevision, RevisionStatus
from motcua.catalog.operations import get_procedure, procedure_in_force, revision_ids_in_force
from motcua.clock import now
from motcua.db import db
from motcua.dossiers.access import subtree
from motcua.dossiers.models import Dossier
from motcua.errors import NotFound, field_error
from motcua.folding import fold
from motcua.org.models import Agency, User
from motcua.processes.checks import ProcedureContext, StepConfig
from motcua.processes.checks.legal import review
from motcua.processes.models import ProcessVersion, VersionStatus

_LISTED = (ProcessVersion.id, ProcessVersion.procedure_id, ProcessVersion.version,
           ProcessVersion.status, ProcessVersion.effective, ProcessVersion.published_at,
           ProcessVersion.retired_at, ProcessVersion.filename, ProcessVersion.process_id,
           ProcessVersion.steps)


def today() -> date:
    return now().astimezone(TZ).date()


def parse_day(text: str | None) -> date:
    """The day asked for (``YYYY-MM-DD``), today in the province when none is given. Years
    outside those a period accepts elsewhere are refused: the day after 9999-12-31, which
    counting the dossiers received up to the day needs, is past what a date holds."""
    value = (text or "").strip()
    if not value:
        return today()
    try:
        day = date.fromisoformat(value) if len(value) == 10 else _bad_day()
    except ValueError:
        return _bad_day()
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else _bad_day()


def parse_flag(text: str | None, name: str) -> bool:
    value = (text or "").strip().lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise field_error(name, "Chỉ nhận true hoặc false")


def _bad_day() -> date:
    raise field_error("date", "Ngày không hợp lệ: ghi theo dạng YYYY-MM-DD, ví dụ 2026-03-16")


def local_day(at: datetime) -> date:
    return at.astimezone(TZ).date()


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ)


def in_force(versions: Iterable[ProcessVersion], day: date) -> ProcessVersion | None:
    """The version new dossiers started on that day."""
    def running(v: ProcessVersion) -> bool:
        if v.effective is None or v.effective > day:
            return False
        if v.status == VersionStatus.PUBLISHED:
            return True
        return (v.status == VersionStatus.RETIRED and v.retired_at is not None
                and local_day(v.retired_at) > day)
    return max((v for v in versions if running(v)), key=lambda v: (v.effective, v.version),
               default=None)


def scheduled(versions: Iterable[ProcessVersion], day: date) -> ProcessVersion | None:
    """The next published version to take effect after that day, if one is scheduled."""
    return min((v for v in versions if v.status == VersionStatus.PUBLISHED
                and v.effective is not None and v.effective > day),
               key=lambda v: (v.effective, v.version), default=None)


@dataclass
class Subject:
    """What is compared for one procedure on one day."""

    procedure: Procedure
    revision: ProcedureRevision
    day: date
    version: ProcessVersion | None = None
    next_version: ProcessVersion | None = None
    # Dossiers received from an abolition (or replacement) until the end of the day.
    received_after: int = 0

    @property
    def active(self) -> bool:
        return self.revision.status is RevisionStatus.ACTIVE


@dataclass
class Report:
    subject: Subject
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @cached_property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def status(self) -> Status:
        if self.subject.active and self.subject.version is None:
            return Status.NO_PROCESS
        return Status.DEVIATING if self.errors else Status.CONFORMING

    def as_dict(self, with_findings: bool = True) -> dict[str, Any]:
        s = self.subject
        revision, version = s.revision, s.version
        answer: dict[str, Any] = {
            "procedure": s.procedure.code, "name": revision.name,
            "agency": revision.agency.code, "agency_name": revision.agency.name,
            "date": s.day.isoformat(), "procedure_status": revision.status.value,
            "process_version": version.version if version else None,
            "process_version_id": version.id if version else None,
            "process_effective": version.effective.isoformat()
            if version and version.effective else None,
            "decision": revision.decision.number,
            "decision_effective": revision.effective.isoformat(),
            "status": self.status.value, "errors": self.errors, "warnings": self.warnings,
        }
        if with_findings:
            answer["findings"] = [f.as_dict() for f in self.findings]
        return answer


@dataclass
class Context:
    """What every procedure's comparison on the day shares, read once."""

    day: date
    agency_names: dict[str, str]
    update_days: int

    @classmethod
    def read(cls, day: date) -> Context:
        names = {code: name for code, name in db.session.execute(select(Agency.code, Agency.name))}
        return cls(day, names, update_days())


def update_days() -> int:
    """The province's update deadline in working days; a stored value that is not a
    whole number of days (the settings page validates, a hand edit may not) counts as the
    default."""
    value = setting("process_update_days")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return int(DEFAULTS["process_update_days"])
    return value


def _load_versions(procedure_ids: Sequence[int] | None) -> dict[int, list[ProcessVersion]]:
    stmt = (select(ProcessVersion).options(load_only(*_LISTED))
            .where(ProcessVersion.status.in_([VersionStatus.PUBLISHED, VersionStatus.RETIRED])))
    if procedure_ids is not None:
        stmt = stmt.where(ProcessVersion.procedure_id.in_(procedure_ids))
    found: dict[int, list[ProcessVersion]] = {}
    for version in db.session.scalars(stmt):
        found.setdefault(version.procedure_id, []).append(version)
    return found


def _sources(versions: Sequence[ProcessVersion]) -> dict[int, tuple[str, list[dict[str, str]]]]:
    """Each version's BPMN and library, deferred on the model: read in one statement."""
    if not versions:
        return {}
    rows = db.session.execute(
        select(ProcessVersion.id, ProcessVersion.bpmn_xml, ProcessVersion.library)
        .where(ProcessVersion.id.in_([v.id for v in versions])))
    return {ident: (xml, library or []) for ident, xml, library in rows}


def _received_after(subject: Subject) -> int:
    end = start_of(subject.day + timedelta(days=1))
    return int(db.session.scalar(
        select(func.count(Dossier.id))
        .where(Dossier.procedure_id == subject.procedure.id,
               Dossier.received_at >= start_of(subject.revision.effective),
               Dossier.received_at < end)) or 0)


def subjects(pairs: Sequence[tuple[Procedure, ProcedureRevision]], day: date,
             all_procedures: bool = False) -> list[Subject]:
    """The subjects of ``pairs`` (procedure, revision in force), their versions loaded in a
    few statements whatever their number."""
    versions = _load_versions(None if all_procedures else [p.id for p, _ in pairs])
    decisions = {r.decision_id for _, r in pairs}
    if decisions:  # into the identity map: revision.decision is then no query per revision
        list(db.session.scalars(select(Decision).where(Decision.id.in_(decisions))))
    found = []
    for procedure, revision in pairs:
        own = versions.get(procedure.id, [])
        subject = Subject(procedure, revision, day, in_force(own, day), scheduled(own, day))
        if not subject.active:
            subject.received_after = _received_after(subject)
        found.append(subject)
    return found


def compare(subjects_: Sequence[Subject], context: Context) -> list[Report]:
    sources = _sources([s.version for s in subjects_ if s.version is not None])
    calendar = load_calendar()
    reports = []
    for subject in subjects_:
        findings = catalogue_findings(subject, context, calendar)
        if subject.active and subject.version is not None:
            findings += _legal(subject, sources[subject.version.id], context)
        reports.append(Report(subject, by_severity(findings)))
    return reports


def _legal(subject: Subject, source: tuple[str, list[dict[str, str]]],
           context: Context) -> list[Finding]:
    version = subject.version
    assert version is not None
    xml, library = source
    steps = {k: StepConfig.from_dict(v) for k, v in (version.steps or {}).items()}
    checker = review(xml.encode("utf-8"), version.filename, steps,
                     ProcedureContext.from_procedure(subject.revision),
                     [(i["filename"], i["xml"].encode("utf-8")) for i in library],
                     context.agency_names.get)
    if checker is None:
        return [Finding(UNREADABLE, ERROR,
                        f"Không đọc được tệp quy trình của phiên bản {version.version}.",
                        "Báo quản trị hệ thống kiểm tra tệp của phiên bản này.")]
    return legal_findings(checker, context.agency_names.get)


# -- the two questions ---------------------------------------------------------------------

def procedure_report(user: User, code: str | None, day: date) -> Report:
    require_auditor(user)
    text = (code or "").strip()
    if not text:
        raise field_error("procedure", "Bắt buộc: mã thủ tục")
    try:
        # No code holds a NUL, and PostgreSQL refuses to compare with one.
        if "\x00" in text:
            raise NotFound(text)
        procedure = get_procedure(text)
    except NotFound:
        raise NotFound(f"Không có thủ tục {text[:64]}") from None
    revision = procedure_in_force(procedure, day)
    if revision is None:
        raise field_error("date", f"Thủ tục {procedure.code} chưa có hiệu lực vào ngày "
                                  f"{day:%d/%m/%Y}: chưa có quyết định nào để đối chiếu")
    [subject] = subjects([(procedure, revision)], day)
    [report] = compare([subject], Context.read(day))
    return report


@dataclass(frozen=True)
class Filters:
    agency: str | None = None
    q: str = ""
    with_findings: bool = False


def summary(user: User, day: date, filters: Filters = Filters()) -> list[Report]:
    """Every procedure in force on the day, and the abolished or replaced ones still taking
    dossiers, by code."""
    require_auditor(user)
    agencies = _agency_ids(filters.agency)
    needle = fold(filters.q)
    pairs = []
    for revision, procedure in db.session.execute(_in_force(day, agencies)):
        if needle and needle not in fold(procedure.code) and needle not in fold(revision.name):
            continue
        pairs.append((procedure, revision))
    everything = agencies is None and not needle
    reports = compare(subjects(pairs, day, all_procedures=everything), Context.read(day))
    return [r for r in reports
            if (r.subject.active or r.findings) and (r.findings or not filters.with_findings)]


def _in_force(day: date, agencies: set[int] | None) -> Select[ProcedureRevision, Procedure]:
    """Each procedure's revision in force on the day (the catalogue's rule), by code, without
    what the comparison never reads (the documents, the legal basis, the procedure's own
    copy of its latest state)."""
    stmt = (select(ProcedureRevision, Procedure)
            .join(Procedure, ProcedureRevision.procedure_id == Procedure.id)
            .where(ProcedureRevision.id.in_(revision_ids_in_force(day)))
            .options(defer(ProcedureRevision.documents), defer(ProcedureRevision.legal_basis),
                     load_only(Procedure.id, Procedure.code))
            .order_by(Procedure.code))
    if agencies is not None:
        stmt = stmt.where(ProcedureRevision.agency_id.in_(agencies))
    return stmt


def _agency_ids(code: str | None) -> set[int] | None:
    text = (code or "").strip()
    if not text:
        return None
    # No code holds a NUL, and PostgreSQL refuses to compare with one.
    agency = (db.session.scalar(select(Agency).where(Agency.code == text))
              if "\x00" not in text else None)
    if agency is None:
        raise NotFound(f"Không có cơ quan {text[:32]}")
    return subtree({agency.id})


def summary_dict(reports: Sequence[Report], day: date) -> dict[str, Any]:
    statuses = {s.value: 0 for s in Status}
    for report in reports:
        statuses[report.status.value] += 1
    return {"date": day.isoformat(), "total": len(reports),
            "errors": sum(r.errors for r in reports),
            "warnings": sum(r.warnings for r in reports), "statuses": statuses,
            "items": [r.as_dict(with_findings=False) for r in reports]}
