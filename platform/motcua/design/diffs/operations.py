"""The diff verbs: what a designer may compare, and the comparison. Versions and drafts are
found through the designer's own look-ups (another agency's is a 404); two versions or a
draft and a version of different procedures are not compared (422)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.design.diffs.compare import compare
from motcua.design.diffs.decision import against_decision
from motcua.design.diffs.read import read
from motcua.design.diffs.snapshot import Change
from motcua.design.models import ProcessDraft
from motcua.design.operations import VERSION_STATUS_WORDS, get_draft_for, version_for
from motcua.errors import field_error
from motcua.org.models import User
from motcua.processes import operations as processes
from motcua.processes.checks import ProcedureContext
from motcua.processes.models import ProcessVersion

DECISION = "decision"


@dataclass(frozen=True)
class Side:
    """One side of a comparison, for the answer and the page (its diagram, if it has one)."""

    kind: str  # version | draft | decision
    id: int | None
    title: str
    bpmn: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title}


@dataclass(frozen=True)
class Diff:
    procedure_code: str
    procedure_name: str
    old: Side
    new: Side
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"procedure": self.procedure_code, "from": self.old.as_dict(),
                "to": self.new.as_dict(), "changes": [c.as_dict() for c in self.changes]}


def _version_side(version: ProcessVersion) -> Side:
    status = VERSION_STATUS_WORDS.get(str(version.status), str(version.status)).lower()
    return Side("version", version.id, f"Phiên bản {version.version} ({status})",
                version.bpmn_xml)


def _version_forms(version: ProcessVersion) -> dict[str, dict[str, Any]]:
    return {f.key: {"schema": f.schema, **({"ui": f.ui} if f.ui else {})} for f in version.forms}


def _against_id(against: str | None) -> int:
    text = (against or "").strip()
    if not text:
        raise field_error("against", "Bắt buộc: mã phiên bản để so sánh")
    # ASCII digits only: str.isdigit() also takes "²" (which int() refuses: a 500) and other
    # scripts' digits (which int() reads as another number than the one shown).
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise field_error("against", "Phải là mã (id) một phiên bản quy trình")
    return int(text)


def _against_version(user: User, against: str | None, procedure_id: int) -> ProcessVersion:
    other = version_for(user, _against_id(against))
    if other.procedure_id != procedure_id:
        raise field_error("against", f"Phiên bản {other.id} thuộc thủ tục "
                                     f"{other.procedure.code}, không so sánh được với quy "
                                     "trình của thủ tục khác")
    return other


def version_diff(user: User, version_id: int, against: str | None) -> Diff:
    """What changed from version ``against`` to version ``version_id``."""
    version = version_for(user, version_id)
    other = _against_version(user, against, version.procedure_id)
    changes = compare(read(other.bpmn_xml, other.filename, _version_forms(other)),
                      read(version.bpmn_xml, version.filename, _version_forms(version)),
                      processes.agency_name)
    procedure = version.procedure
    return Diff(procedure.code, procedure.name, _version_side(other), _version_side(version),
                changes)


def _draft_side(draft: ProcessDraft) -> Side:
    return Side("draft", draft.id, f"Bản nháp số {draft.id} (lần lưu {draft.revision})",
                draft.bpmn_xml)


def draft_diff(user: User, draft_id: int, against: str | None) -> Diff:
    """What the draft changes from version ``against``, or (``decision``) where it departs
    from the procedure's step table."""
    draft = get_draft_for(user, draft_id)
    procedure = draft.procedure
    new = _draft_side(draft)
    if (against or "").strip() == DECISION:
        context = ProcedureContext.from_procedure(procedure)
        if not context.rows:
            raise field_error("against", f"Quyết định của thủ tục {procedure.code} chưa có "
                                         "bảng quy trình nội bộ để so sánh")
        decision = procedure.decision
        title = (f"Quyết định {decision.number}" if decision is not None
                 else "Quyết định công bố")
        changes = against_decision(draft.bpmn_xml, draft.filename, draft.forms or {}, context,
                                   processes.agency_name)
        return Diff(procedure.code, procedure.name,
                    Side(DECISION, None, f"{title}: bảng quy trình nội bộ"), new, changes)
    other = _against_version(user, against, procedure.id)
    changes = compare(read(other.bpmn_xml, other.filename, _version_forms(other)),
                      read(draft.bpmn_xml, draft.filename, draft.forms or {}),
                      processes.agency_name)
    return Diff(procedure.code, procedure.name, _version_side(other), new, changes)
