"""Where dossiers are kept: the interface every storage backend implements.

The TinyDB store (``storage.tinydb_store``, the embedded default) and the PostgreSQL
store (``storage.postgres_store``) implement this Protocol and pass the same conformance
tests (``tests/storage/conformance.py``). The engine depends only on this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from engine.bounds import MAX_ROW
from engine.dossier import Dossier, Status
from engine.facts import Facts


class ConflictError(Exception):
    """The dossier changed since it was read (its version is stale); read it again."""


class DossierNotFound(KeyError):
    pass


class DuplicateDossier(ValueError):
    """``add`` was given an id that is already stored."""


# The orders of ``query_page``; see DossierRepository.query_page.
Order = Literal["submitted", "appointment"]
ORDERS: tuple[Order, ...] = ("submitted", "appointment")




def check_page(order: str, offset: int, limit: int) -> None:
    """What every backend's ``query_page`` refuses: ValueError for another order, or a
    negative offset or limit, or one past MAX_ROW (no backend is ever asked for it)."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}: one of {', '.join(ORDERS)}")
    check_range(offset, limit)


def check_range(offset: int, limit: int) -> None:
    """ValueError for a negative offset or limit, or one past MAX_ROW."""
    if offset < 0 or limit < 0:
        raise ValueError(f"offset and limit must not be negative: {offset}, {limit}")
    if offset > MAX_ROW or limit > MAX_ROW:
        raise ValueError(f"offset and limit must be at most {MAX_ROW}: {offset}, {limit}")


@dataclass(frozen=True)
class Page:
    """One page of a query: the dossiers from ``offset`` on (at most the ``limit`` asked
    for), in the query's order, and how many dossiers matched in all."""

    total: int
    offset: int
    items: tuple[Dossier, ...]


@dataclass(frozen=True)
class OwnerPage:
    """One page of a citizen's dossiers ("Quản lý hồ sơ"): how many they have in each state
    (every state listed, 0 for none) and the dossiers from ``offset`` on, newest first."""

    counts: Mapping[Status, int]
    offset: int
    items: tuple[Dossier, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class DossierRepository(Protocol):
    def add(self, dossier: Dossier) -> Dossier:
        """Store a new dossier; returns it with version 1. Its id (``new_id()``: 16
        lower-case hex digits) must be new, else DuplicateDossier."""

    def get(self, dossier_id: str) -> Dossier | None: ...

    def update(self, dossier: Dossier) -> Dossier:
        """Replace the stored dossier if its version still equals ``dossier.version``;
        returns it with the version incremented. ConflictError when stale,
        DossierNotFound when it does not exist."""

    def delete(self, dossier_id: str, version: int) -> None:
        """Remove a dossier at ``version`` (ConflictError when stale, DossierNotFound when absent)."""

    def find_by_receipt(self, receipt_number: str) -> Dossier | None:
        """The dossier with this receipt number (receipt numbers are unique)."""

    def list_by_owner(self, owner: str, statuses: Iterable[Status] | None = None) -> list[Dossier]:
        """The owner's dossiers, newest first."""

    def owner_page(self, owner: str, *, status: Status | None = None, offset: int = 0, limit: int) -> OwnerPage:
        """``owner``'s dossiers in each state, and the ``limit`` of them (of ``status`` when
        given) from position ``offset`` of ``list_by_owner``'s order. Only the page's dossiers
        are built: a citizen (or a service agent filing for many) may have hundreds, the
        page shows 10. A negative offset or limit, or one past MAX_ROW, is a ValueError."""

    def list_by_id_number(self, id_number: str) -> list[Dossier]:
        """Dossiers whose applicant has this ID number, newest first."""

    def query(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
        service: str | None = None,
        submitted_from: dt.date | None = None,
        submitted_to: dt.date | None = None,
    ) -> list[Dossier]:
        """Dossiers matching every given filter, oldest submission first (never-submitted
        ones last, oldest created first; ties by id). None means any; an empty list
        matches nothing. The date range is inclusive and compares ``submitted_at`` in the
        offset it was stored with (Vietnam time). All of them: for a list to show, see
        ``query_page``."""

    def facts(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
    ) -> list[Facts]:
        """What the statistics read (engine.facts) of every dossier matching the filters
        (as ``query``'s), in no particular order. A backend reads them from its stored
        JSON without building the dossiers: the statistics count every dossier of the
        desk, and parsing 50,000 of them took seconds."""

    def query_page(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
        service: str | None = None,
        submitted_from: dt.date | None = None,
        submitted_to: dt.date | None = None,
        order: Order = "submitted",
        offset: int = 0,
        limit: int,
    ) -> Page:
        """One page of the dossiers matching the filters (the same filters as ``query``):
        the ``limit`` dossiers from position ``offset`` (0-based) of the ``order``, and
        ``total``, how many matched. Only the page's dossiers are returned, so a backend
        should not build the others (the clerk's inbox shows 20 of thousands).

        Orders, both total (ties end with the dossier id), so consecutive pages neither
        repeat nor skip a dossier while nothing changes:

        - ``"submitted"``: ``query``'s order. Submitted dossiers by ``submitted_at`` (the
          instant: offsets are taken into account), then never-submitted ones by
          ``created_at``; ties by id.
        - ``"appointment"``: the clerk's inbox. Dossiers with an ``appointment_date``,
          soonest first, then those without one; within the same appointment date (or
          none), the ``"submitted"`` order.

        ``limit`` 0 gives no items but the total; an ``offset`` at or past the end gives
        no items. A negative ``offset`` or ``limit``, one past ``MAX_ROW``, or another
        order, is a ValueError (``check_page``).
        ``query_page(..., offset=0, limit=total)`` lists what ``query`` does, in the same order
        for ``"submitted"``."""

    def count(self) -> int: ...
