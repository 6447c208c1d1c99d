"""Working-time calendar: holidays, out-of-hours starts, period ends, durations, timing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from motcua.calendar.working_time import (
    DAY_MINUTES,
    TZ,
    WorkingCalendar,
    format_duration,
    parse_duration,
    public_holidays,
)

CAL = WorkingCalendar()


def vn(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


def holiday_names(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("VN", years=year).items())


def brute_force_add(cal: WorkingCalendar, start: datetime, minutes: int) -> datetime:
    """Reference: walk minute by minute (slow, obviously correct)."""
    current = cal.next_working_minute(start)
    remaining = minutes
    while remaining:
        local = current.astimezone(TZ)
        in_period = cal.is_working_day(local.date()) and any(
            s <= local.time() < e for s, e in cal.periods
        )
        if in_period:
            remaining -= 1
        current += timedelta(minutes=1)
    return current


# --------------------------------------------------------------------------- holidays


def test_tet_2026_from_holidays_package_is_skipped() -> None:
    tet = sorted(d for d, name in holiday_names(2026).items() if "Lunar New Year" in name)
    assert tet == [date(2026, 2, d) for d in (16, 17, 18, 19, 20)]
    assert all(not CAL.is_working_day(d) for d in tet)
    # Friday before Tết: day one ends that Friday, day two is the Monday after Tết week.
    assert CAL.add_duration(vn(2026, 2, 13, 8), "2d") == vn(2026, 2, 23, 17)
    assert CAL.add_duration(vn(2026, 2, 13, 16), "2h") == vn(2026, 2, 23, 9)


def test_hung_kings_day() -> None:
    # 2025: Monday 7/4 is the holiday itself.
    assert "Hung Kings" in holiday_names(2025)[date(2025, 4, 7)]
    assert CAL.add_duration(vn(2025, 4, 4, 16), "2h") == vn(2025, 4, 8, 9)
    # 2026: falls on Sunday 26/4, observed on Monday 27/4.
    assert not CAL.is_working_day(date(2026, 4, 27))
    assert CAL.next_working_minute(vn(2026, 4, 24, 17)) == vn(2026, 4, 28, 8)


def test_reunification_day_and_labour_day() -> None:
    # 2026: 30/4 is Thursday, 1/5 is Friday.
    assert not CAL.is_working_day(date(2026, 4, 30))
    assert not CAL.is_working_day(date(2026, 5, 1))
    assert CAL.add_duration(vn(2026, 4, 29, 8), "2d") == vn(2026, 5, 4, 17)


def test_national_day() -> None:
    # 2026: 31/8 (substitute day), 1/9 and 2/9 are all off.
    for day in (date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)):
        assert not CAL.is_working_day(day)
    assert CAL.add_duration(vn(2026, 8, 28, 17), "1d") == vn(2026, 9, 3, 17)


def test_holiday_sets_are_cached_per_year() -> None:
    assert public_holidays(2026) is public_holidays(2026)
    assert date(2026, 9, 2) in public_holidays(2026)


# --------------------------------------------------------------------------- exceptions


def test_make_up_working_saturday() -> None:
    saturday = date(2026, 8, 22)
    assert not CAL.is_working_day(saturday)
    cal = WorkingCalendar(working_saturdays=frozenset({saturday}))
    assert cal.is_working_day(saturday)
    assert cal.add_duration(vn(2026, 8, 21, 16), "2h") == vn(2026, 8, 22, 9)
    assert cal.next_working_minute(vn(2026, 8, 22, 7)) == vn(2026, 8, 22, 8)
    # An ordinary Saturday is still off.
    assert not cal.is_working_day(date(2026, 8, 29))


def test_extra_day_off() -> None:
    tuesday = date(2026, 3, 10)
    cal = WorkingCalendar(extra_days_off=frozenset({tuesday}))
    assert not cal.is_working_day(tuesday)
    assert cal.add_duration(vn(2026, 3, 9, 16), "2h") == vn(2026, 3, 11, 9)
    # Listed in both: the day off wins.
    both = WorkingCalendar(
        extra_days_off=frozenset({date(2026, 8, 22)}),
        working_saturdays=frozenset({date(2026, 8, 22)}),
    )
    assert not both.is_working_day(date(2026, 8, 22))


def test_no_working_day_for_years_is_rejected() -> None:
    start = date(2026, 3, 1)
    closed = WorkingCalendar(
        extra_days_off=frozenset(start + timedelta(days=i) for i in range(1200))
    )
    with pytest.raises(ValueError, match="không có ngày làm việc"):
        closed.next_working_minute(vn(2026, 3, 2, 8))
    with pytest.raises(ValueError, match="không có ngày làm việc"):
        closed.add(vn(2026, 3, 2, 8), 60)


# --------------------------------------------------------------------------- starts


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (vn(2026, 3, 7, 10), vn(2026, 3, 9, 8)),  # Saturday
        (vn(2026, 3, 8, 23, 59), vn(2026, 3, 9, 8)),  # Sunday night
        (vn(2026, 3, 9, 7), vn(2026, 3, 9, 8)),  # before opening
        (vn(2026, 3, 9, 12), vn(2026, 3, 9, 13)),  # end of the morning period
        (vn(2026, 3, 9, 12, 30), vn(2026, 3, 9, 13)),  # lunch break
        (vn(2026, 3, 9, 17, 30), vn(2026, 3, 10, 8)),  # after closing
        (vn(2026, 3, 9, 9, 15), vn(2026, 3, 9, 9, 15)),  # already inside
        (vn(2026, 3, 9, 8, 0, 30), vn(2026, 3, 9, 8, 1)),  # seconds round up
        (vn(2026, 3, 9, 11, 59, 1), vn(2026, 3, 9, 13)),  # rounds up onto 12:00
        (vn(2026, 3, 13, 16, 59, 59), vn(2026, 3, 16, 8)),  # Friday 17:00 -> Monday
    ],
)
def test_next_working_minute(at: datetime, expected: datetime) -> None:
    assert CAL.next_working_minute(at) == expected


def test_microseconds_round_up_too() -> None:
    at = vn(2026, 3, 9, 8).replace(microsecond=1)
    assert CAL.next_working_minute(at) == vn(2026, 3, 9, 8, 1)


def test_out_of_hours_start_for_add() -> None:
    assert CAL.add_duration(vn(2026, 3, 7, 10), "1h") == vn(2026, 3, 9, 9)  # Saturday
    assert CAL.add_duration(vn(2026, 3, 9, 12, 30), "4h") == vn(2026, 3, 9, 17)  # lunch
    assert CAL.add_duration(vn(2026, 3, 9, 7), "30m") == vn(2026, 3, 9, 8, 30)  # early
    assert CAL.add_duration(vn(2026, 3, 9, 17, 30), "1d") == vn(2026, 3, 10, 17)  # late
    assert CAL.add_duration(vn(2026, 3, 9, 8, 0, 30), "30m") == vn(2026, 3, 9, 8, 31)


def test_zero_duration_is_next_working_minute() -> None:
    assert CAL.add(vn(2026, 3, 9, 12, 30), 0) == vn(2026, 3, 9, 13)
    assert CAL.add_duration(vn(2026, 3, 7, 10), "0") == vn(2026, 3, 9, 8)
    assert CAL.add_duration(vn(2026, 3, 9, 9), "") == vn(2026, 3, 9, 9)


def test_result_is_in_vietnam_time_for_foreign_input() -> None:
    start = datetime(2026, 3, 9, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
    result = CAL.add(start, 60)
    assert result == vn(2026, 3, 9, 9)
    assert result.tzinfo == TZ
    assert result.utcoffset() == timedelta(hours=7)


def test_negative_minutes_rejected() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        CAL.add(vn(2026, 3, 9, 8), -1)


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5d", vn(2026, 3, 9, 12)),
        ("4h", vn(2026, 3, 9, 12)),
        ("30m", vn(2026, 3, 9, 8, 30)),
        ("1.5h", vn(2026, 3, 9, 9, 30)),
        ("1d", vn(2026, 3, 9, 17)),
        ("1d4h", vn(2026, 3, 10, 12)),
        ("2h30m", vn(2026, 3, 9, 10, 30)),
        ("10d", vn(2026, 3, 20, 17)),
    ],
)
def test_durations_from_monday_morning(text: str, expected: datetime) -> None:
    assert CAL.add_duration(vn(2026, 3, 9, 8), text) == expected


def test_sub_day_duration_crosses_lunch() -> None:
    assert CAL.add_duration(vn(2026, 3, 9, 11), "1.5h") == vn(2026, 3, 9, 13, 30)
    assert CAL.add_duration(vn(2026, 3, 9, 11, 45), "30m") == vn(2026, 3, 9, 13, 15)


def test_exact_period_end_cases() -> None:
    assert CAL.add_duration(vn(2026, 3, 9, 8), "4h") == vn(2026, 3, 9, 12)
    assert CAL.add_duration(vn(2026, 3, 9, 8), "1d") == vn(2026, 3, 9, 17)
    assert CAL.add_duration(vn(2026, 3, 9, 17), "1d") == vn(2026, 3, 10, 17)
    assert CAL.add_duration(vn(2026, 3, 13, 16), "2h") == vn(2026, 3, 16, 9)


def test_day_is_480_minutes_even_with_shorter_periods() -> None:
    cal = WorkingCalendar.from_settings([["07:30", "11:30"], ["13:30", "17:00"]], None, None)
    # 450 minutes on Monday, the remaining 30 on Tuesday.
    assert cal.add_duration(vn(2026, 3, 9, 7, 30), "1d") == vn(2026, 3, 10, 8)
    assert cal.next_working_minute(vn(2026, 3, 9, 11, 45)) == vn(2026, 3, 9, 13, 30)


def test_long_durations_iterate_by_day(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = WorkingCalendar.is_working_day

    def counting(self: WorkingCalendar, day: date) -> bool:
        nonlocal calls
        calls += 1
        return original(self, day)

    monkeypatch.setattr(WorkingCalendar, "is_working_day", counting)
    start = vn(2026, 1, 5, 8)
    due = CAL.add(start, 200 * DAY_MINUTES)
    # 200 working days span about 290 calendar days: roughly one lookup per day.
    assert calls < 400
    monkeypatch.undo()
    assert due.time() == time(17)
    assert CAL.elapsed(start, due) == 200 * DAY_MINUTES


# --------------------------------------------------------------------------- elapsed


def test_elapsed_across_weekend_lunch_and_holiday() -> None:
    assert CAL.elapsed(vn(2026, 3, 13, 16), vn(2026, 3, 16, 9)) == 120  # weekend
    assert CAL.elapsed(vn(2026, 3, 9, 11), vn(2026, 3, 9, 14)) == 120  # lunch
    assert CAL.elapsed(vn(2026, 4, 29, 16), vn(2026, 5, 4, 9)) == 120  # 30/4 + 1/5
    assert CAL.elapsed(vn(2026, 2, 13, 8), vn(2026, 2, 23, 17)) == 2 * DAY_MINUTES  # Tết
    assert CAL.elapsed(vn(2026, 3, 7, 8), vn(2026, 3, 8, 17)) == 0  # only weekend


def test_elapsed_is_zero_when_end_not_after_start() -> None:
    assert CAL.elapsed(vn(2026, 3, 9, 10), vn(2026, 3, 9, 10)) == 0
    assert CAL.elapsed(vn(2026, 3, 9, 10), vn(2026, 3, 9, 9)) == 0


def _random_start(rng: random.Random) -> datetime:
    base = vn(2025, 1, 1)
    return base + timedelta(
        days=rng.randrange(3 * 365),
        minutes=rng.randrange(24 * 60),
        seconds=rng.choice([0, 0, 0, rng.randrange(60)]),
    )


@pytest.mark.parametrize(
    "cal",
    [
        CAL,
        WorkingCalendar.from_settings(
            [["07:30", "11:30"], ["13:30", "17:00"]],
            extra_days_off=["2026-03-10"],
            working_saturdays=["2026-08-22", "2025-04-26"],
        ),
    ],
)
def test_elapsed_is_inverse_of_add(cal: WorkingCalendar) -> None:
    rng = random.Random(20260216)
    edge_cases = [0, 1, 59, 60, 239, 240, 241, 449, 450, 479, 480, 481, 960]
    for _ in range(600):
        start = _random_start(rng)
        minutes = rng.choice(
            [*edge_cases, rng.randrange(5 * DAY_MINUTES), rng.randrange(200 * 480)]
        )
        due = cal.add(start, minutes)
        assert cal.elapsed(start, due) == minutes, (start, minutes, due)
        assert due >= start


def test_add_matches_minute_by_minute_reference() -> None:
    rng = random.Random(7)
    for _ in range(120):
        start = _random_start(rng)
        minutes = rng.randrange(2 * DAY_MINUTES)
        assert CAL.add(start, minutes) == brute_force_add(CAL, start, minutes), (start, minutes)


# --------------------------------------------------------------------------- parse / format


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("0", 0),
        ("", 0),
        ("  ", 0),
        ("0.5d", 240),
        ("1d", 480),
        ("10d", 4800),
        ("4h", 240),
        ("1.5h", 90),
        ("30m", 30),
        ("1d4h", 720),
        ("2h30m", 150),
        ("1d2h3m", 603),
        ("0.1d", 48),
        (" 4h ", 240),
    ],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "0"), (30, "30m"), (90, "1h30m"), (240, "4h"), (480, "1d"), (510, "1d30m"), (720, "1d4h")],
)
def test_format_duration(minutes: int, text: str) -> None:
    assert format_duration(minutes) == text


def test_parse_format_round_trip() -> None:
    for minutes in range(3 * DAY_MINUTES + 1):
        assert parse_duration(format_duration(minutes)) == minutes
    for text in ("0", "1d", "4h", "30m", "1d4h", "2h30m", "10d"):
        assert format_duration(parse_duration(text)) == text
    assert format_duration(parse_duration("0.5d")) == "4h"


@pytest.mark.parametrize(
    "text", ["abc", "1x", "-1d", "d", "1", "1d1d", "4h1d", "1d 4h", "1,5h", ".5d", "1.d", "4H"]
)
def test_parse_rejects_bad_format(text: str) -> None:
    expected = f'Thời hạn không hợp lệ: "{text}" (dùng dạng 0.5d, 4h, 30m)'
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == expected


@pytest.mark.parametrize(
    ("text", "part"), [("0.3m", "0.3m"), ("0.001d", "0.001d"), ("1d0.01h", "0.01h")]
)
def test_parse_rejects_fractional_minutes(text: str, part: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    message = str(info.value)
    assert message.startswith(f'Thời hạn không hợp lệ: "{text}"')
    assert f"{part} không quy ra được số phút nguyên" in message


def test_parse_rejects_absurd_length() -> None:
    with pytest.raises(ValueError, match="tối đa 3650d"):
        parse_duration("99999999d")


def test_format_rejects_negative() -> None:
    with pytest.raises(ValueError, match="không được âm"):
        format_duration(-1)


# --------------------------------------------------------------------------- timing


def test_timing() -> None:
    due = vn(2026, 3, 10, 17)
    assert CAL.timing(None, vn(2026, 3, 10, 9)) is None
    assert CAL.timing(due, vn(2026, 3, 9, 16)) == "early"
    assert CAL.timing(due, vn(2026, 3, 10, 8)) == "on_time"
    assert CAL.timing(due, due) == "on_time"
    assert CAL.timing(due, vn(2026, 3, 10, 17, 0, 1)) == "late"
    assert CAL.timing(due, vn(2026, 3, 11, 8)) == "late"


def test_timing_compares_local_dates() -> None:
    due = vn(2026, 3, 10, 8)
    # 20:00 UTC on the 9th is 03:00 on the 10th in Hà Nội: same local day, not early.
    assert CAL.timing(due, datetime(2026, 3, 9, 20, tzinfo=UTC)) == "on_time"
    assert CAL.timing(due, datetime(2026, 3, 9, 16, tzinfo=UTC)) == "early"


# --------------------------------------------------------------------------- rejections


def test_naive_datetimes_rejected() -> None:
    naive = datetime(2026, 3, 9, 8)  # noqa: DTZ001 - naive on purpose: it must be refused
    aware = vn(2026, 3, 9, 8)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.next_working_minute(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add(naive, 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_duration(naive, "1h")
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.elapsed(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.elapsed(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.timing(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.timing(naive, aware)


def test_from_settings_defaults_and_dates() -> None:
    cal = WorkingCalendar.from_settings(None, ["2026-03-10"], [date(2026, 8, 22)])
    assert cal.periods == ((time(8), time(12)), (time(13), time(17)))
    assert cal.extra_days_off == frozenset({date(2026, 3, 10)})
    assert cal.working_saturdays == frozenset({date(2026, 8, 22)})
    assert cal == WorkingCalendar.from_settings(
        [["08:00", "12:00"], ["13:00", "17:00"]], [date(2026, 3, 10)], ["2026-08-22"]
    )


@pytest.mark.parametrize(
    ("working_hours", "message"),
    [
        ([["8:00", "12:00"]], "dùng dạng HH:MM"),
        ([["08:00", "24:00"]], "dùng dạng HH:MM"),
        ([["08:60", "12:00"]], "dùng dạng HH:MM"),
        ([["08:00", "12:00:00"]], "dùng dạng HH:MM"),
        ([["12:00", "08:00"]], "giờ bắt đầu phải trước giờ kết thúc"),
        ([["08:00", "08:00"]], "giờ bắt đầu phải trước giờ kết thúc"),
        ([["08:00", "12:00"], ["11:00", "17:00"]], "không chồng lấn"),
        ([["13:00", "17:00"], ["08:00", "12:00"]], "theo thứ tự"),
        ([], "ít nhất một khoảng"),
        ([["08:00"]], "gồm giờ bắt đầu và giờ kết thúc"),
        (["08:00-12:00"], "gồm giờ bắt đầu và giờ kết thúc"),
    ],
)
def test_invalid_working_hours_rejected(working_hours: list[list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingCalendar.from_settings(working_hours, None, None)


def test_invalid_settings_dates_rejected() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        WorkingCalendar.from_settings(None, ["10/03/2026"], None)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="giờ bắt đầu phải trước"):
        WorkingCalendar(periods=((time(12), time(8)),))
