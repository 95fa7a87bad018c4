"""The program's one clock and one time zone.

Every moment the portal records (a dossier saved, a receipt issued, an account
activated) is Vietnam time, taken from a :data:`Clock`: a function of no arguments
returning an aware datetime. The running portal uses :func:`system_clock`; tests pass
their own (``lambda: dt.datetime(2026, 11, 25, 9, tzinfo=VIETNAM)``) to the operations,
or set ``portal(app).clock``. Nothing else calls ``datetime.now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

VIETNAM_ZONE = "Asia/Ho_Chi_Minh"  # the IANA name, for Flask-Babel and the browser tests
VIETNAM = ZoneInfo(VIETNAM_ZONE)

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """Now, in Vietnam."""
    return dt.datetime.now(VIETNAM)


def in_vietnam(moment: dt.datetime) -> dt.datetime:
    """``moment`` made comparable with the recorded ones: a time without an offset
    (naive, as an old record or a hand-written file may hold) is read as Vietnam time."""
    return moment.replace(tzinfo=VIETNAM) if moment.tzinfo is None else moment
