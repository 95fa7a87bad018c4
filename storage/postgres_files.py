"""Uploaded files in PostgreSQL, for nodes that share nothing but the database.

A file is a row of ``files`` (its id and size) and its content in ``file_chunks``, in
pieces of ``CHUNK`` bytes: a 10 MB scan is written from slices of the caller's buffer
(never a second whole copy) and read back piece by piece, so a download streams. Like
the folder store (storage.files), a file is written once under a random id and never
changed; ids are 32 hex digits, checked before any query.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

from storage.postgres import Database

CHUNK = 1 << 20
_FILE_ID = re.compile(r"[0-9a-f]{32}")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.files (
            id text COLLATE "C" PRIMARY KEY CHECK (id ~ '^[0-9a-f]{{32}}$'),
            size bigint NOT NULL,
            stored_at timestamptz NOT NULL DEFAULT now()
        )""",
        """CREATE TABLE {schema}.file_chunks (
            file_id text COLLATE "C" NOT NULL REFERENCES {schema}.files (id) ON DELETE CASCADE,
            n integer NOT NULL,
            data bytea NOT NULL,
            PRIMARY KEY (file_id, n)
        )""",
        # Content is already compressed (JPEG, PNG, PDF): not worth PostgreSQL's own compression.
        "ALTER TABLE {schema}.file_chunks ALTER COLUMN data SET STORAGE EXTERNAL",
    ),
)


class PostgresFileStore:
    def __init__(self, db: Database) -> None:
        db.migrate("files", MIGRATIONS)
        self.db = db
        self._file = db.sql("INSERT INTO {schema}.files (id, size) VALUES (%s, %s)")
        self._chunk = db.sql("INSERT INTO {schema}.file_chunks (file_id, n, data) VALUES (%s, %s, %s)")
        self._exists = db.sql("SELECT 1 FROM {schema}.files WHERE id = %s")
        self._chunks = db.sql("SELECT data FROM {schema}.file_chunks WHERE file_id = %s ORDER BY n")
        self._delete = db.sql("DELETE FROM {schema}.files WHERE id = %s")

    def put(self, data: bytes, file_id: str | None = None) -> str:
        """Keep ``data`` under a new random id (or ``file_id``, when copying a store)."""
        file_id = file_id or secrets.token_hex(16)
        if not _FILE_ID.fullmatch(file_id):
            raise ValueError("not a file id")
        view = memoryview(data)
        with self.db.connection() as conn, conn.transaction():
            conn.execute(self._file, [file_id, len(view)])
            with conn.cursor() as cur:
                cur.executemany(self._chunk, ((file_id, n, view[start:start + CHUNK])
                                              for n, start in enumerate(range(0, max(len(view), 1), CHUNK))))
        return file_id

    def stream(self, file_id: str) -> Iterator[bytes]:
        """The content, piece by piece; KeyError (before the first piece) when unknown."""
        if not _FILE_ID.fullmatch(file_id):
            raise KeyError(file_id)
        with self.db.connection() as conn:
            if conn.execute(self._exists, [file_id]).fetchone() is None:
                raise KeyError(file_id)
        return self._pieces(file_id)

    def _pieces(self, file_id: str) -> Iterator[bytes]:
        with self.db.connection() as conn, conn.cursor(name=f"file_{file_id}") as cur, conn.transaction():
            # A named (server-side) cursor: one piece in memory at a time.
            cur.itersize = 1
            cur.execute(self._chunks, [file_id])
            for (data,) in cur:
                yield bytes(data)

    def read(self, file_id: str) -> bytes:
        return b"".join(self.stream(file_id))

    def ids(self) -> Iterator[str]:
        with self.db.connection() as conn:
            yield from (row[0] for row in conn.execute(self.db.sql("SELECT id FROM {schema}.files ORDER BY id")))

    def delete(self, file_id: str) -> None:
        if _FILE_ID.fullmatch(file_id):
            with self.db.connection() as conn:
                conn.execute(self._delete, [file_id])
