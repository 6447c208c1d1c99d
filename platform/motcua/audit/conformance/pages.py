"""The conformance pages (under /audit): the province's list of procedures with their
findings' counts, one procedure's findings grouped by severity, and their downloads (CSV and
Excel of both; a printable PDF report of one procedure). Readable without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import select

from motcua.audit.conformance import operations
from motcua.audit.conformance.operations import Filters, Report
from motcua.audit.conformance.rules import SEVERITY_WORDS, STATUS_WORDS, Finding
from motcua.audit.scope import require_auditor
from motcua.calendar.working_time import TZ
from motcua.clock import now
from motcua.db import db
from motcua.documents.pdf import render_pdf
from motcua.errors import Invalid, NotFound
from motcua.exports import FORMATS, download, table_download
from motcua.org.models import Agency, Province
from motcua.org.session import signed_in, web_user
from motcua.processes.checks import ProcedureContext

bp = Blueprint("audit_conformance_pages", __name__, template_folder="../templates")

PAGE_SIZE = 100
LIST_HEADERS = ("Mã thủ tục", "Tên thủ tục", "Cơ quan", "Phiên bản đang áp dụng",
                "Phiên bản có hiệu lực từ", "Quyết định", "Quyết định có hiệu lực từ",
                "Tình trạng", "Sai lệch", "Cần xem xét")
FINDING_HEADERS = ("Mức độ", "Nội dung kiểm tra", "Bước trong quyết định", "Phần tử (id)",
                   "Phát hiện", "Đề xuất khắc phục", "Số hồ sơ")
PROCEDURE_STATUS_WORDS = {"active": "Đang có hiệu lực", "abolished": "Đã bãi bỏ",
                          "replaced": "Đã được thay thế"}


def _words() -> dict[str, Any]:
    return {"status_words": {s.value: w for s, w in STATUS_WORDS.items()},
            "severity_words": {s.value: w for s, w in SEVERITY_WORDS.items()},
            "procedure_status_words": PROCEDURE_STATUS_WORDS}


def _format(allowed: Sequence[str]) -> str | None:
    fmt = request.args.get("format") or None
    if fmt is not None and fmt not in allowed:
        raise NotFound("Chỉ tải được " + ", ".join(f.upper() for f in allowed))
    return fmt


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@bp.route("/audit/conformance")
@signed_in
def province() -> Any:
    user = web_user()
    require_auditor(user)
    fmt = _format(FORMATS)
    args = request.args
    form = {k: args.get(k, "")[:100].replace("\x00", "") for k in ("date", "agency", "q")}
    form["findings"] = "1" if args.get("findings") == "1" else ""
    page = min(max(1, args.get("page", 1, type=int) or 1), 10_000)
    errors: dict[str, str] = {}
    reports: list[Report] = []
    day = operations.today()
    try:
        day = operations.parse_day(form["date"])
        reports = operations.summary(user, day, Filters(form["agency"] or None, form["q"],
                                                        bool(form["findings"])))
    except (Invalid, NotFound) as exc:
        errors = {d["field"]: d["message"] for d in exc.details} or {"agency": exc.message}
    if fmt is not None and not errors:
        return table_download(fmt, f"doi-chieu-quy-trinh-{day:%Y%m%d}",
                              "Đối chiếu quy trình", LIST_HEADERS, _list_rows(reports))
    counts = operations.summary_dict(reports, day)
    pages = max(1, -(-len(reports) // PAGE_SIZE))
    shown = reports[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    agencies = db.session.execute(select(Agency.code, Agency.name).order_by(Agency.code)).all()

    def link(**changes: Any) -> str:
        params: dict[str, Any] = {k: v for k, v in form.items() if v}
        params.update(changes)
        return url_for("audit_conformance_pages.province", **params)

    return render_template(
        "audit/conformance.html", reports=shown, counts=counts, day=day, form=form,
        errors=errors, agencies=agencies, page=page, pages=pages, link=link,
        total=len(reports), **_words()), 422 if errors else 200


def _list_rows(reports: Sequence[Report]) -> list[tuple[Any, ...]]:
    rows = []
    for r in reports:
        s = r.subject
        version = s.version
        rows.append((s.procedure.code, s.revision.name, s.revision.agency.name,
                     version.version if version else None,
                     version.effective if version else None, s.revision.decision.number,
                     s.revision.effective, STATUS_WORDS[r.status], r.errors, r.warnings))
    return rows


def _finding_rows(findings: Sequence[Finding], works: dict[str, str]) -> list[tuple[Any, ...]]:
    return [(SEVERITY_WORDS[f.severity], f.rule_text,
             f"{f.step_no}. {works.get(f.step_no, '')}".rstrip(". ") if f.step_no else None,
             f.element_id, f.message, f.suggestion, f.count) for f in findings]


@bp.route("/audit/conformance/<procedure>")
@signed_in
def procedure_page(procedure: str) -> Any:
    # The argument is not named "code": the auditors' access log reads "code" as a dossier's.
    user = web_user()
    require_auditor(user)
    fmt = _format(("pdf", *FORMATS))
    day = operations.parse_day(request.args.get("date", "")[:20])
    report = operations.procedure_report(user, procedure[:64], day)
    revision = report.subject.revision
    works = {r.no: r.work for r in ProcedureContext.from_procedure(revision).rows}
    slug = f"doi-chieu-{report.subject.procedure.code}-{day:%Y%m%d}"
    if fmt in FORMATS:
        assert fmt is not None
        return table_download(fmt, slug, f"Thủ tục {report.subject.procedure.code}",
                              FINDING_HEADERS, _finding_rows(report.findings, works))
    groups = [(severity, SEVERITY_WORDS[severity],
               [f for f in report.findings if f.severity == severity])
              for severity in SEVERITY_WORDS]
    context = dict(report=report, subject=report.subject, day=day, groups=groups,
                   works=works, iso=_iso, **_words())
    if fmt == "pdf":
        province_name = db.session.scalar(select(Province.name).limit(1)) or ""
        html = render_template("audit/conformance_report.html", province=province_name,
                               printed_at=now().astimezone(TZ), auditor=user, **context)
        return download(render_pdf(html), slug, "pdf")
    designer = user.has_role("designer", "sysadmin")
    return Response(render_template("audit/conformance_procedure.html", designer=designer,
                                    **context), mimetype="text/html")
