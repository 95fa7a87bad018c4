"""The embedded user store: sharded TinyDB files with unique indexes, safe for several processes.

It is built like the dossier store (storage.tinydb_store), from the same pieces: a
directory of small files, each replaced atomically (storage.atomic), one writer at a
time across processes (storage.lock), readers taking no lock and caching each file
until it changes on disk::

    meta.json              format version and shard count, written once at creation
    store.lock             serializes writers across processes
    journal.json           present only while a write is in progress (or died mid-way)
    users-NNN.json         a small TinyDB database per shard of user ids (storage.shards)
    username-NNN.json      unique indexes, key -> user id, sharded by a hash of the key
    email-NNN.json           (storage.indexes.Index)
    id_number-NNN.json

So registering one user rewrites one shard of users and three small index files,
whatever the number of accounts. Uniqueness is checked under the write lock, where
the indexes agree with the users: a writer first finishes any write whose process died
(the journal holds the keys it was changing, as in the dossier store). Readers may see
an index a moment ahead of or behind the users, so a user found through an index is
checked against the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tinydb import TinyDB
from tinydb.table import Document, Table

from engine.accounts import DuplicateUser, UniqueField, User, UserNotFound
from engine.dossier import Role
from engine.repository import ConflictError
from storage.atomic import TEMP_PREFIX, JsonFile, fsync_dir
from storage.indexes import Index, shard_file_name, shard_of
from storage.lock import WriteLock
from storage.shards import ShardFile, ShardStorage, ShardView

FORMAT = 1
DEFAULT_SHARDS = 256  # 100,000 accounts: about 400 per shard, a few hundred KB
TABLE = "users"
_ID = re.compile(r"[0-9a-f]{16}")  # engine.dossier.new_id()
_EMPTY = ShardView({})

UNIQUE: dict[UniqueField, Callable[[User], str | None]] = {
    "username": lambda u: u.username,
    "email": lambda u: u.email,
    "id_number": lambda u: u.id_number,
}


def _keys(user: User | None) -> dict[str, list[str]]:
    return {name: [key] if user and (key := of(user)) else [] for name, of in UNIQUE.items()}


def _doc_id(user_id: str) -> int:
    """The TinyDB document id: the user id read as a number, so a get is one dict lookup."""
    if not isinstance(user_id, str) or not _ID.fullmatch(user_id):
        raise ValueError(f"not a user id (16 lower-case hex digits): {user_id!r}")
    return int(user_id, 16)


class TinyDBUserStore:
    """A UserRepository (engine.accounts) in a directory; see the module docstring."""

    def __init__(self, path: str | os.PathLike[str], shards: int | None = None) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = WriteLock(self.path / "store.lock")
        self._journal = JsonFile(self.path / "journal.json")
        with self._lock:
            count = self._open_meta(shards)
            self._files = [ShardFile(self.path / shard_file_name(TABLE, i, count), TABLE) for i in range(count)]
            self._indexes = {name: Index(self.path, name, count) for name in UNIQUE}
            for temp in self.path.glob(TEMP_PREFIX + "*"):
                temp.unlink()  # debris of a writer that died: the lock is ours now
            self._repair()

    # -- reading: no lock ---------------------------------------------------------------

    def get(self, user_id: str) -> User | None:
        try:
            doc_id = _doc_id(user_id)
        except ValueError:
            return None
        raw = self._view(self._shard(user_id)).docs.get(str(doc_id))
        return User.model_validate_json(raw) if raw is not None else None

    def get_by_username(self, username: str) -> User | None:
        return self._by_key("username", username.strip().lower())

    def get_by_email(self, email: str) -> User | None:
        return self._by_key("email", email.strip().lower())

    def get_by_id_number(self, id_number: str) -> User | None:
        return self._by_key("id_number", id_number.strip())

    def list(self, role: Role | None = None) -> list[User]:
        users = [
            User.model_validate_json(raw)
            for view in map(self._view, range(len(self._files)))
            for raw in view.docs.values()
        ]
        return sorted((u for u in users if role is None or u.role == role), key=lambda u: u.username)

    def count(self) -> int:
        return sum(len(self._view(shard).docs) for shard in range(len(self._files)))

    def _shard(self, user_id: str) -> int:
        return shard_of(user_id, len(self._files))

    def _view(self, shard: int) -> ShardView:
        return self._files[shard].read() or _EMPTY

    def _by_key(self, name: UniqueField, key: str) -> User | None:
        if not key:
            return None
        found = (self.get(user_id) for user_id in self._indexes[name].ids(key))
        return next((u for u in found if u is not None and UNIQUE[name](u) == key), None)

    # -- writing: under the lock --------------------------------------------------------

    def add(self, user: User) -> User:
        stored = user.model_copy(update={"version": 1})
        doc_id = _doc_id(stored.id)
        with self._writing():
            table = self._table(stored.id)
            if table.contains(doc_id=doc_id):
                raise DuplicateUser("id", stored.id)
            self._check_unique(stored)
            self._commit(None, stored, lambda: table.insert(Document(stored.model_dump(mode="json"), doc_id=doc_id)))
        return stored

    def update(self, user: User) -> User:
        with self._writing():
            try:
                doc_id = _doc_id(user.id)
            except ValueError:
                raise UserNotFound(user.id) from None
            table = self._table(user.id)
            raw = table.get(doc_id=doc_id)
            if raw is None:
                raise UserNotFound(user.id)
            if raw["version"] != user.version:
                raise ConflictError(f"user {user.id} is at version {raw['version']}, not {user.version}")
            self._check_unique(user)
            after = user.model_copy(update={"version": user.version + 1})
            content = after.model_dump(mode="json")

            def replace(doc: dict) -> None:
                doc.clear()  # a field the new version no longer has must not survive
                doc.update(content)

            self._commit(User.model_validate(raw), after, lambda: table.update(replace, doc_ids=[doc_id]))
        return after

    @contextmanager
    def _writing(self) -> Iterator[None]:
        with self._lock:
            self._repair()
            yield

    def _table(self, user_id: str) -> Table:
        """A writer's TinyDB table over a private copy of the user's shard (storage.shards.ShardStorage)."""
        changing = {str(_doc_id(user_id))}
        return TinyDB(self._files[self._shard(user_id)], changing, storage=ShardStorage).table(TABLE)

    def _check_unique(self, user: User) -> None:
        """DuplicateUser if another account has one of ``user``'s keys (under the lock,
        after _repair, the indexes are complete)."""
        for name, keys in _keys(user).items():
            for key in keys:
                if any(other != user.id for other in self._indexes[name].ids(key)):
                    raise DuplicateUser(name, key)

    def _commit(self, before: User | None, after: User, write: Callable[[], object]) -> None:
        """Run ``write`` (which replaces the user's shard) and bring the indexes along."""
        old, new = _keys(before), _keys(after)
        if old == new:
            write()  # no key changes: the shard's atomic replace is the whole commit
            fsync_dir(self.path)
            return
        entry = {"id": after.id, "keys": {name: sorted({*old[name], *new[name]}) for name in UNIQUE}}
        self._journal.write({"entries": [entry]})  # durable before any other file changes
        write()
        self._reindex([entry], {after.id: after})
        fsync_dir(self.path)
        self._journal.remove()  # not fsync'ed: if it reappears after a crash, repair is a no-op

    def _reindex(self, entries: list[dict], current: dict[str, User | None]) -> None:
        """Make the journal entries' keys agree with the ``current`` users."""
        has = {user_id: _keys(user) for user_id, user in current.items()}
        for name, index in self._indexes.items():
            index.apply((key, e["id"], key in has[e["id"]][name]) for e in entries for key in e["keys"][name])

    # -- opening and recovery (under the lock) ------------------------------------------

    def _open_meta(self, shards: int | None) -> int:
        meta_file = JsonFile(self.path / "meta.json")
        meta = meta_file.read()
        if meta is None:
            meta = {"format": FORMAT, "shards": shards or DEFAULT_SHARDS}
            meta_file.write(meta)
        if meta["format"] != FORMAT:
            raise ValueError(f"{self.path}: user store format {meta['format']}, expected {FORMAT}")
        if shards is not None and shards != meta["shards"]:
            raise ValueError(f"{self.path} has {meta['shards']} shards, not {shards}")
        return meta["shards"]

    def _repair(self) -> None:
        """Finish the write of a process that died holding the lock."""
        journal = self._journal.read_fresh()
        if journal is None:
            return
        entries = journal["entries"]
        current = {}
        for entry in entries:
            raw = self._files[self._shard(entry["id"])].read_fresh().docs.get(str(_doc_id(entry["id"])))
            current[entry["id"]] = User.model_validate_json(raw) if raw is not None else None
        self._reindex(entries, current)
        fsync_dir(self.path)
        self._journal.remove()
