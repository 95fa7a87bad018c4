"""The embedded dossier store: sharded TinyDB files, safe for several processes.

A storage.sharded store of dossiers, whose directory holds::

    meta.json              format version and shard count, written once at creation
    indexes.json           the indexes built so far (an index added to INDEXES is built on open)
    store.lock             serializes writers across processes
    journal.json           present only while a write is in progress (or died mid-way)
    dossiers-NNN.json      a small TinyDB database per shard of dossier ids (storage.shards)
    NAME-NNN.json          index NAME (storage.indexes.INDEXES), sharded by a hash of its key

What is the dossier store's own: adding many dossiers at once (seeding), deleting, the
lookups through the indexes, and the clerk's inbox query, which filters on the fields
every shard keeps unparsed beside its documents (storage.shards.SUMMARY).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from engine.dossier import Dossier, Status
from engine.repository import DossierNotFound, DuplicateDossier
from storage.indexes import INDEXES
from storage.sharded import ShardedStore


class TinyDBStore(ShardedStore[Dossier]):
    """A DossierRepository (engine.repository) in a directory; see the module docstring.

    ``shards`` only matters when the store is created; opening an existing store with
    a different explicit value is an error."""

    model = Dossier
    table = "dossiers"
    indexes = INDEXES
    builds_indexes = True
    format = 1
    noun = "dossier"
    kind = "store"
    not_found = DossierNotFound

    def _load(self, raw: bytes) -> Dossier:
        # Through Dossier.from_json, the engine's way in from stored JSON, as this store
        # always read: pydantic parsing the bytes itself (the user store) is another path.
        return Dossier.from_json(json.loads(raw))

    def _duplicate(self, doc_id: str) -> DuplicateDossier:
        return DuplicateDossier(f"dossier {doc_id} already exists")

    # -- reading: no lock -------------------------------------------------------------

    def get(self, dossier_id: str) -> Dossier | None:
        return self._get(dossier_id)

    def find_by_receipt(self, receipt_number: str) -> Dossier | None:
        return next(iter(self._by_index("receipt_number", receipt_number)), None)

    def list_by_owner(self, owner: str, statuses: Iterable[Status] | None = None) -> list[Dossier]:
        dossiers = self._by_index("owner", owner)
        if statuses is None:
            return dossiers
        wanted = set(statuses)
        return [d for d in dossiers if d.status in wanted]

    def list_by_id_number(self, id_number: str) -> list[Dossier]:
        return self._by_index("applicant_id_number", id_number)

    def query(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
        service: str | None = None,
        submitted_from: dt.date | None = None,
        submitted_to: dt.date | None = None,
    ) -> list[Dossier]:
        agencies = set(agencies) if agencies is not None else None
        statuses = set(statuses) if statuses is not None else None
        dated = submitted_from is not None or submitted_to is not None
        found = []
        for view in self._views():
            # Filter on the few fields kept unparsed beside each document (storage.shards.SUMMARY).
            for doc_id, (agency, status, svc, submitted) in view.summaries.items():
                if (
                    (agencies is not None and agency not in agencies)
                    or (statuses is not None and status not in statuses)
                    or (service is not None and svc != service)
                ):
                    continue
                if dated:
                    if submitted is None:
                        continue
                    day = dt.date.fromisoformat(submitted[:10])  # = submitted_at.date(), local to its offset
                    if (submitted_from and day < submitted_from) or (submitted_to and day > submitted_to):
                        continue
                found.append(self._load(view.docs[doc_id]))
        submitted = sorted((d for d in found if d.submitted_at), key=lambda d: (d.submitted_at, d.id))
        never = sorted((d for d in found if not d.submitted_at), key=lambda d: (d.created_at, d.id))
        return submitted + never

    def _by_index(self, name: str, key: str) -> list[Dossier]:
        """Dossiers having ``key`` in index ``name``, newest first."""
        return sorted(self._found(name, key), key=lambda d: (d.created_at, d.id), reverse=True)

    # -- writing: under the lock ------------------------------------------------------

    def add(self, dossier: Dossier) -> Dossier:
        return self.bulk_add([dossier])[0]

    def bulk_add(self, dossiers: Iterable[Dossier]) -> list[Dossier]:
        """Add many new dossiers (seeding): each shard and index file is written once.

        All or nothing if an id is malformed or exists. A failure while writing leaves
        the dossiers of the shards already written, with consistent indexes."""
        dossiers = list(dossiers)
        if len({self._doc_id(d.id) for d in dossiers}) != len(dossiers):
            raise DuplicateDossier("the same dossier id appears twice")
        return self._insert(dossiers)

    def update(self, dossier: Dossier) -> Dossier:
        return self._update(dossier)

    def delete(self, dossier_id: str, version: int) -> None:
        self._delete(dossier_id, version)
