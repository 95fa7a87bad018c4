"""Reading an uploaded service definition safely, and keeping it until it is published.

An administrator uploads either one ``.zip`` (the definition's folder, or its four files
at the zip's root) or the four JSON files themselves (two, service.json and documents.json,
for a service that only informs: the lint says what is missing). Nothing in an upload is trusted:

* at most 2 MB uploaded, at most 4 MB once uncompressed (counted while reading, not
  taken from the zip's own headers), at most 20 zip entries;
* only the four known file names, in one folder at most; no absolute path, no ``..``,
  no symbolic link, no encrypted entry;
* each JSON file at most 512 KB: the lint (``engine.bundle.read_json``) reports it.

A refusal is an :class:`DefinitionUploadRefused` with a message for the page, in the visitor's
language (Vietnamese unless they chose English). An
accepted upload is kept in :class:`UploadArea` (under the instance folder) by a random
token until it is published or abandoned; uploads older than a day are removed.
"""

from __future__ import annotations

import io
import re
import secrets
import shutil
import stat
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flask_babel import gettext
from werkzeug.datastructures import FileStorage

from engine.catalog import FILES
from storage.atomic import write_atomic
from engine.bounds import MAX_ENTRIES, MAX_UNCOMPRESSED, MAX_UPLOAD
from storage.definitions import SLUG

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
_CHUNK = 64 * 1024


class DefinitionUploadRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Upload:
    files: dict[str, bytes]  # known file name -> content
    folder: str | None  # the zip's folder name, a slug candidate


def _mb(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


def _read_capped(stream, budget: int, message: str) -> bytes:
    """At most ``budget`` bytes of ``stream``; DefinitionUploadRefused(message) when there are more."""
    chunks, total = [], 0
    while True:
        chunk = stream.read(min(_CHUNK, budget - total + 1))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > budget:
            raise DefinitionUploadRefused(message)
        chunks.append(chunk)


def read_upload(uploads: Iterable[FileStorage]) -> Upload:
    """The definition in the posted files: one .zip, or some of the four JSON files."""
    received = [u for u in uploads if u is not None and u.filename]
    if not received:
        raise DefinitionUploadRefused(gettext("Chưa chọn tệp nào. Hãy chọn một tệp .zip hoặc các tệp JSON của định nghĩa "
                                    "dịch vụ."))
    too_big = gettext("Dung lượng tải lên vượt quá %(size)s.", size=_mb(MAX_UPLOAD))
    budget = MAX_UPLOAD
    contents: list[tuple[str, bytes]] = []
    for upload in received:
        data = _read_capped(upload.stream, budget, too_big)
        budget -= len(data)
        contents.append((_base_name(upload.filename), data))
    zips = [name for name, _ in contents if name.lower().endswith(".zip")]
    if zips:
        if len(contents) > 1:
            raise DefinitionUploadRefused(gettext("Tải lên một tệp .zip, hoặc các tệp JSON, nhưng không cả hai cùng lúc."))
        return read_zip(contents[0][1])
    files: dict[str, bytes] = {}
    for name, data in contents:
        if name not in FILES:
            raise DefinitionUploadRefused(gettext("Tệp “%(name)s” không thuộc định nghĩa dịch vụ; chỉ nhận %(known)s.",
                                        name=name, known=_known()))
        if name in files:
            raise DefinitionUploadRefused(gettext("Tệp “%(name)s” được chọn hai lần.", name=name))
        files[name] = data
    return Upload(files, None)


def _base_name(filename: str) -> str:
    """The name a browser gave, without any folder part (some send one)."""
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _known() -> str:
    return ", ".join(FILES)


def read_zip(data: bytes) -> Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise DefinitionUploadRefused(gettext("Tệp .zip bị hỏng hoặc không phải tệp nén .zip.")) from None
    if len(entries) > MAX_ENTRIES:
        raise DefinitionUploadRefused(gettext("Tệp .zip có %(count)s mục, nhiều hơn mức cho phép (%(limit)s).",
                                    count=len(entries), limit=MAX_ENTRIES))
    folders: set[str] = set()
    wanted: list[tuple[zipfile.ZipInfo, str]] = []
    declared = 0
    for entry in entries:
        parts = _safe_parts(entry)
        if entry.is_dir():
            if len(parts) > 1:
                raise DefinitionUploadRefused(gettext("Tệp .zip chứa thư mục lồng nhau “%(name)s”: chỉ được có một thư mục.",
                                            name=entry.filename))
            folders.add(parts[0])
            continue
        if len(parts) > 2 or parts[-1] not in FILES:
            raise DefinitionUploadRefused(gettext("Tệp .zip chứa “%(name)s”, không thuộc định nghĩa dịch vụ; chỉ nhận "
                                        "%(known)s.", name=entry.filename, known=_known()))
        if len(parts) == 2:
            folders.add(parts[0])
        declared += entry.file_size
        wanted.append((entry, parts[-1]))
    if len(folders) > 1 or (folders and any(len(_safe_parts(e)) == 1 for e, _ in wanted)):
        raise DefinitionUploadRefused(gettext("Các tệp trong .zip phải nằm chung một thư mục, hoặc cùng ở gốc tệp nén."))
    too_big = gettext("Nội dung giải nén vượt quá %(size)s.", size=_mb(MAX_UNCOMPRESSED))
    if declared > MAX_UNCOMPRESSED:
        raise DefinitionUploadRefused(too_big)
    files: dict[str, bytes] = {}
    budget = MAX_UNCOMPRESSED
    for entry, name in wanted:
        if name in files:
            raise DefinitionUploadRefused(gettext("Tệp “%(name)s” có hai lần trong .zip.", name=name))
        try:
            with archive.open(entry) as member:
                # Counted as it is inflated: a header may lie about the size.
                content = _read_capped(member, budget, too_big)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError):
            raise DefinitionUploadRefused(gettext("Không giải nén được “%(name)s” (tệp .zip bị hỏng hoặc dùng cách nén "
                                        "không hỗ trợ).", name=entry.filename)) from None
        budget -= len(content)
        files[name] = content
    return Upload(files, next(iter(folders), None))


def _safe_parts(entry: zipfile.ZipInfo) -> tuple[str, ...]:
    """The entry's path parts; DefinitionUploadRefused for an absolute path, ``..``, a link or encryption."""
    name = entry.filename
    if entry.flag_bits & 0x1:
        raise DefinitionUploadRefused(gettext("Tệp .zip có mục được mã hóa (“%(name)s”); hãy nén lại không đặt mật khẩu.",
                                    name=name))
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise DefinitionUploadRefused(gettext("Tệp .zip chứa liên kết tượng trưng “%(name)s”: không được phép.", name=name))
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified) or "\x00" in unified:
        raise DefinitionUploadRefused(gettext("Tệp .zip chứa đường dẫn tuyệt đối “%(name)s”: không được phép.", name=name))
    parts = tuple(p for p in PurePosixPath(unified).parts if p not in ("", "."))
    if ".." in parts:
        raise DefinitionUploadRefused(gettext("Tệp .zip chứa đường dẫn ra ngoài thư mục (“%(name)s”): không được phép.",
                                    name=name))
    if not parts:
        raise DefinitionUploadRefused(gettext("Tệp .zip có mục không tên “%(name)s”.", name=name))
    return parts


# -- kept until published --------------------------------------------------------------------


class UploadArea:
    """Uploads being previewed: ``<root>/<token>/<slug>/`` holding the uploaded files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def save(self, upload: Upload, slug: str) -> str:
        if not SLUG.fullmatch(slug):
            raise ValueError(slug)
        self.sweep()
        token = secrets.token_urlsafe(16)
        folder = self.root / token / slug
        folder.mkdir(parents=True)
        for name, content in upload.files.items():
            write_atomic(folder / name, content, sync_dir=False)
        return token

    def folder(self, token: str) -> Path | None:
        """The upload's definition folder, or None (unknown, abandoned or expired)."""
        if not _TOKEN.fullmatch(token):
            return None
        base = self.root / token
        try:
            if time.time() - base.stat().st_mtime > KEEP_SECONDS:
                return None
            found = [p for p in base.iterdir() if p.is_dir() and SLUG.fullmatch(p.name)]
        except FileNotFoundError:
            return None
        return found[0] if len(found) == 1 else None

    def discard(self, token: str) -> None:
        if _TOKEN.fullmatch(token):
            shutil.rmtree(self.root / token, ignore_errors=True)

    def sweep(self) -> None:
        """Remove uploads older than a day."""
        now = time.time()
        for entry in self.root.iterdir():
            try:
                if now - entry.stat().st_mtime > KEEP_SECONDS:
                    shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
            except FileNotFoundError:
                pass
