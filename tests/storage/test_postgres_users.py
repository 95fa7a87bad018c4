"""The PostgreSQL user store: the conformance suite, then what the database must enforce
(unique keys across processes, the order in which taken keys are reported).

Needs the PostgreSQL of tests/storage/conftest.py: each test has a schema of its own."""

from __future__ import annotations

import multiprocessing
import os

import psycopg
import pytest
from psycopg import sql

from engine.accounts import DuplicateUser
from storage.postgres import Database
from storage.postgres_users import PostgresUserStore
from tests.storage.conftest import POSTGRES_URL
from tests.storage.users_conformance import *  # noqa: F403
from tests.storage.users_conformance import make_user

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters: nothing shared but the database


@pytest.fixture
def users(pg_database):
    return PostgresUserStore(pg_database)


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        (("username", "email", "id_number"), "username"),
        (("email", "id_number"), "email"),
        (("id_number",), "id_number"),
    ],
)
def test_several_taken_keys_name_the_first_as_the_tinydb_store_does(users, taken, expected):
    new = make_user()
    for field in taken:  # each key held by a different account
        users.add(make_user(**{field: getattr(new, field)}))
    with pytest.raises(DuplicateUser) as refused:
        users.add(new)
    assert refused.value.field == expected
    mine = users.add(make_user())
    with pytest.raises(DuplicateUser) as refused:
        users.update(mine.model_copy(update={field: getattr(new, field) for field in taken}))
    assert refused.value.field == expected
    assert users.get(mine.id) == mine


def test_a_stored_id_is_reported_before_taken_keys(users):
    first = users.add(make_user())
    with pytest.raises(DuplicateUser) as refused:
        users.add(make_user(id=first.id, username=first.username))
    assert refused.value.field == "id"


def test_a_stale_update_is_a_conflict_even_when_it_would_take_a_key(users):
    from engine.repository import ConflictError

    other = users.add(make_user())
    mine = users.add(make_user())
    users.update(mine)
    with pytest.raises(ConflictError):
        users.update(mine.model_copy(update={"email": other.email}))


def test_the_database_itself_refuses_a_taken_key(users, pg_database):
    users.add(make_user(email="mot@example.com"))
    with psycopg.connect(POSTGRES_URL) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            sql.SQL("INSERT INTO {}.users (id, version, username, email, role, doc) VALUES (%s, 1, %s, %s, %s, '{{}}')")
            .format(sql.Identifier(pg_database.schema)),
            ["00000000000000ff", "khac", "mot@example.com", "citizen"],
        )


def test_malformed_ids(users):
    assert users.get("../../etc/passwd") is None
    with pytest.raises(ValueError):
        users.add(make_user(id="0123456789ABCDEF"))
    assert users.count() == 0


# -- several processes ------------------------------------------------------------------


def _register(schema: str, prefix: str, count: int, start, results) -> None:
    with Database(POSTGRES_URL, schema=schema, max_size=1) as db:
        store = PostgresUserStore(db)
        start.wait()
        added = []
        for i in range(count):
            try:
                # e-mails unique per process: each process's make_user counts from the same number
                store.add(make_user(username=f"{prefix}{i:03d}", email=f"{prefix}{i}.{os.getpid()}@example.com",
                                    id_number=None))
                added.append(i)
            except DuplicateUser as refused:
                assert refused.field == "username"
    results.put((prefix, added))


def _run(schema: str, jobs: list[tuple[str, int]]) -> list[tuple[str, list[int]]]:
    start, results = SPAWN.Barrier(len(jobs)), SPAWN.Queue()
    procs = [SPAWN.Process(target=_register, args=(schema, prefix, n, start, results)) for prefix, n in jobs]
    for p in procs:
        p.start()
    outcome = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return outcome


@pytest.mark.slow
def test_two_processes_registering_at_once_lose_nothing(users, pg_schema):
    _run(pg_schema, [("mot", 30), ("hai", 30)])
    assert users.count() == 60
    for prefix in ("mot", "hai"):
        for i in range(30):
            assert users.get_by_username(f"{prefix}{i:03d}") is not None


@pytest.mark.slow
def test_two_processes_taking_the_same_usernames_get_each_once(users, pg_schema):
    outcome = _run(pg_schema, [("trung", 20), ("trung", 20)])
    assert sorted(u.username for u in users.list()) == [f"trung{i:03d}" for i in range(20)]
    won = [i for _prefix, added in outcome for i in added]
    assert sorted(won) == list(range(20))  # every username went to exactly one process
