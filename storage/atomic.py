"""Files that are only ever replaced whole, never rewritten in place.

A write goes to a temporary file in the same directory, is fsync'ed, then renamed over
the target and the directory fsync'ed: a reader, or the file system after a crash,
sees the old complete file or the new one, never a mix. A writer replacing several
files of one directory may fsync the directory once after the last rename (each fsync
is a disk flush, the main cost of a write). Readers keep the parsed content and
re-read only when the file on disk is another one (another process replaced it), so a
hot file costs one stat() per read.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TEMP_PREFIX = ".tmp-"  # a crash can leave these behind; the sharded stores sweep them on open


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _cache_key(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def write_atomic(path: Path, content: bytes, *, sync_dir: bool = True, durable: bool = True) -> tuple[int, int, int]:
    """Replace ``path`` with ``content``; returns the new file's cache key.

    With ``sync_dir=False`` the rename is not durable until the caller fsyncs the directory.
    ``durable=False`` (a cache, which may be lost in a crash) fsyncs nothing: readers still
    see the old file or the new one whole."""
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            # The kernel's file timestamps may tick only every few milliseconds and a
            # freed inode number is soon reused, so two versions of a file written in
            # quick succession could share (inode, mtime, size) and a reader would keep
            # the stale one. A nanosecond clock reading makes every version's key unique.
            now = time.time_ns()
            os.utime(f.fileno(), ns=(now, now))
            if durable:
                os.fsync(f.fileno())
            key = _cache_key(os.fstat(f.fileno()))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    if sync_dir and durable:
        fsync_dir(path.parent)
    return key


class CachedFile:
    """A file replaced atomically, its parsed form cached until it changes on disk.

    ``read()`` returns the shared cached object: callers must not mutate it. A writer
    changes a private copy parsed from ``read_bytes()`` and hands it to ``replace()``,
    which makes it the cached object only once it is safely on disk."""

    def __init__(self, path: Path, parse: Callable[[bytes], Any]) -> None:
        self.path = path
        self._parse = parse
        self._cache: tuple[tuple[int, int, int], Any] | None = None

    def read(self) -> Any | None:
        """The parsed content (None when the file does not exist), re-parsed only when it changed."""
        return self.read_keyed()[1]

    def read_keyed(self) -> tuple[tuple[int, int, int] | None, Any | None]:
        """``read()`` with the key of the version it parsed (None, None without a file)."""
        key = self.key_now()
        if key is None:
            return None, None
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached
        try:
            with open(self.path, "rb") as f:
                # Keyed by the file actually opened: it may have been replaced since stat().
                key = _cache_key(os.fstat(f.fileno()))
                parsed = self._parse(f.read())
        except FileNotFoundError:
            return None, None
        self._cache = (key, parsed)
        return self._cache

    def key_now(self) -> tuple[int, int, int] | None:
        """The key of the version on disk now (None without a file): one stat(), nothing read.
        Every version written by ``write_atomic`` has its own key."""
        try:
            return _cache_key(os.stat(self.path))
        except FileNotFoundError:
            return None

    def cached(self, key: tuple[int, int, int] | None) -> Any | None:
        """The parsed content held in memory if it is the version with ``key``, else None."""
        cached = self._cache
        return cached[1] if cached is not None and key is not None and cached[0] == key else None

    def read_bytes(self) -> bytes | None:
        """The content on disk now, bypassing the cache."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def replace(self, content: bytes, parsed: Any, *, sync_dir: bool = True) -> None:
        """Write ``content``; ``parsed`` (what parsing it would give) becomes the cached value."""
        self._cache = None  # dropped first, so a failed write leaves the next read to go to disk
        self._cache = (write_atomic(self.path, content, sync_dir=sync_dir), parsed)

    def remove(self) -> None:
        self._cache = None
        self.path.unlink(missing_ok=True)


def dump_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class JsonFile(CachedFile):
    """A small JSON file (meta, journal, index shard)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, json.loads)

    def read_fresh(self) -> Any | None:
        """A private copy parsed from disk now, for a writer to change."""
        content = self.read_bytes()
        return json.loads(content) if content is not None else None

    def write(self, data: Any, *, sync_dir: bool = True) -> None:
        self.replace(dump_json(data), data, sync_dir=sync_dir)
