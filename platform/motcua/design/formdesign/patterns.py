"""Ready patterns a designer picks instead of writing a regular expression. The texts are
exactly those of the project's forms, so an existing field reads back as its ready pattern."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadyPattern:
    key: str
    label: str
    regex: str
    hint: str  # the help text the designer is offered with it (the error message quotes it)


READY_PATTERNS: dict[str, ReadyPattern] = {p.key: p for p in (
    ReadyPattern("cccd", "Số định danh cá nhân (CCCD, 12 chữ số)", "^[0-9]{12}$",
                 "12 chữ số trên thẻ căn cước"),
    # Mobile: 0 + 9 digits; landline: 0 + 2xx area code and number, 10 digits after the 0.
    ReadyPattern("phone", "Số điện thoại (di động hoặc cố định)", "^(0|\\+84)[0-9]{9,10}$",
                 "Số di động 10 chữ số hoặc số cố định 11 chữ số, bắt đầu bằng 0 hoặc +84"),
    ReadyPattern("tax_code", "Mã số thuế (10 chữ số hoặc 10-3 chữ số)",
                 "^[0-9]{10}(-[0-9]{3})?$",
                 "10 chữ số; đơn vị phụ thuộc thêm dấu gạch ngang và 3 chữ số"),
)}

_BY_REGEX = {p.regex: p.key for p in READY_PATTERNS.values()}


def ready_pattern_of(regex: object) -> str | None:
    """The ready pattern whose regular expression is exactly ``regex``, if any."""
    return _BY_REGEX.get(regex) if isinstance(regex, str) else None
