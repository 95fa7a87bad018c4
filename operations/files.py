"""Keeping a file a person uploaded: checked by its content, stored, described.

The web layer reads the posted bytes (never more than the limit plus one, so an
oversized file is refused without being held whole); what is kept, and under which
name, is decided here, for the citizen's documents and the desk's result files alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from engine.dossier import Attachment
from engine.uploads import EXTENSIONS, check
from operations.portal import Portal


@dataclass(frozen=True)
class Upload:
    """A posted file: the name the person's device gave it, and at most limit + 1 bytes."""

    filename: str
    data: bytes


def safe_filename(name: str, kind: str) -> str:
    """The name the person gave (for their eyes only), without a path, with the right ending."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()[:120] or "tep"
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return stem + EXTENSIONS[kind]


def keep(portal: Portal, upload: Upload, accept: tuple[str, ...] | list[str], max_size_mb: float,
         name: str | None = None) -> Attachment:
    """The upload stored, if its content is one of the ``accept`` kinds within the size;
    else ``engine.uploads.UploadRefused``, and nothing is stored. ``name`` (without its
    ending) replaces the person's file name."""
    checked = check(upload.data, tuple(accept), max_size_mb)
    filename = safe_filename(name or upload.filename, checked.kind)
    return Attachment(file_id=portal.files.put(upload.data), filename=filename, media_type=checked.media_type,
                      size=checked.size, sha256=hashlib.sha256(upload.data).hexdigest(), uploaded_at=portal.now())
