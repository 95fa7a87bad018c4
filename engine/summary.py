"""A dossier's summary: the few words that tell two dossiers of one service apart.

An author marks the fields that name a dossier with ``"x-summary": true`` in the form
schema (the business name of a household business, the child's name of a birth
registration, the building's address of a construction permit). The summary is their
values joined, bounded, computed when the dossier is saved and kept on it, so that
lists ("Quản lý hồ sơ", the desk's inbox), dialogs and e-mails show it without reading
the form's data. The lint (``engine.schema_rules``) refuses a marked field that holds an
ID number: summaries travel in e-mails and lists.
"""

from __future__ import annotations

from typing import Any

from engine import pointers
from engine.schema_index import SchemaIndex

KEYWORD = "x-summary"
MAX_LENGTH = 120
SEPARATOR = " – "
_PARTS = ("street", "ward", "province")  # an address object, in the order it is written
MAX_DEPTH = 32


def marked(form: dict) -> list[tuple[str, dict]]:
    """(JSON pointer, property schema) of every field marked ``x-summary``, in form order;
    fields inside lists (``items``) are not looked at: a list does not name a dossier."""
    found: dict[str, dict] = {}
    index = SchemaIndex(form)  # $ref, allOf/anyOf/oneOf, then/else: the schemas of one value

    def walk(node: Any, at: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for schema in index.branches(node):
            properties = schema.get("properties")
            if not isinstance(properties, dict):
                continue
            for name, sub in properties.items():
                where = f"{at}/{pointers.escape(name)}"
                if isinstance(sub, dict) and sub.get(KEYWORD) is True:
                    found.setdefault(where, sub)
                elif isinstance(sub, dict):
                    walk(sub, where, depth + 1)

    walk(form, "", 0)
    return list(found.items())


def summary_pointers(form: dict | None) -> tuple[str, ...]:
    """The pointers of the marked fields (once per service: ``Service.summary_pointers``)."""
    return tuple(p for p, _ in marked(form)) if form else ()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):  # an address (the lint takes no other object): never a person's ID
        return ", ".join(t for t in (_text(value.get(k)) for k in _PARTS) if t)
    return ""


def summarize(form: dict | None, data: Any) -> str:
    """The summary of a dossier with ``data`` under ``form`` (see :func:`summary_of`)."""
    return summary_of(summary_pointers(form), data)


def summary_of(marked_pointers: tuple[str, ...], data: Any) -> str:
    """The marked fields' values in ``data``, joined and cut to :data:`MAX_LENGTH`
    characters ("" when no field is marked or none is filled)."""
    parts = []
    for pointer in marked_pointers:
        try:
            text = _text(pointers.resolve(data, pointer, None))
        except ValueError:
            continue
        if text and text not in parts:
            parts.append(text)
    joined = SEPARATOR.join(parts)
    if len(joined) > MAX_LENGTH:
        joined = joined[:MAX_LENGTH - 1].rstrip() + "…"
    return joined
