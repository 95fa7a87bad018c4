"""A store of pydantic documents in sharded TinyDB files, safe for several processes.

Plain TinyDB keeps everything in one JSON file that it rewrites in place on every
write and scans on every query, without locking: slow past a few thousand documents,
and two gunicorn workers corrupt it. Here a store is a directory::

    meta.json              format version and shard count, written once at creation
    indexes.json           the indexes built so far, for a store that builds_indexes
    store.lock             serializes writers across processes (storage.lock)
    journal.json           present only while a write is in progress (or died mid-way)
    TABLE-NNN.json         a small TinyDB database per shard of document ids (storage.shards)
    NAME-NNN.json          index NAME (storage.indexes), sharded by a hash of its key

Every file is replaced atomically (storage.atomic), so a reader or a crash only ever
sees complete files. A write, under the lock, records in the journal the document ids
and the index keys they had before and will have after, replaces the document shard,
updates the index shards, then removes the journal. A writer that finds a journal
(its writer died) first recomputes those index entries from the stored documents, so a
process killed at any instant leaves the last committed state with consistent indexes.
All files share one directory so that a single fsync of it makes every rename of a
write durable. Readers take no lock: they may see an index a moment ahead of or
behind the documents, so every document found through an index is checked against the key.

The dossier store (storage.tinydb_store) and the user store (storage.tinydb_users) are
subclasses that name their model, table, indexes and errors, and add their lookups.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from tinydb import TinyDB
from tinydb.table import Document, Table

from engine.repository import ConflictError
from storage.atomic import TEMP_PREFIX, JsonFile, fsync_dir
from storage.indexes import Index, shard_file_name, shard_of
from storage.lock import WriteLock
from storage.shards import ShardFile, ShardStorage, ShardView

M = TypeVar("M", bound=BaseModel)  # with an ``id`` (engine.dossier.new_id()) and a ``version``
_ID = re.compile(r"[0-9a-f]{16}")  # engine.dossier.new_id()
_EMPTY = ShardView({})


class ShardedStore(Generic[M]):
    """The machinery of a store; see the module docstring. A subclass sets the class
    attributes below and answers the ``_duplicate`` (and with ``unique``, ``_taken``) hooks.

    ``shards`` only matters when the store is created; opening an existing store with
    a different explicit value is an error."""

    model: ClassVar[type[BaseModel]]
    table: ClassVar[str]  # the TinyDB table, and the name of its shard files
    # Index name → the keys a document has in it: the registry itself, not a copy, so a
    # store opened after an index was added to it keeps that index too.
    indexes: ClassVar[Mapping[str, Callable[[Any], list[str]]]]
    # Indexes whose keys belong to one document at most, checked in this order under the
    # lock before a document is stored (so the first taken one is the one reported).
    unique: ClassVar[tuple[str, ...]] = ()
    # Whether indexes.json lists the indexes built, so that opening the store builds one
    # added to ``indexes`` since (off for a store whose folders have never had the file).
    builds_indexes: ClassVar[bool]
    format: ClassVar[int]  # meta.json's "format": raise it when the files change
    default_shards: ClassVar[int] = 256  # 100,000 documents: about 400 per shard
    noun: ClassVar[str]  # what a document is called in errors: "dossier"
    kind: ClassVar[str]  # what the store is called in errors: "store"
    not_found: ClassVar[type[Exception]]

    def __init__(self, path: str | os.PathLike[str], shards: int | None = None) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = WriteLock(self.path / "store.lock")
        self._journal = JsonFile(self.path / "journal.json")
        with self._lock:
            count = self._open_meta(shards)
            names = (shard_file_name(self.table, i, count) for i in range(count))
            self._files = [ShardFile(self.path / name, self.table) for name in names]
            self._index_files = {name: Index(self.path, name, count) for name in self.indexes}
            self._recover()

    # -- the subclass's hooks ---------------------------------------------------------

    def _load(self, raw: bytes) -> M:
        """A stored document from its JSON text."""
        return self.model.model_validate_json(raw)

    def _duplicate(self, doc_id: str) -> Exception:
        """The error for adding a document whose id is stored already."""
        raise NotImplementedError

    def _taken(self, name: str, key: str) -> Exception:
        """The error for storing a document with ``key`` in unique index ``name``, which another has."""
        raise NotImplementedError

    # -- reading: no lock -------------------------------------------------------------

    def count(self) -> int:
        return sum(len(view.docs) for view in self._views())

    def _get(self, doc_id: str) -> M | None:
        try:
            number = self._doc_id(doc_id)
        except ValueError:
            return None
        raw = self._view(self._shard(doc_id)).docs.get(str(number))
        return self._load(raw) if raw is not None else None

    def _all(self) -> Iterator[M]:
        return (self._load(raw) for view in self._views() for raw in view.docs.values())

    def _found(self, name: str, key: str) -> Iterator[M]:
        """The documents having ``key`` in index ``name``, in the index's order (by id)."""
        keys = self.indexes[name]
        for doc_id in self._index_files[name].ids(key):
            doc = self._get(doc_id)
            # The index may be a moment ahead of or behind a concurrent write: trust the document.
            if doc is not None and key in keys(doc):
                yield doc

    def _doc_id(self, doc_id: str) -> int:
        """The TinyDB document id: the document id read as a number, so a get is one dict lookup."""
        if not isinstance(doc_id, str) or not _ID.fullmatch(doc_id):
            raise ValueError(f"not a {self.noun} id (16 lower-case hex digits): {doc_id!r}")
        return int(doc_id, 16)

    def _shard(self, doc_id: str) -> int:
        return shard_of(doc_id, len(self._files))

    def _view(self, shard: int) -> ShardView:
        return self._files[shard].read() or _EMPTY

    def _views(self) -> Iterator[ShardView]:
        return map(self._view, range(len(self._files)))

    def _keys(self, doc: M | None) -> dict[str, list[str]]:
        """Every index's keys for ``doc`` (none for an absent document)."""
        return {name: keys(doc) if doc is not None else [] for name, keys in self.indexes.items()}

    # -- writing: under the lock ------------------------------------------------------

    def _insert(self, docs: Iterable[M]) -> list[M]:
        """Store new documents at version 1: each shard and index file is written once.

        All or nothing if an id is malformed or stored, or a unique key is taken by a
        stored document (not checked between the new ones). A failure while writing
        leaves the documents of the shards already written, with consistent indexes."""
        stored = [doc.model_copy(update={"version": 1}) for doc in docs]
        by_shard: dict[int, list[tuple[int, M]]] = defaultdict(list)
        for doc in stored:
            number = self._doc_id(doc.id)  # a malformed id is refused before taking the lock
            by_shard[self._shard(doc.id)].append((number, doc))
        with self._writing():
            tables = {shard: self._table(shard, [n for n, _ in group]) for shard, group in by_shard.items()}
            for shard, group in by_shard.items():
                for number, doc in group:
                    if tables[shard].contains(doc_id=number):
                        raise self._duplicate(doc.id)
            for doc in stored:
                self._check_unique(doc)

            def write() -> None:
                for shard, group in by_shard.items():
                    tables[shard].insert_multiple(
                        Document(doc.model_dump(mode="json"), doc_id=number) for number, doc in group
                    )

            self._commit([(None, doc) for doc in stored], write)
        return stored

    def _update(self, doc: M) -> M:
        """Replace the stored document, which must be at ``doc.version``; returns it at the next version."""
        with self._writing():
            table, number, before = self._stored_at(doc.id, doc.version)
            self._check_unique(doc)
            after = doc.model_copy(update={"version": doc.version + 1})
            content = after.model_dump(mode="json")

            def replace(stored: dict[str, Any]) -> None:
                stored.clear()  # a field the new version no longer has must not survive
                stored.update(content)

            self._commit([(before, after)], lambda: table.update(replace, doc_ids=[number]))
        return after

    def _delete(self, doc_id: str, version: int) -> None:
        with self._writing():
            table, number, before = self._stored_at(doc_id, version)
            self._commit([(before, None)], lambda: table.remove(doc_ids=[number]))

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Hold off every writer, in every process, until the block ends (for a backup).

        A write that died is finished first, so meanwhile the directory is one committed
        state: no journal, every index agreeing with its shards. Readers go on as usual."""
        with self._writing():
            yield

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            self._repair()
            yield

    def _table(self, shard: int, changing: Iterable[int]) -> Table:
        """A writer's TinyDB table over a private copy of the shard, in which the
        documents ``changing`` (TinyDB doc ids) can be read and changed (storage.shards.ShardStorage)."""
        return TinyDB(self._files[shard], {str(n) for n in changing}, storage=ShardStorage).table(self.table)

    def _stored_at(self, doc_id: str, version: int) -> tuple[Table, int, M]:
        """The writer's table, TinyDB doc id and stored document, which must be at ``version``."""
        try:
            number = self._doc_id(doc_id)
        except ValueError:
            raise self.not_found(doc_id) from None
        table = self._table(self._shard(doc_id), [number])
        raw = table.get(doc_id=number)
        if raw is None:
            raise self.not_found(doc_id)
        if raw["version"] != version:
            raise ConflictError(f"{self.noun} {doc_id} is at version {raw['version']}, not {version}")
        return table, number, self.model.model_validate(raw)

    def _check_unique(self, doc: M) -> None:
        """Refuse ``doc`` if another document has one of its unique keys (under the lock,
        after _repair, the indexes are complete)."""
        for name in self.unique:
            for key in self.indexes[name](doc):
                if any(other != doc.id for other in self._index_files[name].ids(key)):
                    raise self._taken(name, key)

    def _commit(self, changes: list[tuple[M | None, M | None]], write: Callable[[], Any]) -> None:
        """Run ``write`` (which replaces document shards) and bring the indexes along;
        ``changes`` are the documents it writes, before and after (None: absent)."""
        entries, after = [], {}
        for before, now in changes:
            doc_id = (now or before).id
            old, new = self._keys(before), self._keys(now)
            after[doc_id] = now
            if old != new:
                keys = {name: sorted({*old[name], *new[name]}) for name in self.indexes}
                entries.append({"id": doc_id, "keys": keys})
        if not entries:
            write()  # no index changes: the shard's atomic replace is the whole commit
            fsync_dir(self.path)
            return
        self._journal.write({"entries": entries})  # durable before any other file changes
        write()
        self._reindex(entries, after)
        fsync_dir(self.path)
        self._journal.remove()  # not fsync'ed: if it reappears after a crash, repair is a no-op

    def _reindex(self, entries: list[dict[str, Any]], current: dict[str, M | None]) -> None:
        """Make the journal entries' index keys agree with the ``current`` documents."""
        has = {doc_id: self._keys(doc) for doc_id, doc in current.items()}
        for name, index in self._index_files.items():
            index.apply(
                (key, e["id"], key in has[e["id"]][name])
                for e in entries
                # .get: the journal may predate an index added to the registry since
                for key in e["keys"].get(name, [])
            )

    # -- opening and recovery (under the lock) ----------------------------------------

    def _open_meta(self, shards: int | None) -> int:
        meta_file = JsonFile(self.path / "meta.json")
        meta = meta_file.read()
        if meta is None:
            meta = {"format": self.format, "shards": shards or self.default_shards}
            meta_file.write(meta)
        if meta["format"] != self.format:
            raise ValueError(f"{self.path}: {self.kind} format {meta['format']}, expected {self.format}")
        if shards is not None and shards != meta["shards"]:
            raise ValueError(f"{self.path} has {meta['shards']} shards, not {shards}")
        return meta["shards"]

    def _recover(self) -> None:
        # Temporary files belong to a writer holding the lock, so now they are debris.
        for temp in self.path.glob(TEMP_PREFIX + "*"):
            temp.unlink()
        if self.builds_indexes:
            listed = JsonFile(self.path / "indexes.json")
            # An index dropped from the registry is no longer kept up to date: forget it was built.
            built = [name for name in listed.read() or [] if name in self.indexes]
            for name in self.indexes.keys() - set(built):
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
            for doc_id in ids:
                raw = docs.get(str(self._doc_id(doc_id)))
                current[doc_id] = self._load(raw) if raw is not None else None
        self._reindex(entries, current)
        fsync_dir(self.path)
        self._journal.remove()

    def _build_index(self, name: str) -> None:
        """Index the stored documents: a new store, or an index added to the registry since.

        The caller then lists it in indexes.json; until then, a build that died is redone."""
        for debris in self.path.glob(f"{name}-*.json"):
            debris.unlink()
        keys = self.indexes[name]
        self._index_files[name].apply((key, doc.id, True) for doc in self._all() for key in keys(doc))
        fsync_dir(self.path)
