"""Working days for appointment dates (ngày hẹn trả kết quả).

Saturdays, Sundays and Vietnamese public holidays do not count: New Year, Tết (with
the extra days the government grants each year), Hùng Kings' day, 30/4, 1/5, 2/9 and
its neighbour day, and the days off moved by decision (with the Saturdays worked in
exchange, which do count). The ``holidays`` package keeps that calendar.

Counting starts the working day after acceptance, so a 3-working-day service
accepted on Friday is due on Wednesday; a 0-day service is due the same day (or the
next working day when accepted on a day off).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    # One calendar per year around the date, so December dates see January's Tết.
    return holidays.country_holidays("VN", years=range(year - 1, year + 3))


def is_working_day(day: dt.date) -> bool:
    return _calendar(day.year).is_working_day(day)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def add_working_days(start: dt.date | dt.datetime, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself, or the next working
    day, when ``days`` is 0)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = _as_date(start)
    if days == 0:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    day, end = _as_date(start), _as_date(end)
    count = 0
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
