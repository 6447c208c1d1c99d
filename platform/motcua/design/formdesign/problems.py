"""What rows say that no form can do, listed beside them (a half-built form is still shown):
keys missing or taken twice, limits the wrong way round, choices without options, defaults
their field refuses; and the keys of rows never saved, made from their titles."""

from __future__ import annotations

import re

from motcua.design.formdesign.keys import FIELD_KEY, field_key
from motcua.design.formdesign.patterns import READY_PATTERNS
from motcua.design.formdesign.rows import (
    CHOICE_TYPES,
    DEFAULT_TYPES,
    LENGTH_TYPES,
    NESTED_TYPES,
    NUMBER_TYPES,
    TYPES,
    Row,
)


def assign_keys(rows: list[Row]) -> None:
    """A row never saved without a key takes one from its title, unique among its siblings
    (and so do the rows of its groups)."""
    taken = {r.key for r in rows if r.key}
    for row in rows:
        if not row.key and not row.locked:
            row.key = field_key(row.title or TYPES.get(row.type, ""), taken)
            taken.add(row.key)
        assign_keys(row.rows)


def row_problems(rows: list[Row], where: str = "rows") -> list[dict[str, str]]:
    """What the rows say that no form can do, each with the row's field."""
    problems: list[dict[str, str]] = []
    seen: set[str] = set()

    def say(at: str, message: str) -> None:
        problems.append({"field": at, "message": message})

    for i, row in enumerate(rows):
        at = f"{where}[{i}]"
        name = f'Trường "{row.title or row.key}"'
        if not row.key:
            say(f"{at}.key", f"{name} chưa có khóa: đặt tiêu đề cho trường")
        elif row.key in seen:
            say(f"{at}.key", f'{name}: khóa "{row.key}" trùng với một trường khác cùng cấp; '
                "đổi tiêu đề để có khóa khác")
        elif not row.locked and not FIELD_KEY.fullmatch(row.key):
            # A new key is the data's name for good, read by conditions: as the titles
            # make them. A saved one, whatever it is, stays (the dossiers hold it).
            say(f"{at}.key", f'{name}: khóa "{row.key}" chỉ gồm chữ thường không dấu, chữ số '
                "và dấu gạch dưới, bắt đầu bằng chữ")
        seen.add(row.key)
        if row.type == "advanced":
            continue
        if not row.title.strip():
            say(f"{at}.title", "Trường chưa có tiêu đề")
        for low, high, label in (("min_length", "max_length", "độ dài"),
                                 ("minimum", "maximum", "giá trị"),
                                 ("min_rows", "max_rows", "số dòng")):
            a, b = getattr(row, low), getattr(row, high)
            if a is not None and b is not None and a > b:
                say(f"{at}.{low}", f"{name}: {label} tối thiểu ({a}) lớn hơn tối đa ({b})")
        if row.type in CHOICE_TYPES:
            if not row.options:
                say(f"{at}.options", f"{name}: thêm ít nhất một lựa chọn")
            values = [o.value for o in row.options]
            for j, option in enumerate(row.options):
                if not option.label.strip():
                    # The renderer would show the stored value instead, unexplained.
                    say(f"{at}.options[{j}].label", f"{name}: lựa chọn {j + 1} chưa có nhãn")
                if not option.value.strip() and option.label.strip():
                    say(f"{at}.options[{j}].value",
                        f"{name}: lựa chọn {j + 1} chưa có giá trị lưu")
                elif values.index(option.value) != j:
                    say(f"{at}.options[{j}].value",
                        f'{name}: lựa chọn "{option.value}" bị lặp')
        if row.default is not None and row.type in DEFAULT_TYPES and not default_fits(row):
            say(f"{at}.default", f"{name}: giá trị mặc định không hợp với loại trường"
                + (" (phải là một trong các lựa chọn)" if row.type in CHOICE_TYPES else ""))
        elif (broken := _default_breaks_limits(row)) is not None:
            say(f"{at}.default", f"{name}: giá trị mặc định {broken}")
        if row.type == "officer" and not row.role:
            say(f"{at}.role", f"{name}: chọn vai trò của cán bộ được chọn")
        if row.type in NESTED_TYPES:
            if not row.rows:
                say(f"{at}.rows", f"{name}: thêm ít nhất một trường vào nhóm")
            problems.extend(row_problems(row.rows, f"{at}.rows"))
    return problems


def default_fits(row: Row) -> bool:
    """Whether the row's default is a value of its type (a choice: one of its options)."""
    value = row.default
    if row.type == "boolean":
        return isinstance(value, bool)
    if row.type in NUMBER_TYPES:
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        return not isinstance(value, bool) and isinstance(value, int | float) and (
            row.type == "number" or whole)
    if row.type in CHOICE_TYPES:
        return isinstance(value, str) and value in [o.value for o in row.options]
    return isinstance(value, str)


def _default_breaks_limits(row: Row) -> str | None:
    """Which of the row's own limits its default breaks: the form would open with a value
    that its completion then refuses."""
    value = row.default
    if isinstance(value, int | float) and not isinstance(value, bool) and (
            row.type in NUMBER_TYPES):
        if row.minimum is not None and value < row.minimum:
            return f"nhỏ hơn giá trị tối thiểu ({row.minimum})"
        if row.maximum is not None and value > row.maximum:
            return f"lớn hơn giá trị tối đa ({row.maximum})"
    if isinstance(value, str) and value and row.type in LENGTH_TYPES:
        if row.min_length is not None and len(value) < row.min_length:
            return f"ngắn hơn độ dài tối thiểu ({row.min_length} ký tự)"
        if row.max_length is not None and len(value) > row.max_length:
            return f"dài hơn độ dài tối đa ({row.max_length} ký tự)"
        ready = READY_PATTERNS.get(row.pattern)
        if ready is not None and re.search(ready.regex, value) is None:
            return f"không đúng mẫu {ready.label}"
    return None
