"""Nodes told of a publish (storage.catalog_watch): the revision is read from PostgreSQL
only when a notice came, or when the listener cannot vouch that none did."""

from __future__ import annotations

import psycopg
import pytest

from storage.postgres import Database
from storage.postgres_definitions import PostgresDefinitionStore
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.storage.test_definitions import FOUR
from tests.web.helpers import wait_for


@pytest.fixture
def nodes(tmp_path):
    """Two nodes' definition stores on one schema, each counting its reads of the revision."""
    with fresh_schema() as schema:
        databases = [Database(f"{POSTGRES_URL}?schema={schema}", max_size=2) for _ in range(2)]
        stores = [PostgresDefinitionStore(db, tmp_path / f"node-{i}") for i, db in enumerate(databases)]
        for store in stores:
            store.reads = 0
            read = store._watch._read

            def counted(read=read, store=store):
                store.reads += 1
                return read()
            store._watch._read = counted
        try:
            yield schema, stores
        finally:
            for db in databases:
                db.close()


def listening(store) -> bool:
    """The store's listener is connected and vouches for its revision."""
    store.revision()
    before = store.reads
    store.revision()
    return store.reads == before


def test_a_listening_node_reads_the_revision_only_after_a_publish(nodes):
    _, (first, second) = nodes
    assert wait_for(lambda: listening(second))
    before, reads = second.revision(), second.reads
    for _ in range(50):
        assert second.revision() == before
    assert second.reads == reads  # fifty requests, no query

    first.publish("dich-vu-moi", FOUR)
    assert wait_for(lambda: second.revision() != before, 2)
    assert second.reads > reads
    assert [v.slug for v in second.versions()] == ["dich-vu-moi"]

    now = second.revision()
    first.set_withdrawn("dich-vu-moi")
    assert wait_for(lambda: second.revision() != now, 2) and second.withdrawn() == {"dich-vu-moi"}


def test_the_publishing_node_sees_its_own_publish_at_once(nodes):
    _, (first, _second) = nodes
    assert wait_for(lambda: listening(first))
    before = first.revision()
    first.publish("dich-vu-moi", FOUR)
    assert first.revision() != before  # not waiting for its own listener to hear of it


def test_a_lost_listener_falls_back_to_reading_and_comes_back(nodes):
    schema, (first, second) = nodes
    assert wait_for(lambda: listening(second))
    before = second.revision()
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        [[killed]] = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            [f"dichvucong-catalog-watch-{schema}"]).fetchall()
    assert killed == 1
    first.publish("dich-vu-moi", FOUR)  # a notice the dead listener never gets
    assert wait_for(lambda: second.revision() != before, 3)
    assert wait_for(lambda: listening(second), 5)  # reconnected: trusted again
