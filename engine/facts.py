"""What the statistics read of a dossier (engine.stats): a few values, read from a store's
JSON without parsing the whole dossier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from engine.dossier import Dossier, Status

ONLINE = "truc-tuyen"  # engine.definition.Method


class Facts(NamedTuple):
    """What the figures read of one dossier: its service and status, whether it was sent
    online, and the days of its events, each the calendar day in the offset the moment
    was stored with (what ``moment.date()`` gives).

    The statistics count every dossier of the desk; reading these few values from a
    store's JSON (:func:`facts_from_json`) rather than parsing whole dossiers is what
    makes them cheap (bench/stats.py). ``status`` and ``appointment_date`` are named as on
    :class:`~engine.dossier.Dossier`, so ``Workflow.is_overdue`` reads either."""

    service: str
    status: Status
    online: bool
    submitted: dt.date | None
    accepted: dt.date | None
    completed: dt.date | None
    appointment_date: dt.date | None
    rating_score: int | None = None
    rating_day: dt.date | None = None


def facts_of(dossier: Dossier) -> Facts:
    """A parsed dossier's facts."""
    day = lambda moment: moment.date() if moment is not None else None  # noqa: E731
    rating = dossier.rating
    return Facts(dossier.service, dossier.status, dossier.method == ONLINE, day(dossier.submitted_at),
                 day(dossier.accepted_at), day(dossier.completed_at), dossier.appointment_date,
                 rating.score if rating else None, rating.at.date() if rating else None)


def _day(text: str | None) -> dt.date | None:
    # A stored moment begins with its day in its own offset ("2026-11-25T09:00:00+07:00").
    return dt.date.fromisoformat(text[:10]) if text else None


def facts_from_json(doc: Mapping[str, Any]) -> Facts:
    """The facts of a dossier as stored (``Dossier.model_dump(mode="json")``), read from
    its text without validating the rest: the same values as :func:`facts_of` of the
    parsed dossier (tests/engine/test_ratings_and_stats.py compares the two)."""
    rating = doc.get("rating")
    return Facts(doc["service"], Status(doc["status"]), doc.get("method", ONLINE) == ONLINE,
                 _day(doc.get("submitted_at")), _day(doc.get("accepted_at")), _day(doc.get("completed_at")),
                 _day(doc.get("appointment_date")), rating["score"] if rating else None,
                 _day(rating["at"]) if rating else None)
