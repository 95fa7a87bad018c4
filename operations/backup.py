"""Backing up and restoring a portal that keeps everything under its instance folder
(the embedded default: TinyDB stores and plain files), while it runs.

What is durable there (``PARTS``): the dossier store, the accounts, the uploaded files,
the published definitions, the e-mails waiting to be sent, the registry of issued documents
(storage.documents), the citizens' "Kho giấy tờ" (storage.wallet) and the secret key. The
development outbox (messages already "delivered"), the forms kept after their session
ended (``rescued-forms/``, storage.rescue: one-time data of at most 24 hours, which after a
restore count as expired), the lock files and the dossier store's summary cache are left out.

A consistent copy without stopping the portal. Every file of these folders is only ever
replaced whole, by a rename (storage.atomic), never rewritten in place. So a snapshot is
a hard link of every file into a staging folder inside the instance folder, taken while
holding the writers' locks of the dossier store, the user store, the definitions, the
registry of issued documents and the wallets: for that moment (a link per file, milliseconds for
thousands) no writer in any process changes them, and a write that died was finished
first, so the snapshot is one committed state whose indexes agree with their shards.
Once the locks are released, writers replace files by new ones and the linked old ones
stay as they were, to be archived at leisure. Uploaded files are linked under the locks too: a file is deleted only after the
dossier that held it was saved without it, so every file a snapshot dossier names is
there. Where a link cannot be made (a folder on another file system), the file is copied
instead, still under the locks.

E-mails move between ``mail/queue/`` and ``mail/sending/`` by renames, without a lock
(operations.mail). The snapshot lists sending/, queue/, then sending/ again: a message
could be missed only by going from the queue to a delivery and back to the queue between
two listings microseconds apart, and a failed delivery takes a conversation with the
server, and the next attempt waits (retry_delay). A message being sent is archived as
it is and goes back to the queue on restore, so it may be sent twice, never lost.

A restore goes into an instance folder that holds no data (unless forced): the archive
is verified whole first (storage.archive), then extracted into a staging folder inside
the target, checked by opening its stores, and only then moved into place, one rename
per part. The portal must be stopped while it runs.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shlex
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from storage import archive
from storage.archive import CorruptArchive
from storage.atomic import TEMP_PREFIX, fsync_dir
from storage.definitions import DefinitionStore
from storage.documents import TinyDBDocumentRegistry
from storage.tinydb_store import TinyDBStore
from storage.tinydb_users import TinyDBUserStore
from storage.wallet import TinyDBWallet

FORMAT = 1  # the manifest's "format": raise it when what an archive holds changes
KIND = "dichvucong-backup"
# The instance folder's durable parts: name -> whether it is a folder (else one file).
PARTS = {"store": True, "users": True, "files": True, "definitions": True, "mail": True, "documents": True,
         "wallet": True, "secret_key": False}
QUEUE, SENDING = "mail/queue", "mail/sending"  # operations.mail.Mailer's folders
# The stores' lock files (storage.lock) and the dossier store's summary cache
# (storage.summary_cache): made again on demand.
_SKIPPED = {"store.lock", ".lock", "summaries.cache"}
_STAGING = ".backup-"  # staging folders in the instance folder: .backup-<pid>-<random>
# Where a restore puts the target's own parts while it moves the archive's in: removed once
# they are in place, and never swept, as it may hold the only copy if the restore died.
_REPLACED = ".replaced-"


class NoStore(Exception):
    """The instance folder has no embedded dossier store."""


class TargetNotEmpty(Exception):
    def __init__(self, counts: Counts) -> None:
        super().__init__(str(counts))
        self.counts = counts


@dataclass(frozen=True)
class Counts:
    dossiers: int = 0
    accounts: int = 0
    files: int = 0
    definitions: int = 0  # published versions
    messages: int = 0  # e-mails waiting (or being sent)
    # Items of the citizens' "Kho giấy tờ" (their files are counted in ``files``). An archive made
    # before the wallet has no such count and no wallet/ folder: it restores as an empty one.
    wallet_items: int = 0

    def __bool__(self) -> bool:
        return any(asdict(self).values())


@dataclass(frozen=True)
class Saved:
    path: Path
    size: int
    counts: Counts


@dataclass(frozen=True)
class Restored:
    counts: Counts
    created_at: str
    secret_key: bool  # False: the archive had none (the portal was given DVC_SECRET_KEY)


# -- backup ----------------------------------------------------------------------------------

def backup(instance: Path, path: Path) -> Saved:
    """Archive the instance folder's durable parts to the new file ``path`` (a folder:
    a file named for the time inside it). FileExistsError if ``path`` exists."""
    if not (instance / "store" / "meta.json").is_file():
        raise NoStore(str(instance / "store"))
    now = dt.datetime.now(dt.timezone.utc)
    if path.is_dir():
        path = path / f"dichvucong-{now:%Y%m%d-%H%M%S}.tar.gz"
    _sweep(instance)
    staging = instance / f"{_STAGING}{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        _snapshot(instance, staging)
        counts = _counts(staging)
        members = sorted(_files(staging))
        manifest = {"kind": KIND, "format": FORMAT, "created_at": now.isoformat(timespec="seconds"),
                    "counts": asdict(counts)}
        size = archive.write(path, ((name, staging / name) for name in members), manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Saved(path, size, counts)


def _snapshot(instance: Path, staging: Path) -> None:
    """Link (or copy) every durable file into ``staging`` under the writers' locks."""
    store = TinyDBStore(instance / "store")
    users = TinyDBUserStore(instance / "users")
    definitions = DefinitionStore(instance / "definitions")
    documents = TinyDBDocumentRegistry(instance / "documents")
    wallets = TinyDBWallet(instance / "wallet")
    # Uploaded files never change: most are linked before the locks are taken, and under
    # them the folder is only brought up to date (the new ones linked, the deleted ones dropped).
    _mirror(instance / "files", staging / "files")
    with ExitStack() as held:
        # Always in this order; no writer holds two of these locks at once, so none waits on us in a cycle.
        held.enter_context(store.frozen())
        held.enter_context(users.frozen())
        held.enter_context(definitions.frozen())
        held.enter_context(documents.frozen())
        held.enter_context(wallets.frozen())
        for part, is_folder in PARTS.items():
            if part == "mail":
                _snapshot_mail(instance, staging)
            elif is_folder:
                _mirror(instance / part, staging / part)
            elif (instance / part).is_file():
                _link(instance / part, staging / part)


def _mirror(source: Path, target: Path) -> None:
    """Make ``target`` hold links to the durable files of ``source``, and only those."""
    wanted, present = set(_files(source)), set(_files(target))
    for name in sorted(wanted - present):
        try:
            _link(source / name, target / name)
        except FileNotFoundError:
            continue  # an uploaded file deleted since the listing (the stores' files are locked)
    for name in present - wanted:
        (target / name).unlink()


def _snapshot_mail(instance: Path, staging: Path) -> None:
    """The messages of the queue and of sending/, each once (see the module docstring)."""
    seen: set[str] = set()
    for folder in (SENDING, QUEUE, SENDING):
        for name in _files(instance / folder):
            message = _message_name(folder, name)
            if message in seen:
                continue
            try:
                _link(instance / folder / name, staging / folder / name)
            except FileNotFoundError:
                continue  # moved to the other folder meanwhile: the next listing has it
            seen.add(message)


def _message_name(folder: str, name: str) -> str:
    """A message's name in the queue: the same in sending/ (storage.mail_queue), except a claim
    left by a version before the locks, which has the claiming process id appended."""
    return name.rpartition(".")[0] if folder == SENDING and not name.endswith(".eml") else name


def _link(source: Path, target: Path) -> None:
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True)
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def _files(root: Path | str, prefix: str = "") -> Iterator[str]:
    """The durable files under ``root``, as paths relative to it: no temporary file of a
    write in progress, no lock file, no symbolic link, no staging folder."""
    try:
        entries = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith((TEMP_PREFIX, _STAGING)) or entry.name in _SKIPPED:
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _files(entry.path, f"{prefix}{entry.name}/")
        elif entry.is_file(follow_symlinks=False):
            yield prefix + entry.name


def _counts(root: Path) -> Counts:
    """What the instance folder ``root`` (or a staged copy) holds, read through its stores."""
    has_store = (root / "store" / "meta.json").is_file()
    has_users = (root / "users" / "meta.json").is_file()
    messages = {_message_name(folder, name) for folder in (QUEUE, SENDING) for name in _files(root / folder)}
    return Counts(
        dossiers=TinyDBStore(root / "store").count() if has_store else 0,
        accounts=TinyDBUserStore(root / "users").count() if has_users else 0,
        files=sum(1 for _ in _files(root / "files")),
        definitions=len(DefinitionStore(root / "definitions").versions()) if (root / "definitions").is_dir() else 0,
        messages=len(messages),
        wallet_items=sum(1 for _ in TinyDBWallet(root / "wallet").every()) if (root / "wallet").is_dir() else 0,
    )


def _sweep(instance: Path) -> None:
    """Remove the staging folders of backups whose process died."""
    for folder in instance.glob(_STAGING + "*"):
        pid = folder.name[len(_STAGING):].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- restore ---------------------------------------------------------------------------------

def restore(path: Path, instance: Path, *, force: bool = False) -> Restored:
    """Put the archive's parts in place in ``instance``. CorruptArchive (before anything
    is written) if the archive is damaged or not a backup; TargetNotEmpty if the target
    holds data and not ``force`` (which replaces it)."""
    manifest = archive.verify(path)
    _check_manifest(manifest)
    if instance.is_dir() and not force:
        present = _counts(instance)
        if present:
            raise TargetNotEmpty(present)
    instance.mkdir(parents=True, exist_ok=True)
    staging = instance / f"{_STAGING}{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        archive.extract(path, manifest, _destinations(manifest, staging))
        for part, is_folder in PARTS.items():
            if is_folder:
                (staging / part).mkdir(exist_ok=True)
        (staging / QUEUE).mkdir(parents=True, exist_ok=True)
        (staging / SENDING).mkdir(parents=True, exist_ok=True)
        try:
            restored = _counts(staging)
        except ValueError as exc:  # a store of another format
            raise CorruptArchive(str(exc)) from None
        if asdict(restored) != {**asdict(Counts()), **manifest["counts"]}:
            raise CorruptArchive(f"nội dung khác với manifest.json: {restored} thay vì {manifest['counts']}")
        _swap(staging, instance)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Restored(restored, manifest["created_at"], (instance / "secret_key").is_file()
                    and "secret_key" in manifest["members"])


def _check_manifest(manifest: dict[str, Any]) -> None:
    if manifest.get("kind") != KIND:
        raise CorruptArchive("không phải bản sao lưu của cổng dịch vụ công")
    if manifest.get("format") != FORMAT:
        raise CorruptArchive(f"bản sao lưu định dạng {manifest.get('format')}; chương trình này đọc định dạng {FORMAT}")
    if not isinstance(manifest.get("counts"), dict) or not isinstance(manifest.get("created_at"), str):
        raise CorruptArchive("manifest.json thiếu thông tin")
    for name in manifest["members"]:
        part = name.partition("/")[0]
        if part not in PARTS or (part == "mail" and not name.startswith((QUEUE + "/", SENDING + "/"))) \
                or (not PARTS[part] and name != part):
            raise CorruptArchive(f"{name}: không thuộc thư mục instance của cổng")


def _destinations(manifest: dict[str, Any], staging: Path):
    """Each member's path in ``staging``: a message that was being sent goes back to the queue."""
    where: dict[str, Path] = {}
    taken: set[str] = set()
    for name in sorted(manifest["members"], key=lambda n: n.startswith(SENDING)):  # queued ones first
        if name.startswith(SENDING + "/"):
            name_in_queue = f"{QUEUE}/{_message_name(SENDING, name.rpartition('/')[2])}"
        else:
            name_in_queue = name
        if name_in_queue not in taken:  # the same message, listed twice
            taken.add(name_in_queue)
            where[name] = staging / name_in_queue
    return where.get


def _swap(staging: Path, instance: Path) -> None:
    """Move each staged part into place and the target's own (if any) aside, then remove
    those. Should a rename fail, the parts already moved are put back as they were."""
    aside = instance / f"{_REPLACED}{os.getpid()}-{secrets.token_hex(4)}"
    aside.mkdir()
    moved: list[str] = []
    try:
        for part in PARTS:
            if not (staging / part).exists():
                continue  # no secret key in the archive: the target's stays
            if (instance / part).exists() or (instance / part).is_symlink():
                os.rename(instance / part, aside / part)
            moved.append(part)
            os.rename(staging / part, instance / part)
        fsync_dir(instance)
    except BaseException:
        for part in reversed(moved):
            if (instance / part).exists():
                os.rename(instance / part, staging / part)
            if (aside / part).exists() or (aside / part).is_symlink():
                os.rename(aside / part, instance / part)
        aside.rmdir()  # empty again; if not, it keeps what could not be put back
        raise
    shutil.rmtree(aside)


# -- PostgreSQL ------------------------------------------------------------------------------

def postgres_commands(url: str) -> tuple[str, str]:
    """The pg_dump and pg_restore commands for the database of ``url`` (DVC_DATABASE_URL),
    without its password (libpq reads it from PGPASSWORD or ~/.pgpass) and with its
    ``?schema=`` turned into pg_dump's --schema (libpq does not know the parameter)."""
    from storage.postgres import split_schema  # psycopg is loaded only for this

    connection, schema = split_schema(url)
    if "://" in connection:
        parts = urlsplit(connection)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        user = f"{parts.username}@" if parts.username else ""
        connection = urlunsplit(parts._replace(netloc=user + host))
    else:
        connection = "$DVC_DATABASE_URL"  # a key=value string: may hold password=…
    target = shlex.quote(connection) if connection != "$DVC_DATABASE_URL" else '"$DVC_DATABASE_URL"'
    dump = f"pg_dump -Fc --schema={schema or 'public'} --file=dichvucong.dump {target}"
    restore = f"pg_restore --clean --if-exists --no-owner --dbname={target} dichvucong.dump"
    return dump, restore
