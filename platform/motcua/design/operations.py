"""Designer verbs: find the procedures one may design, keep drafts (every save a numbered
revision, a stale save refused), check them, publish them as versions, retire versions.

A draft may say anything while it is worked on: saving refuses only what cannot be read
safely (not XML, a DTD, too large, forms that are not objects). Only publishing requires a
process without errors, and it runs the same checks as every upload.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select, update

from motcua.calendar.working_time import TZ
from motcua.catalog import operations as catalog
from motcua.catalog.models import Procedure, RevisionStatus
from motcua.clock import now as clock_now
from motcua.db import db, utcnow
from motcua.design.blank import blank_bpmn
from motcua.design.models import DraftRevision, ProcessDraft
from motcua.design.reading import clean_filename, readable_bpmn, readable_forms
from motcua.dossiers.models import Dossier
from motcua.errors import Conflict, Forbidden, Invalid, NotFound
from motcua.org.models import Agency, User
from motcua.processes import operations as processes
from motcua.processes.access import can_design
from motcua.processes.checks import CheckResult
from motcua.processes.checks.document import BPMN_NS
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.xml_safety import parse_xml
from motcua.processes.models import ProcessVersion, VersionStatus

MAX_ID = processes.MAX_ID


def require_designer_role(user: User) -> None:
    """Pages and API of the designer are for designers; a designer of another agency is
    answered 404 for what is not theirs, everyone else 403 before anything is looked up."""
    if not user.has_role("designer", "sysadmin"):
        raise Forbidden("Chức năng này dành cho cán bộ cấu hình quy trình")


def designable_agency_ids(user: User) -> set[int] | None:
    """The agencies whose procedures ``user`` designs: those they are designer of and every
    agency below them. ``None`` means all (system administrator)."""
    if user.has_role("sysadmin"):
        return None
    roots = user.agencies_with("designer")
    children: dict[int | None, list[int]] = {}
    for agency_id, parent_id in db.session.execute(select(Agency.id, Agency.parent_id)):
        children.setdefault(parent_id, []).append(agency_id)
    found, stack = set(), list(roots)
    while stack:
        agency_id = stack.pop()
        if agency_id not in found:
            found.add(agency_id)
            stack.extend(children.get(agency_id, []))
    return found


def _designable(user: User) -> Select[Any]:
    stmt = select(Procedure)
    ids = designable_agency_ids(user)
    return stmt if ids is None else stmt.where(Procedure.agency_id.in_(ids))


def library(user: User, query: str = "", limit: int = 50,
            offset: int = 0) -> tuple[list[Procedure], int]:
    """Procedures ``user`` designs, by code, filtered by code or name without regard to
    accents and case (designers often type "ly lich tu phap"; SQL's lower() folds only
    ASCII on SQLite). One agency designs a few hundred procedures: matched in Python."""
    require_designer_role(user)
    stmt = _designable(user)
    text = fold(query)
    if text:
        rows = db.session.execute(
            stmt.with_only_columns(Procedure.id, Procedure.code, Procedure.name))
        ids = [id_ for id_, code, name in rows if text in fold(code) or text in fold(name)]
        stmt = select(Procedure).where(Procedure.id.in_(ids))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    found = db.session.scalars(stmt.order_by(Procedure.code).limit(limit).offset(offset))
    return list(found), total


def fold(text: str) -> str:
    """``text`` without diacritics, in lower case, spaces collapsed: "Lý  Lịch" -> "ly lich"."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


def procedure_for(user: User, code: str) -> Procedure:
    require_designer_role(user)
    # No code holds NUL, and PostgreSQL refuses to compare with one.
    procedure = (db.session.scalar(select(Procedure).where(Procedure.code == code))
                 if "\x00" not in code else None)
    if procedure is None or not can_design(user, procedure):
        raise NotFound(f"Không có thủ tục {code}")
    return procedure


@dataclass(frozen=True)
class VersionRow:
    version: ProcessVersion
    # Dossiers started on the version (they run to the end on it).
    dossiers: int


def versions(procedure: Procedure) -> list[VersionRow]:
    rows = processes.versions_of(procedure)
    counts: dict[int, int] = {
        version_id: count for version_id, count in db.session.execute(
            select(Dossier.process_version_id, func.count())
            .where(Dossier.process_version_id.in_([v.id for v in rows]))
            .group_by(Dossier.process_version_id))}
    return [VersionRow(v, counts.get(v.id, 0)) for v in rows]


def drafts_of(procedure: Procedure) -> list[ProcessDraft]:
    stmt = select(ProcessDraft).where(ProcessDraft.procedure_id == procedure.id)
    return list(db.session.scalars(stmt.order_by(ProcessDraft.updated_at.desc())))


def open_draft_counts(procedure_ids: list[int]) -> dict[int, int]:
    """Unpublished drafts per procedure, in one statement for a page of the library."""
    return {procedure_id: count for procedure_id, count in db.session.execute(
        select(ProcessDraft.procedure_id, func.count())
        .where(ProcessDraft.procedure_id.in_(procedure_ids),
               ProcessDraft.published_version_id.is_(None))
        .group_by(ProcessDraft.procedure_id))}


def get_draft_for(user: User, draft_id: int) -> ProcessDraft:
    require_designer_role(user)
    draft = db.session.get(ProcessDraft, draft_id) if 0 < draft_id <= MAX_ID else None
    if draft is None or not can_design(user, draft.procedure):
        raise NotFound(f"Không có bản nháp {draft_id}")
    return draft


def version_for(user: User, version_id: int) -> ProcessVersion:
    require_designer_role(user)
    version = (db.session.get(ProcessVersion, version_id) if 0 < version_id <= MAX_ID
               else None)
    if version is None or not can_design(user, version.procedure):
        raise NotFound(f"Không có phiên bản quy trình {version_id}")
    return version


VERSION_STATUS_WORDS = {"draft": "Chưa công bố", "published": "Đã công bố",
                        "retired": "Ngừng áp dụng"}


def version_in_force(procedure: Procedure) -> ProcessVersion | None:
    """The version taking the procedure's dossiers today, None when none does."""
    try:
        return processes.version_in_effect(procedure)
    except Invalid:
        return None


# -- checks ------------------------------------------------------------------------------

def check_result(draft: ProcessDraft) -> CheckResult:
    """The draft as saved, checked as publishing checks it (with the procedure's decision)."""
    return processes.check(draft.bpmn_xml.encode("utf-8"), draft.filename, draft.forms,
                           procedure=draft.procedure)


def check(draft: ProcessDraft) -> list[Problem]:
    """Check the draft as saved, and keep the problems found with it."""
    problems = check_result(draft).problems
    draft.problems = [p.as_dict() for p in problems]
    db.session.flush()
    return problems


# -- drafts ------------------------------------------------------------------------------

def create(procedure: Procedure, user: User, *, bpmn: str | bytes | None = None,
           forms: Any = None, filename: str | None = None, origin: str = "blank",
           copied_from: ProcessVersion | None = None) -> ProcessDraft:
    """A new draft at revision 1; without ``bpmn``, a blank process for the procedure."""
    name = clean_filename(filename or "", f"{procedure.code}.bpmn")
    data = readable_bpmn(bpmn if bpmn is not None else blank_bpmn(procedure), name)
    clean = readable_forms(forms if forms is not None else {})
    at = utcnow()
    draft = ProcessDraft(procedure_id=procedure.id, procedure=procedure, revision=1,
                         filename=name, bpmn_xml=data.decode("utf-8-sig", errors="replace"),
                         forms=clean, origin=origin,
                         copied_from_id=copied_from.id if copied_from else None,
                         created_at=at, created_by_id=user.id, updated_at=at,
                         updated_by_id=user.id, problems=[])
    db.session.add(draft)
    db.session.flush()
    _keep_revision(draft, user)
    check(draft)
    return draft


def copy_version(procedure: Procedure, number: int, user: User) -> ProcessDraft:
    version = None if not 0 < number <= MAX_ID else db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.procedure_id == procedure.id, ProcessVersion.version == number))
    if version is None:
        raise Invalid(f"Thủ tục {procedure.code} không có phiên bản {number}",
                      [{"field": "from_version", "message": "Phiên bản không tồn tại"}])
    if version.library and _calls_activities(version):
        raise Invalid("Phiên bản này gọi quy trình con ở tệp khác: bản nháp chưa hỗ trợ",
                      [{"field": "from_version",
                        "message": "Quy trình có call activity tới tệp khác"}])
    forms = {f.key: {"schema": f.schema, **({"ui": f.ui} if f.ui else {})}
             for f in version.forms}
    return create(procedure, user, bpmn=version.bpmn_xml, forms=forms,
                  filename=version.filename, origin="copy", copied_from=version)


def _calls_activities(version: ProcessVersion) -> bool:
    """Whether the process calls another one (which a draft, one file, cannot carry yet).
    A version stored with a library it never calls is copied as any other."""
    tree = parse_xml(version.bpmn_xml.encode("utf-8"), version.filename)
    return bool(tree.findall(f".//{{{BPMN_NS}}}callActivity"))


def save(draft: ProcessDraft, revision: int, user: User, *, bpmn: str | bytes | None = None,
         forms: Any = None) -> ProcessDraft:
    """Save a change made from ``revision``: refused (409) if someone saved since, so no one
    overwrites another's work without seeing it."""
    if draft.is_published:
        raise _published(draft)
    data = readable_bpmn(bpmn, draft.filename) if bpmn is not None else None
    clean = readable_forms(forms) if forms is not None else None
    values: dict[str, Any] = {"revision": revision + 1, "updated_at": utcnow(),
                              "updated_by_id": user.id}
    if data is not None:
        values["bpmn_xml"] = data.decode("utf-8-sig", errors="replace")
    if clean is not None:
        values["forms"] = clean
    # One statement compares and moves the revision, so of two saves from the same revision
    # exactly one wins, on every backend.
    # A publish that committed after this request read the draft stops the save as well.
    moved = db.session.execute(
        update(ProcessDraft).where(ProcessDraft.id == draft.id,
                                   ProcessDraft.revision == revision,
                                   ProcessDraft.published_version_id.is_(None))
        .values(**values).execution_options(synchronize_session=False))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        db.session.refresh(draft)
        if draft.is_published:
            raise _published(draft)
        who = draft.updated_by.full_name if draft.updated_by else "người khác"
        raise Conflict(f"Bản nháp đã được {who} lưu ở phiên bản {draft.revision} sau phiên bản "
                       f"{revision} bạn đang sửa: tải lại để xem thay đổi của họ trước khi lưu")
    db.session.refresh(draft)
    _keep_revision(draft, user)
    check(draft)
    return draft


def _published(draft: ProcessDraft) -> Conflict:
    return Conflict("Bản nháp này đã được công bố thành phiên bản "
                    f"{draft.published_version.version if draft.published_version else ''}; "
                    "hãy sao chép phiên bản đó thành bản nháp mới để sửa tiếp")


def _keep_revision(draft: ProcessDraft, user: User) -> None:
    db.session.add(DraftRevision(draft_id=draft.id, revision=draft.revision,
                                 bpmn_xml=draft.bpmn_xml, forms=draft.forms,
                                 saved_at=draft.updated_at, saved_by_id=user.id))
    db.session.flush()


def revisions(draft: ProcessDraft) -> list[DraftRevision]:
    return list(db.session.scalars(
        select(DraftRevision).where(DraftRevision.draft_id == draft.id)
        .order_by(DraftRevision.revision.desc())))


# -- publishing --------------------------------------------------------------------------

def publish(draft: ProcessDraft, effective: date | None, user: User) -> ProcessVersion:
    """The draft, checked again, as an immutable published version in force from
    ``effective`` (the earliest day allowed when not given: see ``_effective_date``)."""
    if draft.is_published:
        raise Conflict("Bản nháp này đã được công bố")
    if draft.procedure.status != RevisionStatus.ACTIVE:
        raise Invalid(f"Thủ tục {draft.procedure.code} đã bị bãi bỏ hoặc thay thế: không công bố "
                      "quy trình mới", [{"field": "procedure",
                                         "message": "Thủ tục không còn hiệu lực"}])
    effective = _effective_date(draft.procedure, effective)
    # store_version runs every check once and refuses any error; its problems are the draft's.
    try:
        version = processes.store_version(draft.procedure.code,
                                          draft.bpmn_xml.encode("utf-8"), draft.filename,
                                          draft.forms, user)
    except Invalid as exc:
        raise Invalid(f"Quy trình còn {len(exc.details)} lỗi, chưa công bố được",
                      exc.details) from None
    draft.problems = list(version.problems)
    processes.publish(version, effective, user)
    # Compared and set in one statement: of two publishes of one draft, the one that finds
    # it already published fails, and its request rolls its version back.
    marked = db.session.execute(
        update(ProcessDraft).where(ProcessDraft.id == draft.id,
                                   ProcessDraft.published_version_id.is_(None))
        .values(published_version_id=version.id).execution_options(synchronize_session=False))
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Bản nháp này vừa được công bố")
    db.session.refresh(draft)
    return version


def _effective_date(procedure: Procedure, chosen: date | None) -> date:
    """The day a new version takes effect: ``chosen``, or the earliest day allowed. Never a
    day already past; never before the decision the draft was checked against (dossiers
    received under the previous decision must not run on a process made for the new one);
    never before a version already scheduled (it would then take over again on its day)."""
    today = clock_now().astimezone(TZ).date()
    limits: list[tuple[date, str]] = [
        (today, f"Ngày hiệu lực phải từ hôm nay ({today:%d/%m/%Y}) trở đi")]
    decided = catalog.revisions(procedure)
    if decided:
        follows = decided[-1]
        limits.append((follows.effective,
                       f"Ngày hiệu lực phải từ ngày quyết định {follows.decision.number} có "
                       f"hiệu lực ({follows.effective:%d/%m/%Y}) trở đi"))
    for version in processes.versions_of(procedure):
        if version.status == VersionStatus.PUBLISHED and version.effective is not None:
            limits.append((version.effective,
                           f"Phiên bản {version.version} đã công bố có hiệu lực từ "
                           f"{version.effective:%d/%m/%Y}: ngày hiệu lực phải từ ngày đó trở "
                           f"đi, hoặc ngừng áp dụng phiên bản {version.version} trước"))
    if chosen is None:
        return max(day for day, _ in limits)
    for day, message in limits:
        if chosen < day:
            title = "Ngày hiệu lực đã qua" if day == today else "Ngày hiệu lực quá sớm"
            raise Invalid(title, [{"field": "effective", "message": message}])
    return chosen


def retire(version: ProcessVersion, user: User) -> ProcessVersion:
    refusal = retire_refusal(version)
    if refusal is not None:
        raise Conflict(refusal)
    return processes.retire(version, user)


def retire_refusal(version: ProcessVersion) -> str | None:
    """Why ``version`` may not be retired, if so: while its procedure is in force, the
    version new dossiers start on today goes only if another published version takes over
    today (the desk would otherwise be unable to receive the procedure's dossiers)."""
    today = clock_now().astimezone(TZ).date()
    procedure = version.procedure
    if (procedure.status != RevisionStatus.ACTIVE or version.status != VersionStatus.PUBLISHED
            or version.effective is None or version.effective > today):
        return None
    if any(v.id != version.id and v.status == VersionStatus.PUBLISHED
           and v.effective is not None and v.effective <= today
           for v in processes.versions_of(procedure)):
        return None
    return (f"Phiên bản {version.version} là quy trình duy nhất đang áp dụng cho thủ tục "
            f"{procedure.code}: nếu ngừng áp dụng, Bộ phận Một cửa không tiếp nhận được hồ sơ "
            "của thủ tục. Hãy công bố phiên bản thay thế trước (có hiệu lực từ hôm nay), rồi "
            "ngừng áp dụng phiên bản này")
