"""Backup archives: a tar file of named members, with a manifest that vouches for each.

The archive is an ordinary tar (gzip-compressed unless its name ends otherwise, see
``COMPRESSION``), so ``tar -tzf`` lists it. Its last member is ``manifest.json``: what
the caller records (format, time, counts) and, per member, its size and SHA-256. Last
rather than first so that writing reads every file once (the digests are taken while
the member is written), and so that a truncated archive always lacks its manifest.

An archive is written to a temporary file readable by its owner only (it may hold keys
and password hashes), fsync'ed, then linked into place, which never replaces an
existing file. Reading is two passes over the stream: ``verify`` checks every member
against the manifest and writes nothing; ``extract`` then writes the members, checking
each again as it goes (the file may have changed in between).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from storage.atomic import TEMP_PREFIX, fsync_dir

MANIFEST = "manifest.json"
_CHUNK = 1 << 20
# How an archive's name ends -> tarfile's compression; any other name is gzip-compressed.
COMPRESSION = {".tar": "", ".tgz": "gz", ".gz": "gz", ".xz": "xz", ".bz2": "bz2"}
_LEVEL = {"gz": {"compresslevel": 6}, "bz2": {"compresslevel": 6}}  # tarfile's default 9 is slower for no gain
# What a damaged file makes the readers raise: a bad header, a broken or truncated stream.
_DAMAGE = (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile, UnicodeDecodeError)


class CorruptArchive(Exception):
    """Not an archive of this kind, or one whose content is not what its manifest says."""


class _Hashing:
    """A file read through, its SHA-256 taken on the way (tarfile reads members with read(n))."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self.sha256.update(data)
        return data


def _regular(name: str, size: int, mtime: float = 0) -> tarfile.TarInfo:
    """A member's header: a plain file readable by the owner only. Built by hand, not by
    ``gettarinfo``, which turns a second path of one inode into a hard-link member."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode, info.type = size, int(mtime), 0o600, tarfile.REGTYPE
    return info


def write(path: Path, members: Iterable[tuple[str, Path]], manifest: dict[str, Any]) -> int:
    """Write ``members`` (archive name, file to read) and then the manifest, ``manifest``
    plus each member's size and SHA-256, to a new file ``path``; returns its size.
    FileExistsError when ``path`` exists: an archive is never overwritten."""
    compression = COMPRESSION.get(path.suffix, "gz")
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as raw:
            listed: dict[str, dict[str, Any]] = {}
            with tarfile.open(fileobj=raw, mode=f"w:{compression}", format=tarfile.PAX_FORMAT,
                              **_LEVEL.get(compression, {})) as tar:
                for name, source in members:
                    with open(source, "rb") as f:
                        st = os.fstat(f.fileno())
                        hashing = _Hashing(f)
                        tar.addfile(_regular(name, st.st_size, st.st_mtime), hashing)
                    listed[name] = {"size": st.st_size, "sha256": hashing.sha256.hexdigest()}
                content = json.dumps({**manifest, "members": listed}, ensure_ascii=False, indent=1).encode()
                tar.addfile(_regular(MANIFEST, len(content)), io.BytesIO(content))
            raw.flush()
            os.fsync(raw.fileno())
        os.link(temp, path)
        fsync_dir(path.parent)
    finally:
        Path(temp).unlink(missing_ok=True)
    return path.stat().st_size


def _safe(name: str) -> bool:
    """A relative path without '.', '..' or empty parts: it cannot land outside the target."""
    parts = name.split("/")
    return not name.startswith("/") and "\\" not in name and all(p not in ("", ".", "..") for p in parts) \
        and PurePosixPath(name).as_posix() == name


def _members(path: Path) -> Iterable[tuple[tarfile.TarInfo, IO[bytes] | None]]:
    """Each member and a reader of its content, in order, from one pass over the stream."""
    with tarfile.open(path, "r|*") as tar:
        for member in tar:
            yield member, tar.extractfile(member)


def _digest(f: IO[bytes], out: IO[bytes] | None = None) -> tuple[int, str]:
    sha256, size = hashlib.sha256(), 0
    while chunk := f.read(_CHUNK):
        sha256.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return size, sha256.hexdigest()


def verify(path: Path) -> dict[str, Any]:
    """The manifest of the archive at ``path``, once every member has been read and found
    to be what the manifest says (and nothing else is in it). Writes nothing.
    CorruptArchive, saying what is wrong, otherwise."""
    found: dict[str, tuple[int, str]] = {}
    manifest: dict[str, Any] | None = None
    try:
        for member, f in _members(path):
            if member.name == MANIFEST and f is not None:
                manifest = json.loads(f.read())
                continue
            if not member.isreg() or f is None:
                raise CorruptArchive(f"{member.name}: không phải một tệp thông thường")
            if not _safe(member.name) or member.name in found:
                raise CorruptArchive(f"{member.name}: tên tệp không hợp lệ hoặc lặp lại")
            found[member.name] = _digest(f)
    except CorruptArchive:
        raise
    except json.JSONDecodeError:
        raise CorruptArchive(f"{MANIFEST} không đọc được") from None
    except _DAMAGE as exc:
        raise CorruptArchive(f"tệp bị hỏng hoặc không phải tệp tar ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("members"), dict):
        raise CorruptArchive(f"không có {MANIFEST}: tệp bị hỏng, bị cắt cụt, hoặc không phải bản sao lưu")
    listed = manifest["members"]
    for name in sorted(listed.keys() | found.keys()):
        entry = listed.get(name)
        if name not in found:
            raise CorruptArchive(f"thiếu {name}")
        if not isinstance(entry, dict):
            raise CorruptArchive(f"{name} không có trong {MANIFEST}")
        if found[name] != (entry.get("size"), entry.get("sha256")):
            raise CorruptArchive(f"{name}: nội dung khác với {MANIFEST} (sai mã SHA-256)")
    return manifest


def extract(path: Path, manifest: dict[str, Any], destination: Callable[[str], Path | None]) -> None:
    """Write each member of a verified archive to ``destination(name)`` (None: skip it),
    a new file readable by its owner only, fsync'ed with its folder. CorruptArchive if a
    member no longer matches ``manifest``; what was written is then the caller's to remove."""
    folders: set[Path] = set()
    try:
        for member, f in _members(path):
            target = destination(member.name) if member.name != MANIFEST else None
            if target is None or f is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                got = _digest(f, out)
                out.flush()
                os.fsync(out.fileno())
            entry = manifest["members"].get(member.name) or {}
            if got != (entry.get("size"), entry.get("sha256")):
                raise CorruptArchive(f"{member.name}: nội dung đã thay đổi từ lúc kiểm tra")
    except CorruptArchive:
        raise
    except _DAMAGE as exc:
        raise CorruptArchive(f"tệp bị hỏng ({exc})") from None
    for folder in folders:
        fsync_dir(folder)
