"""Who reads the indicators over the API, and the errors of a bad query."""

from __future__ import annotations

import pytest
from indicator_month import MARCH, PHONG, SO_TU_PHAP, XA
from sqlalchemy import select

from motcua.audit.models import AccessLog
from motcua.db import db
from support.api import Api, assert_error, fields_of
from support.clock import FakeClock, local


def test_a_leader_reads_their_agency_by_default(api: Api, month: dict[str, str]) -> None:
    answer = api.get("gd.son", f"/audit/indicators?{MARCH}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["agency"], body["agency_name"]) == (SO_TU_PHAP, "Sở Tư pháp")
    # The admin of the same agency too, and the agency below it.
    assert api.get("qt.binh", f"/audit/indicators?{MARCH}").get_json()["agency"] == SO_TU_PHAP
    assert api.get("gd.son", f"/audit/indicators?agency={PHONG}&{MARCH}").status_code == 200


def test_another_agency_is_absent_for_a_leader(api: Api, month: dict[str, str]) -> None:
    assert_error(api.get("gd.son", f"/audit/indicators?agency={XA}&{MARCH}"), 404)
    assert_error(api.get("xa.chutich", f"/audit/indicators?agency={SO_TU_PHAP}"), 404)
    assert_error(api.get("gd.son", f"/audit/indicators/on_time/dossiers?agency={XA}"), 404)
    # The commune's leader reads the commune: its one late dossier.
    body = api.get("xa.chutich", f"/audit/indicators?{MARCH}").get_json()
    on_time = next(i for i in body["indicators"] if i["key"] == "on_time")
    assert (body["agency"], on_time["numerator"], on_time["denominator"]) == (XA, 0, 1)


@pytest.mark.parametrize("user", ["cv.mai", "mc.lan", "tp.hung", "vt.ha"])
def test_officers_are_refused(api: Api, month: dict[str, str], user: str) -> None:
    assert_error(api.get(user, "/audit/indicators"), 403)
    assert_error(api.get(user, "/audit/indicators/on_time/dossiers"), 403)


def test_no_token_is_refused(api: Api, month: dict[str, str]) -> None:
    assert api.get(None, "/audit/indicators").status_code == 401


@pytest.mark.parametrize(("query", "field"), [
    ("from=2026-13-01&to=2026-03-31", "from"),
    ("from=2026-03-01&to=31/03/2026", "to"),
    ("from=2026-03-31&to=2026-03-01", "to"),
    ("from=2025-01-01&to=2026-03-31", "to"),  # longer than a year
    ("from=2026-05-01&to=2026-05-31", "from"),  # not begun yet
])
def test_bad_periods_name_their_field(api: Api, month: dict[str, str], query: str,
                                      field: str) -> None:
    for path in ("/audit/indicators", "/audit/indicators/on_time/dossiers"):
        error = assert_error(api.get("ks.nga", f"{path}?{query}"), 422)
        assert field in fields_of(error), (path, error)


def test_bad_paging_names_its_field(api: Api, month: dict[str, str]) -> None:
    error = assert_error(api.get("ks.nga", "/audit/indicators/on_time/dossiers?limit=0"), 422)
    assert "limit" in fields_of(error)
    error = assert_error(api.get("ks.nga", "/audit/indicators/on_time/dossiers?offset=-1"), 422)
    assert "offset" in fields_of(error)


@pytest.mark.parametrize(("query", "message"), [
    ("limit=0", "Từ 1 đến 500"), ("limit=ten", "Không phải số nguyên"),
    ("offset=-1", "Từ 0 đến 1.000.000"), ("offset=99999999999999999999", "Từ 0 đến 1.000.000"),
    ("agency=" + "x" * 33, "Tối đa 32 ký tự"), ("from=" + "2" * 11, "Tối đa 10 ký tự"),
])
def test_errors_are_worded_in_vietnamese(api: Api, month: dict[str, str], query: str,
                                         message: str) -> None:
    error = assert_error(api.get("ks.nga", f"/audit/indicators/on_time/dossiers?{query}"), 422)
    assert [d["message"] for d in error["details"]] == [message]


def test_an_unknown_indicator_is_absent(api: Api, month: dict[str, str]) -> None:
    assert_error(api.get("ks.nga", "/audit/indicators/speed/dossiers"), 404)
    # A NUL in the path or in the agency is refused before any view (PostgreSQL stores none).
    assert_error(api.get("ks.nga", "/audit/indicators/on%00time/dossiers"), 422)
    assert_error(api.get("ks.nga", f"/audit/indicators?agency={SO_TU_PHAP}%00"), 422)
    assert_error(api.get("gd.son", "/audit/indicators/on_time/dossiers?agency=%00"), 422)
    paths = db.session.scalars(select(AccessLog.path).order_by(AccessLog.id)).all()
    assert "/api/v1/audit/indicators/on%00time/dossiers" in paths


def test_the_default_period_is_the_current_month(api: Api, month: dict[str, str],
                                                 clock: FakeClock) -> None:
    clock.set(local(2026, 3, 20, 9))
    body = api.get("ks.nga", "/audit/indicators").get_json()
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-31")
    assert body["measured_at"] == "2026-03-20T09:00:00+07:00"
    # Only the end given: its month.
    body = api.get("ks.nga", "/audit/indicators?to=2026-02-28").get_json()
    assert (body["from"], body["to"]) == ("2026-02-01", "2026-02-28")
