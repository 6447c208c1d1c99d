"""A person's name, e-mail address and phone number as typed, checked and kept in one form:
the applicant of a dossier (``dossiers.applicant``) and the users of ``motcua import org``.

Each function returns the value to store (None for a blank optional one) or raises
``ValueError`` with the reason in Vietnamese.

- Names: trimmed of white space and of invisible characters (zero-width spaces and joiners,
  the byte-order mark, soft hyphens: Unicode's format characters) at both ends; nothing left
  is a blank name.
- E-mail: ``email-validator``'s syntax check (no DNS lookup: nothing leaves the server),
  kept in its normalised form (domain in lower case, Unicode NFC).
- Phone: Google's ``phonenumbers`` metadata, a number without a country code read as
  Vietnamese. A Vietnamese number is kept as dialled at home, digits only (``0912345678``,
  ``02438251234``, ``19001234``); a foreign one, which a foreigner filing a dossier may give
  with its ``+`` code, in E.164 (``+16502530000``).
"""

from __future__ import annotations

import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

REGION = "VN"
# Categories invisible at the ends of a name: separators, controls, format characters.
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def trimmed(text: str) -> str:
    """``text`` without white space or invisible characters at either end."""
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in _INVISIBLE


def person_name(text: object, *, max_length: int) -> str:
    if text is None:
        raise ValueError("Không được để trống")
    if not isinstance(text, str):
        raise ValueError("Phải là chuỗi")
    name = trimmed(text)
    if not name:
        raise ValueError("Không được để trống")
    if len(name) > max_length:
        raise ValueError(f"Tối đa {max_length} ký tự")
    return name


def optional_text(text: object, *, max_length: int) -> str | None:
    """A trimmed text, None when blank."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError("Phải là chuỗi")
    value = trimmed(text)
    if len(value) > max_length:
        raise ValueError(f"Tối đa {max_length} ký tự")
    return value or None


def email_address(text: object, *, max_length: int = 255) -> str | None:
    value = optional_text(text, max_length=max_length)
    if value is None:
        return None
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise ValueError("Không phải địa chỉ thư điện tử hợp lệ (ví dụ: ten@example.vn)") \
            from None


def phone_number(text: object, *, max_length: int = 32) -> str | None:
    value = optional_text(text, max_length=max_length)
    if value is None:
        return None
    wrong = ValueError("Không phải số điện thoại hợp lệ (ví dụ: 0912345678, 024 3825 1234 "
                       "hoặc +84912345678)")
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        raise wrong from None
    if not phonenumbers.is_valid_number(number) or number.extension:
        raise wrong
    if phonenumbers.region_code_for_number(number) == REGION:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return "".join(ch for ch in national if ch.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
