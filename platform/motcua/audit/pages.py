"""The auditor's home (/audit): what can be checked, with links to each report."""

from __future__ import annotations

from flask import Blueprint, render_template

from motcua.audit.scope import readable_agencies
from motcua.org.session import signed_in, web_user

bp = Blueprint("audit_pages", __name__, template_folder="templates")


@bp.route("/audit")
@signed_in
def index() -> str:
    user = web_user()
    # Auditors see everything; leaders the statistics of their agency (403 for others).
    province_wide = readable_agencies(user) is None
    return render_template("audit/index.html", province_wide=province_wide)
