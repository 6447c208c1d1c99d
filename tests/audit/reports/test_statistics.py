"""Statistics checked against figures worked out by hand (``reports_support.MARCH``): the columns,
the period's local-day boundaries, grouping by agency subtree, by procedure and by month,
and who may read what."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from reports_support import MARCH, NOW, OTHER_PROCEDURE, PHONG, SO_TU_PHAP, XA, Shape, shape
from sqlalchemy import func, select

from motcua.audit.reports.statistics import StatsQuery, statistics
from motcua.db import db
from motcua.documents.book import Period
from motcua.dossiers import timing
from motcua.dossiers.models import Dossier
from support.api import Api, assert_error, fields_of, new_dossier
from support.clock import local

PERIOD = "from=2026-03-01&to=2026-03-31"


def _stats(api: Api, user: str, query: str) -> dict[str, Any]:
    response = api.get(user, f"/audit/statistics?{query}")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def _figures(row: dict[str, Any]) -> dict[str, int]:
    return {key: row[key] for key in MARCH}


def test_the_province_total_of_march_matches_the_hand_count(api: Api, march: Any) -> None:
    body = _stats(api, "ks.nga", PERIOD)
    assert (body["from"], body["to"], body["group"], body["agency"]) == (
        "2026-03-01", "2026-03-31", "agency", None)
    assert _figures(body["total"]) == MARCH
    assert body["total"]["on_time_rate"] == 60.0  # (2 early + 1 on time) / 5 judged
    total = body["total"]
    # Every dossier handled in the period is either finished in it or still open at its end.
    assert total["carried_over"] + total["received"] == total["handled"] + total["in_progress"]


def test_the_province_is_grouped_by_its_top_agencies_each_with_its_subtree(
        api: Api, march: Any) -> None:
    rows = {row["key"]: row for row in _stats(api, "ks.nga", PERIOD)["rows"]}
    # Every child of the province's root, with zeros where nothing happened.
    assert set(rows) == {"000.01.00.H99", "000.00.31.H99", SO_TU_PHAP, XA}
    assert rows["000.01.00.H99"]["received"] == 0 and rows["000.01.00.H99"]["name"]
    # Sở Tư pháp counts its unit's dossier G; the commune only K.
    assert rows[SO_TU_PHAP]["received"] == 7 and rows[SO_TU_PHAP]["in_progress"] == 2
    assert rows[SO_TU_PHAP]["carried_over"] == 1
    assert (rows[XA]["carried_over"], rows[XA]["in_progress_late"], rows[XA]["received"]) == (
        1, 1, 0)
    for key in MARCH:
        assert sum(row[key] for row in rows.values()) == MARCH[key], key


def test_a_leader_sees_their_agency_and_the_agencies_below_it(api: Api, march: Any) -> None:
    body = _stats(api, "gd.son", PERIOD)  # leader of Sở Tư pháp, no agency given
    assert body["agency"] == SO_TU_PHAP
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) == {SO_TU_PHAP, PHONG}
    assert rows[SO_TU_PHAP]["direct"] is True and rows[PHONG]["direct"] is False
    assert rows[PHONG]["received"] == 1 and rows[PHONG]["in_progress_late"] == 1  # G
    assert rows[SO_TU_PHAP]["received"] == 6
    assert body["total"]["received"] == 7 and body["total"]["carried_over"] == 1  # no K
    # Its unit alone, asked by code: an agency with nothing below it is its own one row.
    unit = _stats(api, "gd.son", f"{PERIOD}&agency={PHONG}")
    assert unit["total"]["received"] == 1
    assert [(r["key"], r["direct"], r["received"]) for r in unit["rows"]] == [(PHONG, True, 1)]


def test_grouped_by_procedure(api: Api, march: Any) -> None:
    body = _stats(api, "ks.nga", f"{PERIOD}&group=procedure")
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) == {"2.000488", OTHER_PROCEDURE}
    assert (rows[OTHER_PROCEDURE]["received"], rows[OTHER_PROCEDURE]["refused"]) == (1, 1)
    assert rows["2.000488"]["received"] == 6 and rows["2.000488"]["name"]
    only = _stats(api, "ks.nga", f"{PERIOD}&procedure={OTHER_PROCEDURE}")
    assert only["total"]["handled"] == 1 and only["total"]["unjudged"] == 1


def test_grouped_by_month_each_month_judged_at_its_own_end(api: Api, march: Any) -> None:
    body = _stats(api, "ks.nga", "from=2026-02-01&to=2026-04-30&group=month")
    rows = {row["key"]: row for row in body["rows"]}
    assert list(rows) == ["02/2026", "03/2026", "04/2026"]
    february, april = rows["02/2026"], rows["04/2026"]
    assert (february["received"], february["handled"], february["in_progress"]) == (3, 1, 2)
    assert _figures(rows["03/2026"]) == MARCH
    # April is not over: in progress is judged now (10/04), H's appointment is still ahead.
    assert (april["carried_over"], april["received"], april["in_progress"]) == (3, 1, 4)
    assert (april["in_progress_late"], april["in_progress_on_time"]) == (2, 2)
    # A month's end is the next month's start.
    assert february["in_progress"] == rows["03/2026"]["carried_over"]
    assert body["total"]["received"] == 3 + 7 + 1


def test_a_dossier_received_late_on_the_last_day_belongs_to_that_day(
        api: Api, march: Any) -> None:
    last_day = _stats(api, "ks.nga", "from=2026-03-31&to=2026-03-31")["total"]
    first_day = _stats(api, "ks.nga", "from=2026-04-01&to=2026-04-01")["total"]
    assert last_day["received"] == 1  # H, 23:30 local (16:30 UTC)
    assert first_day["received"] == 1  # I, 00:10 local (17:10 UTC the day before)


def test_a_future_period_has_only_zeros(api: Api, march: Any) -> None:
    body = _stats(api, "ks.nga", "from=2026-06-01&to=2026-06-30&group=month")
    assert all(value == 0 for key, value in body["total"].items() if key in MARCH)
    assert [row["key"] for row in body["rows"]] == ["06/2026"]


def test_who_may_read_statistics(api: Api, march: Any) -> None:
    assert_error(api.get("cv.mai", f"/audit/statistics?{PERIOD}"), 403)
    assert_error(api.get("mc.lan", f"/audit/statistics?{PERIOD}"), 403)
    # The commune's leader asks for Sở Tư pháp: absent to them.
    assert_error(api.get("xa.chutich", f"/audit/statistics?agency={SO_TU_PHAP}"), 404)
    assert _stats(api, "xa.chutich", PERIOD)["total"]["carried_over"] == 1  # K only
    assert _stats(api, "qt.binh", PERIOD)["agency"] == SO_TU_PHAP  # an admin of Sở Tư pháp
    assert_error(api.get(None, "/audit/statistics"), 401)


def test_bad_input_is_a_422_naming_its_field(api: Api, march: Any) -> None:
    for query, field in (("group=week", "group"), ("from=2026-13-01", "from"),
                         ("to=yesterday", "to"), ("procedure=9.999999", "procedure"),
                         ("from=2026-03-10&to=2026-03-01", "to"),
                         ("from=2024-01-01&to=2026-01-01", "to"),
                         ("procedure=2.000488%00", "procedure")):
        error = assert_error(api.get("ks.nga", f"/audit/statistics?{query}"), 422)
        assert fields_of(error) == {field}, query
    assert_error(api.get("ks.nga", "/audit/statistics?agency=NO.SUCH"), 404)
    # A NUL (PostgreSQL would refuse to compare it) is refused before any view, for a
    # leader too.
    assert_error(api.get("ks.nga", "/audit/statistics?agency=%00"), 422)
    assert_error(api.get("gd.son", "/audit/statistics?agency=000.00.12.H99%00"), 422)


def test_each_slice_agrees_with_the_timing_rules_at_its_end(app: Flask, march: Any) -> None:
    """The month cut (one scan, folded per month) gives, at each month's end, what
    ``dossiers.timing`` counts directly at that moment."""
    stats = statistics(StatsQuery(None, None, Period(date(2026, 1, 1), date(2026, 4, 30)),
                                  "month"))
    ends = [local(2026, 2, 1), local(2026, 3, 1), local(2026, 4, 1), NOW]
    for row, end in zip(stats.rows, ends, strict=True):
        open_now = db.session.scalar(select(func.count()).where(timing.open_at(end)))
        late_now = db.session.scalar(select(func.count()).where(timing.late_open_at(end)))
        assert (row.figures["in_progress"], row.figures["in_progress_late"]) == (
            open_now, late_now), row.key


def test_more_than_one_supplement_is_late_even_without_an_appointment(api: Api,
                                                                       march: Any) -> None:
    """Stopped while waiting for its second supplement: the clock stopped, so no appointment
    is left (``first_due_at`` is cleared), yet more than one request makes it late: in the
    statistics, the search's late filter and the on-time indicator alike, as it was while
    open."""
    code = new_dossier(api)["code"]
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier is not None
    shape(dossier, Shape(local(2026, 3, 11, 9), None, None, "supplement_requested",
                         supplements=2))
    db.session.flush()
    open_late = _figures(_stats(api, "ks.nga", PERIOD)["total"])
    assert open_late["in_progress_late"] == MARCH["in_progress_late"] + 1
    shape(dossier, Shape(local(2026, 3, 11, 9), local(2026, 3, 20, 10), None, "stopped",
                         supplements=2))
    db.session.flush()
    figures = _figures(_stats(api, "ks.nga", PERIOD)["total"])
    assert (figures["late"], figures["unjudged"], figures["handled"]) == (
        MARCH["late"] + 1, MARCH["unjudged"], MARCH["handled"] + 1)
    late = api.get("ks.nga", "/dossiers?late=true&limit=100").get_json()["items"]
    assert code in {d["code"] for d in late}
    body = api.get("ks.nga", f"/audit/indicators?{PERIOD}").get_json()
    on_time = next(i for i in body["indicators"] if i["key"] == "on_time")
    # March's judged dossiers (A B C D F, and G, K open past due) and this one.
    assert (on_time["numerator"], on_time["denominator"]) == (3, 8)
