"""From what a browser posts back to typed JSON: the inverse of ``renderers.html.render_form``.

Control names are JSON pointers of the value behind a ``#`` (``#/owner/fullName``,
``#/members/0/idNumber``; the root is ``#``). A few controls carry structure rather
than values, named with a ``~`` token that escaped pointers can never contain:

* ``<array>/~row``: one hidden marker per array row, its value the row's index in the
  control names; rows are read in document order, so rows added by the script with
  any fresh index, or removed, need no renumbering;
* ``<field>/~alt``: which ``oneOf``/``anyOf`` alternative the citizen chose; the
  fields of alternative *i* are named under ``<field>/~a<i>``, and those of a
  condition's branches under ``<object>/~c<k>t`` (then) and ``~c<k>e`` (else), so two
  branches declaring the same property never post the same name;
* ``~action``: a no-JavaScript button (add a row, remove one, refresh the wards list).

Options are posted by their index in the field's option list, so enums of any JSON
type round-trip. An empty optional field is omitted (``null`` when the schema allows
null); text areas' CRLF become LF; fields of a condition branch or alternative that
is not active are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from engine import pointers
from engine.form_model import Field, form_model

ROW = "~row"
ALT = "~alt"
ACTION = "~action"
BLANK = "~blank"  # an empty value that was present in the data, by its JSON text
BLANKS = {"null": lambda: None, '""': lambda: "", "[]": list, "{}": dict}
EXTRA = "~x"  # rows of keys the schema does not declare: <object>/~k/<i> and <object>/~v/<i>
_OMIT = object()  # a parser's "no value": the key is left out of the object


class FormFields:
    """Read access to posted fields: a Werkzeug MultiDict or a plain ``{name: [values]}``."""

    def __init__(self, fields: Mapping[str, Any], strict: bool = False):
        self._fields = fields
        self.strict = strict

    def getlist(self, name: str) -> list[str]:
        if hasattr(self._fields, "getlist"):
            return [str(v) for v in self._fields.getlist(name)]
        value = self._fields.get(name)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]

    def get(self, name: str) -> str | None:
        values = self.getlist(name)
        return values[0] if values else None


def control_name(pointer: str) -> str:
    return "#" + pointer


def branch_token(condition_index: int, side: str) -> str:
    """The name token of a condition's branch: ``~c0t`` (then), ``~c0e`` (else)."""
    return f"~c{condition_index}{side}"


def parse_form(schema: Any, fields: Mapping[str, Any], strict: bool = False) -> Any:
    """Typed JSON from posted fields, for any JSON Schema (a plain dict).

    ``strict`` reads only the fields the schema declares (and keys it explicitly opens
    with ``additionalProperties``/``patternProperties``): the portal uses it, so a
    crafted post cannot slip undeclared keys into a dossier. Without it, keys the
    schema merely tolerates round-trip too."""
    model = form_model(schema)
    # The root always has a value, like an array item.
    return _parse(model.root, FormFields(fields, strict), "", in_array=True)


def _parse(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    return PARSERS[field.widget](field, fields, pointer, in_array)


# -- scalars ------------------------------------------------------------------------------

def _empty(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    """An empty control: left out of the object, unless the data had it present and
    empty (the renderer then posts a ``~blank`` marker), or it is an array item."""
    marker = fields.get(control_name(f"{pointer}/{BLANK}"))
    if marker in BLANKS:
        return BLANKS[marker]()
    if in_array:
        return None if field.nullable and "string" not in field.types else ""
    return _OMIT


def _text(normalise: Callable[[str], str]):
    def parse(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
        raw = fields.get(control_name(pointer))
        if raw is None:
            return _empty(field, fields, pointer, in_array)
        value = normalise(raw)
        return value if value != "" else _empty(field, fields, pointer, in_array)

    return parse


def _single_line(raw: str) -> str:
    # A text input cannot hold line breaks, but the renderer shows a value that has
    # some in a text area (it came from elsewhere), and they must survive.
    text = _multi_line(raw)
    return text if "\n" in text else text.strip()


def _no_spaces(raw: str) -> str:
    # Phone and ID numbers are often typed in groups ("0912 345 678").
    return re.sub(r"\s+", "", raw)


def _multi_line(raw: str) -> str:
    return raw.replace("\r\n", "\n").replace("\r", "\n")


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:[.\s]\d{3})+")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _to_integer(raw: str) -> Any:
    text = raw.strip()
    if _THOUSANDS.fullmatch(text):  # 150.000.000, as Vietnamese write amounts
        text = re.sub(r"[.\s]", "", text)
    if _INTEGER.fullmatch(text):
        return int(text)
    return raw.strip()  # kept as typed: validation says it is not a number, nothing is lost


def _to_number(raw: str) -> Any:
    text = raw.strip()
    if _THOUSANDS.fullmatch(text) and "." in text and text.count(".") > 1:
        text = text.replace(".", "")
    if text.count(",") == 1 and "." not in text:  # 12,5: the Vietnamese decimal comma
        text = text.replace(",", ".")
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    return raw.strip()


def _converted(convert: Callable[[str], Any]):
    def parse(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
        raw = fields.get(control_name(pointer))
        if raw is None or raw.strip() == "":
            return _empty(field, fields, pointer, in_array)
        return convert(raw)

    return parse


def _json(raw: str) -> Any:
    import json

    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _option(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    raw = fields.get(control_name(pointer))
    if raw is None or raw == "":
        return _empty(field, fields, pointer, in_array)
    if raw.isdigit() and int(raw) < len(field.options):
        return field.options[int(raw)].value
    return raw  # not one of the offered options: validation will say so


def _yes_no(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    raw = fields.get(control_name(pointer))
    return {"true": True, "false": False}.get(raw or "", _empty(field, fields, pointer, in_array))


def _checkbox(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    return True if fields.get(control_name(pointer)) == "true" else _empty(field, fields, pointer, in_array)


def _constant(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    return field.options[0].value if fields.get(control_name(pointer)) is not None else _empty(field, fields, pointer, in_array)


def _null(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    return None if fields.get(control_name(pointer)) is not None or in_array else _OMIT


# -- structures ---------------------------------------------------------------------------

def _object(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    result: dict[str, Any] = {}
    _parse_children(field.children, fields, pointer, result)
    for k, condition in enumerate(field.conditions):
        if condition.kind == "if":
            active = field.model.matches(condition.test, result)
            branch, token = (condition.then_fields, "t") if active else (condition.else_fields, "e")
        elif condition.test in result:
            branch, token = condition.then_fields, "t"
        else:
            continue
        _parse_children(branch, fields, f"{pointer}/{branch_token(k, token)}", result)
    _parse_extras(field, fields, pointer, result)
    if not result and not field.required and not in_array:
        return _empty(field, fields, pointer, in_array)
    return result


def _parse_extras(field: Field, fields: FormFields, pointer: str, result: dict) -> None:
    """Entries under keys the schema does not declare, posted as key/value rows."""
    if fields.strict and not field.accepts_new_keys:
        return
    for index in row_indices(fields, pointer, EXTRA):
        key = fields.get(control_name(f"{pointer}/~k/{index}"))
        if key is None or key in result:
            continue
        extra = field.extra_field(key)
        if extra is None:
            continue
        value = _parse(extra, fields, f"{pointer}/~v/{index}", True)
        if key == "" and value in ("", None):
            continue  # an empty row the citizen added and left
        result[key] = value


def _parse_children(children, fields: FormFields, pointer: str, result: dict) -> None:
    for child in children:
        value = _parse(child, fields, f"{pointer}/{pointers.escape(child.name)}", False)
        if value is not _OMIT:
            result[child.name] = value


def row_indices(fields: FormFields, pointer: str, marker: str = ROW) -> list[str]:
    """The submitted rows of the array at ``pointer``, in the order the page shows them."""
    seen: list[str] = []
    for index in fields.getlist(control_name(f"{pointer}/{marker}")):
        if index.isdigit() and index not in seen:
            seen.append(index)
    return seen


def _array(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    result = []
    for position, index in enumerate(row_indices(fields, pointer)):
        item = field.item_field(position)
        if item is None:
            break
        result.append(_parse(item, fields, f"{pointer}/{index}", True))
    if not result and not field.required and not in_array:
        return _empty(field, fields, pointer, in_array)
    return result


def _checkboxes(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    options = field.item.options
    chosen = [options[int(raw)].value for raw in fields.getlist(control_name(pointer))
              if raw.isdigit() and int(raw) < len(options)]
    if not chosen and not field.required and not in_array:
        return _empty(field, fields, pointer, in_array)
    return chosen


def _alternatives(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    raw = fields.get(control_name(f"{pointer}/{ALT}"))
    if raw is None or not raw.isdigit() or int(raw) >= len(field.alternatives):
        return _empty(field, fields, pointer, in_array)
    return _parse(field.alternatives[int(raw)].field, fields, f"{pointer}/~a{raw}", in_array)


PARSERS: dict[str, Callable[[Field, FormFields, str, bool], Any]] = {
    "text": _text(_single_line),
    "email": _text(_single_line),
    "date": _text(_single_line),
    "tel": _text(_no_spaces),
    "id": _text(_no_spaces),
    "textarea": _text(_multi_line),
    "integer": _converted(_to_integer),
    "number": _converted(_to_number),
    "json": _converted(_json),
    "radio": _option,
    "select": _option,
    "yesno": _yes_no,
    "checkbox": _checkbox,
    "constant": _constant,
    "null": _null,
    "object": _object,
    "address": _object,
    "array": _array,
    "checkboxes": _checkboxes,
    "alternatives": _alternatives,
}


# -- no-JavaScript actions ------------------------------------------------------------------

def apply_action(schema: Any, data: Any, action: str) -> Any:
    """Apply a no-JavaScript button to freshly parsed data: ``add:<pointer>`` appends a
    row to the array there, ``remove:<pointer>`` removes that row; anything else
    (``refresh``) changes nothing. Unknown pointers change nothing either."""
    kind, _, pointer = action.partition(":")
    pointer = pointer.removeprefix("#")
    model = form_model(schema)
    try:
        tokens = pointers.split(pointer) if pointer else []
    except ValueError:
        return data
    if kind == "add":
        target = _field_at(model.root, data, tokens)
        if target is None or target.widget != "array":
            return data
        container = _ensure_path(data, tokens)
        if container is None:
            return data
        item = target.item_field(len(container))
        if item is not None:
            container.append(item.initial() if item.initial() is not None else _blank(item))
        return data
    if kind == "remove" and tokens and tokens[-1].isdigit():
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


def _field_at(field: Field, data: Any, tokens: list[str]) -> Field | None:
    current, value = field, data
    for token in tokens:
        if current.widget == "alternatives":
            chosen = current.chosen_alternative(value)
            if chosen is None:
                return None
            current = current.alternatives[chosen].field
        if current.widget in ("array", "checkboxes") and token.isdigit():
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
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node if isinstance(node, list) else None
