"""From what a browser posts back to typed JSON: the inverse of ``renderers.html.render_form``.

:func:`parse_form` walks the compiled form and lets each field's widget read its own
controls (its parser, named by its entry in ``engine.widgets``; the parsers and the
control names they read are in ``engine.widget_parsers``). :func:`apply_action`
carries out the no-JavaScript buttons (add a row, remove one) on the parsed data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine import pointers
from engine.bounds import MAX_ROWS, is_index
from engine.form_model import Field, form_model
from engine.widget_parsers import ACTION, FormFields, parse_field

__all__ = ["ACTION", "apply_action", "parse_form"]  # ACTION: the button's name, for the web layer


def parse_form(schema: Any, fields: Mapping[str, Any], strict: bool = False) -> Any:
    """Typed JSON from posted fields, for any JSON Schema (a plain dict).

    ``strict`` reads only the fields the schema declares (and keys it explicitly opens
    with ``additionalProperties``/``patternProperties``): the portal uses it, so a
    crafted post cannot slip undeclared keys into a dossier. Without it, keys the
    schema merely tolerates round-trip too."""
    model = form_model(schema)
    # The root always has a value, like an array item.
    return parse_field(model.root, FormFields(fields, strict), "", in_array=True)


# -- no-JavaScript actions ------------------------------------------------------------------

def apply_action(schema: Any, data: Any, action: str) -> Any:
    """Apply a no-JavaScript button to freshly parsed data: ``add:<pointer>`` appends a
    row to the array there, ``remove:<pointer>`` removes that row; anything else
    (``refresh``) changes nothing. Unknown pointers change nothing either, nor does a
    row index that is not one (:func:`engine.bounds.is_index`), nor adding a row to an
    array that already holds ``MAX_ROWS``: the form is shown again as it was posted."""
    kind, _, pointer = action.partition(":")
    pointer = pointer.removeprefix("#")
    model = form_model(schema)
    try:
        tokens = pointers.split(pointer) if pointer else []
    except ValueError:
        return data
    if kind == "add":
        target = field_at(model.root, data, tokens)
        if target is None or target.widget != "array":
            return data
        container = _ensure_path(data, tokens)
        if container is None:
            return data
        item = target.item_field(len(container)) if len(container) < MAX_ROWS else None
        if item is not None:
            container.append(item.initial() if item.initial() is not None else _blank(item))
        return data
    if kind == "remove" and tokens and is_index(tokens[-1]):
        parent = pointers.resolve(data, pointers.to_pointer(tokens[:-1]), None)
        if isinstance(parent, list) and int(tokens[-1]) < len(parent):
            del parent[int(tokens[-1])]
    return data


def _blank(field: Field) -> Any:
    if field.widget in ("object", "address"):
        return {}
    if field.widget in ("array", "checkboxes"):
        return []
    return "" if "string" in field.types else None


def field_at(field: Field, data: Any, tokens: list[str]) -> Field | None:
    """The field at ``tokens`` (a pointer's parts) below ``field`` for this ``data``: an
    alternative is the one the data chose, an array position its item's field; None if none."""
    current, value = field, data
    for token in tokens:
        if current.widget == "alternatives":
            chosen = current.chosen_alternative(value)
            if chosen is None:
                return None
            current = current.alternatives[chosen].field
        if current.widget in ("array", "checkboxes") and is_index(token):
            current = current.item_field(int(token))
            value = value[int(token)] if isinstance(value, list) and int(token) < len(value) else None
        else:
            current = next((c for c in current.all_children() if c.name == token), None)
            value = value.get(token) if isinstance(value, dict) else None
        if current is None:
            return None
    if current.widget == "alternatives":
        chosen = current.chosen_alternative(value)
        return current.alternatives[chosen].field if chosen is not None else None
    return current


def _ensure_path(data: Any, tokens: list[str]) -> list | None:
    """The list at ``tokens`` inside ``data``, created (with its parents) when missing."""
    node = data
    for i, token in enumerate(tokens):
        last = i == len(tokens) - 1
        if isinstance(node, dict):
            if token not in node or node[token] is None:
                node[token] = [] if last else {}
            node = node[token]
        elif isinstance(node, list) and is_index(token) and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node if isinstance(node, list) else None
