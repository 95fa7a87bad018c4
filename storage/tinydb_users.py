"""The embedded user store: sharded TinyDB files with unique indexes, safe for several processes.

A storage.sharded store of users, like the dossier store (storage.tinydb_store), whose
directory holds::

    meta.json              format version and shard count, written once at creation
    store.lock             serializes writers across processes
    journal.json           present only while a write is in progress (or died mid-way)
    users-NNN.json         a small TinyDB database per shard of user ids (storage.shards)
    username-NNN.json      unique indexes, key -> user id, sharded by a hash of the key
    email-NNN.json           (storage.indexes.Index)
    id_number-NNN.json

So registering one user rewrites one shard of users and three small index files,
whatever the number of accounts. Uniqueness is checked under the write lock, where
the indexes agree with the users: a writer first finishes any write whose process died.
There is no indexes.json: the user store has always had these three indexes.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.accounts import DuplicateUser, UniqueField, User, UserNotFound, lookup_key
from engine.dossier import Role
from storage.sharded import ShardedStore

# The keys an account has in each unique index: none when the field is empty.
UNIQUE: dict[UniqueField, Callable[[User], list[str]]] = {
    "username": lambda u: [u.username] if u.username else [],
    "email": lambda u: [u.email] if u.email else [],
    "id_number": lambda u: [u.id_number] if u.id_number else [],
}


class TinyDBUserStore(ShardedStore[User]):
    """A UserRepository (engine.accounts) in a directory; see the module docstring."""

    model = User
    table = "users"
    indexes = UNIQUE
    unique = tuple(UNIQUE)  # DuplicateUser names the first taken of username, email, id_number
    builds_indexes = False  # user stores were created without indexes.json
    format = 1
    noun = "user"
    kind = "user store"
    not_found = UserNotFound

    def _duplicate(self, doc_id: str) -> DuplicateUser:
        return DuplicateUser("id", doc_id)

    def _taken(self, name: str, key: str) -> DuplicateUser:
        return DuplicateUser(name, key)

    # -- reading: no lock ---------------------------------------------------------------

    def get(self, user_id: str) -> User | None:
        return self._get(user_id)

    def get_by_username(self, username: str) -> User | None:
        return self._by_key("username", username)

    def get_by_email(self, email: str) -> User | None:
        return self._by_key("email", email)

    def get_by_id_number(self, id_number: str) -> User | None:
        return self._by_key("id_number", id_number)

    def list(self, role: Role | None = None) -> list[User]:
        return sorted((u for u in self._all() if role is None or u.role == role), key=lambda u: u.username)

    def _by_key(self, name: UniqueField, key: str) -> User | None:
        key = lookup_key(name, key)
        return next(self._found(name, key), None) if key else None

    # -- writing: under the lock --------------------------------------------------------

    def add(self, user: User) -> User:
        return self._insert([user])[0]

    def update(self, user: User) -> User:
        return self._update(user)
