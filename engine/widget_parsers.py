"""How each widget reads its controls back: posted form text to a typed JSON value.

Every widget in ``engine.widgets`` names one ``parse_*`` function of this module;
``engine.forms.parse_form`` walks the compiled form and calls, for each field, the
parser of the field's widget. The parsers live apart from the registry so that the
registry can name them without importing the form model (which imports the registry).

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

Every parser has the signature ``(field, posted, pointer, in_array) -> value``, and
returns :data:`OMIT` for "no value: leave the key out of the object".

Posted text is never trusted to be what a browser writes: an index (of an option, an
alternative or a row) counts only when :func:`engine.bounds.is_index` takes it (ASCII
digits, at most ``MAX_INDEX``), an array reads at most ``MAX_ROWS`` rows (later ones are
dropped), and a number of more than ``MAX_DIGITS`` digits, or one no float can hold, is
kept as the text typed, for validation to refuse with a message on its field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from engine import pointers
from engine.bounds import MAX_DIGITS, MAX_ROWS, is_index

if TYPE_CHECKING:
    from engine.form_model import Field

ROW = "~row"
ALT = "~alt"
ACTION = "~action"
BLANK = "~blank"  # an empty value that was present in the data, by its JSON text
BLANKS = {"null": lambda: None, '""': lambda: "", "[]": list, "{}": dict}
EXTRA = "~x"  # rows of keys the schema does not declare: <object>/~k/<i> and <object>/~v/<i>
OMIT = object()  # a parser's "no value": the key is left out of the object


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


Parser = Callable[["Field", FormFields, str, bool], Any]


def control_name(pointer: str) -> str:
    return "#" + pointer


def branch_token(condition_index: int, side: str) -> str:
    """The name token of a condition's branch: ``~c0t`` (then), ``~c0e`` (else)."""
    return f"~c{condition_index}{side}"


def parse_field(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    """The value of ``field`` read by its widget's parser."""
    return field.widget_entry.parser(field, fields, pointer, in_array)


# -- scalars ------------------------------------------------------------------------------

def _empty(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    """An empty control: left out of the object, unless the data had it present and
    empty (the renderer then posts a ``~blank`` marker), or it is an array item."""
    marker = fields.get(control_name(f"{pointer}/{BLANK}"))
    if marker in BLANKS:
        return BLANKS[marker]()
    if in_array:
        return None if field.nullable and "string" not in field.types else ""
    return OMIT


def _text(normalise: Callable[[str], str]) -> Parser:
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


def _digits(text: str) -> int:
    return sum(1 for ch in text if ch.isdigit())


def _to_integer(raw: str) -> Any:
    text = raw.strip()
    if _THOUSANDS.fullmatch(text):  # 150.000.000, as Vietnamese write amounts
        text = re.sub(r"[.\s]", "", text)
    if _INTEGER.fullmatch(text) and _digits(text) <= MAX_DIGITS:
        return int(text)
    # Kept as typed: validation says it is not a number (or has too many digits), nothing
    # is lost; int() of thousands of digits would not even be printable.
    return raw.strip()


def _to_number(raw: str) -> Any:
    text = raw.strip()
    if _THOUSANDS.fullmatch(text) and "." in text and text.count(".") > 1:
        text = text.replace(".", "")
    if text.count(",") == 1 and "." not in text:  # 12,5: the Vietnamese decimal comma
        text = text.replace(",", ".")
    if _digits(text) > MAX_DIGITS:
        return raw.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        value = float(text)
        # 1e999 reads as infinity, which JSON (and so a stored dossier) cannot hold.
        return value if math.isfinite(value) else raw.strip()
    return raw.strip()


def _to_json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _converted(convert: Callable[[str], Any]) -> Parser:
    def parse(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
        raw = fields.get(control_name(pointer))
        if raw is None or raw.strip() == "":
            return _empty(field, fields, pointer, in_array)
        return convert(raw)

    return parse


parse_text = _text(_single_line)  # spaces around it trimmed
parse_spaceless_text = _text(_no_spaces)  # phone and ID numbers
parse_multiline_text = _text(_multi_line)  # CRLF as LF
parse_integer = _converted(_to_integer)
parse_number = _converted(_to_number)
parse_json = _converted(_to_json)  # kept as typed when it is not JSON


def position(raw: str | None, count: int) -> int | None:
    """The position ``raw`` names among ``count`` options, alternatives or rows, when it
    is one a browser posts (:func:`engine.bounds.is_index`), else None. ("²".isdigit()
    is true, and int() of it fails; int() of 5,000 nines is refused too.)"""
    if raw is None or not is_index(raw):
        return None
    index = int(raw)
    return index if index < count else None


def parse_option(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    raw = fields.get(control_name(pointer))
    if raw is None or raw == "":
        return _empty(field, fields, pointer, in_array)
    index = position(raw, len(field.options))
    if index is not None:
        return field.options[index].value
    return raw  # not one of the offered options: validation will say so


def parse_yes_no(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    raw = fields.get(control_name(pointer))
    return {"true": True, "false": False}.get(raw or "", _empty(field, fields, pointer, in_array))


def parse_checkbox(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    return True if fields.get(control_name(pointer)) == "true" else _empty(field, fields, pointer, in_array)


def parse_constant(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    return field.options[0].value if fields.get(control_name(pointer)) is not None else _empty(field, fields, pointer, in_array)


def parse_null(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    return None if fields.get(control_name(pointer)) is not None or in_array else OMIT


# -- structures ---------------------------------------------------------------------------

def parse_object(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
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
        value = parse_field(extra, fields, f"{pointer}/~v/{index}", True)
        if key == "" and value in ("", None):
            continue  # an empty row the citizen added and left
        result[key] = value


def _parse_children(children, fields: FormFields, pointer: str, result: dict) -> None:
    for child in children:
        value = parse_field(child, fields, f"{pointer}/{pointers.escape(child.name)}", False)
        if value is not OMIT:
            result[child.name] = value


def row_indices(fields: FormFields, pointer: str, marker: str = ROW) -> list[str]:
    """The submitted rows of the array at ``pointer``, in the order the page shows them:
    each marker a row index (:func:`engine.bounds.is_index`), once, and at most
    ``MAX_ROWS`` of them; markers past that are dropped, with their rows."""
    seen: dict[str, None] = {}
    for index in fields.getlist(control_name(f"{pointer}/{marker}")):
        if is_index(index) and index not in seen:
            seen[index] = None
            if len(seen) == MAX_ROWS:
                break
    return list(seen)


def parse_array(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    result = []
    for position, index in enumerate(row_indices(fields, pointer)):
        item = field.item_field(position)
        if item is None:
            break
        result.append(parse_field(item, fields, f"{pointer}/{index}", True))
    if not result and not field.required and not in_array:
        return _empty(field, fields, pointer, in_array)
    return result


def parse_checkboxes(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    options = field.item.options
    # Each box once, however often a crafted post names it: the list stays within the options.
    indices = dict.fromkeys(position(raw, len(options)) for raw in fields.getlist(control_name(pointer)))
    chosen = [options[index].value for index in indices if index is not None]
    if not chosen and not field.required and not in_array:
        return _empty(field, fields, pointer, in_array)
    return chosen


def parse_alternatives(field: Field, fields: FormFields, pointer: str, in_array: bool) -> Any:
    raw = fields.get(control_name(f"{pointer}/{ALT}"))
    index = position(raw, len(field.alternatives))
    if index is None:
        return _empty(field, fields, pointer, in_array)
    return parse_field(field.alternatives[index].field, fields, f"{pointer}/~a{raw}", in_array)
