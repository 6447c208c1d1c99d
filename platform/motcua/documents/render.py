"""What each standard document prints. Mẫu 01–05 print the snapshot kept when the document
was issued (``IssuedDocument.content``), so a re-print shows what the applicant was given;
Mẫu 06 is built live from the history; Mẫu 07 lives in ``book``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from motcua.db import db
from motcua.documents import fields
from motcua.documents.book import book_entry
from motcua.documents.qr import lookup_url, qr_svg
from motcua.documents.slip import control_slip
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.errors import NotFound
from motcua.org.models import Agency, User


@dataclass(frozen=True)
class Form:
    number: str  # "01" … "07", Circular 03/2025/TT-VPCP
    title: str


FORMS = {
    "receipt": Form("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement": Form("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": Form("03", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ"),
    "apology": Form("04", "Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
    "stop": Form("05", "Thông báo dừng giải quyết hồ sơ"),
    "control_slip": Form("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    "tracking_book": Form("07", "Sổ theo dõi hồ sơ"),
}
# The kinds printed from a kept snapshot.
SNAPSHOT_KINDS = ("receipt", "supplement", "refusal", "apology", "stop")
DOSSIER_KINDS = (*SNAPSHOT_KINDS, "control_slip")


def document_context(dossier: Dossier, kind: str, issued_id: int | None) -> dict[str, Any]:
    """Everything the template of ``kind`` prints; NotFound when there is nothing to print."""
    if kind == "control_slip":
        return {"form": FORMS[kind], "kind": kind, "code": dossier.code, "dossier": dossier,
                "issuer": dossier.desk, "rows": control_slip(dossier),
                "entry": book_entry(dossier)}
    if kind not in SNAPSHOT_KINDS:
        raise NotFound("Không có mẫu văn bản này")
    issuances = list(db.session.scalars(
        select(IssuedDocument).where(IssuedDocument.dossier_id == dossier.id,
                                     IssuedDocument.kind == kind)
        .order_by(IssuedDocument.issued_at, IssuedDocument.id)))
    chosen = [d for d in issuances if d.id == issued_id] if issued_id is not None else issuances
    if not chosen:
        form = FORMS[kind]
        raise NotFound(f"Hồ sơ {dossier.code} chưa có {form.title} (Mẫu số {form.number})"
                       if issued_id is None else
                       f"Hồ sơ {dossier.code} không có văn bản số {issued_id} thuộc mẫu này")
    doc = chosen[-1]
    content = doc.content or {}
    issued_by = db.session.get(User, doc.issued_by_id) if doc.issued_by_id else None
    context: dict[str, Any] = {
        "form": FORMS[kind], "kind": kind, "dossier": dossier, "doc": doc, "c": content,
        "code": content.get("code") or dossier.code,
        "procedure": content.get("procedure") or dossier.procedure.name,
        "applicant": {**dossier.applicant, **(content.get("applicant") or {})},
        "issued_by": issued_by, "issuances": issuances,
        "issuer": _issuer(dossier, kind, issued_by),
    }
    context.update(_BUILDERS[kind](dossier, context))
    return context


def _issuer(dossier: Dossier, kind: str, issued_by: User | None) -> Agency:
    """The desk issues the receipt, and the supplement request or refusal when it was made
    at reception; the competent agency issues the rest."""
    if kind == "receipt":
        return dossier.desk
    at_desk = issued_by is not None and dossier.desk_id in issued_by.agencies_with("receiver")
    if kind in ("supplement", "refusal") and at_desk:
        return dossier.desk
    return dossier.agency


def _receipt(dossier: Dossier, ctx: dict[str, Any]) -> dict[str, Any]:
    content = ctx["c"]
    papers = content.get("documents", dossier.received_documents)
    url = lookup_url(ctx["code"])
    return {"lines": fields.received_lines(papers),
            "sets": content.get("sets") or dossier.received_sets,
            "fee": content.get("fee") or dossier.procedure.fee,
            "entry": book_entry(dossier), "lookup_url": url, "qr": qr_svg(url),
            "note": fields.text(content, "note")}


def _supplement(dossier: Dossier, ctx: dict[str, Any]) -> dict[str, Any]:
    content = ctx["c"]
    contact_id = content.get("contact")
    contact = (db.session.get(User, contact_id) if isinstance(contact_id, int) else None) \
        or ctx["issued_by"]
    return {"lines": fields.missing_lines(content.get("missing")),
            "reason": fields.text(content, "reason"), "contact": contact}


def _refusal(dossier: Dossier, ctx: dict[str, Any]) -> dict[str, Any]:
    content = ctx["c"]
    reasons = [r for r in content.get("reasons") or [] if isinstance(r, str) and r.strip()]
    return {"reasons": reasons or [r for r in (fields.text(content, "reason"),) if r]}


def _apology(dossier: Dossier, ctx: dict[str, Any]) -> dict[str, Any]:
    content = ctx["c"]
    return {"reason": fields.text(content, "reason"),
            "original_due": content.get("original_due_at") or content.get("due_at"),
            "new_due": content.get("new_due_at"),
            "signer": fields.text(content, "signer")}


def _stop(dossier: Dossier, ctx: dict[str, Any]) -> dict[str, Any]:
    content = ctx["c"]
    return {"reason": fields.text(content, "reason"),
            "requested_by": fields.text(content, "requested_by")}


_BUILDERS = {"receipt": _receipt, "supplement": _supplement, "refusal": _refusal,
             "apology": _apology, "stop": _stop}
