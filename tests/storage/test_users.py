"""The TinyDB user store: the conformance suite, then what only an embedded store must get
right (several processes registering at once, a writer dying mid-way, reopening)."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from engine.accounts import DuplicateUser
from storage.tinydb_users import TinyDBUserStore
from tests.storage.users_conformance import *  # noqa: F403
from tests.storage.users_conformance import make_user

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters: nothing shared but the files


@pytest.fixture
def users(tmp_path):
    return TinyDBUserStore(tmp_path / "users", shards=4)  # few shards: users share files


def _register(path: str, prefix: str, count: int, start, results) -> None:
    store = TinyDBUserStore(path)
    start.wait()
    added = []
    for i in range(count):
        try:
            # e-mails unique per process: each process's make_user counts from the same number
            store.add(make_user(username=f"{prefix}{i:03d}", email=f"{prefix}{i}.{os.getpid()}@example.com", id_number=None))
            added.append(i)
        except DuplicateUser as refused:
            assert refused.field == "username"
    results.put((prefix, added))


def _run(path, jobs: list[tuple[str, int]]) -> list[tuple[str, list[int]]]:
    start, results = SPAWN.Barrier(len(jobs)), SPAWN.Queue()
    procs = [SPAWN.Process(target=_register, args=(str(path), prefix, n, start, results)) for prefix, n in jobs]
    for p in procs:
        p.start()
    outcome = [results.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return outcome


def _indexed(path) -> dict[str, dict[str, str]]:
    index: dict[str, dict[str, str]] = {}
    for file in path.glob("*.json"):
        name = file.stem.rsplit("-", 1)[0]
        if name in ("username", "email", "id_number"):
            index.setdefault(name, {}).update(json.loads(file.read_bytes()))
    return index


@pytest.mark.slow
def test_two_processes_registering_at_once_lose_nothing(tmp_path):
    path = tmp_path / "users"
    TinyDBUserStore(path, shards=4)
    _run(path, [("mot", 30), ("hai", 30)])
    store = TinyDBUserStore(path)
    assert store.count() == 60
    for prefix in ("mot", "hai"):
        for i in range(30):
            assert store.get_by_username(f"{prefix}{i:03d}") is not None
    index = _indexed(path)
    assert len(index["username"]) == len(index["email"]) == 60
    assert not (path / "journal.json").exists()


@pytest.mark.slow
def test_two_processes_taking_the_same_usernames_get_each_once(tmp_path):
    path = tmp_path / "users"
    TinyDBUserStore(path, shards=4)
    outcome = _run(path, [("trung", 20), ("trung", 20)])
    store = TinyDBUserStore(path)
    assert sorted(u.username for u in store.list()) == [f"trung{i:03d}" for i in range(20)]
    won = [i for _prefix, added in outcome for i in added]
    assert sorted(won) == list(range(20))  # every username went to exactly one process
    assert len(_indexed(path)["username"]) == 20


def test_a_writer_dying_mid_write_is_finished_by_the_next(tmp_path, monkeypatch):
    path = tmp_path / "users"
    store = TinyDBUserStore(path, shards=4)
    user = store.add(make_user(email="cu@example.com"))

    def die(*_args):
        raise KeyboardInterrupt  # the process is killed after the shard was replaced

    monkeypatch.setattr(TinyDBUserStore, "_reindex", die)
    with pytest.raises(KeyboardInterrupt):
        store.update(user.model_copy(update={"email": "moi@example.com"}))
    monkeypatch.undo()
    assert (path / "journal.json").exists()
    reopened = TinyDBUserStore(path)
    assert not (path / "journal.json").exists()
    assert reopened.get_by_email("moi@example.com").id == user.id
    assert reopened.get_by_email("cu@example.com") is None
    assert _indexed(path)["email"] == {"moi@example.com": user.id}


def test_reopening_keeps_everything_and_the_shard_count(tmp_path):
    path = tmp_path / "users"
    user = TinyDBUserStore(path, shards=4).add(make_user())
    assert TinyDBUserStore(path).get_by_username(user.username) == user
    with pytest.raises(ValueError, match="4 shards"):
        TinyDBUserStore(path, shards=8)


def test_shards_are_tinydb_databases(tmp_path):
    from tinydb import TinyDB

    path = tmp_path / "users"
    user = TinyDBUserStore(path, shards=1).add(make_user())
    with TinyDB(path / "users-0.json", access_mode="r") as db:
        assert db.table("users").get(doc_id=int(user.id, 16))["username"] == user.username
