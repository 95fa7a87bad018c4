"""The PostgreSQL dossier store: the conformance suite, then what this backend must get
right on its own (several processes and threads at once, unique receipt numbers kept by
the database, its tables and their migrations, the same answers as the TinyDB store).

Needs the PostgreSQL of tests/storage/conftest.py: each test has a schema of its own."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import threading
import time

import psycopg
import pytest

from engine.dossier import Dossier, Status
from engine.repository import ConflictError, DuplicateDossier
from storage import postgres_store
from storage.postgres import Database
from storage.postgres_store import DuplicateReceipt, PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.storage.conformance import *  # noqa: F403
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.storage.factories import SERVICES, VN, assert_mixed_writes_kept, make_dossier, mixed_writes

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters: nothing shared but the database
UTC = dt.timezone.utc


@pytest.fixture
def repo(pg_database):
    return PostgresStore(pg_database)


def _rows(db: Database, statement: str, *params):
    with psycopg.connect(POSTGRES_URL) as conn:
        return conn.execute(db.sql(statement), params).fetchall()


# -- adding many --------------------------------------------------------------------------


def test_bulk_add_stores_everything_once(repo):
    dossiers = [make_dossier() for _ in range(50)]
    stored = repo.bulk_add(dossiers)
    assert [d.version for d in stored] == [1] * 50
    assert all(repo.get(d.id) == d for d in stored)
    assert repo.count() == 50


@pytest.mark.parametrize("clash", ["id within the batch", "id of a stored dossier", "receipt number"])
def test_bulk_add_with_a_clash_writes_nothing(repo, clash):
    existing = repo.add(make_dossier(status=Status.PROCESSING))
    batch = [make_dossier(status=Status.PROCESSING) for _ in range(10)]
    if clash == "receipt number":
        batch.append(make_dossier(receipt_number=existing.receipt_number))
    else:
        batch.append(make_dossier(id=batch[0].id if clash == "id within the batch" else existing.id))
    with pytest.raises(DuplicateReceipt if clash == "receipt number" else DuplicateDossier):
        repo.bulk_add(batch)
    assert repo.count() == 1


# -- receipt numbers are unique: the database says so -------------------------------------


def test_a_taken_receipt_number_is_refused(repo):
    first = repo.add(make_dossier(status=Status.PROCESSING))
    with pytest.raises(DuplicateReceipt):
        repo.add(make_dossier(receipt_number=first.receipt_number))
    other = repo.add(make_dossier(status=Status.SUBMITTED, receipt_number=None))
    with pytest.raises(DuplicateReceipt) as refused:
        repo.update(other.model_copy(update={"receipt_number": first.receipt_number}))
    assert isinstance(refused.value, DuplicateDossier)  # callers catching the engine's error catch it
    assert repo.get(other.id) == other and repo.find_by_receipt(first.receipt_number) == first
    assert repo.count() == 2


def test_dossiers_without_a_receipt_number_do_not_collide(repo):
    repo.bulk_add(make_dossier(status=Status.DRAFT, receipt_number=None) for _ in range(5))
    repo.add(make_dossier(status=Status.DRAFT, receipt_number=""))  # no receipt number either
    repo.add(make_dossier(status=Status.DRAFT, receipt_number=""))
    assert repo.count() == 7


def test_the_database_itself_refuses_a_taken_receipt_number(repo, pg_database):
    first = repo.add(make_dossier(status=Status.PROCESSING))
    with psycopg.connect(POSTGRES_URL) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            pg_database.sql(
                "INSERT INTO {schema}.dossiers (id, version, owner, receipt_number, agency, status, service,"
                " created_at, doc) VALUES (%s, 1, %s, %s, %s, %s, %s, now(), '{{}}')"
            ),
            ["00000000000000ff", "citizen-1", first.receipt_number, "UBND-Q1", "processing", "dang-ky-khai-sinh"],
        )


# -- concurrency ------------------------------------------------------------------------


def test_an_update_waiting_on_a_concurrent_one_is_a_conflict(repo, pg_database):
    """Another transaction updates the row first and holds it; ours waits for the row,
    then finds the version gone: a ConflictError, not a DossierNotFound nor a lost update."""
    stored = repo.add(make_dossier(status=Status.SUBMITTED))
    outcome: dict[str, object] = {}

    def save() -> None:
        try:
            outcome["saved"] = repo.update(stored.model_copy(update={"status": Status.REJECTED}))
        except Exception as error:  # noqa: BLE001 - the test looks at which
            outcome["error"] = error

    with psycopg.connect(POSTGRES_URL) as other:  # a transaction, open until commit
        winner = stored.model_copy(update={"status": Status.PROCESSING, "version": 2})
        other.execute(
            pg_database.sql("UPDATE {schema}.dossiers SET version = 2, status = %s, doc = %s::jsonb WHERE id = %s"),
            ["processing", winner.model_dump_json(), stored.id],
        )
        waiter = threading.Thread(target=save)
        waiter.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(pg_database.schema) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waiter.is_alive() and not outcome, "the update should wait for the row"
        other.commit()
    waiter.join(timeout=10)
    assert isinstance(outcome.get("error"), ConflictError)
    assert repo.get(stored.id) == winner


def _waiting_for_a_lock(schema: str) -> bool:
    with psycopg.connect(POSTGRES_URL) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position(%s IN query) > 0",
            [schema],
        ).fetchone()[0] > 0


def test_threads_saving_the_same_version_at_once_have_one_winner(pg_schema):
    with Database(POSTGRES_URL, schema=pg_schema, max_size=8) as db:
        repo = PostgresStore(db)
        stored = repo.add(make_dossier(data={"counter": 0}))
        start, results = threading.Barrier(8), []

        def save(n: int) -> None:
            start.wait()
            try:
                results.append(repo.update(stored.model_copy(update={"data": {"counter": n}})))
            except ConflictError as error:
                results.append(error)

        threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        saved = [r for r in results if isinstance(r, Dossier)]
        assert len(saved) == 1 and sum(isinstance(r, ConflictError) for r in results) == 7
        assert repo.get(stored.id) == saved[0] and saved[0].version == 2


def _mixed_writer(schema: str, shared_id: str, seed: int, rounds: int) -> dict[str, dict]:
    with Database(POSTGRES_URL, schema=schema, max_size=1) as db:
        return mixed_writes(PostgresStore(db), shared_id, seed, rounds, receipts=10**9)


@pytest.mark.slow
def test_concurrent_processes_lose_nothing(repo, pg_schema):
    shared = repo.add(make_dossier(data={"counter": 0}))
    workers, rounds = 3, 40
    with SPAWN.Pool(workers) as pool:
        reports = pool.starmap(_mixed_writer, [(pg_schema, shared.id, seed, rounds) for seed in range(workers)])
    assert_mixed_writes_kept(repo, reports, shared.id, workers, rounds)
    _assert_totals_counted(repo)  # the counters the writers shared lost no change


def _assert_totals_counted(repo) -> None:
    """query_page's totals (dossier_counts) are the dossiers there are, for every filter."""
    everything = repo.query()
    groups = {(d.agency, d.status, d.service) for d in everything}
    assert repo.query_page(limit=0).total == len(everything)
    for agency, status, service in groups:
        for filters in ({"agencies": [agency]}, {"agencies": [agency], "statuses": [status]},
                        {"agencies": [agency], "statuses": [status], "service": service}):
            assert repo.query_page(**filters, limit=0).total == len(repo.query(**filters)), filters
    for day in {d.submitted_at.date() for d in everything if d.submitted_at}:
        filters = {"submitted_from": day, "submitted_to": day}
        assert repo.query_page(**filters, limit=0).total == len(repo.query(**filters)), filters


def test_inbox_totals_follow_every_write(repo):
    rng = random.Random(7)
    repo.bulk_add(make_dossier(rng) for _ in range(30))
    added = [repo.add(make_dossier(rng)) for _ in range(10)]
    _assert_totals_counted(repo)
    moved = added[0].model_copy(update={"status": Status.DONE, "agency": "SXD-HCM", "service": "khac"})
    repo.update(moved)
    later = added[1].submitted_at or dt.datetime(2025, 6, 1, 9, 0, tzinfo=VN)
    repo.update(added[1].model_copy(update={"submitted_at": later + dt.timedelta(days=3)}))
    repo.update(added[2].model_copy(update={"applicant_name": "Lê Thu Hà"}))  # no counted field
    repo.delete(added[3].id, added[3].version)
    with pytest.raises(ConflictError):
        repo.update(added[0].model_copy(update={"status": Status.REJECTED}))  # stale: nothing changes
    with pytest.raises(DuplicateDossier):
        repo.bulk_add([make_dossier(rng), added[4]])  # all or nothing, counts included
    _assert_totals_counted(repo)
    assert repo.query_page(agencies=["SXD-HCM"], statuses=[Status.DONE], service="khac", limit=5).total == 1


def test_migrating_a_filled_table_counts_its_dossiers(pg_database, monkeypatch):
    rng = random.Random(8)
    monkeypatch.setattr(postgres_store, "MIGRATIONS", postgres_store.MIGRATIONS[:1])
    PostgresStore(pg_database).bulk_add(make_dossier(rng) for _ in range(40))
    monkeypatch.undo()
    _assert_totals_counted(PostgresStore(pg_database))


def _take_receipts(schema: str, ids: list[str], numbers: list[str], start) -> list[str]:
    """Gives its dossiers the receipt numbers ``numbers``, one each; the numbers it got."""
    with Database(POSTGRES_URL, schema=schema, max_size=1) as db:
        store = PostgresStore(db)
        start.wait()
        won = []
        for dossier_id, number in zip(ids, numbers):
            try:
                store.update(store.get(dossier_id).model_copy(update={"receipt_number": number}))
                won.append(number)
            except DuplicateReceipt:
                pass
    return won


@pytest.mark.slow
def test_processes_racing_for_the_same_receipt_numbers_get_each_once(repo, pg_schema):
    numbers = [f"2506-RACE-0000-{i:04d}" for i in range(20)]
    groups = [[repo.add(make_dossier(status=Status.SUBMITTED, receipt_number=None)).id for _ in numbers]
              for _ in range(2)]
    with SPAWN.Manager() as manager:
        start = manager.Barrier(2)
        with SPAWN.Pool(2) as pool:
            won = pool.starmap(_take_receipts, [(pg_schema, ids, numbers, start) for ids in groups])
    assert sorted(won[0] + won[1]) == numbers  # every number went to exactly one dossier
    for number in numbers:
        assert repo.find_by_receipt(number).receipt_number == number


# -- the same answers as the TinyDB store ---------------------------------------------------


def _odd_dossiers(rng: random.Random, count: int) -> list[Dossier]:
    """Dossiers whose times sit near midnight in several offsets (and some submitted_at
    without one), so that the day the date filters compare and the instant the orders
    compare differ; few owners, ID numbers and dates, so that lookups and sorts tie."""
    offsets = [VN, UTC, dt.timezone(dt.timedelta(hours=-5)), dt.timezone(dt.timedelta(hours=9, minutes=30))]
    base = dt.datetime(2025, 6, 10, 0, 0, tzinfo=VN)
    dossiers = []
    for _ in range(count):
        moment = base + dt.timedelta(hours=rng.choice([-20, -1, -0.5, 0, 0.25, 7, 23.5, 24, 31]))
        submitted: dt.datetime | None = moment.astimezone(rng.choice(offsets))
        if rng.random() < 0.15:
            submitted = submitted.replace(tzinfo=None)  # no offset: read as Vietnam time
        status = rng.choice(list(Status))
        if status in (Status.DRAFT, Status.CONFIRMED) and rng.random() < 0.7:
            submitted = None
        created = (moment - dt.timedelta(days=rng.choice([1, 2]))).astimezone(rng.choice(offsets))
        dossiers.append(make_dossier(
            rng, status=status, service=rng.choice(list(SERVICES)), owner=f"citizen-{rng.randrange(4)}",
            applicant_id_number=rng.choice([None, "079000000001", "079000000002"]),
            created_at=created, submitted_at=submitted,
            appointment_date=rng.choice([None, dt.date(2025, 6, 17), dt.date(2025, 6, 20)]),
        ))
    return dossiers


def test_answers_as_the_tinydb_store_does(repo, tmp_path):
    rng = random.Random(20250610)
    dossiers = _odd_dossiers(rng, 120)
    tiny = TinyDBStore(tmp_path / "store", shards=4)
    tiny.bulk_add(dossiers)
    repo.bulk_add(dossiers)

    def ids(found) -> list[str]:
        return [d.id for d in found]

    for owner in {d.owner for d in dossiers}:
        assert ids(repo.list_by_owner(owner)) == ids(tiny.list_by_owner(owner))
        assert ids(repo.list_by_owner(owner, [Status.SUBMITTED, Status.DONE])) == ids(
            tiny.list_by_owner(owner, [Status.SUBMITTED, Status.DONE])
        )
    for number in ("079000000001", "079000000002"):
        assert ids(repo.list_by_id_number(number)) == ids(tiny.list_by_id_number(number))
    for d in dossiers:
        if d.receipt_number:
            assert repo.find_by_receipt(d.receipt_number) == tiny.find_by_receipt(d.receipt_number)
    days = [dt.date(2025, 6, 9), dt.date(2025, 6, 10), dt.date(2025, 6, 11)]
    agencies = sorted(set(SERVICES.values()))
    for _ in range(150):
        filters = {}
        if rng.random() < 0.4:
            filters["agencies"] = rng.sample(agencies, rng.randrange(0, 3))
        if rng.random() < 0.4:
            filters["statuses"] = rng.sample(list(Status), rng.randrange(0, 4))
        if rng.random() < 0.2:
            filters["service"] = rng.choice(list(SERVICES))
        if rng.random() < 0.4:
            filters["submitted_from"] = rng.choice(days)
        if rng.random() < 0.4:
            filters["submitted_to"] = rng.choice(days)
        assert ids(repo.query(**filters)) == ids(tiny.query(**filters)), filters
        page = {"order": rng.choice(["submitted", "appointment"]), "offset": rng.randrange(0, 60),
                "limit": rng.randrange(0, 30)}
        mine, theirs = repo.query_page(**filters, **page), tiny.query_page(**filters, **page)
        assert (mine.total, ids(mine.items)) == (theirs.total, ids(theirs.items)), (filters, page)


# -- tables, schemas, migrations ------------------------------------------------------------


def test_the_tables_record_their_schema_version(repo, pg_database):
    assert _rows(pg_database, "SELECT component, version FROM {schema}.schema_version") == [("dossiers", 3)]
    indexes = {name for (name,) in _rows(
        pg_database, "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND tablename = 'dossiers'",
        pg_database.schema,
    )}
    assert indexes == {
        "dossiers_pkey", "dossiers_receipt_number_key", "dossiers_owner", "dossiers_applicant",
        "dossiers_inbox_by_appointment", "dossiers_inbox_by_day", "dossiers_service", "dossiers_submitted_day",
    }


def test_reopening_keeps_everything(repo, pg_database):
    stored = repo.add(make_dossier(status=Status.PROCESSING))
    assert PostgresStore(pg_database).find_by_receipt(stored.receipt_number) == stored


def test_a_new_migration_is_applied_once_when_the_store_opens(repo, pg_database, monkeypatch):
    stored = repo.add(make_dossier())
    later = ("CREATE INDEX dossiers_applicant_name ON {schema}.dossiers ((doc->>'applicant_name'))",)
    monkeypatch.setattr(postgres_store, "MIGRATIONS", (*postgres_store.MIGRATIONS, later))
    assert PostgresStore(pg_database).get(stored.id) == stored
    PostgresStore(pg_database)  # already at version 4: nothing to do (the index exists)
    assert _rows(pg_database, "SELECT version FROM {schema}.schema_version WHERE component = 'dossiers'") == [(4,)]


def test_tables_newer_than_the_code_are_refused(repo, pg_database):
    with psycopg.connect(POSTGRES_URL) as conn:
        conn.execute(pg_database.sql("UPDATE {schema}.schema_version SET version = 9"))
    with pytest.raises(RuntimeError, match="newer"):
        PostgresStore(pg_database)


def test_stores_opening_a_new_schema_at_once_create_it_once(pg_schema):
    errors, opened = [], []

    def open_store() -> None:
        try:
            with Database(POSTGRES_URL, schema=pg_schema, max_size=1) as db:
                opened.append(PostgresStore(db).count())
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and opened == [0, 0, 0, 0]


def test_schemas_keep_portals_apart(repo, pg_database):
    stored = repo.add(make_dossier(status=Status.PROCESSING))
    with fresh_schema() as other_schema, Database(f"{POSTGRES_URL}?schema={other_schema}") as other:
        assert other.schema == other_schema
        other_repo = PostgresStore(other)
        assert other_repo.get(stored.id) is None and other_repo.count() == 0
        other_repo.add(stored)  # the same id: another portal's
        assert repo.count() == 1


def test_the_url_names_the_schema_and_keeps_its_other_parameters(pg_schema):
    with Database(f"{POSTGRES_URL}?application_name=dvc-test&schema={pg_schema}") as db:
        with db.connection() as conn:
            assert conn.execute("SHOW application_name").fetchone() == ("dvc-test",)
        assert db.schema == pg_schema
    with pytest.raises(ValueError, match="schema name"):
        Database(f"{POSTGRES_URL}?schema=Portal;DROP")


def test_a_server_that_cannot_be_reached_is_an_error_at_once():
    start = time.monotonic()
    with pytest.raises(psycopg.OperationalError):
        Database("postgresql://127.0.0.1:1/test")  # nothing listens on port 1
    assert time.monotonic() - start < 5



# -- the processing log's insert-only table (engine.log_chain) -----------------------------------

def _logged_dossier(household):
    import copy

    from engine import lifecycle
    from engine.dossier import Actor, Role

    citizen = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
    now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN)
    dossier = lifecycle.create(household, citizen, copy.deepcopy(household.sample), [], now)
    return dossier, citizen, now


def test_the_log_table_keeps_every_sealed_entry_and_refuses_changes(repo, pg_database, household):
    from engine import lifecycle, log_chain
    from operations import log_audit

    dossier, citizen, now = _logged_dossier(household)
    stored = repo.add(dossier)
    stored = repo.update(lifecycle.confirm(stored, citizen, now + dt.timedelta(hours=1)))
    rows = _rows(pg_database, "SELECT position, hash FROM {schema}.dossier_log WHERE dossier_id = %s ORDER BY 1",
                 stored.id)
    assert rows == [(0, stored.log[0].hash), (1, stored.log[1].hash)]
    assert repo.log_anchor(stored.id) == stored.log[-1].hash and log_audit.check(repo, stored) == []

    for statement in ("UPDATE {schema}.dossier_log SET hash = 'x'", "DELETE FROM {schema}.dossier_log",
                      "TRUNCATE {schema}.dossier_log"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="accepts inserts only"):
            _rows(pg_database, statement)

    # The last entry taken out of the dossier's own document: the chain alone cannot tell
    # (but the data no longer matches), the table can.
    with psycopg.connect(POSTGRES_URL) as conn:
        conn.execute(pg_database.sql("UPDATE {schema}.dossiers SET doc = doc #- '{{log,-1}}'"))
    cut = repo.get(stored.id)
    assert len(cut.log) == 1
    assert [f.kind for f in log_audit.check(repo, cut)] == ["data", "anchor"]
    assert [f.kind for f in log_chain.verify(cut)] == ["data"]


def test_bulk_add_writes_the_log_table_too(repo, pg_database, household):
    dossier, _, _ = _logged_dossier(household)
    repo.bulk_add([dossier])
    assert repo.log_anchor(dossier.id) == dossier.log[0].hash
