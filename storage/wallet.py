"""The embedded "Kho giấy tờ của tôi" (engine.wallet): TinyDB files in the instance folder.

    wallet/.lock          one writer at a time, across processes (storage.lock)
    wallet/NN.json        a TinyDB database per first two hex digits of the owner's id

A citizen's items are in one of 256 small files, so keeping or deleting one rewrites
that file, whatever the number of citizens, and a citizen's list reads one. Files are
replaced whole by a rename (storage.documents.AtomicFileStorage): a reader needs no lock,
and a backup links them while holding the writers' lock (:meth:`frozen`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

from engine.clock import in_vietnam
from engine.wallet import WalletItem, check_room, is_item_id
from storage.documents import AtomicFileStorage
from storage.lock import WriteLock

TABLE = "items"


def to_row(item: WalletItem) -> dict[str, Any]:
    return {"id": item.id, "owner": item.owner, "label": item.label, "filename": item.filename,
            "media_type": item.media_type, "size": item.size, "sha256": item.sha256, "file_id": item.file_id,
            "kept_at": item.kept_at.isoformat(), "document_name": item.document_name}


def from_row(row: dict[str, Any]) -> WalletItem:
    return WalletItem(id=row["id"], owner=row["owner"], label=row["label"], filename=row["filename"],
                      media_type=row["media_type"], size=int(row["size"]), sha256=row["sha256"],
                      file_id=row["file_id"], kept_at=in_vietnam(dt.datetime.fromisoformat(row["kept_at"])),
                      document_name=row.get("document_name", ""))


def _newest_first(rows) -> list[WalletItem]:
    return sorted((from_row(r) for r in rows), key=lambda i: i.kept_at, reverse=True)


class TinyDBWallet:
    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self._lock = WriteLock(root / ".lock")

    def _path(self, owner: str) -> Path:
        if not is_item_id(owner):  # account ids have the same shape (engine.dossier.new_id)
            raise KeyError(owner)
        return self.root / f"{owner[:2]}.json"

    def _shard(self, owner: str) -> TinyDB:
        return TinyDB(self._path(owner), storage=AtomicFileStorage)

    def frozen(self) -> WriteLock:
        """The writers' lock, for a backup (as storage.documents')."""
        return self._lock

    def items(self, owner: str) -> list[WalletItem]:
        if not is_item_id(owner) or not self._path(owner).exists():
            return []
        with self._shard(owner) as db:
            return _newest_first(db.table(TABLE).search(Query().owner == owner))

    def get(self, owner: str, item_id: str) -> WalletItem | None:
        if not is_item_id(item_id):
            return None
        return next((i for i in self.items(owner) if i.id == item_id), None)

    def add(self, item: WalletItem) -> None:
        with self._lock, self._shard(item.owner) as db:
            table = db.table(TABLE)
            check_room([from_row(r) for r in table.search(Query().owner == item.owner)], item.size)
            table.insert(to_row(item))

    def delete(self, owner: str, item_id: str) -> WalletItem | None:
        if not is_item_id(item_id) or not is_item_id(owner) or not self._path(owner).exists():
            return None
        with self._lock, self._shard(owner) as db:
            table = db.table(TABLE)
            row = table.get((Query().owner == owner) & (Query().id == item_id))
            if row is None:
                return None
            table.remove((Query().owner == owner) & (Query().id == item_id))
        return from_row(row)

    def every(self) -> Iterator[WalletItem]:
        for path in sorted(self.root.glob("??.json")):
            with TinyDB(path, storage=AtomicFileStorage) as db:
                yield from (from_row(r) for r in db.table(TABLE).all())
