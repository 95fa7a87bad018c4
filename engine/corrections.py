"""Return for correction, field by field: what the desk may mark, and what the citizen may then change.

With a supplement request (``lifecycle.request_supplement``) the desk may mark fields of
the form and documents, each with a note; they are kept on the dossier
(``Dossier.corrections``) until it is sent back. While there are marks, the citizen may
change only what is marked: every unmarked value of a posted form is taken from the
stored dossier (:func:`corrected_data`), the checklist ticks of unmarked documents too
(:func:`corrected_checklist`), and only a marked document may be uploaded again or
removed (:func:`may_change_document`). Without marks the whole dossier stays editable.

The items the desk may mark (:func:`correctable_fields`) are the form's leaf fields: an
object is opened into its fields, while a list, an address or a choice between
alternatives is one item (its parts are corrected together).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from engine import pointers
from engine.catalog import Service
from engine.dossier import Correction, Dossier
from engine.form_model import Field, form_model

DOCUMENT = "doc:"  # the key of a document among the marks the desk posts
MAX_NOTE = 500  # characters of one item's note
_SKIPPED = frozenset({"constant", "null"})
_MISSING = object()


def correctable_fields(schema: Any) -> list[tuple[str, str]]:
    """(data pointer, title) of every field the desk may mark, in the form's order; the
    title names its sections too ("Chủ hộ kinh doanh › Họ và tên")."""
    found: dict[str, str] = {}

    def walk(f: Field, ptr: str, titles: list[str]) -> None:
        if f.widget == "object":
            inner = titles + [f.title] if ptr and f.title else titles
            for child in f.all_children():
                if child.widget not in _SKIPPED:
                    walk(child, f"{ptr}/{pointers.escape(child.name)}", inner)
        elif ptr:
            found.setdefault(ptr, " › ".join([*titles, f.title or f.name]))

    walk(form_model(schema).root, "", [])
    return list(found.items())


def choices(service: Service) -> list[tuple[str, str]]:
    """(key, title) of everything the desk may mark: the fields, then the documents."""
    return correctable_fields(service.form_schema) + [(DOCUMENT + d.id, d.name) for d in service.documents]


def marks(service: Service, chosen: Iterable[str], notes: Mapping[str, str]) -> list[Correction]:
    """The corrections the desk ticked (``chosen`` keys of :func:`choices`), each with its
    note; ValueError for a key the service does not have."""
    offered = dict(choices(service))
    result: list[Correction] = []
    for key in dict.fromkeys(chosen):
        if key not in offered:
            raise ValueError(key)
        note = " ".join((notes.get(key) or "").split())[:MAX_NOTE]
        if key.startswith(DOCUMENT):
            result.append(Correction(document=key[len(DOCUMENT):], title=offered[key], note=note))
        else:
            result.append(Correction(pointer=key, title=offered[key], note=note))
    return result


def log_text(corrections: Iterable[Correction]) -> str:
    """The marks as the log entry records them: "Các mục cần sửa: A (note); B"."""
    items = [f"{c.title} ({c.note})" if c.note else c.title for c in corrections]
    return "Các mục cần sửa: " + "; ".join(items) if items else ""


def general_note(logged: str, corrections: Iterable[Correction]) -> str:
    """The desk's own note of a supplement request's log entry, without the marks' list."""
    listed = log_text(corrections)
    return logged.removesuffix(listed).rstrip("\n") if listed else logged


def field_marks(dossier: Dossier) -> dict[str, Correction]:
    return {c.pointer: c for c in dossier.corrections if c.pointer}


def document_marks(dossier: Dossier) -> dict[str, Correction]:
    return {c.document: c for c in dossier.corrections if c.document}


def corrected_data(dossier: Dossier, posted: Any) -> Any:
    """What an edit may store: ``posted`` as it is without marks; with marks, the stored
    data with only the marked fields taken from ``posted`` (a marked field left out of
    ``posted`` is removed, as a cleared field is)."""
    if not dossier.corrections:
        return posted
    data = copy.deepcopy(dossier.data)
    for ptr in field_marks(dossier):
        value = pointers.resolve(posted, ptr, _MISSING) if isinstance(posted, dict) else _MISSING
        _put(data, pointers.split(ptr), value)
    return data


def _put(node: dict, tokens: list[str], value: Any) -> None:
    for token in tokens[:-1]:
        child = node.get(token)
        if not isinstance(child, dict):
            if value is _MISSING:
                return
            child = node[token] = {}
        node = child
    if value is _MISSING:
        node.pop(tokens[-1], None)
    else:
        node[tokens[-1]] = copy.deepcopy(value)


def corrected_checklist(dossier: Dossier, posted: Iterable[str]) -> list[str]:
    """The checklist an edit may store: with marks, only the marked documents' ticks change."""
    if not dossier.corrections:
        return list(posted)
    marked = document_marks(dossier)
    ticked = set(posted)
    kept = [d for d in dossier.checklist if d not in marked]
    return kept + [d for d in marked if d in ticked]


def may_change_document(dossier: Dossier, doc_id: str) -> bool:
    """Whether the citizen may upload (or remove) this document's file now."""
    return not dossier.corrections or doc_id in document_marks(dossier)
