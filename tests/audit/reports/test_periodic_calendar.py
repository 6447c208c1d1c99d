"""The periodic report's calendar: weekly, monthly, quarterly, half-yearly and between fixed
closing dates (Hậu Giang's 30/6 and 30/11, one period spanning the new year); period ids
read back; bad dates refused."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest

from motcua.audit.reports.periodic import parse_dates, parse_period_id, period_of
from motcua.errors import Invalid

HAU_GIANG = [(6, 30), (11, 30)]


def _span(kind: str, day: date, dates: list[tuple[int, int]] | None = None
          ) -> tuple[str, date, date, str]:
    p = period_of(kind, day, dates)
    return p.id, p.start, p.end, p.label


def test_weekly_periods_are_iso_weeks_from_monday() -> None:
    assert _span("weekly", date(2026, 3, 18)) == (
        "2026-W12", date(2026, 3, 16), date(2026, 3, 22), "Tuần 12/2026")
    # The week of 1 January 2027 is ISO week 53 of 2026.
    assert _span("weekly", date(2027, 1, 1))[:3] == (
        "2026-W53", date(2026, 12, 28), date(2027, 1, 3))


def test_monthly_quarterly_and_half_year_periods() -> None:
    assert _span("monthly", date(2028, 2, 10)) == (
        "2028-02", date(2028, 2, 1), date(2028, 2, 29), "Tháng 02/2028")
    assert _span("quarterly", date(2026, 8, 31)) == (
        "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "Quý III/2026")
    assert _span("half_year", date(2026, 6, 30)) == (
        "2026-H1", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026")
    assert _span("half_year", date(2026, 7, 1))[:3] == ("2026-H2", date(2026, 7, 1),
                                                        date(2026, 12, 31))


def test_closing_dates_30_6_and_30_11_over_a_year_boundary() -> None:
    # After 30/11 the next period closes on 30/6 of the next year, from 01/12.
    assert _span("dates", date(2026, 12, 15), HAU_GIANG)[:3] == (
        "2027-06-30", date(2026, 12, 1), date(2027, 6, 30))
    assert _span("dates", date(2027, 1, 1), HAU_GIANG)[:3] == (
        "2027-06-30", date(2026, 12, 1), date(2027, 6, 30))
    # A closing date belongs to the period it closes; the day after starts the next.
    assert _span("dates", date(2027, 6, 30), HAU_GIANG)[:3] == (
        "2027-06-30", date(2026, 12, 1), date(2027, 6, 30))
    assert _span("dates", date(2027, 7, 1), HAU_GIANG)[:3] == (
        "2027-11-30", date(2027, 7, 1), date(2027, 11, 30))
    # Consecutive periods tile the calendar: no gap, no overlap, for two years.
    day, seen = date(2026, 1, 1), []
    while day < date(2028, 1, 1):
        p = period_of("dates", day, HAU_GIANG)
        seen.append(p)
        day = p.end + timedelta(days=1)
    assert all(b.start == a.end + timedelta(days=1) for a, b in pairwise(seen))
    assert [p.id for p in seen] == ["2026-06-30", "2026-11-30", "2027-06-30", "2027-11-30",
                                    "2028-06-30"]


def test_a_single_closing_date_and_29_february() -> None:
    yearly = [(12, 31)]
    assert _span("dates", date(2026, 5, 5), yearly)[:3] == (
        "2026-12-31", date(2026, 1, 1), date(2026, 12, 31))
    leap = [(2, 29), (8, 31)]
    assert _span("dates", date(2027, 2, 1), leap)[:3] == (
        "2027-02-28", date(2026, 9, 1), date(2027, 2, 28))
    assert _span("dates", date(2028, 2, 29), leap)[:3] == (
        "2028-02-29", date(2027, 9, 1), date(2028, 2, 29))


def test_period_ids_read_back_whatever_the_calendar_in_force() -> None:
    for kind, day in (("weekly", date(2026, 3, 18)), ("monthly", date(2026, 3, 18)),
                      ("quarterly", date(2026, 3, 18)), ("half_year", date(2026, 9, 1)),
                      ("dates", date(2026, 12, 15))):
        p = period_of(kind, day, HAU_GIANG)
        assert parse_period_id(p.id, HAU_GIANG) == p


@pytest.mark.parametrize("value", ["", "2026", "2026-13", "2026-Q5", "2026-W60", "2026-H3",
                                   "2026-06-29", "2026-02-30", "<script>"])
def test_a_bad_period_id_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(Invalid) as raised:
        parse_period_id(value, HAU_GIANG)
    assert [d["field"] for d in raised.value.details] == ["period"]


@pytest.mark.parametrize("value", ["0001-01", "0001-Q1", "0001-H1", "0001-W01", "0001-06-30",
                                   "9999-12", "9999-H2", "9999-W52", "9999-12-31", "1899-11-30",
                                   "3000-01"])
def test_a_period_outside_the_supported_years_is_refused(value: str) -> None:
    # Year 1's trend and previous closing date, or year 9999's next day, fall outside what a
    # date holds: refused like any bad id, never counted.
    with pytest.raises(Invalid) as raised:
        parse_period_id(value, HAU_GIANG)
    assert [d["field"] for d in raised.value.details] == ["period"]
    assert parse_period_id("1900-01", HAU_GIANG).start == date(1900, 1, 1)
    assert parse_period_id("2999-H2", HAU_GIANG).end == date(2999, 12, 31)


def test_closing_dates_are_validated() -> None:
    assert parse_dates(["30/11", "30/6", "30/6"]) == [(6, 30), (11, 30)]
    assert parse_dates([" 29 / 2 "]) == [(2, 29)]
    for bad in (["31/6"], ["0/1"], ["30-6"], [], ["30/13"]):
        with pytest.raises(Invalid) as raised:
            parse_dates(bad)
        assert [d["field"] for d in raised.value.details] == ["report_dates"]
