"""The shards' summaries (storage.shards.ShardView.summaries) kept on disk, so that a fresh
worker answers its first clerk inbox without reading every shard.

The inbox filters and sorts on a few fields of every dossier. Reading them means reading
and parsing every shard: about 0.9 s at 50,000 dossiers, paid by every new worker process
(bench/web.py). Here the summaries of each shard are kept in one file beside the shards,
``summaries.cache``, each under the key of the shard version it was read from
(storage.atomic: inode, modification time and size; every version written has its own).
A worker uses a kept summary only while its shard's key on disk is still that one (one
stat() per shard), and reads a shard whose key differs as before. The file is only a
cache: any process may replace it, nothing is lost when it is missing, stale or damaged
(its summaries are read from the shards again), it is not fsynced, and backups leave it out.

marshal rather than JSON or pickle: the summaries are tuples of strings, ints and None,
which marshal writes and reads back as they are about ten times faster than json (tuples
stay tuples); it runs no code when loading, unlike pickle. The file is the portal's own,
in the store's folder, like the shards themselves.
"""

from __future__ import annotations

import marshal
import time
from pathlib import Path
from typing import Any

from storage.atomic import write_atomic

FILE = "summaries.cache"
_FORMAT = 1  # raise when storage.shards' summary entries change
_SAVE_AFTER = 5.0  # seconds: a process writes the file at most this often, once it has something new
_SAVE_NOW = 16  # shards summarised anew since the last save: write it without waiting

Key = tuple[int, int, int]
Groups = dict[tuple[str, str, str], list[tuple[Any, ...]]]


class SummaryCache:
    def __init__(self, directory: Path, layout: tuple[Any, ...]) -> None:
        self.path = directory / FILE
        self._layout = layout  # what the entries depend on besides the shards (the shard count)
        self._kept: dict[int, tuple[Key, Groups]] | None = None  # read on first use
        self._new = 0
        self._saved_at = 0.0

    def _entries(self) -> dict[int, tuple[Key, Groups]]:
        if self._kept is None:
            self._kept = {}
            try:
                format_, layout, kept = marshal.loads(self.path.read_bytes())
                if format_ == _FORMAT and layout == self._layout and isinstance(kept, dict):
                    self._kept = kept
            except (OSError, EOFError, ValueError, TypeError):
                pass  # no file yet, or one this version cannot read: summaries are read again
            self._saved_at = time.monotonic()
        return self._kept

    def get(self, shard: int, key: Key) -> Groups | None:
        """The kept summaries of ``shard`` if they were read from its version ``key``."""
        kept = self._entries().get(shard)
        return kept[1] if kept is not None and tuple(kept[0]) == key else None

    def put(self, shard: int, key: Key, groups: Groups) -> None:
        entries = self._entries()
        kept = entries.get(shard)
        if kept is None or tuple(kept[0]) != key:
            entries[shard] = (key, groups)
            self._new += 1

    def save_if_due(self) -> None:
        """Write the file when this process summarised shards anew and it is time to."""
        if not self._new or (self._new < _SAVE_NOW and time.monotonic() - self._saved_at < _SAVE_AFTER):
            return
        try:
            write_atomic(self.path, marshal.dumps((_FORMAT, self._layout, self._entries())), durable=False)
        except OSError:
            return  # a full disk or a read-only folder: the cache is only a cache
        self._new, self._saved_at = 0, time.monotonic()
