"""Published service definitions, kept under the instance folder.

    definitions/
      revision                 a counter, replaced on every publish and withdrawal
      withdrawn.json           ["slug", ...]: services that take no new dossiers
      .lock                    one writer at a time, across processes
      <slug>/<n>/              version n of a service: service.json, documents.json,
                               form.schema.json (bundled: self-contained), sample.json
                               (these two absent for a service that only informs)

A version folder is written whole into a temporary folder beside it, then renamed
into place: a reader sees all its files or no folder at all. It is never changed
afterwards; a change is a new version. Every process notices a publish or a
withdrawal by the ``revision`` file's identity (one stat(), see :meth:`revision`).

The store knows files only: checking a definition and turning a folder into a
:class:`engine.catalog.Service` is the caller's job (``operations.publishing``).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.bounds import MAX_SLUG
from engine.catalog import FILES, REQUIRED_FILES
from storage.atomic import TEMP_PREFIX, JsonFile, fsync_dir, write_atomic
from storage.lock import WriteLock

# A service's address and folder name: words of lower-case letters and digits joined by
# "-", at most MAX_SLUG characters (a longer one is no file name on most file systems).
SLUG = re.compile(rf"(?=.{{1,{MAX_SLUG}}}\Z)[a-z0-9]+(-[a-z0-9]+)*")
_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def check_files(slug: str, files: dict[str, bytes]) -> None:
    """ValueError unless ``slug`` is a service's address and ``files`` exactly a version's
    four, or its two without a form (a service that only informs)."""
    if not SLUG.fullmatch(slug):
        raise ValueError(f"mã dịch vụ không hợp lệ: {slug!r}")
    if sorted(files) not in (sorted(FILES), sorted(REQUIRED_FILES)):
        raise ValueError(f"cần đúng các tệp {', '.join(FILES)} (hoặc chỉ {', '.join(REQUIRED_FILES)})")


def write_temporary(parent: Path, files: dict[str, bytes]) -> Path:
    """A temporary folder in ``parent`` holding ``files``, durable: the caller renames it
    into place (a reader sees all the files or no folder) or removes it."""
    temp = parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    temp.mkdir()
    try:
        for name, content in files.items():
            write_atomic(temp / name, content, sync_dir=False)
        fsync_dir(temp)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return temp


@dataclass(frozen=True)
class PublishedVersion:
    slug: str
    number: int
    folder: Path


class DefinitionStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = WriteLock(self.root / ".lock")
        self._withdrawn = JsonFile(self.root / "withdrawn.json")
        self._revision = self.root / "revision"

    # -- reading ---------------------------------------------------------------------------

    def revision(self) -> tuple[int, int, int] | None:
        """Identity of the revision file (None before the first publish): it changes on
        every publish and withdrawal, in whichever process made it."""
        try:
            st = os.stat(self._revision)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def versions(self, slug: str | None = None) -> list[PublishedVersion]:
        """Every published version (of ``slug``), by slug then number."""
        found = []
        slugs = [slug] if slug is not None else sorted(p.name for p in self.root.iterdir() if p.is_dir())
        for name in slugs:
            folder = self.root / name
            if not SLUG.fullmatch(name) or not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if _NUMBER.fullmatch(entry.name) and entry.is_dir():
                    found.append(PublishedVersion(name, int(entry.name), entry))
        return sorted(found, key=lambda v: (v.slug, v.number))

    def version(self, slug: str, number: int) -> PublishedVersion:
        return PublishedVersion(slug, number, self.root / slug / str(number))

    def withdrawn(self) -> frozenset[str]:
        return frozenset(self._withdrawn.read() or [])

    def frozen(self) -> WriteLock:
        """The writers' lock: ``with store.frozen():`` no publish or withdrawal happens in
        any process until the block ends (for a backup)."""
        return self._lock

    # -- writing ---------------------------------------------------------------------------

    def publish(self, slug: str, files: dict[str, bytes], floor: int = 0,
                verify: Callable[[Path], None] | None = None) -> int:
        """Write the next version of ``slug`` (after ``floor``, the newest version known
        elsewhere, e.g. the built-in one, and after every version on disk); returns its
        number. ``verify(folder)`` may refuse the written files by raising: nothing is
        published then."""
        check_files(slug, files)
        with self._lock:
            number = max([floor, *(v.number for v in self.versions(slug))]) + 1
            parent = self.root / slug
            parent.mkdir(exist_ok=True)
            temp = write_temporary(parent, files)
            try:
                if verify is not None:
                    verify(temp)
                os.rename(temp, parent / str(number))  # fails if it exists: never overwritten
            except BaseException:
                shutil.rmtree(temp, ignore_errors=True)
                raise
            fsync_dir(parent)
            fsync_dir(self.root)
            self._bump()
        return number

    def set_withdrawn(self, slug: str, withdrawn: bool = True) -> None:
        with self._lock:
            current = set(self._withdrawn.read_fresh() or [])
            changed = (current | {slug}) if withdrawn else (current - {slug})
            if changed != current:
                self._withdrawn.write(sorted(changed))
            self._bump()

    def _bump(self) -> None:
        """Called with the lock held."""
        try:
            count = int(self._revision.read_text() or 0)
        except (FileNotFoundError, ValueError):
            count = 0
        write_atomic(self._revision, str(count + 1).encode())

    def sweep(self) -> None:
        """Remove the temporary folders a crashed publish left behind."""
        with self._lock:
            for parent in self.root.iterdir():
                if parent.is_dir() and SLUG.fullmatch(parent.name):
                    for entry in parent.glob(TEMP_PREFIX + "*"):
                        shutil.rmtree(entry, ignore_errors=True)
