"""The PostgreSQL user store: one table, the user as JSONB beside the unique keys
(see storage.postgres for the database and migrations).

``username``, ``email`` and ``id_number`` are UNIQUE columns (the model keeps the first
two in lower case; an account without an ID number has NULL, which collides with
nothing), so the database itself refuses a second account with a taken key, whatever
the number of processes. DuplicateUser names the first of username, email, id_number
that another account has, as the TinyDB store does: after a refused write, one query
looks at all three (a violation names only the constraint PostgreSQL checked first).
An id already stored is DuplicateUser("id"), checked before the keys.

``update`` is ``UPDATE … WHERE id = %s AND version = %s`` (ConflictError when stale,
UserNotFound when absent); ``list`` orders by username in the "C" collation, as Python
sorts strings.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from engine.accounts import DuplicateUser, UniqueField, User, UserNotFound, lookup_key
from engine.dossier import Role
from storage.postgres import Database, DocumentTable, is_id

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.users (
            id text COLLATE "C" CONSTRAINT users_pkey PRIMARY KEY
                CONSTRAINT users_id_check CHECK (length(id) = 16 AND id ~ '^[0-9a-f]+$'),
            version integer NOT NULL,
            username text COLLATE "C" NOT NULL CONSTRAINT users_username_key UNIQUE,
            email text NOT NULL CONSTRAINT users_email_key UNIQUE,
            id_number text CONSTRAINT users_id_number_key UNIQUE,
            role text NOT NULL,
            doc jsonb NOT NULL
        )""",
        "CREATE INDEX users_role ON {schema}.users (role, username)",
    ),
)

UNIQUE: tuple[UniqueField, ...] = ("username", "email", "id_number")  # in the order DuplicateUser reports
_CONSTRAINTS: dict[str, UniqueField] = {f"users_{name}_key": name for name in UNIQUE}
_ATTEMPTS = 5  # an add refused by a key whose holder is gone by the time we look is tried again


class PostgresUserStore:
    """A UserRepository (engine.accounts) in PostgreSQL; see the module docstring.

    Opening it creates or migrates its table in ``db``'s schema."""

    def __init__(self, db: Database) -> None:
        db.migrate("users", MIGRATIONS)
        self.db = db
        self._table = DocumentTable(db, "users", ("username", "email", "id_number", "role"), UserNotFound, "user")
        t = self._table.sql
        self._add = t("{insert} ON CONFLICT DO NOTHING", insert=self._table.insert)
        self._get = t("SELECT doc::text FROM {table} WHERE id = %s")
        self._by = {
            name: t("SELECT doc::text FROM {table} WHERE {key} = %s", key=sql.Identifier(name)) for name in UNIQUE
        }
        self._list = t("SELECT doc::text FROM {table} ORDER BY username")
        self._list_role = t("SELECT doc::text FROM {table} WHERE role = %s ORDER BY username")
        # Which of the user's id and keys another account has: one query, after a refused write.
        self._taken_sql = t(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = %(id)s),"
            " EXISTS (SELECT 1 FROM {table} WHERE username = %(username)s AND id <> %(id)s),"
            " EXISTS (SELECT 1 FROM {table} WHERE email = %(email)s AND id <> %(id)s),"
            " EXISTS (SELECT 1 FROM {table} WHERE id_number = %(id_number)s AND id <> %(id)s)"
        )

    # -- reading ------------------------------------------------------------------------

    def get(self, user_id: str) -> User | None:
        return self._one(self._get, user_id) if is_id(user_id) else None

    def get_by_username(self, username: str) -> User | None:
        return self._by_key("username", username)

    def get_by_email(self, email: str) -> User | None:
        return self._by_key("email", email)

    def get_by_id_number(self, id_number: str) -> User | None:
        return self._by_key("id_number", id_number)

    def list(self, role: Role | None = None) -> list[User]:
        with self.db.connection() as conn:
            if role is None:
                rows = conn.execute(self._list).fetchall()
            else:
                rows = conn.execute(self._list_role, [str(role)]).fetchall()
        return [User.model_validate_json(doc) for (doc,) in rows]

    def count(self) -> int:
        return self._table.count()

    def _by_key(self, name: UniqueField, key: str) -> User | None:
        key = lookup_key(name, key)
        return self._one(self._by[name], key) if key else None

    def _one(self, statement: Any, key: str) -> User | None:
        with self.db.connection() as conn:
            row = conn.execute(statement, [key]).fetchone()
        return User.model_validate_json(row[0]) if row is not None else None

    # -- writing ------------------------------------------------------------------------

    def add(self, user: User) -> User:
        stored = user.model_copy(update={"version": 1})
        row = _row(stored)
        with self.db.connection() as conn:
            for _ in range(_ATTEMPTS):
                if conn.execute(self._add, row).rowcount == 1:
                    return stored
                taken = self._taken(conn, row, check_id=True)
                if taken is not None:
                    raise taken
        raise RuntimeError(f"user {user.id}: refused {_ATTEMPTS} times by a key that nobody has")

    def update(self, user: User) -> User:
        if not is_id(user.id):
            raise UserNotFound(user.id)
        after = user.model_copy(update={"version": user.version + 1})
        row = _row(after)
        with self.db.connection() as conn:
            try:
                self._table.update(conn, row, user.version)
            except psycopg.errors.UniqueViolation as error:
                taken = self._taken(conn, row, check_id=False)
                if taken is None:  # the other account changed since: name the key PostgreSQL named
                    name = _CONSTRAINTS.get(error.diag.constraint_name or "")
                    if name is None:
                        raise
                    taken = DuplicateUser(name, row[name])
                raise taken from error
        return after

    def _taken(self, conn: psycopg.Connection[Any], row: dict[str, Any], *, check_id: bool) -> DuplicateUser | None:
        """The error for the first of the id (when ``check_id``) and the unique keys that
        another stored account has; None when none is (any more)."""
        id_taken, *keys_taken = conn.execute(self._taken_sql, row).fetchone()
        if check_id and id_taken:
            return DuplicateUser("id", row["id"])
        for name, taken in zip(UNIQUE, keys_taken):
            if taken:
                return DuplicateUser(name, row[name])
        return None


def _row(user: User) -> dict[str, Any]:
    if not is_id(user.id):
        raise ValueError(f"not a user id (16 lower-case hex digits): {user.id!r}")
    return {
        "id": user.id,
        "version": user.version,
        # Empty keys are NULL: the TinyDB store indexes no empty key either.
        "username": user.username or None,
        "email": user.email or None,
        "id_number": user.id_number or None,
        "role": str(user.role),
        "doc": user.model_dump_json(),
    }
