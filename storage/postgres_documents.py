"""The registry of issued documents (engine.documents) in PostgreSQL: one table every node shares.

Keyed by the hash; recording a document is one ``INSERT … ON CONFLICT DO NOTHING``
(the same bytes issued twice keep the first record), a look-up one primary-key read.
"""

from __future__ import annotations

import datetime as dt

from engine.documents import DocumentNotFound, IssuedDocument, is_sha256
from storage.postgres import Database, aware

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.issued_documents (
            sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
            kind text NOT NULL,
            title text NOT NULL,
            dossier_id text NOT NULL,
            agency text NOT NULL,
            agency_name text NOT NULL,
            issued_at timestamptz NOT NULL,
            signed boolean NOT NULL,
            revoked_at timestamptz,
            revoked_reason text NOT NULL DEFAULT ''
        )""",
    ),
)

_COLUMNS = ("sha256, kind, title, dossier_id, agency, agency_name, issued_at, signed, revoked_at, revoked_reason")


def _document(row: tuple) -> IssuedDocument:
    sha256, kind, title, dossier_id, agency, agency_name, issued_at, signed, revoked_at, reason = row
    return IssuedDocument(sha256, kind, title, dossier_id, agency, agency_name, aware(issued_at), signed,
                          aware(revoked_at), reason)


class PostgresDocumentRegistry:
    def __init__(self, db: Database) -> None:
        db.migrate("documents", MIGRATIONS)
        self.db = db
        self._add = db.sql(f"INSERT INTO {{schema}}.issued_documents ({_COLUMNS})"
                           " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING")
        self._get = db.sql(f"SELECT {_COLUMNS} FROM {{schema}}.issued_documents WHERE sha256 = %s")
        self._revoke = db.sql(f"UPDATE {{schema}}.issued_documents SET revoked_at = %s, revoked_reason = %s"
                              f" WHERE sha256 = %s RETURNING {_COLUMNS}")

    def add(self, document: IssuedDocument) -> None:
        if not is_sha256(document.sha256):
            raise ValueError(f"not a SHA-256 in hex: {document.sha256!r}")
        d = document
        with self.db.connection() as conn:
            conn.execute(self._add, [d.sha256, d.kind, d.title, d.dossier_id, d.agency, d.agency_name,
                                     aware(d.issued_at), d.signed, aware(d.revoked_at), d.revoked_reason])

    def get(self, sha256: str) -> IssuedDocument | None:
        if not is_sha256(sha256):
            return None
        with self.db.connection() as conn:
            row = conn.execute(self._get, [sha256]).fetchone()
        return _document(row) if row else None

    def revoke(self, sha256: str, reason: str, at: dt.datetime) -> IssuedDocument:
        if not is_sha256(sha256):
            raise DocumentNotFound(sha256)
        with self.db.connection() as conn:
            row = conn.execute(self._revoke, [aware(at), reason, sha256]).fetchone()
        if row is None:
            raise DocumentNotFound(sha256)
        return _document(row)
