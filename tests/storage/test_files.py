"""Uploaded files, in the instance folder (storage.files) or in PostgreSQL
(storage.postgres_files): written once under a random id, read whole or piece by piece."""

from __future__ import annotations

import os

import pytest

from storage.files import FileStore
from storage.postgres_files import CHUNK, PostgresFileStore
from tests.storage.shared_places import BACKENDS, place


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path):
    with place(request.param, tmp_path, lambda root: FileStore(root / "files"),
               lambda db, _node: PostgresFileStore(db)) as make:
        yield make


def test_put_read_delete(stores):
    files = stores()
    file_id = files.put(b"%PDF-1.7 ...")
    assert files.read(file_id) == b"%PDF-1.7 ..."
    assert files.put(b"x") != file_id
    files.delete(file_id)
    with pytest.raises(KeyError):
        files.read(file_id)
    with pytest.raises(KeyError):
        files.stream(file_id)
    files.delete(file_id)  # deleting twice is no error


def test_a_large_file_streams_in_pieces_and_is_seen_by_every_node(stores):
    data = os.urandom(2 * CHUNK + 12345)
    first, second = stores(), stores()
    file_id = first.put(data)
    pieces = list(second.stream(file_id))
    assert len(pieces) >= 3 and all(len(p) <= CHUNK for p in pieces)
    assert b"".join(pieces) == data
    assert second.read(file_id) == data
    assert first.read(first.put(b"")) == b""


@pytest.mark.parametrize("crafted", ["../../etc/passwd", "ab/../../x", "", "A" * 32, "'; DROP TABLE files; --"])
def test_crafted_ids_never_reach_a_path_or_a_query(stores, crafted):
    files = stores()
    with pytest.raises(KeyError):
        files.read(crafted)
    files.delete(crafted)
