"""Secondary indexes of the embedded stores: key (receipt number, owner, ...) → document ids.

An index is a registry entry, a function giving a document's keys; adding an index to
the dossier store is one line in ``INDEXES`` (the store builds it for existing dossiers
when it opens; the user store's registry is storage.tinydb_users.UNIQUE).
Each index is spread over small JSON files by a stable hash of the key, so keeping it
up to date rewrites a few kilobytes, not the whole index. A file maps each key to its
document ids as one space-separated string: readers cache these dicts, and a dict of
strings is invisible to Python's cyclic garbage collector where a dict of lists is not.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from engine.dossier import Dossier
from storage.atomic import JsonFile

INDEXES: dict[str, Callable[[Dossier], list[str]]] = {
    "receipt_number": lambda d: [d.receipt_number] if d.receipt_number else [],
    "owner": lambda d: [d.owner],
    "applicant_id_number": lambda d: [d.applicant_id_number] if d.applicant_id_number else [],
}


def shard_of(text: str, shards: int) -> int:
    """Which of ``shards`` files holds ``text``: the same in every process and every run,
    which Python's per-process salted hash() is not."""
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def shard_file_name(name: str, shard: int, shards: int) -> str:
    return f"{name}-{shard:0{len(str(shards - 1))}d}.json"


class Index:
    """One index: each of its files maps a key to the sorted ids of the documents having it."""

    def __init__(self, directory: Path, name: str, shards: int) -> None:
        self._files = [JsonFile(directory / shard_file_name(name, i, shards)) for i in range(shards)]

    def ids(self, key: str) -> list[str]:
        entries = self._files[shard_of(key, len(self._files))].read() or {}
        return entries.get(key, "").split()

    def apply(self, changes: Iterable[tuple[str, str, bool]]) -> None:
        """Make each (key, document id, present) hold; every touched file is written once.

        Called with the store's write lock held, so files are read fresh from disk. The
        caller fsyncs the directory afterwards, once for all the files it replaced."""
        by_file: dict[int, list[tuple[str, str, bool]]] = defaultdict(list)
        for change in changes:
            by_file[shard_of(change[0], len(self._files))].append(change)
        for shard, shard_changes in by_file.items():
            entries = self._files[shard].read_fresh() or {}
            changed = False
            for key, doc_id, present in shard_changes:
                ids = set(entries.get(key, "").split())
                if (doc_id in ids) == present:
                    continue
                changed = True
                ids ^= {doc_id}  # toggles the one id that differs
                if ids:
                    entries[key] = " ".join(sorted(ids))
                else:
                    del entries[key]
            if changed:
                self._files[shard].write(entries, sync_dir=False)
