from __future__ import annotations

import pytest

from storage.files import FileStore


def test_put_read_delete(tmp_path):
    files = FileStore(tmp_path / "files")
    file_id = files.put(b"%PDF-1.7 ...")
    assert files.read(file_id) == b"%PDF-1.7 ..."
    assert files.put(b"x") != file_id
    files.delete(file_id)
    with pytest.raises(KeyError):
        files.read(file_id)


@pytest.mark.parametrize("crafted", ["../../etc/passwd", "ab/../../x", "", "A" * 32])
def test_crafted_ids_never_reach_a_path(tmp_path, crafted):
    with pytest.raises(KeyError):
        FileStore(tmp_path).read(crafted)
