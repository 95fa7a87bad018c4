"""PostgreSQL for the storage tests: a server that must be running, and an empty schema per test.

The server is ``$DVC_TEST_DATABASE_URL``, else postgresql://127.0.0.1:5432/test (trust
authentication on this machine and in CI). When it cannot be reached the PostgreSQL
tests fail, saying how to start it: they never skip, so that a green run means the
backend was tested. Each test gets a schema of its own (``dvc_test_`` and random
digits), dropped afterwards, so tests can run in parallel (pytest-xdist) in one database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from storage.postgres import Database

POSTGRES_URL = os.environ.get("DVC_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
START_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def require_postgres() -> None:
    """Fail (never skip) the calling test when the test database cannot be reached."""
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=5).close()
        return
    except psycopg.OperationalError as error:
        reason = str(error).strip()
    pytest.fail(
        f"PostgreSQL is not reachable at {POSTGRES_URL}: {reason}\n"
        f"Start it with:  {START_HINT}\n"
        "(the database must exist: `createdb test` as a PostgreSQL superuser; or point"
        " DVC_TEST_DATABASE_URL elsewhere)",
        pytrace=False,
    )


@contextmanager
def fresh_schema() -> Iterator[str]:
    """The name of a new, unique schema (not created: opening a store creates it), dropped
    with everything in it afterwards."""
    require_postgres()
    name = f"dvc_test_{secrets.token_hex(6)}"
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def pg_schema() -> Iterator[str]:
    with fresh_schema() as name:
        yield name


@pytest.fixture
def pg_database(pg_schema) -> Iterator[Database]:
    """A Database on a fresh schema; the dossier and user stores open their tables in it."""
    with Database(POSTGRES_URL, schema=pg_schema, max_size=4) as db:
        yield db
