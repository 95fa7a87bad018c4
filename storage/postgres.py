"""PostgreSQL storage: a pool of connections to one database, the schema the portal's tables
live in, their migrations, and the table of documents both PostgreSQL stores are made of.

For deployments that outgrow one machine (``DVC_DATABASE_URL``); TinyDB stays the embedded
default. The dossier store (storage.postgres_store) and the user store
(storage.postgres_users) each keep one table: the whole model as JSONB in ``doc`` (what
``get`` returns, read back through the model) beside ``id``, ``version`` and the columns
their lookups, constraints and queries need, copied from the model on every write.

A database is named by a libpq URL with one more, optional, query parameter: ``schema``,
the PostgreSQL schema of the tables (default ``public``), so that tests and several
portals can share one database::

    postgresql://dichvucong:secret@db.example/dichvucong?schema=vithanh

Tables are made when a store opens: each store lists its migrations (a tuple of SQL
statements per version) and the ``schema_version`` table keeps, per store, how many have
been applied; opening applies the missing ones, one process at a time (an advisory lock).
A change of the tables later is one more migration, never an edit of an applied one.
When the tables are up to date, opening runs no DDL, so the portal's role then needs
only SELECT, INSERT, UPDATE and DELETE on them.

Every statement is parameterised; names (the schema, tables, columns) are composed
with ``psycopg.sql.Identifier``. Connections are in autocommit mode: each operation is
one statement (a bulk add is one transaction).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from engine.clock import in_vietnam
from engine.repository import ConflictError

SCHEMA_PARAMETER = "schema"  # the URL's query parameter naming the PostgreSQL schema
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # a plain identifier: no quoting in psql
_ID = re.compile(r"[0-9a-f]{16}")  # engine.dossier.new_id()

_VERSIONS_TABLE = """
    CREATE TABLE IF NOT EXISTS {schema}.schema_version (
        component text PRIMARY KEY,
        version integer NOT NULL,
        migrated_at timestamptz NOT NULL DEFAULT now()
    )"""


def split_schema(url: str) -> tuple[str, str | None]:
    """The libpq connection string without our ``schema`` parameter, and its value.

    Only URLs (``postgresql://…``) carry it; a ``key=value`` connection string is
    returned as it is."""
    if "://" not in url:
        return url, None
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == SCHEMA_PARAMETER]
    if len(schemas) > 1:
        raise ValueError("the database URL names more than one schema")
    rest = urlencode([(key, value) for key, value in query if key != SCHEMA_PARAMETER])
    return urlunsplit(parts._replace(query=rest)), (schemas[0] if schemas else None)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment for a timestamptz column: a time without an offset is Vietnam time, as the
    TinyDB store reads it (storage.shards.instant)."""
    return None if moment is None else in_vietnam(moment)


def is_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


class Database:
    """A pool of connections to one database, and the schema the stores' tables live in.

    ``schema`` overrides the URL's. The server is reached once here, so that a wrong URL
    or a stopped server is an error at start-up (psycopg.OperationalError, with libpq's
    reason) rather than at the first request. Open it in each process that uses it: a
    pool's connections cannot be shared across a fork (gunicorn: no ``--preload``)."""

    def __init__(
        self, url: str, *, schema: str | None = None, min_size: int = 1, max_size: int = 10, timeout: float = 30.0
    ) -> None:
        conninfo, url_schema = split_schema(url)
        self.schema = schema or url_schema or "public"
        if not _SCHEMA_NAME.fullmatch(self.schema):
            raise ValueError(f"not a PostgreSQL schema name (a-z, 0-9, _; 63 at most): {self.schema!r}")
        psycopg.connect(conninfo).close()  # libpq's own message when the server cannot be reached
        self.conninfo = conninfo  # for a connection of its own outside the pool (storage.catalog_watch)
        self.closing: list[Callable[[], None]] = []  # called by close(), before the pool closes
        self._pid = os.getpid()
        self._pool = ConnectionPool(
            conninfo, min_size=min_size, max_size=max_size, timeout=timeout, open=True,
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,  # a server restart costs no failed request
            name=f"dichvucong-{self.schema}",
        )

    def sql(self, template: str, **names: str) -> sql.Composed:
        """``template`` with ``{schema}`` and each of ``names`` as quoted identifiers."""
        return sql.SQL(template).format(
            schema=sql.Identifier(self.schema), **{key: sql.Identifier(value) for key, value in names.items()}
        )

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        if os.getpid() != self._pid:
            raise RuntimeError(
                f"this database pool was opened in process {self._pid}: open one in each process (after any fork)"
            )
        with self._pool.connection() as conn:
            yield conn

    def migrate(self, component: str, migrations: Sequence[Sequence[str]]) -> None:
        """Bring ``component``'s tables to ``len(migrations)``: apply, in one transaction,
        the migrations (each a sequence of statements, templates for ``sql``) not applied yet."""
        with self.connection() as conn:
            if self._version(conn, component) == len(migrations):
                return  # the usual case: no DDL, no lock
            with conn.transaction():
                # One process at a time per schema: workers starting together, or tests.
                conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"dichvucong:{self.schema}"])
                exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [self.schema]).fetchone()
                if not exists:
                    conn.execute(self.sql("CREATE SCHEMA {schema}"))
                conn.execute(self.sql(_VERSIONS_TABLE))
                current = self._version(conn, component)
                if current > len(migrations):
                    raise RuntimeError(
                        f"the {component} tables of schema {self.schema!r} are at version {current}, newer than"
                        f" this code's {len(migrations)}: upgrade the portal"
                    )
                for migration in migrations[current:]:
                    for statement in migration:
                        conn.execute(self.sql(statement))
                conn.execute(
                    self.sql(
                        "INSERT INTO {schema}.schema_version (component, version) VALUES (%s, %s)"
                        " ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, migrated_at = now()"
                    ),
                    [component, len(migrations)],
                )

    def _version(self, conn: psycopg.Connection[Any], component: str) -> int:
        if not conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_version'", [self.schema]
        ).fetchone():
            return 0
        row = conn.execute(
            self.sql("SELECT version FROM {schema}.schema_version WHERE component = %s"), [component]
        ).fetchone()
        return row[0] if row else 0

    def close(self) -> None:
        for stop in self.closing:
            stop()
        self._pool.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class DocumentTable:
    """One table of documents: ``id`` (text), ``version`` (the optimistic-concurrency
    token), the named ``columns`` and ``doc`` (JSONB), written from a mapping of them all.

    ``not_found`` is the error for a missing document; ``noun`` names it in errors."""

    def __init__(
        self, db: Database, name: str, columns: Sequence[str], not_found: type[Exception], noun: str
    ) -> None:
        self.db = db
        self.name = name
        self.not_found = not_found
        self.noun = noun
        table = sql.Identifier(db.schema, name)
        names = ["id", "version", *columns, "doc"]
        values = [sql.Placeholder(c) if c != "doc" else sql.SQL("{}::jsonb").format(sql.Placeholder(c)) for c in names]
        self.columns = tuple(names)
        self.insert = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            table, sql.SQL(", ").join(map(sql.Identifier, names)), sql.SQL(", ").join(values)
        )
        self.copy = sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(", ").join(map(sql.Identifier, names)))
        assignments = [sql.SQL("{} = {}").format(sql.Identifier(n), v) for n, v in zip(names[1:], values[1:])]
        self.update_sql = sql.SQL("UPDATE {} SET {} WHERE id = %(id)s AND version = %(expected)s").format(
            table, sql.SQL(", ").join(assignments)
        )
        self.delete_sql = sql.SQL("DELETE FROM {} WHERE id = %s AND version = %s").format(table)
        self.version_sql = sql.SQL("SELECT version FROM {} WHERE id = %s").format(table)
        self.count_sql = sql.SQL("SELECT count(*) FROM {}").format(table)

    def sql(self, template: str, **parts: sql.Composable) -> sql.Composed:
        """``template`` with ``{table}``, this table's quoted (schema-qualified) name, and ``parts``."""
        return sql.SQL(template).format(table=sql.Identifier(self.db.schema, self.name), **parts)

    def update(self, conn: psycopg.Connection[Any], row: Mapping[str, Any], expected: int) -> None:
        """Write ``row`` over the document if it is still at version ``expected``."""
        if conn.execute(self.update_sql, {**row, "expected": expected}).rowcount != 1:
            self._missed(conn, row["id"], expected)

    def delete(self, doc_id: str, version: int) -> None:
        if not is_id(doc_id):
            raise self.not_found(doc_id)
        with self.db.connection() as conn:
            if conn.execute(self.delete_sql, [doc_id, version]).rowcount != 1:
                self._missed(conn, doc_id, version)

    def _missed(self, conn: psycopg.Connection[Any], doc_id: str, expected: int) -> None:
        """Why an update or delete at version ``expected`` changed no row."""
        row = conn.execute(self.version_sql, [doc_id]).fetchone()
        if row is None:
            raise self.not_found(doc_id)
        raise ConflictError(f"{self.noun} {doc_id} is at version {row[0]}, not {expected}")

    def count(self) -> int:
        with self.db.connection() as conn:
            return conn.execute(self.count_sql).fetchone()[0]
