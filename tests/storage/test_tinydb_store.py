"""The TinyDB store: the conformance suite, then what only an embedded store must get right
(several processes, crashes, the read cache)."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest
from tinydb import TinyDB

from engine.dossier import Dossier, Status
from engine.repository import ConflictError, DuplicateDossier
from storage.atomic import TEMP_PREFIX, CachedFile
from storage.indexes import INDEXES, shard_of
from storage.tinydb_store import TinyDBStore
from tests.storage.conformance import *  # noqa: F403
from tests.storage.factories import assert_mixed_writes_kept, make_dossier, mixed_writes

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters: nothing shared but the files


@pytest.fixture
def repo(tmp_path):
    return TinyDBStore(tmp_path / "store", shards=8)  # few shards: dossiers share files


def _shard_number(file: Path) -> int:
    return int(file.stem.rsplit("-", 1)[1])


def assert_consistent(path: Path) -> dict[str, Dossier]:
    """Every file parses, no write is pending, and every index agrees with the dossiers."""
    assert not (path / "journal.json").exists()
    for file in path.glob("*.json"):
        json.loads(file.read_bytes())
    shards = json.loads((path / "meta.json").read_bytes())["shards"]
    dossiers = {}
    for file in path.glob("dossiers-*.json"):
        for doc_id, raw in json.loads(file.read_bytes())["dossiers"].items():
            assert int(doc_id) == int(raw["id"], 16) and shard_of(raw["id"], shards) == _shard_number(file)
            dossiers[raw["id"]] = Dossier.from_json(raw)
    for name, keys in INDEXES.items():
        indexed = set()
        for file in path.glob(f"{name}-*.json"):
            for key, ids in json.loads(file.read_bytes()).items():
                assert shard_of(key, shards) == _shard_number(file)
                indexed |= {(key, dossier_id) for dossier_id in ids.split()}
        assert indexed == {(key, d.id) for d in dossiers.values() for key in keys(d)}, name
    return dossiers


# -- single process ---------------------------------------------------------------------


def test_indexes_agree_with_the_dossiers_after_a_busy_life(repo):
    dossiers = repo.bulk_add(make_dossier() for _ in range(40))
    for dossier in dossiers[:20]:
        repo.update(dossier.model_copy(update={"owner": "citizen-x", "receipt_number": None}))
    for dossier in dossiers[20:30]:
        repo.delete(dossier.id, 1)
    assert repo.count() == 30
    assert set(assert_consistent(repo.path)) == {d.id for d in dossiers[:20] + dossiers[30:]}


def test_bulk_add_stores_everything_once(repo):
    dossiers = [make_dossier() for _ in range(50)]
    stored = repo.bulk_add(dossiers)
    assert [d.version for d in stored] == [1] * 50
    assert all(repo.get(d.id) == d for d in stored)
    assert assert_consistent(repo.path).keys() == {d.id for d in dossiers}


def test_shards_are_tinydb_databases(repo):
    stored = repo.add(make_dossier())
    shard = next(repo.path.glob("dossiers-*.json"))
    with TinyDB(shard, access_mode="r") as db:  # TinyDB's own JSONStorage
        assert Dossier.from_json(db.table("dossiers").get(doc_id=int(stored.id, 16))) == stored


@pytest.mark.parametrize("clash", ["within the batch", "with a stored dossier"])
def test_bulk_add_with_a_known_id_writes_nothing(repo, clash):
    existing = repo.add(make_dossier())
    batch = [make_dossier() for _ in range(10)]
    batch.append(make_dossier(id=batch[0].id if clash == "within the batch" else existing.id))
    with pytest.raises(DuplicateDossier):
        repo.bulk_add(batch)
    assert repo.count() == 1
    assert_consistent(repo.path)


def test_the_shard_count_is_fixed_at_creation(repo):
    stored = repo.add(make_dossier())
    assert TinyDBStore(repo.path).get(stored.id) == stored
    with pytest.raises(ValueError):
        TinyDBStore(repo.path, shards=16)


def test_a_new_index_is_built_when_the_store_opens(repo, monkeypatch):
    repo.bulk_add(make_dossier() for _ in range(20))
    monkeypatch.setitem(INDEXES, "agency", lambda d: [d.agency])
    reopened = TinyDBStore(repo.path)
    assert json.loads((repo.path / "indexes.json").read_bytes())[-1] == "agency"
    reopened.add(make_dossier(agency="UBND-Q3"))
    assert_consistent(repo.path)


# Each update that changes every key writes: 1 journal, 2 dossier shard, then index files.
@pytest.mark.parametrize("failing_write", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("recovery", ["reopen", "next write"])
def test_a_write_that_fails_midway_is_repaired(repo, monkeypatch, failing_write, recovery):
    stored = repo.add(make_dossier(owner="citizen-1", status=Status.SUBMITTED, receipt_number=None))
    changed = stored.model_copy(update={"owner": "citizen-2", "receipt_number": "R-1", "applicant_id_number": "1"})
    replace, calls = CachedFile.replace, []

    def crash_at_nth_write(self, *args, **options):
        calls.append(self.path)
        if len(calls) == failing_write:
            raise OSError("disk gone")
        replace(self, *args, **options)

    monkeypatch.setattr(CachedFile, "replace", crash_at_nth_write)
    with pytest.raises(OSError):
        repo.update(changed)
    monkeypatch.undo()
    assert (repo.path / "journal.json").exists() == (failing_write > 1)
    stored_now = repo.get(stored.id)
    assert stored_now.version == (2 if failing_write > 2 else 1)
    for owner in ("citizen-1", "citizen-2"):  # the indexes may lag, but never give a wrong answer
        assert all(d.owner == owner for d in repo.list_by_owner(owner))

    if recovery == "reopen":
        TinyDBStore(repo.path)
    else:
        repo.add(make_dossier())
    assert_consistent(repo.path)
    assert repo.find_by_receipt("R-1") == (stored_now if failing_write > 2 else None)


def test_threads_of_one_process_take_turns(repo):
    shared = repo.add(make_dossier(data={"counter": 0}))

    def increment_and_add(times: int) -> None:
        for _ in range(times):
            repo.add(make_dossier())
            while True:
                current = repo.get(shared.id)
                try:
                    repo.update(current.model_copy(update={"data": {"counter": current.data["counter"] + 1}}))
                    break
                except ConflictError:
                    continue

    threads = [threading.Thread(target=increment_and_add, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert repo.get(shared.id).data["counter"] == 40
    assert len(assert_consistent(repo.path)) == 41


def test_leftover_temporary_files_are_swept(repo):
    stored = repo.add(make_dossier())
    (repo.path / f"{TEMP_PREFIX}crashed").write_bytes(b'{"dossiers": {"1": ')
    (repo.path / f"{TEMP_PREFIX}journal").write_bytes(b"")
    reopened = TinyDBStore(repo.path)
    assert not list(repo.path.rglob(f"{TEMP_PREFIX}*"))
    assert reopened.get(stored.id) == stored


# -- several processes ------------------------------------------------------------------


def _mixed_writer(path: str, shared_id: str, seed: int, rounds: int) -> dict[str, dict]:
    return mixed_writes(TinyDBStore(path), shared_id, seed, rounds)


@pytest.mark.slow
def test_concurrent_processes_lose_nothing(repo):
    shared = repo.add(make_dossier(data={"counter": 0}))
    workers, rounds = 3, 40
    with SPAWN.Pool(workers) as pool:
        reports = pool.starmap(_mixed_writer, [(str(repo.path), shared.id, seed, rounds) for seed in range(workers)])
    fresh = TinyDBStore(repo.path)
    for store in (repo, fresh):  # repo's read cache predates every worker's write
        assert_mixed_writes_kept(store, reports, shared.id, workers, rounds)
    assert len(assert_consistent(repo.path)) == 1 + workers * rounds


def _write_until_killed(path: str, side_file: str, seed: int) -> None:
    """Adds and updates forever; after each save returns, appends "id version" to side_file."""
    rng = random.Random(seed)
    store = TinyDBStore(path)
    mine: list[Dossier] = []
    with open(side_file, "a") as side:
        while True:
            if mine and rng.random() < 0.5:
                target = mine.pop(rng.randrange(len(mine)))
                saved = store.update(target.model_copy(update={
                    "receipt_number": f"R-{rng.randrange(10**9)}", "owner": f"citizen-{rng.randrange(5)}",
                }))
            else:
                saved = store.add(make_dossier(rng))
            mine.append(saved)
            side.write(f"{saved.id} {saved.version}\n")
            side.flush()


@pytest.mark.slow
def test_a_writer_killed_at_any_moment_leaves_a_consistent_store(repo, tmp_path):
    rng = random.Random()
    committed: dict[str, int] = {}
    for attempt in range(5):
        side_file = tmp_path / f"committed-{attempt}.txt"
        side_file.touch()
        child = SPAWN.Process(target=_write_until_killed, args=(str(repo.path), str(side_file), attempt))
        child.start()
        deadline = time.monotonic() + 30
        while not side_file.read_text() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 0.5))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        for line in side_file.read_text().splitlines():
            if line.count(" ") == 1:  # the last line may be cut short by the kill
                dossier_id, version = line.split()
                committed[dossier_id] = int(version)

        store = TinyDBStore(repo.path)  # repairs a write the kill interrupted
        for dossier_id, version in committed.items():
            # The kill may fall between a save and its report: newer than reported is fine.
            assert store.get(dossier_id).version >= version
        assert store.count() >= len(committed)
        assert_consistent(repo.path)
    assert len(committed) > 4


def _update_rapidly(path: str, dossier_id: str) -> None:
    store = TinyDBStore(path)
    for _ in range(3):  # same size each time, within a few milliseconds
        store.update(store.get(dossier_id))


@pytest.mark.slow
def test_an_open_store_sees_another_processs_writes(repo):
    stored = repo.add(make_dossier(status=Status.PROCESSING))
    assert repo.get(stored.id) == stored  # now in repo's read cache
    assert repo.find_by_receipt(stored.receipt_number) == stored
    child = SPAWN.Process(target=_update_rapidly, args=(str(repo.path), stored.id))
    child.start()
    child.join()
    assert child.exitcode == 0
    assert repo.get(stored.id).version == 4
    assert repo.find_by_receipt(stored.receipt_number).version == 4
