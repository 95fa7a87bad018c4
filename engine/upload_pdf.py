"""PDF uploads: refused when pypdf cannot read them, when they are locked, or when they hold
anything that runs or carries a file (engine.uploads.check calls ``check_pdf``; a module
of its own so that pypdf is imported by the first PDF, not at start-up)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NullObject

from engine.bounds import MAX_PDF_OBJECTS
from engine.uploads import PDF_ACTIVE, PDF_LOCKED, PDF_TOO_COMPLEX, UploadRefused, _broken

# -- PDF: nothing that runs, nothing hidden ------------------------------------------------------

# An entry that exists only to run something or to carry a file: JavaScript (an action's /JS,
# the document's /JavaScript name tree), additional actions (/AA: on opening a page, on a
# field, …), embedded files (the /EmbeddedFiles name tree, a file specification's /EF) and
# XFA forms (which carry scripts).
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA"})
# Annotations that carry a file, a film, a sound or a rich-media (Flash, 3D) player.
_ACTIVE_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"})
_ACTIVE_TYPES = frozenset({"/EmbeddedFile"})
# Actions that run, open, send or play something, wherever they stand.
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR",
                             "/Rendition", "/RichMediaExecute"})
# What a link or a bookmark (/A) may do: go to a page, open a web address, turn a page.
_LINK_ACTIONS = frozenset({"/GoTo", "/URI", "/Named"})
# The addresses a link may open: not file:///C:/Windows/System32/cmd.exe, nor a javascript: one.
_WEB_SCHEMES = (b"http://", b"https://", b"mailto:")


def check_pdf(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise UploadRefused(PDF_LOCKED)
        if len(reader.pages) == 0:
            raise _broken("pdf")
        active = any(_is_active(obj) for obj in _objects(reader))
    except UploadRefused:
        raise
    except DependencyError:  # encrypted with AES, which pypdf reads only with the cryptography package
        raise UploadRefused(PDF_LOCKED) from None
    except Exception:  # pypdf meets a malformed structure with many kinds of error; none may be a 500
        raise _broken("pdf") from None
    if active:
        raise UploadRefused(PDF_ACTIVE)


def _objects(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every dictionary (and stream) reachable from the trailer, each once: the catalog, its
    name trees, the pages and their annotations, the bookmarks, the form fields, …
    Refused past MAX_PDF_OBJECTS (a file made of tiny objects to keep the server busy)."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer, *(page for page in reader.pages)]
    while stack:
        obj = stack.pop()
        while isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                break
            seen.add((obj.idnum, obj.generation))
            if len(seen) > MAX_PDF_OBJECTS:
                raise UploadRefused(PDF_TOO_COMPLEX)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # a StreamObject too: its dictionary, not its data
            yield obj
            stack.extend(dict.values(obj))  # as stored: an indirect reference stays one, so a cycle ends
        elif isinstance(obj, ArrayObject):
            stack.extend(list.__iter__(obj))


def _name(obj: DictionaryObject, key: str) -> str | None:
    value = obj[key] if key in obj else None
    return str(value) if isinstance(value, NameObject) else None


def _is_active(obj: DictionaryObject) -> bool:
    if not _ACTIVE_KEYS.isdisjoint(obj.keys()):
        return True
    if _name(obj, "/Subtype") in _ACTIVE_SUBTYPES or _name(obj, "/Type") in _ACTIVE_TYPES:
        return True
    if _name(obj, "/S") in _ACTIVE_ACTIONS:
        return True
    if "/OpenAction" in obj:
        # A destination ([page /Fit], as office suites write) only says where the reader opens.
        opening = obj["/OpenAction"]
        if isinstance(opening, DictionaryObject) and not _actions_within(opening, {"/GoTo"}):
            return True
    if "/A" in obj:
        action = obj["/A"]
        # A dictionary without /S under /A is no action (a structure element's attributes).
        if isinstance(action, DictionaryObject) and "/S" in action and not _actions_within(action, _LINK_ACTIONS):
            return True
    return False


def _web_address(action: DictionaryObject) -> bool:
    address = action["/URI"] if "/URI" in action else None
    raw = getattr(address, "original_bytes", b"")
    return isinstance(raw, bytes) and raw.strip().lower().startswith(_WEB_SCHEMES)


def _actions_within(action: DictionaryObject, allowed: set[str] | frozenset[str]) -> bool:
    """Whether the action and those it is followed by (/Next) are all of the ``allowed`` kinds."""
    pending, seen = [action], 0
    while pending:
        current = pending.pop()
        current = current.get_object()
        if isinstance(current, NullObject):
            continue
        seen += 1
        if not isinstance(current, DictionaryObject) or _name(current, "/S") not in allowed or seen > 1000:
            return False
        if _name(current, "/S") == "/URI" and not _web_address(current):
            return False
        following = current.get("/Next")
        if following is not None:
            following = following.get_object()
            pending.extend(list.__iter__(following) if isinstance(following, ArrayObject) else [following])
    return True
