"""Designer verbs: find the procedures one may design, keep drafts (every save a numbered
revision, a stale save refused), check them, publish them as versions, retire versions.

A draft may say anything while it is worked on: saving refuses only what cannot be read
safely (not XML, a DTD, too large, forms that are not objects). Only publishing requires a
process without errors, and it runs the same checks as every upload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
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
from motcua.dossiers.models import Dossier
from motcua.errors import Conflict, Forbidden, Invalid, NotFound
from motcua.org.models import Agency, User
from motcua.processes import operations as processes
from motcua.processes.access import can_design
from motcua.processes.checks.problems import Problem, errors
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml
from motcua.processes.models import ProcessVersion, VersionStatus

MAX_FORMS_BYTES = 2 * 1024 * 1024
MAX_FORMS = 100
# Ids and numbers are 32-bit columns: a larger one names nothing (and would overflow SQL).
MAX_ID = 2**31 - 1
MAX_FILENAME = 255
_XML_DECLARATION = re.compile(rb"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


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
    """Procedures ``user`` designs, by code, filtered by code or name."""
    require_designer_role(user)
    stmt = _designable(user)
    text = query.strip()
    if text:
        # The text is looked for as written: "%" and "_" are not wildcards to a designer.
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        stmt = stmt.where(func.lower(Procedure.name).like(like, escape="\\")
                          | func.lower(Procedure.code).like(like, escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(stmt.order_by(Procedure.code).limit(limit).offset(offset))
    return list(rows), total


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


def drafts_of(procedure: Procedure, *, open_only: bool = False) -> list[ProcessDraft]:
    stmt = select(ProcessDraft).where(ProcessDraft.procedure_id == procedure.id)
    if open_only:
        stmt = stmt.where(ProcessDraft.published_version_id.is_(None))
    return list(db.session.scalars(stmt.order_by(ProcessDraft.updated_at.desc())))


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


# -- reading what a designer sends --------------------------------------------------------

def readable_bpmn(bpmn: str | bytes, filename: str) -> bytes:
    """The BPMN as UTF-8 bytes, refused (422, with its line) only when it cannot be read
    safely. A file saved in UTF-16 or a single-byte encoding is kept as the same text in
    UTF-8, its declaration saying so: a draft is stored and checked as UTF-8 text."""
    data = bpmn.encode("utf-8") if isinstance(bpmn, str) else bpmn
    try:
        tree = parse_xml(data, filename)
    except XmlRejected as exc:
        raise Invalid("Không đọc được tệp BPMN, bản nháp chưa được lưu",
                      [_detail(exc.problem, "bpmn")]) from None
    encoding = (tree.docinfo.encoding or "utf-8").lower()
    if encoding.replace("-", "") in ("utf8", "usascii", "ascii"):
        return data
    text = data.decode(encoding).lstrip("\ufeff").encode("utf-8")
    return _XML_DECLARATION.sub(rb"\1\2UTF-8\2", text, count=1)


def clean_filename(name: str, fallback: str) -> str:
    """A stored file name: its last path part, printable, at most 255 characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()[-MAX_FILENAME:]
    return base or fallback


def readable_forms(forms: Any) -> dict[str, dict[str, Any]]:
    """Forms as {key: {"schema": object, "ui": object?}}; what a schema says is checked
    later (a draft may hold an invalid one), but its shape must be this."""
    if not isinstance(forms, Mapping):
        raise Invalid("Biểu mẫu phải là một đối tượng JSON",
                      [{"field": "forms", "message": "Phải là đối tượng {khóa: biểu mẫu}"}])
    problems = []
    if len(forms) > MAX_FORMS:
        problems.append({"field": "forms", "message": f"Tối đa {MAX_FORMS} biểu mẫu"})
    for key, form in forms.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            problems.append({"field": "forms", "message": f"Khóa biểu mẫu không hợp lệ: {key!r}"})
        elif not isinstance(form, Mapping) or not isinstance(form.get("schema"), Mapping):
            problems.append({"field": f"forms.{key}.schema",
                             "message": "Phải là một đối tượng JSON Schema"})
        elif form.get("ui") is not None and not isinstance(form.get("ui"), Mapping):
            problems.append({"field": f"forms.{key}.ui", "message": "Phải là một đối tượng"})
    if not problems and _holds_nul(forms):
        # JSON allows it, but no database column of text stores it.
        problems.append({"field": "forms", "message": "Biểu mẫu chứa ký tự NUL (\\u0000)"})
    if problems:
        raise Invalid("Biểu mẫu không đọc được, bản nháp chưa được lưu", problems)
    clean = {key: {"schema": dict(form["schema"]),
                   **({"ui": dict(form["ui"])} if form.get("ui") is not None else {})}
             for key, form in forms.items()}
    if len(json.dumps(clean, ensure_ascii=False).encode()) > MAX_FORMS_BYTES:
        raise Invalid("Biểu mẫu quá lớn", [{"field": "forms", "message": "Tối đa 2 MB"}])
    return clean


def _holds_nul(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _detail(problem: Problem, field: str) -> dict[str, Any]:
    detail = problem.as_dict()
    detail.setdefault("field", field)
    return detail


# -- checks ------------------------------------------------------------------------------

def check_problems(procedure: Procedure, bpmn: bytes, filename: str,
                   forms: Mapping[str, Mapping[str, Any]]) -> list[Problem]:
    result = processes.check(bpmn, filename, forms, procedure=procedure)
    return result.problems


def check(draft: ProcessDraft) -> list[Problem]:
    """Check the draft as saved, and keep the problems found with it."""
    problems = check_problems(draft.procedure, draft.bpmn_xml.encode("utf-8"), draft.filename,
                              draft.forms)
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
    if version.library:
        raise Invalid("Phiên bản này gọi quy trình con ở tệp khác: bản nháp chưa hỗ trợ",
                      [{"field": "from_version",
                        "message": "Quy trình có call activity tới tệp khác"}])
    forms = {f.key: {"schema": f.schema, **({"ui": f.ui} if f.ui else {})}
             for f in version.forms}
    return create(procedure, user, bpmn=version.bpmn_xml, forms=forms,
                  filename=version.filename, origin="copy", copied_from=version)


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
    ``effective`` (today when not given; never a day already past)."""
    if draft.is_published:
        raise Conflict("Bản nháp này đã được công bố")
    if draft.procedure.status != RevisionStatus.ACTIVE:
        raise Invalid(f"Thủ tục {draft.procedure.code} đã bị bãi bỏ hoặc thay thế: không công bố "
                      "quy trình mới", [{"field": "procedure",
                                         "message": "Thủ tục không còn hiệu lực"}])
    today = clock_now().astimezone(TZ).date()
    if effective is not None and effective < today:
        raise Invalid("Ngày hiệu lực đã qua", [{
            "field": "effective",
            "message": f"Ngày hiệu lực phải từ hôm nay ({today:%d/%m/%Y}) trở đi"}])
    # The draft is checked against the procedure's latest decision: dossiers received
    # before that decision takes effect must not run on a process made for it.
    decided = catalog.revisions(draft.procedure)
    follows = decided[-1] if decided else None
    if follows is not None and effective is not None and effective < follows.effective:
        raise Invalid("Ngày hiệu lực sớm hơn quyết định mà quy trình tuân theo", [{
            "field": "effective",
            "message": f"Ngày hiệu lực phải từ ngày quyết định {follows.decision.number} có "
                       f"hiệu lực ({follows.effective:%d/%m/%Y}) trở đi"}])
    if effective is None:
        effective = max(today, follows.effective) if follows is not None else today
    found = check(draft)
    if errors(found):
        raise Invalid(f"Quy trình còn {len(errors(found))} lỗi, chưa công bố được",
                      [p.as_dict() for p in errors(found)])
    version = processes.store_version(draft.procedure.code, draft.bpmn_xml.encode("utf-8"),
                                      draft.filename, draft.forms, user)
    processes.publish(version, effective, user)
    draft.published_version_id = version.id
    db.session.flush()
    return version


def retire(version: ProcessVersion, user: User) -> ProcessVersion:
    """Retire ``version``; while its procedure is in force, not the version new dossiers
    start on today unless another published version takes over today (the desk would
    otherwise be unable to receive the procedure's dossiers)."""
    today = clock_now().astimezone(TZ).date()
    procedure = version.procedure
    if (procedure.status == RevisionStatus.ACTIVE and version.status == VersionStatus.PUBLISHED
            and version.effective is not None and version.effective <= today):
        others = [v for v in processes.versions_of(procedure)
                  if v.id != version.id and v.status == VersionStatus.PUBLISHED
                  and v.effective is not None and v.effective <= today]
        if not others:
            raise Conflict(
                f"Phiên bản {version.version} là quy trình duy nhất đang áp dụng cho thủ tục "
                f"{procedure.code}: nếu ngừng áp dụng, Bộ phận Một cửa không tiếp nhận được hồ "
                "sơ của thủ tục. Hãy công bố phiên bản thay thế trước (có hiệu lực từ hôm nay), "
                "rồi ngừng áp dụng phiên bản này")
    return processes.retire(version, user)

