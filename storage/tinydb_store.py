"""The embedded dossier store: sharded TinyDB files, safe for several processes.

A storage.sharded store of dossiers, whose directory holds::

    meta.json              format version and shard count, written once at creation
    indexes.json           the indexes built so far (an index added to INDEXES is built on open)
    store.lock             serializes writers across processes
    journal.json           present only while a write is in progress (or died mid-way)
    dossiers-NNN.json      a small TinyDB database per shard of dossier ids (storage.shards)
    NAME-NNN.json          index NAME (storage.indexes.INDEXES), sharded by a hash of its key
    summaries.cache        the shards' summaries, for a fresh process (storage.summary_cache)

What is the dossier store's own: adding many dossiers at once (seeding), deleting, the
lookups through the indexes, and the clerk's inbox queries, which filter and sort on a
few fields of every dossier (storage.shards.SUMMARY), read once per shard version and
kept in memory and in ``summaries.cache``, so that ``query_page`` reads and parses only
the dossiers of its page.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
from collections import Counter
from collections.abc import Iterable
from typing import Any

from engine.dossier import Dossier, Status
from engine.facts import Facts
from engine.repository import DossierNotFound, DuplicateDossier, Order, OwnerPage, Page, check_page, check_range
from storage.indexes import INDEXES
from storage.sharded import ShardedStore
from storage.shards import SUMMARY
from storage.summary_cache import SummaryCache

_NO_APPOINTMENT = dt.date.max.toordinal() + 1  # after every appointment date
# An early page takes the first offset + limit by heapq.nsmallest, rather than sorting every
# match, while that is under 1 / _NSMALLEST_FACTOR of them.
_NSMALLEST_FACTOR = 8


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

    def __init__(self, path: str | os.PathLike[str], shards: int | None = None) -> None:
        super().__init__(path, shards)
        self._summary_cache = SummaryCache(self.path, (len(self._files), SUMMARY))
        # Per shard: the summaries last read and, from them, each dossier's (status, created
        # instant) by id (owner_page); rebuilt when the shard's summaries are another object.
        self._states: dict[int, tuple[object, dict[str, tuple[str, int]]]] = {}

    def _load(self, raw: bytes) -> Dossier:
        return Dossier.from_json_text(raw)

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

    def owner_page(self, owner: str, *, status: Status | None = None, offset: int = 0, limit: int) -> OwnerPage:
        # The states and the order come from the shards' summaries (no dossier parsed; a
        # fresh worker has them from storage.summary_cache); only the page's are read.
        check_range(offset, limit)
        found: list[tuple[int, str, str]] = []  # (created instant, id, status): sorts as list_by_owner
        for doc_id in self._index_files["owner"].ids(owner):
            state = self._state(doc_id)
            if state is not None:  # None: deleted, the index a moment behind
                found.append((state[1], doc_id, state[0]))
        found.sort(reverse=True)
        counts = Counter(entry[2] for entry in found)
        shown = [entry for entry in found if status is None or entry[2] == status.value]
        page = (self._get(doc_id) for _, doc_id, _ in shown[offset:offset + limit])
        return OwnerPage(counts={s: counts.get(s.value, 0) for s in Status}, offset=offset,
                         items=tuple(d for d in page if d is not None and d.owner == owner))

    def _state(self, doc_id: str) -> tuple[str, int] | None:
        """A stored dossier's status and created instant, from its shard's summaries."""
        shard = self._shard(doc_id)
        summaries = self._summaries(shard)
        kept = self._states.get(shard)
        if kept is None or kept[0] is not summaries:
            states = {entry[-1]: (group[1], entry[2]) for group, entries in summaries.items() for entry in entries}
            kept = self._states[shard] = (summaries, states)
        return kept[1].get(doc_id)

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
        found = self._matching(agencies, statuses, service, submitted_from, submitted_to, "submitted")
        found.sort()
        return self._read(found)

    def facts(
        self,
        *,
        agencies: Iterable[str] | None = None,
        statuses: Iterable[Status] | None = None,
    ) -> list[Facts]:
        agencies = set(agencies) if agencies is not None else None
        statuses = set(statuses) if statuses is not None else None
        found: list[Facts] = []
        for view in self._views():
            for (agency, status, _service), group in view.facts.items():
                if (agencies is None or agency in agencies) and (statuses is None or status in statuses):
                    found.extend(group)
        return found

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
        check_page(order, offset, limit)
        found = self._matching(agencies, statuses, service, submitted_from, submitted_to, order)
        end = offset + limit
        if offset >= len(found) or limit == 0:
            page = []
        elif end * _NSMALLEST_FACTOR < len(found):  # an early page of many: no need to sort them all
            page = heapq.nsmallest(end, found)[offset:]
        else:
            found.sort()
            page = found[offset:end]
        return Page(total=len(found), offset=offset, items=tuple(self._read(page)))

    def _read(self, entries: list[tuple[Any, ...]]) -> list[Dossier]:
        """The dossiers of ``_matching`` entries, in their order, as stored now: one deleted
        since its shard was summarised is left out (the summary may be a moment behind)."""
        found = (self._get(entry[-1]) for entry in entries)
        return [dossier for dossier in found if dossier is not None]

    def _summaries(self, shard: int) -> dict[tuple[str, str, str], list[tuple[Any, ...]]]:
        """The summaries of ``shard`` (storage.shards.ShardView.summaries) without reading it
        when the version on disk is the one in memory or in the summary cache."""
        file = self._files[shard]
        key = file.key_now()
        if key is None:
            return {}
        kept = self._summary_cache.get(shard, key)
        if kept is not None:
            return kept
        view = file.cached(key)
        if view is None:
            key, view = file.read_keyed()
            if view is None:
                return {}
        self._summary_cache.put(shard, key, view.summaries)
        return view.summaries

    def _matching(
        self,
        agencies: Iterable[str] | None,
        statuses: Iterable[Status] | None,
        service: str | None,
        submitted_from: dt.date | None,
        submitted_to: dt.date | None,
        order: Order,
    ) -> list[tuple[Any, ...]]:
        """The matching dossiers, unread and unsorted: each an ``order`` sort key, unique
        as it ends with the id.

        Filters and keys come from the summaries of each shard (storage.shards.SUMMARY),
        grouped by agency, status and service: no dossier is parsed here, and only the
        groups that pass the filters are looked through. A shard unchanged since this
        process or another last summarised it is not read (storage.summary_cache)."""
        agencies = set(agencies) if agencies is not None else None
        statuses = set(statuses) if statuses is not None else None
        dated = submitted_from is not None or submitted_to is not None
        first = submitted_from.toordinal() if submitted_from is not None else None
        last = submitted_to.toordinal() if submitted_to is not None else None
        by_appointment = order == "appointment"
        found = []
        for shard in range(len(self._files)):
            for (agency, status, svc), entries in self._summaries(shard).items():
                if (
                    (agencies is not None and agency not in agencies)
                    or (statuses is not None and status not in statuses)
                    or (service is not None and svc != service)
                ):
                    continue
                for day, submitted, created, appointment, id_ in entries:
                    if dated and (
                        day is None or (first is not None and day < first) or (last is not None and day > last)
                    ):
                        continue
                    # "submitted": submitted ones by the moment, then the others by creation; ties by id.
                    # "appointment": by appointment date (none last), then as "submitted".
                    rank, moment = (0, submitted) if submitted is not None else (1, created)
                    if by_appointment:
                        due = _NO_APPOINTMENT if appointment is None else appointment
                        found.append((due, rank, moment, id_))
                    else:
                        found.append((rank, moment, id_))
        self._summary_cache.save_if_due()
        return found

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
