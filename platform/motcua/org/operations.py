"""Organisation verbs: import org.json; who may see what."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from motcua import contact
from motcua.calendar.models import CalendarDay
from motcua.calendar.operations import forget_calendar
from motcua.calendar.working_time import WorkingCalendar
from motcua.db import db
from motcua.importing import ImportProblems, ImportReport, set_if_changed
from motcua.org.auth import hash_password, revoke_tokens, verify_password
from motcua.org.models import ROLES, Agency, Membership, Province, User
from motcua.org.passwords import is_common
from motcua.org.session import end_sessions
from motcua.schema_errors import validate

_STR = {"type": "string", "minLength": 1}
# Texts as long as their columns at most (org/models.py): longer is a problem, not a 500.
_NAME = {**_STR, "maxLength": 255}
ORG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["province", "agencies", "users"],
    "properties": {
        "province": {
            "type": "object", "required": ["code", "name"],
            "properties": {"code": {**_STR, "maxLength": 16}, "name": _NAME,
                           "working_hours": {"type": "array", "items": {
                               "type": "array", "minItems": 2, "maxItems": 2,
                               "items": {"type": "string", "pattern": r"^\d\d:\d\d$"}}}},
        },
        "agencies": {"type": "array", "items": {
            "type": "object", "required": ["code", "name"],
            "properties": {"code": {"type": "string", "pattern": r"^[0-9A-Za-z.\-_]{1,32}$"},
                           "name": _NAME, "kind": {"type": "string", "maxLength": 100},
                           "parent": {"type": ["string", "null"]}}}},
        "users": {"type": "array", "items": {
            "type": "object", "required": ["username", "full_name", "password"],
            "properties": {
                "username": {"type": "string", "pattern": r"^[a-z0-9._-]{2,64}$"},
                "full_name": _NAME, "password": {"type": "string", "minLength": 8},
                "kind": {"enum": ["officer", "applicant"]},
                "email": {"type": ["string", "null"], "maxLength": 255},
                "phone": {"type": ["string", "null"], "maxLength": 32},
                "memberships": {"type": "array", "items": {
                    "type": "object", "required": ["agency", "role"],
                    "properties": {"agency": _STR, "role": {"enum": list(ROLES)}}}}}}},
        "holidays": {"type": "object", "properties": {
            "extra_days_off": {"type": "array", "items": {"type": "string", "format": "date"}},
            "working_saturdays": {"type": "array",
                                  "items": {"type": "string", "format": "date"}}}},
    },
}


# Checked as a dossier's applicant is (motcua.contact), and stored normalised.
_CONTACT = {"full_name": (contact.person_name, 255), "email": (contact.email_address, 255),
            "phone": (contact.phone_number, 32)}


def _check_org(doc: Any) -> list[dict[str, str]]:
    problems = validate(doc, ORG_SCHEMA, root="$")
    if problems:
        return problems
    hours = doc["province"].get("working_hours")
    if hours is not None:
        try:
            WorkingCalendar.from_settings(hours, [], [])
        except ValueError as exc:
            problems.append({"field": "$.province.working_hours", "message": str(exc)})
    codes: dict[str, int] = {}
    for i, agency in enumerate(doc["agencies"]):
        if agency["code"] in codes:
            problems.append({"field": f"$.agencies[{i}].code",
                             "message": f"Mã cơ quan trùng lặp: {agency['code']}"})
        codes[agency["code"]] = i
    existing = set(db.session.scalars(select(Agency.code)))
    known = existing | set(codes)
    parents = {a["code"]: a.get("parent") for a in doc["agencies"]}
    for i, agency in enumerate(doc["agencies"]):
        parent = agency.get("parent")
        if parent is not None and parent not in known:
            problems.append({"field": f"$.agencies[{i}].parent",
                             "message": f"Cơ quan cấp trên không tồn tại: {parent}"})
        # Walk up: a cycle would make the tree endless.
        seen, cursor = {agency["code"]}, parent
        while cursor is not None and cursor in parents:
            if cursor in seen:
                problems.append({"field": f"$.agencies[{i}].parent",
                                 "message": "Cây cơ quan có vòng lặp"})
                break
            seen.add(cursor)
            cursor = parents[cursor]
    usernames: set[str] = set()
    for i, user in enumerate(doc["users"]):
        for key, (check, longest) in _CONTACT.items():
            try:
                check(user.get(key), max_length=longest)
            except ValueError as exc:
                problems.append({"field": f"$.users[{i}].{key}", "message": str(exc)})
        if is_common(user["password"]):
            problems.append({"field": f"$.users[{i}].password",
                             "message": "Mật khẩu quá phổ biến, dễ bị đoán"})
        if user["username"] in usernames:
            problems.append({"field": f"$.users[{i}].username",
                             "message": f"Tên đăng nhập trùng lặp: {user['username']}"})
        usernames.add(user["username"])
        for j, membership in enumerate(user.get("memberships", [])):
            if membership["agency"] not in known:
                problems.append({"field": f"$.users[{i}].memberships[{j}].agency",
                                 "message": f"Cơ quan không tồn tại: {membership['agency']}"})
    return problems


def import_org(doc: Any) -> ImportReport:
    """Create or update the province, agencies, users and calendar days; all or nothing."""
    problems = _check_org(doc)
    if problems:
        raise ImportProblems(problems)
    report = ImportReport()
    _import_province(doc["province"], report)
    agencies = _import_agencies(doc["agencies"], report)
    for entry in doc["users"]:
        _import_user(entry, agencies, report)
    holidays = doc.get("holidays") or {}
    _import_days(holidays.get("extra_days_off", []), "day_off", report)
    _import_days(holidays.get("working_saturdays", []), "working_saturday", report)
    db.session.flush()
    forget_calendar()
    return report


def _import_province(entry: dict[str, Any], report: ImportReport) -> None:
    province = db.session.scalar(select(Province).limit(1))
    values = {"code": entry["code"], "name": entry["name"],
              "working_hours": entry.get("working_hours") or [["08:00", "12:00"],
                                                              ["13:00", "17:00"]]}
    if province is None:
        db.session.add(Province(**values))
        report.count("province", "created")
    else:
        report.count("province", "updated" if set_if_changed(province, values) else "unchanged")


def _import_agencies(entries: list[dict[str, Any]], report: ImportReport) -> dict[str, Agency]:
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    outcome: dict[str, str] = {}
    for entry in entries:
        agency = agencies.get(entry["code"])
        values = {"name": entry["name"], "kind": entry.get("kind", "")}
        if agency is None:
            agency = Agency(code=entry["code"], **values)
            db.session.add(agency)
            agencies[agency.code] = agency
            outcome[agency.code] = "created"
        else:
            outcome[agency.code] = "updated" if set_if_changed(agency, values) else "unchanged"
    db.session.flush()
    for entry in entries:
        agency = agencies[entry["code"]]
        parent = agencies[entry["parent"]] if entry.get("parent") else None
        parent_id = parent.id if parent else None
        if agency.parent_id != parent_id:
            agency.parent_id = parent_id
            if outcome[agency.code] == "unchanged":
                outcome[agency.code] = "updated"
    for result in outcome.values():
        report.count("agency", result)
    return agencies


def _import_user(entry: dict[str, Any], agencies: dict[str, Agency], report: ImportReport) -> None:
    user = db.session.scalar(select(User).where(User.username == entry["username"]))
    values = {"full_name": contact.person_name(entry["full_name"], max_length=255),
              "kind": entry.get("kind", "officer"),
              "email": contact.email_address(entry.get("email")),
              "phone": contact.phone_number(entry.get("phone"))}
    wanted = {(agencies[m["agency"]].id, m["role"]) for m in entry.get("memberships", [])}
    if user is None:
        user = User(username=entry["username"], password_hash=hash_password(entry["password"]),
                    **values)
        user.memberships = [Membership(agency_id=a, role=r) for a, r in sorted(wanted)]
        db.session.add(user)
        report.count("user", "created")
        return
    changed = set_if_changed(user, values)
    if not verify_password(user, entry["password"]):
        # A password set anew ends what the old one opened, as a change by the user does.
        user.password_hash = hash_password(entry["password"])
        end_sessions(user)
        revoke_tokens(user)
        changed = True
    have = {(m.agency_id, m.role): m for m in user.memberships}
    for key in set(have) - wanted:
        user.memberships.remove(have[key])
        changed = True
    for agency_id, role in sorted(wanted - set(have)):
        user.memberships.append(Membership(agency_id=agency_id, role=role))
        changed = True
    report.count("user", "updated" if changed else "unchanged")


def _import_days(days: list[str], kind: str, report: ImportReport) -> None:
    for text in days:
        day = date.fromisoformat(text)
        row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == day))
        if row is None:
            db.session.add(CalendarDay(day=day, kind=kind))
            report.count("calendar_day", "created")
        elif row.kind != kind:
            row.kind = kind
            report.count("calendar_day", "updated")
        else:
            report.count("calendar_day", "unchanged")


def officers(role: str, agency_ids: list[int]) -> list[tuple[str, str]]:
    """Active users holding ``role`` at the first of ``agency_ids`` that has any, as
    (username, full name): the choices of a form's ``officer`` widget."""
    for agency_id in agency_ids:
        rows = db.session.execute(
            select(User.username, User.full_name).join(Membership, Membership.user_id == User.id)
            .where(Membership.role == role, Membership.agency_id == agency_id,
                   User.is_active.is_(True)).order_by(User.full_name)).all()
        if rows:
            return [(username, name) for username, name in rows]
    return []
