"""Working days for appointment dates (ngày hẹn trả kết quả).

Saturdays, Sundays and Vietnamese public holidays do not count: New Year, Tết (with
the extra days the government grants each year), Hùng Kings' day, 30/4, 1/5, 2/9 and
its neighbour day, and the days off moved by decision (with the Saturdays worked in
exchange, which do count). The ``holidays`` package keeps the statutory calendar; the
year's announcement, which the package may not know, comes from the operator's year
file (:mod:`engine.work_calendar`): a date of its ``working_days`` counts even on a
weekend or a package holiday, a date of its ``days_off`` never counts.

Counting starts the working day after acceptance, so a 3-working-day service
accepted on Friday is due on Wednesday; a 0-day service is due the same day (or the
next working day when accepted on a day off). A dossier accepted after the cut-off
(:data:`ACCEPTANCE_CUTOFF`, 15:00) on a working day counts as accepted on the next one
(:func:`counted_from`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import holidays

from engine.clock import VIETNAM, in_vietnam
from engine.work_calendar import YearFile, calendar_dir, check_folder, load_year


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    # One calendar per year around the date, so December dates see January's Tết.
    return holidays.country_holidays("VN", years=range(year - 1, year + 3))


# "nếu tiếp nhận hồ sơ sau 15 giờ thì có Phiếu hẹn, trả kết quả cho người yêu cầu trong
# ngày làm việc tiếp theo" (a dossier received after 15:00 is returned on the next working
# day): the national portal's records of the civil-status procedures, e.g. 1.001193 Đăng
# ký khai sinh, 1.000656 Đăng ký khai tử, 2.000635 Cấp bản sao Trích lục hộ tịch. The
# records state it for those procedures; the portal applies it to every service (issue 14):
# accepted after 15:00 Vietnam time on a working day, a dossier counts from the next one.
ACCEPTANCE_CUTOFF = dt.time(15, 0)


# The folder of the year files, when not the one $DVC_CALENDAR_DIR names (or, unset, the
# built-in one): tests point at their own with use_calendar_dir().
_folder: Path | None = None


def use_calendar_dir(folder: Path | None) -> None:
    """Read the year files from ``folder`` (None: $DVC_CALENDAR_DIR, else the built-in
    folder) and forget the years already read."""
    global _folder
    _folder = folder
    year_file.cache_clear()
    _working_days.cache_clear()


def check_year_files() -> None:
    """Read and check every year file of the folder in use (CalendarError if one is bad)."""
    check_folder(_folder or calendar_dir())


@lru_cache(maxsize=64)
def year_file(year: int) -> YearFile | None:
    """The operator's file for ``year`` (checked), or None when the package alone applies.
    Read once per process: an edited file is read again at the next start."""
    return load_year(year, _folder or calendar_dir())


@lru_cache(maxsize=64)
def _working_days(year: int) -> frozenset[dt.date]:
    # The year's working days, worked out once: is_working_day, on the hot path of every
    # count, is then one look-up (about 0.1 µs here, against 0.9 µs asking the package).
    package = _calendar(year)
    first = dt.date(year, 1, 1)
    days = {first + dt.timedelta(n) for n in range((dt.date(year + 1, 1, 1) - first).days)}
    working = {day for day in days if package.is_working_day(day)}
    announced = year_file(year)
    if announced is not None:
        working -= {entry.day for entry in announced.days_off}
        working |= {entry.day for entry in announced.working_days}
    return frozenset(working)


def is_working_day(day: dt.date) -> bool:
    return day in _working_days(day.year)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def counted_from(accepted: dt.datetime) -> dt.date:
    """The day an acceptance counts from: its day in Vietnam, or the next working day when
    it came after :data:`ACCEPTANCE_CUTOFF` on a working day. (On a day off the next working
    day is day 1 whatever the hour, as before: the records speak of the afternoon of a
    working day, and say nothing of a day off.)"""
    local = in_vietnam(accepted).astimezone(VIETNAM)
    day = local.date()
    if local.time() > ACCEPTANCE_CUTOFF and is_working_day(day):
        return add_working_days(day, 1)
    return day


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


def add_days(start: dt.date | dt.datetime, days: int, day_count: str = "lam-viec") -> dt.date:
    """The end of a time limit of ``days`` counted as ``day_count`` says: working days, or
    calendar days ("lich") whose last day, when it is a day off, moves to the next working
    day (Bộ luật Dân sự 2015, Art 148)."""
    if day_count == "lam-viec":
        return add_working_days(start, days)
    if days < 0:
        raise ValueError("days must not be negative")
    return add_working_days(_as_date(start) + dt.timedelta(days=days), 0)


def working_days_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    day, end = _as_date(start), _as_date(end)
    count = 0
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


# -- a year at a glance (``dichvucong calendar YEAR``) ---------------------------------------

PACKAGE = "holidays"  # the source named for what the package decides


@dataclass(frozen=True)
class Listed:
    day: dt.date
    reason: str
    source: str  # "file" (the operator's year file) or PACKAGE


@dataclass(frozen=True)
class YearListing:
    year: int
    file: YearFile | None
    days_off: tuple[Listed, ...]  # holidays and announced days off (a weekend holiday too)
    working_days: tuple[Listed, ...]  # weekend days worked in exchange (or by the file)
    working_day_count: int


def year_listing(year: int) -> YearListing:
    """The year's days off and days worked in exchange, each with its reason and source."""
    announced = year_file(year)
    from_file_off = {e.day: e.reason for e in announced.days_off} if announced else {}
    from_file_working = {e.day: e.reason for e in announced.working_days} if announced else {}
    working = _working_days(year)
    # Named in Vietnamese for the listing only; the counting calendar needs no names.
    package = holidays.country_holidays("VN", years=year, language="vi")
    off = {day: Listed(day, name, PACKAGE) for day, name in package.items() if day not in working}
    off |= {day: Listed(day, reason, "file") for day, reason in from_file_off.items()}
    worked = {day: Listed(day, "Ngày làm việc bù", PACKAGE)
              for day in package.weekend_workdays if day.year == year and day in working}
    worked |= {day: Listed(day, reason, "file") for day, reason in from_file_working.items()}
    return YearListing(year, announced, tuple(off[d] for d in sorted(off)), tuple(worked[d] for d in sorted(worked)),
                       len(working))
