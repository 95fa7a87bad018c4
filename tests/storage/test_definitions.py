"""Published service definitions, under the instance folder (storage.definitions) or in
PostgreSQL (storage.postgres_definitions, with a cache folder per node)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from engine.catalog import FILES
from storage.definitions import DefinitionStore
from storage.postgres_definitions import PostgresDefinitionStore
from tests.storage.shared_places import BACKENDS, place

FOUR = {name: f'{{"file": "{name}", "tên": "Đăng ký"}}'.encode() for name in FILES}


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path):
    with place(request.param, tmp_path, lambda root: DefinitionStore(root / "definitions"),
               lambda db, node: PostgresDefinitionStore(db, node / "definitions")) as make:
        yield make


@pytest.fixture
def store(stores):
    return stores()


def test_versions_count_up_from_the_floor_and_keep_their_files(store):
    assert store.versions() == []
    assert store.publish("dang-ky-khai-sinh", FOUR, floor=1) == 2  # the built-in one is version 1
    assert store.publish("dang-ky-khai-sinh", {**FOUR, "sample.json": b"{}"}, floor=1) == 3
    assert store.publish("dich-vu-moi", FOUR) == 1
    found = [(v.slug, v.number) for v in store.versions()]
    assert found == [("dang-ky-khai-sinh", 2), ("dang-ky-khai-sinh", 3), ("dich-vu-moi", 1)]
    two, three = store.versions("dang-ky-khai-sinh")
    assert sorted(p.name for p in two.folder.iterdir()) == sorted(FILES)
    assert (two.folder / "sample.json").read_bytes() == FOUR["sample.json"]
    assert (three.folder / "sample.json").read_bytes() == b"{}"
    assert store.version("dang-ky-khai-sinh", 3).folder == three.folder


def test_a_version_published_on_one_node_is_read_by_another(stores):
    first, second = stores(), stores()
    before = second.revision()
    first.publish("dich-vu-moi", FOUR)
    first.set_withdrawn("dang-ky-khai-sinh")
    assert second.revision() != before
    [version] = second.versions()
    assert (version.folder / "service.json").read_bytes() == FOUR["service.json"]
    assert second.withdrawn() == {"dang-ky-khai-sinh"}


def test_every_publish_and_withdrawal_changes_the_revision(store):
    seen = {store.revision()}
    store.publish("dich-vu-moi", FOUR)
    seen.add(store.revision())
    store.set_withdrawn("dich-vu-moi")
    seen.add(store.revision())
    assert store.withdrawn() == {"dich-vu-moi"}
    store.set_withdrawn("dich-vu-moi")  # twice: still one entry
    assert store.withdrawn() == {"dich-vu-moi"}
    store.set_withdrawn("dich-vu-moi", False)
    seen.add(store.revision())
    assert store.withdrawn() == frozenset()
    assert len(seen) >= 4


def test_a_refused_version_leaves_nothing_behind(store):
    before = store.revision()

    def refuse(folder: Path) -> None:
        assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)  # checked as written
        raise ValueError("không hợp lệ")

    with pytest.raises(ValueError):
        store.publish("dich-vu-moi", FOUR, verify=refuse)
    assert store.versions() == [] and store.revision() == before
    assert list((store.root / "dich-vu-moi").iterdir()) == []
    assert store.publish("dich-vu-moi", FOUR) == 1  # the number was not used up


def test_bad_slugs_and_file_sets_are_refused(store):
    for slug in ("../thoat", "Viet-Hoa", "a--b", "", "-a"):
        with pytest.raises(ValueError):
            store.publish(slug, FOUR)
    with pytest.raises(ValueError):
        store.publish("dich-vu-moi", {**FOUR, "evil.json": b"{}"})
    with pytest.raises(ValueError):
        store.publish("dich-vu-moi", {k: v for k, v in FOUR.items() if k != "sample.json"})


def test_concurrent_publishes_get_distinct_numbers(stores):
    numbers: list[int] = []
    # A store per thread, as each gunicorn worker (and each node) has its own.
    publishers = [stores() for _ in range(6)]

    def publish(publisher) -> None:
        numbers.append(publisher.publish("dich-vu-moi", FOUR))

    threads = [threading.Thread(target=publish, args=(p,)) for p in publishers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == list(range(1, 7))


def test_folders_that_are_not_versions_are_ignored_and_temporaries_swept(tmp_path):
    store = DefinitionStore(tmp_path / "definitions")
    store.publish("dich-vu-moi", FOUR)
    (store.root / "dich-vu-moi" / ".tmp-dead").mkdir()  # a publish that crashed
    (store.root / "dich-vu-moi" / "ghi-chu").mkdir()
    (store.root / "Khong-Hop-Le").mkdir()
    assert [(v.slug, v.number) for v in store.versions()] == [("dich-vu-moi", 1)]
    store.sweep()
    assert not (store.root / "dich-vu-moi" / ".tmp-dead").exists()


def test_a_version_without_a_form_holds_its_two_files(stores):
    """An information-only service (mức độ 1): service.json and documents.json only."""
    two = {name: FOUR[name] for name in ("service.json", "documents.json")}
    first, second = stores(), stores()
    assert first.publish("thong-tin-moi", two) == 1
    [version] = second.versions("thong-tin-moi")
    assert sorted(p.name for p in version.folder.iterdir()) == ["documents.json", "service.json"]
    with pytest.raises(ValueError):  # half a form is no version
        first.publish("thong-tin-moi", {**two, "form.schema.json": b"{}"})
