"""The applicant of a dossier as it is stored: every field checked at once (the problems name
``applicant.<field>``), trimmed and normalised (see ``motcua.contact``), and no longer than
its column, so a long value is a 422, never the database's error."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from motcua import contact

# The longest value of each field: the columns of ``Dossier.applicant_*`` (the address is a
# Text column, bounded here as the API's schema and the page's form bound it).
LIMITS = {"name": 255, "id_number": 32, "phone": 32, "email": 255, "address": 1000}

_CHECKS: dict[str, Callable[..., str | None]] = {
    "name": contact.person_name, "id_number": contact.optional_text,
    "phone": contact.phone_number, "email": contact.email_address,
    "address": contact.optional_text,
}


def checked_applicant(
        applicant: Mapping[str, Any]) -> tuple[dict[str, str | None], list[dict[str, str]]]:
    """The applicant's fields as stored, and a problem for each field that is wrong. A name
    is required; the other fields may be absent or blank."""
    problems: list[dict[str, str]] = []
    result: dict[str, str | None] = {}
    for key, check in _CHECKS.items():
        try:
            result[key] = check(applicant.get(key), max_length=LIMITS[key])
        except ValueError as exc:
            problems.append({"field": f"applicant.{key}", "message": str(exc)})
    return result, problems
