"""Kept form posts (engine.rescue) in PostgreSQL: one table every node shares, so a post kept
by one node is given back by whichever node the citizen signs in on.

A take is one ``DELETE … RETURNING`` naming the token, the owner, the form and the oldest
moment still valid: of two takes at once, on any nodes, one deletes the row and gets the
fields, the other deletes nothing. A take naming another owner or form deletes nothing.
A keep drops the expired and the oldest beyond ``MAX_KEPT`` in the transaction that
inserts, under a transaction-scoped advisory lock, so that keeps at once on several nodes
are counted one after the other.

Posts kept in the instance folder by a node before it used PostgreSQL (storage.rescue) are
not moved here: they are short-lived, and are simply treated as expired.
"""

from __future__ import annotations

import datetime as dt

from psycopg.types.json import Jsonb

from engine import rescue as rules
from engine.rescue import Fields
from storage.postgres import Database, aware

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.rescued_forms (
            token text COLLATE "C" PRIMARY KEY,
            owner text COLLATE "C" NOT NULL,
            form text NOT NULL,
            fields jsonb NOT NULL,
            kept_at timestamptz NOT NULL
        )""",
        "CREATE INDEX rescued_forms_kept_at ON {schema}.rescued_forms (kept_at)",
    ),
)


class PostgresRescuedForms:
    def __init__(self, db: Database) -> None:
        db.migrate("rescued_forms", MIGRATIONS)
        self.db = db
        self._lock = db.sql("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))")
        self._lock_name = f"dichvucong:{db.schema}:rescued_forms"
        self._expire = db.sql("DELETE FROM {schema}.rescued_forms WHERE kept_at <= %s")
        self._bound = db.sql("DELETE FROM {schema}.rescued_forms WHERE token IN"
                             " (SELECT token FROM {schema}.rescued_forms ORDER BY kept_at DESC, token DESC OFFSET %s)")
        self._add = db.sql("INSERT INTO {schema}.rescued_forms (token, owner, form, fields, kept_at)"
                           " VALUES (%s, %s, %s, %s, %s)")
        self._take = db.sql("DELETE FROM {schema}.rescued_forms"
                            " WHERE token = %s AND owner = %s AND form = %s AND kept_at > %s RETURNING fields")

    def keep(self, token: str, owner_id: str, form_key: str, fields: Fields, now: dt.datetime) -> None:
        if not rules.is_token(token) or not rules.keepable(fields):
            raise ValueError("not a token, or fields that cannot be kept")
        oldest = aware(now) - dt.timedelta(seconds=rules.KEEP_SECONDS)
        with self.db.connection() as conn, conn.transaction():
            conn.execute(self._lock, [self._lock_name])
            conn.execute(self._expire, [oldest])
            conn.execute(self._bound, [max(rules.MAX_KEPT - 1, 0)])
            conn.execute(self._add, [token, owner_id, form_key, Jsonb([[k, v] for k, v in fields]), aware(now)])

    def take(self, token: str, owner_id: str, form_key: str, now: dt.datetime) -> Fields | None:
        if not rules.is_token(token):
            return None
        oldest = aware(now) - dt.timedelta(seconds=rules.KEEP_SECONDS)
        with self.db.connection() as conn:
            row = conn.execute(self._take, [token, owner_id, form_key, oldest]).fetchone()
        return None if row is None else [(str(k), str(v)) for k, v in row[0]]
