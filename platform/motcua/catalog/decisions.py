"""The decision file: its JSON schema, the checks an import makes before writing anything,
and how an entry reads (roles and units inferred from the "responsible" column)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select

from motcua.calendar.working_time import parse_duration
from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.org.models import OFFICER_ROLES, Agency

UNIT_SELECTORS = ("@desk", "@handling", "@agency")

# How the free-text "responsible" column of a decision's step table maps to a role and a
# unit, first match wins. Provinces word it differently; extend the list rather than code.
RESPONSIBLE_RULES: list[tuple[str, str, str]] = [
    (r"một cửa|tiếp nhận và trả kết quả|phục vụ hành chính công", "receiver", "@desk"),
    (r"văn thư", "clerk", "@agency"),
    (r"(lãnh đạo|trưởng|phó trưởng) phòng|lãnh đạo (bộ phận|đơn vị)", "unit_head", "@handling"),
    (r"chuyên viên|công chức|cán bộ", "specialist", "@handling"),
    (r"lãnh đạo|giám đốc|chủ tịch|thủ trưởng", "leader", "@agency"),
]

_STR = {"type": "string", "minLength": 1}
# As the table writes it: 3, or "3.1" for a sub-step.
_STEP_NO = {"type": ["integer", "string"], "minLength": 1, "maxLength": 20}
DECISION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["decision", "procedures"],
    "properties": {
        "decision": {"type": "object", "required": ["number", "date", "effective", "issuer"],
                     "properties": {"number": _STR, "date": {"type": "string", "format": "date"},
                                    "effective": {"type": "string", "format": "date"},
                                    "issuer": _STR, "signer": {"type": "string"},
                                    "title": {"type": "string"}}},
        "procedures": {"type": "array", "items": {
            "type": "object", "required": ["action", "code"],
            "properties": {
                "action": {"enum": ["new", "amended", "replaced", "abolished"]},
                "code": {"type": "string", "pattern": r"^[0-9A-Za-z.\-_]{1,64}$"},
                "replaces": {"type": "string"}, "name": _STR, "field": {"type": "string"},
                "agency": _STR, "handling_unit": {"type": "string"},
                "time_limit": {"type": "string"}, "fee": {"type": "string"},
                "online_level": {"enum": ["full", "partial", "none"]},
                "legal_basis": {"type": "array", "items": {"type": "string"}},
                "documents": {"type": "array", "items": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": _STR, "original": {"type": "integer", "minimum": 0},
                                   "copy": {"type": "integer", "minimum": 0}}}},
                "steps": {"type": "array", "items": {
                    "type": "object", "required": ["no", "work", "responsible"],
                    "properties": {"no": _STEP_NO, "work": _STR,
                                   "responsible": _STR, "role": {"enum": list(OFFICER_ROLES)},
                                   "unit": _STR, "time": {"type": "string"},
                                   "result": {"type": "string"}}}},
            },
            "allOf": [
                {"if": {"properties": {"action": {"enum": ["new", "amended", "replaced"]}}},
                 "then": {"required": ["name", "agency", "time_limit"]}},
                {"if": {"properties": {"action": {"const": "replaced"}}},
                 "then": {"required": ["replaces"]}},
            ],
        }},
    },
}


def infer_role_unit(responsible: str) -> tuple[str, str] | None:
    text = unicodedata.normalize("NFC", responsible).lower()
    for pattern, role, unit in RESPONSIBLE_RULES:
        if re.search(pattern, text):
            return role, unit
    return None


def check_decision(doc: Any) -> list[dict[str, str]]:
    from motcua.schema_errors import validate

    problems = validate(doc, DECISION_SCHEMA, root="$")
    if problems:
        return problems
    agencies = set(db.session.scalars(select(Agency.code)))
    existing = set(db.session.scalars(select(Procedure.code)))
    in_file = {p["code"] for p in doc["procedures"]}
    for i, proc in enumerate(doc["procedures"]):
        at = f"$.procedures[{i}]"
        for key in ("agency", "handling_unit"):
            if proc.get(key) and proc[key] not in agencies:
                problems.append({"field": f"{at}.{key}",
                                 "message": f"Cơ quan không tồn tại: {proc[key]}"})
        if proc["action"] == "amended" and proc["code"] not in existing:
            problems.append({"field": f"{at}.code",
                             "message": f"Không có thủ tục {proc['code']} để sửa đổi"})
        if proc["action"] == "replaced" and proc["replaces"] not in existing | in_file:
            problems.append({"field": f"{at}.replaces",
                             "message": f"Không có thủ tục {proc['replaces']} để thay thế"})
        if proc["action"] == "abolished" and proc["code"] not in existing and not (
            proc.get("name") and proc.get("agency")
        ):
            problems.append({"field": f"{at}.code", "message":
                             f"Thủ tục {proc['code']} chưa có trong danh mục: cần name và agency"})
        if proc.get("time_limit") is not None:
            try:
                parse_duration(proc["time_limit"])
            except ValueError as exc:
                problems.append({"field": f"{at}.time_limit", "message": str(exc)})
        for j, step in enumerate(proc.get("steps", [])):
            problems.extend(_check_step(step, f"{at}.steps[{j}]", agencies))
    return problems


def _check_step(step: dict[str, Any], at: str, agencies: set[str]) -> list[dict[str, str]]:
    problems = []
    try:
        parse_duration(step.get("time", "0"))
    except ValueError as exc:
        problems.append({"field": f"{at}.time", "message": str(exc)})
    unit = step.get("unit")
    if unit and unit not in UNIT_SELECTORS and unit not in agencies:
        problems.append({"field": f"{at}.unit", "message":
                         f"Đơn vị phải là @desk, @handling, @agency hoặc mã cơ quan: {unit}"})
    if not (step.get("role") and unit) and infer_role_unit(step["responsible"]) is None:
        problems.append({"field": f"{at}.responsible", "message":
                         f"Không suy ra được vai trò từ \"{step['responsible']}\": "
                         "ghi rõ role và unit"})
    return problems


def read_steps(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    steps = []
    for step in entries:
        inferred = infer_role_unit(step["responsible"]) or (None, None)
        steps.append({
            "no": step["no"], "work": step["work"], "responsible": step["responsible"],
            "role": step.get("role") or inferred[0], "unit": step.get("unit") or inferred[1],
            "time": step.get("time", "0"), "minutes": parse_duration(step.get("time", "0")),
            "result": step.get("result", ""),
            "inferred": not (step.get("role") and step.get("unit")),
        })
    return steps


def entry_state(entry: dict[str, Any], agencies: dict[str, Agency]) -> dict[str, Any]:
    """The procedure state a new, amended or replacing entry sets."""
    unit = entry.get("handling_unit")
    return {
        "name": entry["name"], "field": entry.get("field", ""),
        "agency_id": agencies[entry["agency"]].id,
        "handling_unit_id": agencies[unit].id if unit else None,
        "time_limit": entry.get("time_limit", "0"),
        "time_limit_minutes": parse_duration(entry.get("time_limit", "0")),
        "fee": entry.get("fee", ""), "online_level": entry.get("online_level", "none"),
        "legal_basis": entry.get("legal_basis", []),
        "documents": entry.get("documents", []), "steps": read_steps(entry.get("steps", [])),
    }
