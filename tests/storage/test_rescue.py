"""Form posts kept after their session ended (engine.rescue), in the instance folder
(storage.rescue) or in PostgreSQL (storage.postgres_rescue): given back once, to their
owner for their form only, within their time, the oldest dropped beyond the bound, and
once only when two takes race (threads here; in the folder, two processes as well)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading

import pytest

from engine import rescue as rules
from engine.clock import VIETNAM
from engine.rescue import new_token
from storage.postgres_rescue import PostgresRescuedForms
from storage.rescue import FolderRescuedForms
from tests.storage.shared_places import BACKENDS, place

KEPT = dt.datetime(2026, 12, 1, 8, 0, tzinfo=VIETNAM)
NGOC, AN = "0123456789abcdef", "fedcba9876543210"
FORM = "/dich-vu/ho-kinh-doanh/dang-ky"
FIELDS = [("#/owner/fullName", "Trần Thị Bích Ngọc"), ("~checklist", "a"), ("~checklist", "b"),
          ("#/capital", "một trăm triệu")]


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path):
    with place(request.param, tmp_path, lambda root: FolderRescuedForms(root / "rescued-forms"),
               lambda db, _node: PostgresRescuedForms(db)) as make:
        yield make


def test_a_kept_post_is_given_back_once_on_any_node(stores):
    first, second = stores(), stores()
    token = new_token()
    first.keep(token, NGOC, FORM, FIELDS, KEPT)
    later = KEPT + dt.timedelta(hours=1)
    assert second.take(token, NGOC, FORM, later) == FIELDS  # order and repeated names kept
    assert second.take(token, NGOC, FORM, later) is None
    assert first.take(token, NGOC, FORM, later) is None


def test_another_owner_or_form_gets_nothing_and_leaves_it(stores):
    store = stores()
    token = new_token()
    store.keep(token, NGOC, FORM, FIELDS, KEPT)
    assert store.take(token, AN, FORM, KEPT) is None
    assert store.take(token, NGOC, "/ho-so/0123456789abcdef/cap-nhat", KEPT) is None
    assert store.take(new_token(), NGOC, FORM, KEPT) is None
    assert store.take("../../etc/passwd", NGOC, FORM, KEPT) is None
    assert store.take(token, NGOC, FORM, KEPT) == FIELDS, "the wrong takes consumed nothing"


def test_a_kept_post_expires(stores):
    store = stores()
    fresh, stale = new_token(), new_token()
    store.keep(stale, NGOC, FORM, FIELDS, KEPT)
    store.keep(fresh, NGOC, FORM, FIELDS, KEPT + dt.timedelta(hours=2))
    at_the_end = KEPT + dt.timedelta(seconds=rules.KEEP_SECONDS)
    assert store.take(stale, NGOC, FORM, at_the_end) is None
    assert store.take(fresh, NGOC, FORM, at_the_end) == FIELDS


def test_the_oldest_go_first_beyond_the_bound(stores, monkeypatch):
    monkeypatch.setattr(rules, "MAX_KEPT", 3)
    store = stores()
    tokens = [new_token() for _ in range(5)]
    for minutes, token in enumerate(tokens):
        store.keep(token, NGOC, FORM, [("#/n", str(minutes))], KEPT + dt.timedelta(minutes=minutes))
    now = KEPT + dt.timedelta(minutes=10)
    assert [store.take(t, NGOC, FORM, now) for t in tokens] == [None, None, [("#/n", "2")], [("#/n", "3")],
                                                                 [("#/n", "4")]]


def test_fields_beyond_the_bound_or_with_nul_are_not_kept(stores):
    store = stores()
    assert rules.keepable([("#/a", "x" * (rules.MAX_CHARS - 3))])
    for fields in ([("#/a", "x" * (rules.MAX_CHARS - 2))], [("#/a", "nul\x00")]):
        assert not rules.keepable(fields)
        with pytest.raises(ValueError):
            store.keep(new_token(), NGOC, FORM, fields, KEPT)
    with pytest.raises(ValueError):
        store.keep("../x", NGOC, FORM, FIELDS, KEPT)


def test_two_takes_at_once_get_the_fields_once(stores):
    tokens = [new_token() for _ in range(20)]
    keeper = stores()
    for token in tokens:
        keeper.keep(token, NGOC, FORM, FIELDS, KEPT)
    takers = [stores(), stores()]
    for token in tokens:
        got: list[object] = []
        start = threading.Barrier(2)

        def take(store, token=token):
            start.wait()
            got.append(store.take(token, NGOC, FORM, KEPT))

        threads = [threading.Thread(target=take, args=(s,)) for s in takers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(got, key=lambda g: g is None) == [FIELDS, None]


def _take_in_a_process(root, tokens, start, results):
    store = FolderRescuedForms(root)
    start.wait()
    results.put(sum(store.take(t, NGOC, FORM, KEPT) is not None for t in tokens))


def test_two_processes_taking_from_one_folder_get_each_post_once(tmp_path):
    root = tmp_path / "rescued-forms"
    store = FolderRescuedForms(root)
    tokens = [new_token() for _ in range(200)]
    for token in tokens:
        store.keep(token, NGOC, FORM, FIELDS, KEPT)
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=_take_in_a_process, args=(root, tokens, start, results)) for _ in range(2)]
    for p in processes:
        p.start()
    counts = [results.get(timeout=60) for _ in processes]
    for p in processes:
        p.join(timeout=60)
    assert sum(counts) == len(tokens) and list(root.iterdir()) == []


def test_the_folder_gives_back_a_post_kept_before_the_store_existed(tmp_path):
    """The layout web.rescue wrote itself: such a file, kept before an upgrade, still comes back."""
    import json
    import os

    root = tmp_path / "rescued-forms"
    root.mkdir()
    token = new_token()
    path = root / f"{token}.json"
    path.write_text(json.dumps({"uid": NGOC, "path": FORM, "fields": [list(f) for f in FIELDS]}), encoding="utf-8")
    os.utime(path, (KEPT.timestamp(), KEPT.timestamp()))
    assert FolderRescuedForms(root).take(token, NGOC, FORM, KEPT + dt.timedelta(hours=1)) == FIELDS
    assert not path.exists()
