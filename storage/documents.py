"""The embedded registry of issued documents (engine.documents): TinyDB files in the instance folder.

    documents/.lock          one writer at a time, across processes (storage.lock)
    documents/NN.json        a TinyDB database per first two hex digits of the hash
    documents/codes/XY.json  the index by verification code: code -> hash, per first two characters
                             of the code (a reserved code not yet recorded maps to null)

Recording a document rewrites one of 256 small files, whatever the number issued, and a
look-up reads one. Each file is replaced whole, by a rename (storage.atomic), so a reader
needs no lock and never sees a file half written, and a backup can link the files
(operations.backup) while holding the writers' lock (:meth:`frozen`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB
from tinydb.storages import Storage

from engine.clock import in_vietnam
from engine.documents import CodeTaken, DocumentNotFound, IssuedDocument, is_sha256, new_code, normalize_code
from storage.atomic import dump_json, write_atomic
from storage.lock import WriteLock

TABLE = "documents"
CODES = "codes"


def to_row(document: IssuedDocument) -> dict[str, Any]:
    return {
        "sha256": document.sha256, "kind": document.kind, "title": document.title,
        "dossier_id": document.dossier_id, "agency": document.agency, "agency_name": document.agency_name,
        "issued_at": document.issued_at.isoformat(), "signed": document.signed,
        "revoked_at": document.revoked_at.isoformat() if document.revoked_at else None,
        "revoked_reason": document.revoked_reason, "code": document.code,
    }


def from_row(row: dict[str, Any]) -> IssuedDocument:
    revoked = row.get("revoked_at")
    return IssuedDocument(
        sha256=row["sha256"], kind=row["kind"], title=row["title"], dossier_id=row["dossier_id"],
        agency=row["agency"], agency_name=row["agency_name"],
        issued_at=in_vietnam(dt.datetime.fromisoformat(row["issued_at"])),
        signed=bool(row["signed"]), revoked_at=in_vietnam(dt.datetime.fromisoformat(revoked)) if revoked else None,
        revoked_reason=row.get("revoked_reason") or "", code=row.get("code") or "",
    )


class AtomicFileStorage(Storage):
    """TinyDB storage of one JSON file, replaced whole at each write (also storage.wallet's)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return json.loads(text) if text.strip() else None

    def write(self, data: dict[str, Any]) -> None:
        write_atomic(self.path, dump_json(data))


class TinyDBDocumentRegistry:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self._lock = WriteLock(root / ".lock")

    def _shard(self, sha256: str) -> TinyDB:
        return TinyDB(self.root / f"{sha256[:2]}.json", storage=AtomicFileStorage)

    def _codes(self, code: str) -> TinyDB:
        return TinyDB(self.root / CODES / f"{code[:2]}.json", storage=AtomicFileStorage)

    def frozen(self) -> WriteLock:
        """The writers' lock: ``with registry.frozen():`` nothing is recorded or revoked in any
        process until the block ends (for a backup)."""
        return self._lock

    def add(self, document: IssuedDocument) -> None:
        if not is_sha256(document.sha256):
            raise ValueError(f"not a SHA-256 in hex: {document.sha256!r}")
        code = document.code
        if code and normalize_code(code) != code:
            raise ValueError(f"not a verification code: {code!r}")
        with self._lock, self._shard(document.sha256) as db:
            table = db.table(TABLE)
            if table.contains(Query().sha256 == document.sha256):
                return
            if code:
                (self.root / CODES).mkdir(exist_ok=True)
                with self._codes(code) as index:
                    held = index.table(CODES).get(Query().code == code)
                    if held is not None and held["sha256"] not in (None, document.sha256):
                        raise CodeTaken(code)
                    index.table(CODES).upsert({"code": code, "sha256": document.sha256}, Query().code == code)
            table.insert(to_row(document))

    def reserve_code(self) -> str:
        (self.root / CODES).mkdir(exist_ok=True)
        with self._lock:
            while True:  # a second draw: about once in 10^17 codes
                code = new_code()
                with self._codes(code) as index:
                    if not index.table(CODES).contains(Query().code == code):
                        index.table(CODES).insert({"code": code, "sha256": None})
                        return code

    def by_code(self, code: str) -> IssuedDocument | None:
        code = normalize_code(code)
        if code is None or not (self.root / CODES / f"{code[:2]}.json").exists():
            return None
        with self._codes(code) as index:  # no lock: replaced whole, like the shards
            held = index.table(CODES).get(Query().code == code)
        return self.get(held["sha256"]) if held and held["sha256"] else None

    def get(self, sha256: str) -> IssuedDocument | None:
        if not is_sha256(sha256):
            return None
        path = self.root / f"{sha256[:2]}.json"
        if not path.exists():
            return None
        with self._shard(sha256) as db:  # no lock: the file is replaced whole, never rewritten in place
            row = db.table(TABLE).get(Query().sha256 == sha256)
        return from_row(row) if row else None

    def every(self) -> Iterator[IssuedDocument]:
        for path in sorted(self.root.glob("??.json")):
            with TinyDB(path, storage=AtomicFileStorage) as db:
                rows = db.table(TABLE).all()
            yield from map(from_row, rows)

    def revoke(self, sha256: str, reason: str, at: dt.datetime) -> IssuedDocument:
        if not is_sha256(sha256) or not (self.root / f"{sha256[:2]}.json").exists():
            raise DocumentNotFound(sha256)
        with self._lock, self._shard(sha256) as db:
            table = db.table(TABLE)
            row = table.get(Query().sha256 == sha256)
            if row is None:
                raise DocumentNotFound(sha256)
            revoked = from_row(row).revoke(reason, at)
            table.update({"revoked_at": revoked.revoked_at.isoformat(), "revoked_reason": reason},
                         Query().sha256 == sha256)
        return revoked
