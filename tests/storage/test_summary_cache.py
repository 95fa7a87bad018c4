"""The shards' summaries kept on disk (storage.summary_cache): a fresh process answers the
clerk's inbox from them, reading only the shards of the page's dossiers, and never gives an
answer the shards on disk do not (a shard changed since, a damaged or foreign cache file)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.dossier import Status
from engine.workflow import WORKFLOW
from storage import shards
from storage.summary_cache import FILE
from storage.tinydb_store import TinyDBStore
from tests.storage.factories import make_dossier

DESK = list(WORKFLOW.desk_order)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def filled(tmp_path):
    store = TinyDBStore(tmp_path / "store", shards=16)
    store.bulk_add(make_dossier(random.Random(n)) for n in range(400))
    return tmp_path / "store"


def inbox(store: TinyDBStore, **filters):
    page = store.query_page(statuses=DESK, order="appointment", limit=20, **filters)
    return page.total, [(d.id, d.status, d.version) for d in page.items]


@pytest.fixture
def parsed(monkeypatch):
    """How many shard files were read and parsed."""
    calls = []
    original = shards.ShardView.parse.__func__

    def counting(cls, content, table):
        calls.append(table)
        return original(cls, content, table)

    monkeypatch.setattr(shards.ShardView, "parse", classmethod(counting))
    return calls


def test_a_fresh_process_reads_only_the_shards_of_its_page(filled, parsed):
    cold = inbox(TinyDBStore(filled))  # reads every shard, and keeps their summaries on disk
    assert (filled / FILE).exists() and len(parsed) >= 16
    parsed.clear()
    fresh = TinyDBStore(filled)
    assert inbox(fresh) == cold
    assert 0 < len(parsed) <= len({shards_of(fresh, id_) for id_, _, _ in cold[1]})
    parsed.clear()
    assert inbox(fresh, agencies=["UBND-Q1"]) == inbox(TinyDBStore(filled, shards=16), agencies=["UBND-Q1"])


def shards_of(store: TinyDBStore, dossier_id: str) -> int:
    return store._shard(dossier_id)


def test_a_shard_written_since_the_cache_is_read_again(filled):
    inbox(TinyDBStore(filled))  # the cache is written
    writer = TinyDBStore(filled)  # another process, say: it changes a dossier and deletes one
    first, second = writer.query_page(statuses=[Status.SUBMITTED], limit=2).items
    writer.update(first.model_copy(update={"status": Status.PROCESSING}))
    writer.delete(second.id, second.version)
    fresh = TinyDBStore(filled)
    total, _ = inbox(fresh)
    submitted = fresh.query_page(statuses=[Status.SUBMITTED], limit=400)
    assert first.id not in {d.id for d in submitted.items} and second.id not in {d.id for d in submitted.items}
    assert fresh.query_page(statuses=[Status.PROCESSING], limit=400).total == \
        sum(1 for d in fresh.query(statuses=[Status.PROCESSING]))
    assert total == len(fresh.query(statuses=DESK))


@pytest.mark.parametrize("content", [b"", b"\x00garbage", b"\xe3" * 100])
def test_a_damaged_cache_file_is_read_as_none(filled, content):
    expected = inbox(TinyDBStore(filled))
    (filled / FILE).write_bytes(content)
    assert inbox(TinyDBStore(filled)) == expected


def test_a_cache_of_other_summaries_is_not_used(filled, monkeypatch):
    expected = inbox(TinyDBStore(filled))
    import storage.summary_cache as cache

    monkeypatch.setattr(cache, "_FORMAT", 99)  # a later version's file
    assert inbox(TinyDBStore(filled)) == expected


def test_the_cache_written_by_another_process_is_used_and_right(filled):
    """Two real processes: one answers the inbox (writing the cache), then a dossier changes,
    then a new process answers from the cache and the changed shard."""
    script = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})
        from storage.tinydb_store import TinyDBStore
        from engine.workflow import WORKFLOW
        page = TinyDBStore({str(filled)!r}).query_page(statuses=list(WORKFLOW.desk_order), order="appointment", limit=20)
        print(json.dumps([page.total, [d.id for d in page.items]]))
    """)
    run = lambda: subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout  # noqa: E731
    run()
    assert (filled / FILE).exists()
    store = TinyDBStore(filled)
    soonest = store.query_page(statuses=DESK, order="appointment", limit=1).items[0]
    store.delete(soonest.id, soonest.version)
    total, ids = json.loads(run())
    assert soonest.id not in ids and total == len(store.query(statuses=DESK))
    assert ids == [d.id for d in store.query_page(statuses=DESK, order="appointment", limit=20).items]
