"""The embedded dossier store: sharded TinyDB files, safe for several processes.

Plain TinyDB keeps everything in one JSON file that it rewrites in place on every
write and scans on every query, without locking: slow past a few thousand dossiers,
and two gunicorn workers corrupt it. Here the store is a directory::

    meta.json              format version and shard count, written once at creation
    indexes.json           the indexes built so far (see _build_index)
    store.lock             serializes writers across processes
    journal.json           present only while a write is in progress (or died mid-way)
    dossiers-NNN.json      a small TinyDB database per shard of dossier ids (storage.shards)
    NAME-NNN.json          index NAME (storage.indexes), sharded by a hash of its key

Every file is replaced atomically (storage.atomic), so a reader or a crash only ever
sees complete files. A write, under the lock, records in the journal the dossier ids
and the index keys they had before and will have after, replaces the dossier shard,
updates the index shards, then removes the journal. A writer that finds a journal
(its writer died) first recomputes those index entries from the stored dossiers, so a
process killed at any instant leaves the last committed state with consistent indexes.
All files share one directory so that a single fsync of it makes every rename of a
write durable. Readers take no lock: they may see an index a moment ahead of or
behind the dossiers, so every dossier found through an index is checked against the key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from engine.dossier import Dossier, Status
from engine.repository import ConflictError, DossierNotFound, DuplicateDossier
from storage.atomic import TEMP_PREFIX, JsonFile, fsync_dir
from storage.indexes import INDEXES, Index, index_keys, shard_file_name, shard_of
from storage.lock import WriteLock
from storage.shards import TABLE, ShardFile, ShardStorage, ShardView

FORMAT = 1
DEFAULT_SHARDS = 256
_ID = re.compile(r"[0-9a-f]{16}")  # engine.dossier.new_id()
_EMPTY = ShardView({})


def _doc_id(dossier_id: str) -> int:
    """The TinyDB document id: the dossier id read as a number, so a get is one dict lookup."""
    if not isinstance(dossier_id, str) or not _ID.fullmatch(dossier_id):
        raise ValueError(f"not a dossier id (16 lower-case hex digits): {dossier_id!r}")
    return int(dossier_id, 16)


class TinyDBStore:
    """A DossierRepository (engine.repository) in a directory; see the module docstring.

    ``shards`` only matters when the store is created; opening an existing store with
    a different explicit value is an error."""

    def __init__(self, path: str | os.PathLike[str], shards: int | None = None) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = WriteLock(self.path / "store.lock")
        self._journal = JsonFile(self.path / "journal.json")
        with self._lock:
            count = self._open_meta(shards)
            self._files = [ShardFile(self.path / shard_file_name(TABLE, i, count)) for i in range(count)]
            self._indexes = {name: Index(self.path, name, count) for name in INDEXES}
            self._recover()

    # -- reading: no lock -------------------------------------------------------------

    def get(self, dossier_id: str) -> Dossier | None:
        try:
            doc_id = _doc_id(dossier_id)
        except ValueError:
            return None
        raw = self._view(self._shard(dossier_id)).docs.get(str(doc_id))
        return Dossier.from_json(json.loads(raw)) if raw is not None else None

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
        for view in map(self._view, range(len(self._files))):
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
                found.append(Dossier.from_json(json.loads(view.docs[doc_id])))
        submitted = sorted((d for d in found if d.submitted_at), key=lambda d: (d.submitted_at, d.id))
        never = sorted((d for d in found if not d.submitted_at), key=lambda d: (d.created_at, d.id))
        return submitted + never

    def count(self) -> int:
        return sum(len(self._view(shard).docs) for shard in range(len(self._files)))

    def _shard(self, dossier_id: str) -> int:
        return shard_of(dossier_id, len(self._files))

    def _view(self, shard: int) -> ShardView:
        return self._files[shard].read() or _EMPTY

    def _by_index(self, name: str, key: str) -> list[Dossier]:
        """Dossiers having ``key`` in index ``name``, newest first."""
        found = (self.get(dossier_id) for dossier_id in self._indexes[name].ids(key))
        # The index may be a moment ahead of or behind a concurrent write: trust the dossier.
        matching = [d for d in found if d is not None and key in INDEXES[name](d)]
        return sorted(matching, key=lambda d: (d.created_at, d.id), reverse=True)

    # -- writing: under the lock ------------------------------------------------------

    def add(self, dossier: Dossier) -> Dossier:
        return self.bulk_add([dossier])[0]

    def bulk_add(self, dossiers: Iterable[Dossier]) -> list[Dossier]:
        """Add many new dossiers (seeding): each shard and index file is written once.

        All or nothing if an id is malformed or exists. A failure while writing leaves
        the dossiers of the shards already written, with consistent indexes."""
        stored = [d.model_copy(update={"version": 1}) for d in dossiers]
        if len({_doc_id(d.id) for d in stored}) != len(stored):
            raise DuplicateDossier("the same dossier id appears twice")
        by_shard: dict[int, list[Dossier]] = defaultdict(list)
        for dossier in stored:
            by_shard[self._shard(dossier.id)].append(dossier)
        with self._writing():
            tables = {shard: self._table(shard, [d.id for d in group]) for shard, group in by_shard.items()}
            for shard, group in by_shard.items():
                for dossier in group:
                    if tables[shard].contains(doc_id=_doc_id(dossier.id)):
                        raise DuplicateDossier(f"dossier {dossier.id} already exists")

            def write() -> None:
                for shard, group in by_shard.items():
                    tables[shard].insert_multiple(
                        Document(d.to_json(), doc_id=_doc_id(d.id)) for d in group
                    )

            self._commit([(None, d) for d in stored], write)
        return stored

    def update(self, dossier: Dossier) -> Dossier:
        with self._writing():
            table, doc_id, before = self._stored_at(dossier.id, dossier.version)
            after = dossier.model_copy(update={"version": dossier.version + 1})
            content = after.to_json()

            def replace(doc: dict[str, Any]) -> None:
                doc.clear()  # a field the new version no longer has must not survive
                doc.update(content)

            self._commit([(before, after)], lambda: table.update(replace, doc_ids=[doc_id]))
        return after

    def delete(self, dossier_id: str, version: int) -> None:
        with self._writing():
            table, doc_id, before = self._stored_at(dossier_id, version)
            self._commit([(before, None)], lambda: table.remove(doc_ids=[doc_id]))

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            self._repair()
            yield

    def _table(self, shard: int, dossier_ids: Iterable[str]) -> Table:
        """A writer's TinyDB table over a private copy of the shard, in which the
        documents of ``dossier_ids`` can be read and changed (storage.shards.ShardStorage)."""
        changing = {str(_doc_id(dossier_id)) for dossier_id in dossier_ids}
        return TinyDB(self._files[shard], changing, storage=ShardStorage).table(TABLE)

    def _stored_at(self, dossier_id: str, version: int) -> tuple[Table, int, Dossier]:
        """The writer's table, doc id and stored dossier, which must be at ``version``."""
        try:
            doc_id = _doc_id(dossier_id)
        except ValueError:
            raise DossierNotFound(dossier_id) from None
        table = self._table(self._shard(dossier_id), [dossier_id])
        raw = table.get(doc_id=doc_id)
        if raw is None:
            raise DossierNotFound(dossier_id)
        if raw["version"] != version:
            raise ConflictError(f"dossier {dossier_id} is at version {raw['version']}, not {version}")
        return table, doc_id, Dossier.from_json(raw)

    def _commit(
        self, changes: list[tuple[Dossier | None, Dossier | None]], write: Callable[[], Any]
    ) -> None:
        """Run ``write`` (which replaces dossier shards) and bring the indexes along."""
        entries, after = [], {}
        for before, now in changes:
            dossier_id = (now or before).id
            old, new = index_keys(before), index_keys(now)
            after[dossier_id] = now
            if old != new:
                keys = {name: sorted({*old[name], *new[name]}) for name in INDEXES}
                entries.append({"id": dossier_id, "keys": keys})
        if not entries:
            write()  # no index changes: the shard's atomic replace is the whole commit
            fsync_dir(self.path)
            return
        self._journal.write({"entries": entries})  # durable before any other file changes
        write()
        self._reindex(entries, after)
        fsync_dir(self.path)
        self._journal.remove()  # not fsync'ed: if it reappears after a crash, repair is a no-op

    def _reindex(self, entries: list[dict[str, Any]], current: dict[str, Dossier | None]) -> None:
        """Make the journal entries' index keys agree with the ``current`` dossiers."""
        has = {dossier_id: index_keys(dossier) for dossier_id, dossier in current.items()}
        for name, index in self._indexes.items():
            index.apply(
                (key, e["id"], key in has[e["id"]][name])
                for e in entries
                # .get: the journal may predate an index added to INDEXES since
                for key in e["keys"].get(name, [])
            )

    # -- opening and recovery (under the lock) ----------------------------------------

    def _open_meta(self, shards: int | None) -> int:
        meta_file = JsonFile(self.path / "meta.json")
        meta = meta_file.read()
        if meta is None:
            meta = {"format": FORMAT, "shards": shards or DEFAULT_SHARDS}
            meta_file.write(meta)
        if meta["format"] != FORMAT:
            raise ValueError(f"{self.path}: store format {meta['format']}, expected {FORMAT}")
        if shards is not None and shards != meta["shards"]:
            raise ValueError(f"{self.path} has {meta['shards']} shards, not {shards}")
        return meta["shards"]

    def _recover(self) -> None:
        # Temporary files belong to a writer holding the lock, so now they are debris.
        for temp in self.path.glob(TEMP_PREFIX + "*"):
            temp.unlink()
        listed = JsonFile(self.path / "indexes.json")
        # An index dropped from INDEXES is no longer kept up to date: forget it was built.
        built = [name for name in listed.read() or [] if name in INDEXES]
        for name in INDEXES.keys() - set(built):
            self._build_index(name)
            built.append(name)
        if built != listed.read():
            listed.write(built)
        self._repair()

    def _repair(self) -> None:
        """Finish the write of a process that died holding the lock (see module docstring)."""
        journal = self._journal.read_fresh()
        if journal is None:
            return
        entries = journal["entries"]
        by_shard: dict[int, list[str]] = defaultdict(list)
        for entry in entries:
            by_shard[self._shard(entry["id"])].append(entry["id"])
        current = {}
        for shard, ids in by_shard.items():
            docs = self._files[shard].read_fresh().docs
            for dossier_id in ids:
                raw = docs.get(str(_doc_id(dossier_id)))
                current[dossier_id] = Dossier.from_json(json.loads(raw)) if raw is not None else None
        self._reindex(entries, current)
        fsync_dir(self.path)
        self._journal.remove()

    def _build_index(self, name: str) -> None:
        """Index the stored dossiers: a new store, or an index added to INDEXES since.

        The caller then lists it in indexes.json; until then, a build that died is redone."""
        for debris in self.path.glob(f"{name}-*.json"):
            debris.unlink()
        keys = INDEXES[name]
        dossiers = (
            Dossier.from_json(json.loads(raw))
            for view in map(self._view, range(len(self._files)))
            for raw in view.docs.values()
        )
        self._indexes[name].apply((key, d.id, True) for d in dossiers for key in keys(d))
        fsync_dir(self.path)
