"""Keeping a file a person uploaded: checked by its content, cleaned, stored, described.

The web layer reads the posted bytes (never more than the limit plus one, so an
oversized file is refused without being held whole); what is kept, and under which
name, is decided here, for the citizen's documents and the desk's result files alike.
What is kept is the file ``engine.uploads.clean`` gives (an image without its metadata
or anything after it), and the attachment's size and SHA-256 are those of that file.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from engine.bounds import MAX_FILE_NAME
from engine.dossier import Attachment
from engine.uploads import EXTENSIONS, MEDIA_TYPES, check, clean
from operations.portal import Portal


# Characters that are not shown but change what is: the bidirectional overrides and
# isolates (U+202A-U+202E, U+2066-U+2069, which can make "ảnh\u202Egpj.exe" read
# "ảnhexe.jpg"), the marks U+200E, U+200F and U+061C, zero-width characters, controls
# (Cc, Cf), lone surrogates (Cs), and line and paragraph separators (Zl, Zp). Spacing
# of any kind (a tab, a line break, a no-break space) becomes one space.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


@dataclass(frozen=True)
class Upload:
    """A posted file: the name the person's device gave it, and at most limit + 1 bytes."""

    filename: str
    data: bytes
    # True for bytes the portal cleaned itself before (an item of "Kho giấy tờ", operations.wallet):
    # still checked against the slot, not written again (a JPEG re-encoded at each reuse would blur).
    cleaned: bool = False


def safe_filename(name: str, kind: str) -> str:
    """The name the person gave (for their eyes only), without a path or characters that are
    not shown, spaced with single spaces, in NFC (as macOS's decomposed "ả" is shown everywhere), with the ending of the
    file's real kind."""
    visible = "".join(" " if c.isspace() else "" if unicodedata.category(c) in _HIDDEN else c for c in name)
    base = unicodedata.normalize("NFC", visible).replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = " ".join(stem.split())[:MAX_FILE_NAME].strip(" .") or "tep"
    return stem + EXTENSIONS[kind]


def keep(portal: Portal, upload: Upload, accept: tuple[str, ...] | list[str], max_size_mb: float,
         name: str | None = None, sign_pdf: Callable[[bytes], bytes] | None = None) -> Attachment:
    """The upload cleaned and stored, if its content is one of the ``accept`` kinds within
    the size; else ``engine.uploads.UploadRefused``, and nothing is stored. ``name``
    (without its ending) replaces the person's file name; ``sign_pdf`` gives what is kept
    of a PDF (the desk's result, signed by the agency)."""
    checked = check(upload.data, tuple(accept), max_size_mb)
    data = upload.data if upload.cleaned else clean(upload.data, checked.kind)
    if sign_pdf is not None and checked.kind == "pdf":
        data = sign_pdf(data)
    return _stored(portal, data, safe_filename(name or upload.filename, checked.kind), checked.media_type)


def keep_issued_pdf(portal: Portal, pdf: bytes, name: str) -> Attachment:
    """A PDF the portal printed itself (an e-result), stored as it is. Not put through
    ``check``: that refuses what a citizen's file must not carry, and the portal's own
    PDF/A carries the dossier's JSON as an embedded file on purpose."""
    return _stored(portal, pdf, safe_filename(name, "pdf"), MEDIA_TYPES["pdf"])


def _stored(portal: Portal, data: bytes, filename: str, media_type: str) -> Attachment:
    return Attachment(file_id=portal.files.put(data), filename=filename, media_type=media_type, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest(), uploaded_at=portal.now())
