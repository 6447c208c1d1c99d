"""How the checks name things to a designer: in the modeler's own Vietnamese words.

Designers read every message in the modeler's problems list, beside the element it is about.
They know the panel's labels ("Vai trò", "Thời gian giải quyết") and the names they gave the
steps, not property names, unit selectors or generated ids; a property name is only added at
the end of a message as a hint for experts reading the CLI's output (see :func:`hint`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from motcua.processes.checks.document import label

AGENCY_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")
# The pick lists of the modeler's panel (design/modeler.py shows the same words).
ROLE_WORDS = {
    "receiver": "Bộ phận Một cửa (tiếp nhận, trả kết quả)",
    "specialist": "Chuyên viên",
    "unit_head": "Lãnh đạo phòng",
    "leader": "Lãnh đạo cơ quan",
    "clerk": "Văn thư",
}
SELECTOR_WORDS = {
    "@desk": "Bộ phận Một cửa nơi tiếp nhận hồ sơ",
    "@handling": "Đơn vị xử lý của thủ tục",
    "@agency": "Cơ quan chủ quản thủ tục",
}
DOCUMENT_WORDS = {
    "receipt": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)",
    "supplement": "Nhận hồ sơ bổ sung (Mẫu 02 khi yêu cầu bổ sung)",
    "refusal": "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)",
    "apology": "Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
    "stop": "Thông báo dừng giải quyết hồ sơ (Mẫu 05)",
    "control_slip": "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)",
    "result": "Kết quả giải quyết",
}
MEANING_WORDS = {
    "accept": "Tiếp nhận hồ sơ",
    "supplement": "Yêu cầu bổ sung",
    "refuse": "Từ chối",
    "back": "Trả lại bước trước",
    "forward": "Chuyển tiếp",
}

# The panel's field labels.
ROLE = "Vai trò"
UNIT = "Đơn vị"
FORM = "Biểu mẫu của bước"
ALLOTTED = "Thời gian giải quyết"
OUTCOMES = "Kết quả xử lý (các nút)"
DECISION_ROW = "Bước trong quyết định công bố"
DOCUMENT = "Văn bản phát hành khi hoàn thành"
FIELD_WORDS = {
    "assignee_field": "Trường chọn người xử lý bước sau",
    "reason_field": "Trường ghi lý do (từ chối, bổ sung, trả lại)",
    "missing_field": "Trường danh sách giấy tờ cần bổ sung",
}

AgencyName = Callable[[str], "str | None"]


def hint(*names: str) -> str:
    """The technical names at the end of a message, for experts (and for the modeler, which
    finds the field to focus by them)."""
    return f" (thuộc tính {', '.join(names)})"


def role_text(role: str) -> str:
    return f'"{ROLE_WORDS.get(role, role)}"'


def unit_text(unit: str, agency_name: AgencyName | None = None) -> str:
    """A unit as the panel's pick list shows it: a selector's words, an agency's name."""
    if unit in SELECTOR_WORDS:
        return f'"{SELECTOR_WORDS[unit]}"'
    if not AGENCY_CODE.fullmatch(unit):
        return f'"{unit}"'  # not a unit at all: reported as such by the dialect
    name = agency_name(unit) if agency_name is not None else None
    return f'"{name}"' if name else f"cơ quan mã {unit}"


def document_text(document: str) -> str:
    return f'"{DOCUMENT_WORDS.get(document, document)}"'


def outcome_text(step_outcomes: dict[str, str], key: str) -> str:
    """An outcome by its button's label, the key only when it has none."""
    caption = step_outcomes.get(key)
    return f'"{caption}"' if caption else f'"{key}"'


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def cap_label(el: etree._Element) -> str:
    return capital(label(el))
