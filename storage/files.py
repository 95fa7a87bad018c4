"""Uploaded files (attachments, result files), kept under the instance folder.

Each file is written once under a random id and never changed: a replaced attachment
is a new file. Ids are 32 hex digits, checked before any path is built, so a crafted id
cannot reach outside the folder.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from storage.atomic import write_atomic

_FILE_ID = re.compile(r"[0-9a-f]{32}")


class FileStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, file_id: str) -> Path:
        if not _FILE_ID.fullmatch(file_id):
            raise KeyError(file_id)
        return self.root / file_id[:2] / file_id

    def put(self, data: bytes, file_id: str | None = None) -> str:
        """Keep ``data`` under a new random id (or ``file_id``, when copying a store)."""
        file_id = file_id or secrets.token_hex(16)
        path = self._path(file_id)
        path.parent.mkdir(exist_ok=True)
        write_atomic(path, data)
        return file_id

    def stream(self, file_id: str) -> Iterator[bytes]:
        """The content, piece by piece; KeyError (before the first piece) when unknown."""
        try:
            f = open(self._path(file_id), "rb")
        except FileNotFoundError:
            raise KeyError(file_id) from None
        return _pieces(f)

    def read(self, file_id: str) -> bytes:
        try:
            return self._path(file_id).read_bytes()
        except FileNotFoundError:
            raise KeyError(file_id) from None

    def ids(self) -> Iterator[str]:
        for path in sorted(self.root.glob("??/*")):
            if _FILE_ID.fullmatch(path.name):
                yield path.name

    def delete(self, file_id: str) -> None:
        try:
            self._path(file_id).unlink()
        except (FileNotFoundError, KeyError):
            pass


def _pieces(f: BinaryIO) -> Iterator[bytes]:
    with f:
        while piece := f.read(1 << 20):
            yield piece
