"""The year's announced days off and make-up working days, from one TOML file per year.

Every year the government announces how its officials take the public holidays: days
off moved next to a holiday and the Saturdays worked in exchange (a Thông báo of Bộ Nội
vụ). The ``holidays`` package knows the statutory holidays but not every announcement
(it counted Friday 2 January 2026 as a working day and Saturday 10 January 2026 as a day
off), so an operator writes them into ``<year>.toml``::

    [[days_off]]
    date = 2026-01-02
    reason = "Tết Dương lịch (hoán đổi ngày làm việc)"

    [[working_days]]
    date = 2026-01-10
    reason = "Làm bù cho ngày 2/1/2026"

TOML because operators edit it by hand and it allows comments; Python's own ``tomllib``
reads it. The folder is ``calendar/`` beside the service catalogue (``schemas/calendar/``,
copied into an installed wheel with the rest of ``schemas/`` by setup.py), or
``$DVC_CALENDAR_DIR``. A year without a file follows the package alone. A file is checked
whole when it is read; a bad one raises :class:`CalendarError` naming the file and the entry.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.catalog import DEFAULT_ROOT

CALENDAR_DIR_ENV = "DVC_CALENDAR_DIR"
DEFAULT_DIR = DEFAULT_ROOT / "calendar"
# The two lists a file may hold, with the words an error uses for their entries.
LISTS = {"days_off": "ngày nghỉ", "working_days": "ngày làm việc bù"}
ENTRY_KEYS = frozenset({"date", "reason"})


class CalendarError(ValueError):
    """A calendar file that cannot be used: the file, the entry at fault ("" for the whole
    file) and why; shown as ``file: entry: message``."""

    def __init__(self, path: Path, entry: str, message: str) -> None:
        super().__init__(f"{path}: {entry}: {message}" if entry else f"{path}: {message}")
        self.path, self.entry, self.message = path, entry, message


@dataclass(frozen=True)
class Entry:
    day: dt.date
    reason: str


@dataclass(frozen=True)
class YearFile:
    year: int
    path: Path
    days_off: tuple[Entry, ...]
    working_days: tuple[Entry, ...]


def calendar_dir(beside: Path = DEFAULT_ROOT) -> Path:
    """The folder of the year files: $DVC_CALENDAR_DIR when set, else ``calendar/`` beside
    the catalogue (``beside``: a schemas tree of its own, for ``schemas lint``)."""
    configured = os.environ.get(CALENDAR_DIR_ENV)
    return Path(configured) if configured else beside / DEFAULT_DIR.name


def year_path(year: int, folder: Path | None = None) -> Path:
    return (folder or calendar_dir()) / f"{year}.toml"


def load_year(year: int, folder: Path | None = None) -> YearFile | None:
    """The file of ``year`` in ``folder``, checked; None when there is none."""
    path = year_path(year, folder)
    if not path.is_file():
        return None
    return read_file(path, year)


def check_folder(folder: Path | None = None) -> list[YearFile]:
    """Every year file of the folder, checked (start-up and ``schemas lint`` call this, so a
    bad file is found before an appointment needs it)."""
    folder = folder or calendar_dir()
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.toml")):
        if not (path.stem.isdigit() and len(path.stem) == 4):
            raise CalendarError(path, "", "tên tệp phải là năm có bốn chữ số, ví dụ 2027.toml")
        found.append(read_file(path, int(path.stem)))
    return found


def read_file(path: Path, year: int) -> YearFile:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarError(path, "", f"không đọc được tệp lịch ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CalendarError(path, "", "tệp lịch phải được lưu ở mã UTF-8") from None
    except tomllib.TOMLDecodeError as exc:  # its message gives the line and column
        raise CalendarError(path, "", f"tệp lịch sai cú pháp TOML ({exc})") from None
    unknown = sorted(set(raw) - set(LISTS))
    if unknown:
        raise CalendarError(path, unknown[0], "mục không được phép; chỉ có days_off và working_days")
    lists = {name: _entries(path, year, name, raw.get(name, [])) for name in LISTS}
    seen: dict[dt.date, str] = {}
    for name, entries in lists.items():
        for index, entry in enumerate(entries):
            if entry.day in seen:
                where = "trùng với một mục khác của" if seen[entry.day] == name else "cũng có trong"
                raise CalendarError(path, f"{name}[{index}]", f"ngày {entry.day:%d/%m/%Y} {where} {seen[entry.day]}")
            seen[entry.day] = name
    return YearFile(year, path, lists["days_off"], lists["working_days"])


def _entries(path: Path, year: int, name: str, raw: Any) -> tuple[Entry, ...]:
    if not isinstance(raw, list):
        raise CalendarError(path, name, f"phải là danh sách [[{name}]], mỗi mục có date và reason")
    entries = []
    for index, item in enumerate(raw):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            raise CalendarError(path, where, f"mỗi {LISTS[name]} phải có date và reason")
        extra = sorted(set(item) - ENTRY_KEYS)
        if extra:
            raise CalendarError(path, f"{where}.{extra[0]}", "khóa không được phép; chỉ có date và reason")
        day = item.get("date")
        # A TOML date is written bare (2026-01-02); a quoted one is a string, and a
        # date-time (2026-01-02T08:00) is not a day.
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise CalendarError(path, where, "date phải là một ngày viết dạng 2026-01-02 (không có dấu ngoặc kép)")
        if day.year != year:
            raise CalendarError(path, where, f"ngày {day:%d/%m/%Y} không thuộc năm {year} của tệp")
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise CalendarError(path, where, f"thiếu lý do (reason) cho ngày {day:%d/%m/%Y}")
        entries.append(Entry(day, reason.strip()))
    return tuple(entries)
