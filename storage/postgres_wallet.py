""""Kho giấy tờ của tôi" (engine.wallet) in PostgreSQL: one table every node shares.

Every query names the owner, so another citizen's item is never read, listed or
deleted. Keeping an item takes a transaction-scoped advisory lock on its owner before
counting what they keep: two keeps at once (two tabs, two nodes) are counted one after
the other, so neither passes the limits the other fills. The bytes are in the file store
(storage.postgres_files); the row holds the file's id.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine.wallet import WalletItem, check_room, is_item_id
from storage.postgres import Database, aware

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1
        """CREATE TABLE {schema}.wallet_items (
            id text COLLATE "C" PRIMARY KEY CHECK (id ~ '^[0-9a-f]{{16}}$'),
            owner text COLLATE "C" NOT NULL,
            label text NOT NULL,
            filename text NOT NULL,
            media_type text NOT NULL,
            size bigint NOT NULL,
            sha256 text NOT NULL,
            file_id text NOT NULL,
            kept_at timestamptz NOT NULL,
            document_name text NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX wallet_items_owner ON {schema}.wallet_items (owner, kept_at DESC)",
    ),
)

_COLUMNS = "id, owner, label, filename, media_type, size, sha256, file_id, kept_at, document_name"


def _item(row: tuple) -> WalletItem:
    item_id, owner, label, filename, media_type, size, sha256, file_id, kept_at, document_name = row
    return WalletItem(item_id, owner, label, filename, media_type, size, sha256, file_id, aware(kept_at),
                      document_name)


class PostgresWallet:
    def __init__(self, db: Database) -> None:
        db.migrate("wallet", MIGRATIONS)
        self.db = db
        self._items = db.sql(f"SELECT {_COLUMNS} FROM {{schema}}.wallet_items WHERE owner = %s"
                             " ORDER BY kept_at DESC, id")
        self._get = db.sql(f"SELECT {_COLUMNS} FROM {{schema}}.wallet_items WHERE owner = %s AND id = %s")
        self._add = db.sql(f"INSERT INTO {{schema}}.wallet_items ({_COLUMNS})"
                           " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
        self._delete = db.sql(f"DELETE FROM {{schema}}.wallet_items WHERE owner = %s AND id = %s"
                              f" RETURNING {_COLUMNS}")
        self._every = db.sql(f"SELECT {_COLUMNS} FROM {{schema}}.wallet_items ORDER BY owner, kept_at")
        self._lock_owner = db.sql("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))")
        self._lock_name = f"dichvucong:{db.schema}:wallet:"

    def items(self, owner: str) -> list[WalletItem]:
        with self.db.connection() as conn:
            return [_item(r) for r in conn.execute(self._items, [owner]).fetchall()]

    def get(self, owner: str, item_id: str) -> WalletItem | None:
        if not is_item_id(item_id):
            return None
        with self.db.connection() as conn:
            row = conn.execute(self._get, [owner, item_id]).fetchone()
        return _item(row) if row else None

    def add(self, item: WalletItem) -> None:
        i = item
        with self.db.connection() as conn, conn.transaction():
            conn.execute(self._lock_owner, [self._lock_name + i.owner])
            check_room([_item(r) for r in conn.execute(self._items, [i.owner]).fetchall()], i.size)
            conn.execute(self._add, [i.id, i.owner, i.label, i.filename, i.media_type, i.size, i.sha256,
                                     i.file_id, aware(i.kept_at), i.document_name])

    def delete(self, owner: str, item_id: str) -> WalletItem | None:
        if not is_item_id(item_id):
            return None
        with self.db.connection() as conn:
            row = conn.execute(self._delete, [owner, item_id]).fetchone()
        return _item(row) if row else None

    def every(self) -> Iterator[WalletItem]:
        with self.db.connection() as conn:
            yield from (_item(r) for r in conn.execute(self._every).fetchall())
