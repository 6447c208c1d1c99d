"""What a new password must be: long enough, not the username, and not one of the 30,000
commonest passwords (the list bundled with zxcvbn, from Mark Burnett's 10 million leaked
passwords), compared without regard to case."""

from __future__ import annotations

from functools import cache

MIN_PASSWORD_LENGTH = 10


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    return password.lower() in _common()


def new_password_problem(username: str, password: str,
                         min_length: int = MIN_PASSWORD_LENGTH) -> str | None:
    """Why ``password`` cannot be ``username``'s new password, or None."""
    if len(password) < min_length:
        return f"Mật khẩu mới cần ít nhất {min_length} ký tự"
    if username.lower() in password.lower():
        return "Mật khẩu không được chứa tên đăng nhập"
    if is_common(password):
        return "Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác"
    return None
