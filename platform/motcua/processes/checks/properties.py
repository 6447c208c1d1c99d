"""Reading the dialect's properties of one element: the ``spiffworkflow:property`` entries,
the outcomes written in one of them, and whether a step's allotted time can be read."""

from __future__ import annotations

import re

from lxml import etree

from motcua.calendar.working_time import parse_duration
from motcua.processes.checks.document import NS, Document, label
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.words import MEANING_WORDS, cap_label
from motcua.processes.meanings import Meaning, Outcome, implied_meaning

OUTCOME_KEY = re.compile(r"[a-z][a-z0-9_]*")
MEANINGS = ", ".join(f'"{MEANING_WORDS[m.value]}" ({m.value})' for m in Meaning)
_MEANING_VALUES = {m.value for m in Meaning}
_PROPERTY_XPATH = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"


def parse_outcomes(text: str) -> tuple[list[Outcome], list[str]]:
    """``"nhan:accept=Tiếp nhận;tra:back=Trả lại"`` -> outcomes, and what is wrong with the
    text. A key without a written meaning takes the one its key implies (``forward`` for any
    key but the standard ones)."""
    outcomes: list[Outcome] = []
    errors: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        head, sep, caption = (s.strip() for s in part.partition("="))
        key, colon, written = (s.strip() for s in head.partition(":"))
        if not sep or not caption:
            errors.append(
                f'nút "{part}" chưa có nhãn: nhập "Nhãn nút" (trong tệp viết dạng '
                "khóa:ý_nghĩa=Nhãn, ví dụ nhan:accept=Tiếp nhận)"
            )
        elif not OUTCOME_KEY.fullmatch(key):
            errors.append(
                f'nút "{caption}" có khóa "{key}" không hợp lệ: "Khóa (dùng trong điều kiện)" '
                "viết thường, không dấu, bắt đầu bằng chữ cái, chỉ gồm a-z, 0-9 và _ (ví dụ "
                "dong_y)"
            )
        elif colon and written not in _MEANING_VALUES:
            errors.append(
                f'nút "{caption}" có ý nghĩa "{written}" không hợp lệ: chọn "Ý nghĩa" của nút '
                f"trong danh sách: {MEANINGS}"
            )
        elif key in (o.key for o in outcomes):
            errors.append(
                f'hai nút cùng có khóa "{key}": đổi "Khóa (dùng trong điều kiện)" của một nút, '
                "mỗi nút một khóa riêng"
            )
        elif colon:
            outcomes.append(Outcome(key, caption, Meaning(written)))
        else:
            outcomes.append(Outcome(key, caption, implied_meaning(key), declared=False))
    return outcomes, errors


def read_properties(doc: Document, el: etree._Element) -> tuple[dict[str, str], list[Problem]]:
    props: dict[str, str] = {}
    problems = []
    for prop in el.xpath(_PROPERTY_XPATH, namespaces=NS):
        name, value = prop.get("name"), prop.get("value")
        if name is None or value is None:
            problems.append(
                doc.problem(
                    prop,
                    f"Một thuộc tính của {label(el)} thiếu tên hoặc giá trị: xóa nó rồi đặt lại "
                    "trong khung thuộc tính (trong tệp viết dạng "
                    '<spiffworkflow:property name="role" value="specialist"/>).',
                )
            )
        elif name in props:
            problems.append(
                doc.problem(
                    prop,
                    f'{cap_label(el)} khai báo thuộc tính "{name}" hai lần: xóa một lần '
                    "khai báo trong tệp.",
                )
            )
        else:
            props[name] = value.strip()
    return props, problems


def readable_time(doc: Document, task: etree._Element) -> bool:
    """Whether the step's own allotted time can be read. An unreadable one counts as 0 and is
    reported by the dialect; later checks must not also call it "not counted"."""
    props, _ = read_properties(doc, task)
    try:
        parse_duration(props.get("allotted", ""))
    except ValueError:
        return False
    return True
