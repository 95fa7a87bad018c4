"""Uploaded files (attachments, result files), kept under the instance folder.

Each file is written once under a random id and never changed: a replaced attachment
is a new file. Ids are 32 hex digits, checked before any path is built, so a crafted id
cannot reach outside the folder.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

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

    def put(self, data: bytes) -> str:
        file_id = secrets.token_hex(16)
        path = self._path(file_id)
        path.parent.mkdir(exist_ok=True)
        write_atomic(path, data)
        return file_id

    def read(self, file_id: str) -> bytes:
        try:
            return self._path(file_id).read_bytes()
        except FileNotFoundError:
            raise KeyError(file_id) from None

    def delete(self, file_id: str) -> None:
        try:
            self._path(file_id).unlink()
        except (FileNotFoundError, KeyError):
            pass
