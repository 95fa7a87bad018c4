"""The registry of issued documents (engine.documents) in PostgreSQL: one table every node shares.

Keyed by the hash; recording a document is one ``INSERT … ON CONFLICT DO NOTHING``
(the same bytes issued twice keep the first record), a look-up one primary-key read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import psycopg

from engine.documents import CodeTaken, DocumentNotFound, IssuedDocument, is_sha256, new_code, normalize_code
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
    (  # 2: the verification code printed beside the QR code (engine.documents.new_code); reserved
       # codes (printed, not yet signed and recorded) in their own table, so no two documents get one
        "ALTER TABLE {schema}.issued_documents ADD COLUMN code text CHECK (code ~ '^[0-9A-Z]{{12}}$')",
        "CREATE UNIQUE INDEX issued_documents_code ON {schema}.issued_documents (code)",
        """CREATE TABLE {schema}.document_codes (
            code text PRIMARY KEY,
            reserved_at timestamptz NOT NULL DEFAULT now()
        )""",
    ),
)

_COLUMNS = ("sha256, kind, title, dossier_id, agency, agency_name, issued_at, signed, revoked_at, revoked_reason,"
            " code")


def _document(row: tuple) -> IssuedDocument:
    sha256, kind, title, dossier_id, agency, agency_name, issued_at, signed, revoked_at, reason, code = row
    return IssuedDocument(sha256, kind, title, dossier_id, agency, agency_name, aware(issued_at), signed,
                          aware(revoked_at), reason, code or "")


class PostgresDocumentRegistry:
    def __init__(self, db: Database) -> None:
        db.migrate("documents", MIGRATIONS)
        self.db = db
        self._add = db.sql(f"INSERT INTO {{schema}}.issued_documents ({_COLUMNS})"
                           " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING")
        self._get = db.sql(f"SELECT {_COLUMNS} FROM {{schema}}.issued_documents WHERE sha256 = %s")
        self._by_code = db.sql(f"SELECT {_COLUMNS} FROM {{schema}}.issued_documents WHERE code = %s")
        self._reserve = db.sql("INSERT INTO {schema}.document_codes (code) VALUES (%s)"
                               " ON CONFLICT (code) DO NOTHING RETURNING code")
        self._claim = db.sql("INSERT INTO {schema}.document_codes (code) VALUES (%s) ON CONFLICT (code) DO NOTHING")
        self._every = db.sql(f"SELECT {_COLUMNS} FROM {{schema}}.issued_documents ORDER BY issued_at, sha256")
        self._revoke = db.sql(f"UPDATE {{schema}}.issued_documents SET revoked_at = %s, revoked_reason = %s"
                              f" WHERE sha256 = %s RETURNING {_COLUMNS}")

    def add(self, document: IssuedDocument) -> None:
        if not is_sha256(document.sha256):
            raise ValueError(f"not a SHA-256 in hex: {document.sha256!r}")
        d = document
        if d.code and normalize_code(d.code) != d.code:
            raise ValueError(f"not a verification code: {d.code!r}")
        try:
            with self.db.connection() as conn, conn.transaction():
                if d.code:  # reserved already when printed here; a copied record's code is claimed with it
                    conn.execute(self._claim, [d.code])
                conn.execute(self._add, [d.sha256, d.kind, d.title, d.dossier_id, d.agency, d.agency_name,
                                         aware(d.issued_at), d.signed, aware(d.revoked_at), d.revoked_reason,
                                         d.code or None])
        except psycopg.errors.UniqueViolation as exc:  # the code's unique index (the hash's: DO NOTHING)
            raise CodeTaken(d.code) from exc

    def reserve_code(self) -> str:
        with self.db.connection() as conn:
            while True:  # a second draw: about once in 10^17 codes
                row = conn.execute(self._reserve, [new_code()]).fetchone()
                if row is not None:
                    return row[0]

    def by_code(self, code: str) -> IssuedDocument | None:
        code = normalize_code(code)
        if code is None:
            return None
        with self.db.connection() as conn:
            row = conn.execute(self._by_code, [code]).fetchone()
        return _document(row) if row else None

    def get(self, sha256: str) -> IssuedDocument | None:
        if not is_sha256(sha256):
            return None
        with self.db.connection() as conn:
            row = conn.execute(self._get, [sha256]).fetchone()
        return _document(row) if row else None

    def every(self) -> Iterator[IssuedDocument]:
        with self.db.connection() as conn:
            rows = conn.execute(self._every).fetchall()
        return map(_document, rows)

    def revoke(self, sha256: str, reason: str, at: dt.datetime) -> IssuedDocument:
        if not is_sha256(sha256):
            raise DocumentNotFound(sha256)
        with self.db.connection() as conn:
            row = conn.execute(self._revoke, [aware(at), reason, sha256]).fetchone()
        if row is None:
            raise DocumentNotFound(sha256)
        return _document(row)
