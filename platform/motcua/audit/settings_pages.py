"""The audit settings page (/audit/settings): the update deadline of electronic processes,
the periodic report's calendar and closing dates, and the weights of Decision 766's five
groups. Auditors and system administrators read and change them (everyone else 403); each
setting shows who changed it last and when. Only what changed is written."""

from __future__ import annotations

import math
import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from motcua.audit.indicators.formulas import GROUP_NAMES
from motcua.audit.models import AuditSetting
from motcua.audit.reports.periodic import KIND_WORDS, KINDS, parse_dates
from motcua.audit.scope import require_auditor
from motcua.audit.settings import DEFAULTS, put_setting, setting
from motcua.clock import now
from motcua.db import db
from motcua.documents.formatting import short_time
from motcua.errors import Invalid
from motcua.org.models import User
from motcua.org.session import signed_in, web_user

bp = Blueprint("audit_settings", __name__, template_folder="templates")


@bp.context_processor
def _formatters() -> dict[str, Any]:
    return {"short_time": short_time}


WORDS = {
    "process_update_days": "Thời hạn cập nhật quy trình điện tử sau khi quyết định công bố có "
                           "hiệu lực (ngày làm việc)",
    "report_period": "Kỳ báo cáo định kỳ",
    "report_dates": "Ngày chốt số liệu (khi báo cáo theo ngày chốt)",
    "index_weights": "Trọng số các nhóm chỉ số (Quyết định 766/QĐ-TTg, điểm trên 100)",
}
# One weight per group of the index, named as the indicators page names it.
WEIGHT_WORDS = {group.value: name for group, name in GROUP_NAMES.items()}
MAX_UPDATE_DAYS = 60
_SPLIT = re.compile(r"[,;\n]+")
# ASCII digits only: str.isdigit() accepts "²", which int() refuses, and a number of
# thousands of digits, which int() refuses too (both were a 500).
_DAYS = re.compile(r"[0-9]{1,3}")


def _number(raw: str) -> float | None:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def validate(form: Any) -> dict[str, Any]:
    """The settings as the form states them, or ``Invalid`` naming every wrong field."""
    problems: list[dict[str, str]] = []
    values: dict[str, Any] = {}
    days = (form.get("process_update_days") or "").strip()
    if not _DAYS.fullmatch(days) or int(days) > MAX_UPDATE_DAYS:
        problems.append({"field": "process_update_days",
                         "message": f"Ghi số ngày làm việc, từ 0 đến {MAX_UPDATE_DAYS}"})
    else:
        values["process_update_days"] = int(days)
    kind = form.get("report_period", "")
    if kind not in KINDS:
        problems.append({"field": "report_period",
                         "message": "Chọn một kỳ báo cáo trong danh sách"})
    else:
        values["report_period"] = kind
    raw_dates = [d for d in _SPLIT.split(form.get("report_dates") or "") if d.strip()]
    try:
        dates = parse_dates(raw_dates)
        values["report_dates"] = [f"{day}/{month}" for month, day in dates]
    except Invalid as error:
        problems.extend(error.details)
    weights: dict[str, float | int] = {}
    for key, word in WEIGHT_WORDS.items():
        value = _number(form.get(f"weight_{key}") or "")
        if value is None or value < 0 or value > 100:
            problems.append({"field": f"weight_{key}",
                             "message": f"{word}: ghi một số không âm, tối đa 100"})
        else:
            weights[key] = int(value) if value.is_integer() else value
    if len(weights) == len(WEIGHT_WORDS):
        values["index_weights"] = weights
    if problems:
        raise Invalid("Chưa lưu: có giá trị không hợp lệ", problems)
    return values


def weights_total(weights: dict[str, Any]) -> float:
    return float(sum(float(v) for v in weights.values()))


def _changes() -> dict[str, tuple[AuditSetting, User | None]]:
    rows = db.session.execute(select(AuditSetting, User).outerjoin(
        User, User.id == AuditSetting.updated_by_id)).all()
    return {row.key: (row, user) for row, user in rows}


def _form_values() -> dict[str, Any]:
    weights = setting("index_weights")
    return {"process_update_days": setting("process_update_days"),
            "report_period": setting("report_period"),
            "report_dates": ", ".join(setting("report_dates")),
            **{f"weight_{k}": weights.get(k, "") for k in WEIGHT_WORDS}}


def _page(values: dict[str, Any], error: Invalid | None, status: int) -> tuple[str, int]:
    weights = {k: _number(str(values.get(f"weight_{k}", ""))) for k in WEIGHT_WORDS}
    total = None if None in weights.values() else sum(v for v in weights.values() if v)
    return render_template(
        "audit/settings.html", values=values, error=error, words=WORDS,
        weight_words=WEIGHT_WORDS, kinds=KINDS, kind_words=KIND_WORDS, changes=_changes(),
        defaults=DEFAULTS, weights_total=total,
        field_errors={d["field"]: d["message"] for d in (error.details if error else [])},
    ), status


@bp.route("/audit/settings", methods=["GET"])
@signed_in
def settings_page() -> tuple[str, int]:
    require_auditor(web_user())
    return _page(_form_values(), None, 200)


@bp.route("/audit/settings", methods=["POST"])
@signed_in
def save_settings() -> Response | tuple[str, int]:
    user = web_user()
    require_auditor(user)
    try:
        values = validate(request.form)
    except Invalid as error:
        return _page(request.form.to_dict(), error, 422)
    changed = [key for key, value in values.items() if setting(key) != value]
    at = now()
    for key in changed:
        put_setting(key, values[key], user, at)
    if changed:
        flash("Đã lưu: " + "; ".join(WORDS[k].split(" (")[0].lower() for k in changed), "success")
    else:
        flash("Không có thay đổi", "success")
    total = weights_total(values["index_weights"])
    if not math.isclose(total, 100):
        flash(f"Lưu ý: tổng trọng số là {total:g}, không bằng 100 điểm", "error")
    return redirect(url_for("audit_settings.settings_page"))
