"""How a change is said to a designer: the modeler panel's labels and pick-list words (the
checks' ``words``), values as the panel shows them, never a property name alone."""

from __future__ import annotations

from typing import Any

from motcua.processes.checks.legal import duration_text
from motcua.processes.checks.words import (
    ALLOTTED,
    DECISION_ROW,
    DOCUMENT,
    FIELD_WORDS,
    FORM,
    MEANING_WORDS,
    ROLE,
    UNIT,
    AgencyName,
    capital,
    document_text,
    role_text,
    unit_text,
)

# The step's fields compared, with the panel's label of each.
STEP_FIELDS = {
    "name": "Tên bước",
    "role": ROLE,
    "unit": UNIT,
    "lane": "Làn",
    "form": FORM,
    "allotted": ALLOTTED,
    "document": DOCUMENT,
    "row": DECISION_ROW,
    **FIELD_WORDS,
}
LANE_FIELDS = {"name": "Tên làn", "role": ROLE, "unit": UNIT}
FLOW_FIELDS = {"name": "Tên luồng", "source": "Điểm đầu", "target": "Điểm cuối",
               "condition": "Điều kiện đi theo luồng", "default": "Luồng mặc định"}
NODE_FIELDS = {"name": "Tên", "tag": "Loại phần tử", "timer": "Hẹn giờ",
               "attached_to": "Gắn trên viền bước", "interrupting": "Hủy bước khi đến hạn"}
PROCESS_FIELDS = {"process_id": "Mã quy trình", "process_name": "Tên quy trình",
                  "executable": "Thực thi được", "start_form": "Tờ khai (biểu mẫu điện tử)"}
TIMER_WORDS = {"due_step": "khi bước hết thời gian giải quyết",
               "due_dossier": "khi hồ sơ đến hạn trả kết quả"}
NONE = "(chưa đặt)"


def quoted(value: Any) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "có" if value else "không"
    return f'"{value}"'


def value_text(field: str, value: Any, agency_name: AgencyName | None) -> str:
    """A value as the panel shows it: roles and units by their pick-list words, times in
    working days, documents and meanings by name."""
    if value is None or value == "":
        return NONE
    if field == "role":
        return role_text(str(value))
    if field == "unit":
        return unit_text(str(value), agency_name)
    if field == "allotted":
        return duration_text(int(value))
    if field == "document":
        return document_text(str(value))
    if field == "meaning":
        return f'"{MEANING_WORDS.get(str(value), value)}"'
    if field == "condition":
        return f"«{value}»"  # conditions quote their own strings
    if field == "timer":
        return f'"{TIMER_WORDS.get(str(value), value)}"'
    return quoted(value)


def changed(what: str, label: str, old: str, new: str) -> str:
    return f'{capital(what)}: "{label}" đổi từ {old} thành {new}.'


def added(what: str) -> str:
    return f"Thêm {what}."


def removed(what: str) -> str:
    return f"Bỏ {what}."


def outcome_words(label: str, meaning: str) -> str:
    return f'nút "{label}" (ý nghĩa "{MEANING_WORDS.get(meaning, meaning)}")'
