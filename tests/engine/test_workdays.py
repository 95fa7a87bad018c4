"""Appointment dates skip weekends and Vietnamese public holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


@pytest.mark.parametrize(
    "start,days,expected,why",
    [
        (D(2026, 11, 25), 3, D(2026, 11, 30), "Wednesday + 3 skips the weekend"),
        (D(2026, 11, 27), 3, D(2026, 12, 2), "Friday + 3 is Wednesday"),
        (D(2026, 11, 28), 1, D(2026, 11, 30), "accepted on Saturday: Monday is day 1"),
        (D(2026, 2, 12), 3, D(2026, 2, 24), "Tết 2026: 14-22 February off"),
        (D(2026, 2, 13), 1, D(2026, 2, 23), "the day before Tết: next working day is after it"),
        (D(2027, 2, 3), 2, D(2027, 2, 12), "Tết 2027: 4-10 February off"),
        (D(2026, 4, 24), 2, D(2026, 4, 29), "Hùng Kings' day 26/4 on a Sunday is observed on Monday 27/4"),
        (D(2026, 4, 29), 1, D(2026, 5, 4), "30/4 and 1/5 then the weekend"),
        (D(2026, 8, 28), 1, D(2026, 9, 3), "31/8 (moved day off), 1/9 and 2/9"),
        (D(2026, 12, 31), 1, D(2027, 1, 4), "New Year's Day then the weekend"),
        (D(2025, 4, 25), 1, D(2025, 4, 26), "Saturday 26/4/2025 was worked in exchange for 2/5"),
    ],
)
def test_add_working_days(start, days, expected, why):
    assert add_working_days(start, days) == expected, why


def test_zero_days_is_the_same_day_or_the_next_working_day():
    assert add_working_days(D(2026, 11, 25), 0) == D(2026, 11, 25)
    assert add_working_days(D(2026, 11, 28), 0) == D(2026, 11, 30)
    assert add_working_days(D(2026, 2, 16), 0) == D(2026, 2, 23)


def test_datetimes_count_from_their_date():
    assert add_working_days(dt.datetime(2026, 11, 27, 16, 30), 3) == D(2026, 12, 2)


def test_public_holidays_are_not_working_days():
    for day in [D(2026, 1, 1), D(2026, 2, 17), D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 2)]:
        assert not is_working_day(day), day


def test_working_days_between_inverts_add():
    start = D(2026, 2, 10)
    for days in range(0, 30):
        end = add_working_days(start, days)
        if days:
            assert working_days_between(start, end) == days


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 1, 5), -1)
