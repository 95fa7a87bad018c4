"""Where dossiers are kept: the interface every storage backend implements.

The TinyDB store (``storage.tinydb_store``, the embedded default) and later the
PostgreSQL store implement this Protocol and pass the same conformance tests
(``tests/storage/conformance.py``). The engine depends only on this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from engine.dossier import Dossier, Status


class ConflictError(Exception):
    """The dossier changed since it was read (its version is stale); read it again."""


class DossierNotFound(KeyError):
    pass


class DuplicateDossier(ValueError):
    """``add`` was given an id that is already stored."""


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
        ones last). None means any; an empty list matches nothing. The date range is
        inclusive and compares ``submitted_at`` in the offset it was stored with
        (Vietnam time)."""

    def count(self) -> int: ...
