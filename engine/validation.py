"""Validation of dossier data against a form schema, with Vietnamese messages.

Two validators work together:

* jsonschema-rs answers "is it valid?" in a few microseconds. Most submissions are
  valid, so this is the hot path.
* python-jsonschema is the authority for *what* is wrong: its errors carry the
  path, keyword and subschema the messages need. It only runs when the fast
  validator says the data is invalid (or when it could not compile the schema).

Both get the same format checkers (``engine.formats``), so they agree by
construction; ``tests/engine/test_validation_differential.py`` checks it on every
catalogue schema. Validators are compiled once per schema object and reused:
``jsonschema.validate()`` re-checks the schema on every call and never appears here.

``validate()`` never raises on data and a schema the lint accepts, and does its best on
others: a ``pattern`` Python's ``re`` cannot read (``\\p{L}``) is matched by
jsonschema-rs's engine (and matches nothing when no engine can read it); a ``oneOf``
or ``anyOf`` of ``false`` schemas is explained like any other; a number no JSON text
can hold (an integer of thousands of digits, infinity) is an error on its field; a
value the form parser kept as typed because it has more than ``MAX_DIGITS`` digits is
told so.
"""

from __future__ import annotations

import copy
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import jsonschema.exceptions
import jsonschema_rs
from jsonschema import validators as jsonschema_validators

from engine import formats, keywords, messages, pointers
from engine.bounds import MAX_DIGITS
from engine.schema_cache import SchemaCache
from engine.schema_index import SchemaIndex


@dataclass(frozen=True, order=True)
class FieldError:
    """One problem with one field. ``path`` is the JSON pointer of the field's value."""

    path: str
    keyword: str
    message: str


def _build_format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    for name in formats.FORMATS:
        checker.checks(name, raises=formats.FormatProblem)(_py_check(name))
    return checker


def _py_check(name: str):
    check = formats.FORMATS[name].check

    def run(value: object) -> bool:
        if isinstance(value, str):
            check(value)  # raises FormatProblem, which becomes the error's cause
        return True

    return run


FORMAT_CHECKER = _build_format_checker()
_RS_FORMATS = {name: (lambda n: lambda value: formats.is_valid(n, value))(name) for name in formats.FORMATS}
_RS_KEYWORDS = {name: keywords.rs_keyword(k) for name, k in keywords.KEYWORDS.items()}


def _py_keyword(keyword: keywords.Keyword):
    def run(validator, value, instance, schema):
        found = keyword.check(value, instance)
        if found is not None:
            relative_path, template = found
            yield jsonschema.exceptions.ValidationError(template, path=relative_path)

    return run


# -- patterns Python's re cannot read -------------------------------------------------

_REGEX_FAILURES = (re.error, RecursionError, OverflowError, ValueError)


@functools.lru_cache(maxsize=2048)
def _matcher(pattern: str) -> Callable[[str], bool]:
    """How to search ``pattern`` in a text: Python's ``re`` as python-jsonschema does;
    jsonschema-rs's engine for what ``re`` cannot compile (``\\p{L}``, a variable-width
    look-behind); when neither can, no text matches (the lint refuses such a pattern)."""
    try:
        compiled = re.compile(pattern)
    except _REGEX_FAILURES:
        pass
    else:
        return lambda text: compiled.search(text) is not None
    try:
        return jsonschema_rs.validator_for({"pattern": pattern}).is_valid
    except Exception:  # jsonschema-rs refuses it too
        return lambda text: False


def _py_pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and isinstance(pattern, str) and not _matcher(pattern)(instance):
        yield jsonschema.exceptions.ValidationError(f"{instance!r} does not match {pattern!r}")


# -- numbers no JSON text can hold ----------------------------------------------------

MAX_PRINTABLE_DIGITS = 4000  # below Python's int-to-text limit (4,300 digits)
_HUGE = 10 ** MAX_PRINTABLE_DIGITS
DIGITS_TEMPLATE = "{title} không được có quá {digits} chữ số"
NOT_FINITE_TEMPLATE = "{title} phải là một số hữu hạn"
_NUMERIC_TEXT = re.compile(r"[+-]?[\d.,\s]+(?:[eE][+-]?\d+)?")  # a number as typed, separators and all


def _unprintable_numbers(data: Any) -> list[tuple[tuple, str]]:
    """(path, template) of every number in ``data`` that no JSON text can hold: an
    integer of more than MAX_PRINTABLE_DIGITS digits (python-jsonschema cannot even
    print it, and jsonschema-rs misjudges it), infinity or NaN."""
    found: list[tuple[tuple, str]] = []
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            if not -_HUGE < value < _HUGE:
                found.append((path, DIGITS_TEMPLATE))
        elif isinstance(value, float):
            if not math.isfinite(value):
                found.append((path, NOT_FINITE_TEMPLATE))
        elif isinstance(value, dict):
            stack.extend((path + (k,), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((path + (i,), v) for i, v in enumerate(value))
    return found


def _without(data: Any, paths: Iterable[tuple]) -> Any:
    """A copy of ``data`` with the values at ``paths`` replaced by null."""
    data = copy.deepcopy(data)
    for path in paths:
        if not path:
            return None
        parent = data
        for token in path[:-1]:
            parent = parent[token]
        parent[path[-1]] = None
    return data


def _too_many_digits(instance: Any, types: Any) -> bool:
    """A number field's value the parser kept as typed because of its length."""
    wanted = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else set()
    return (isinstance(instance, str) and bool(wanted & {"integer", "number"})
            and sum(ch.isdigit() for ch in instance) > MAX_DIGITS
            and _NUMERIC_TEXT.fullmatch(instance.strip()) is not None)


_DRAFT7_ONLY = ("definitions", "dependencies", "additionalItems")


def draft_of(schema: Any) -> type:
    """The draft's validator class: the one ``$schema`` names; without one, draft 7 when
    the schema uses draft-7-only keywords (tuple ``items``, ``definitions``,
    ``dependencies``), else 2020-12."""
    if isinstance(schema, dict) and "$schema" not in schema and _uses_draft7(schema, 0):
        return jsonschema.Draft7Validator
    return jsonschema_validators.validator_for(schema, default=jsonschema.Draft202012Validator)


def _uses_draft7(node: Any, depth: int) -> bool:
    if depth > 64:
        return False
    if isinstance(node, dict):
        if any(k in node for k in _DRAFT7_ONLY) or isinstance(node.get("items"), list):
            return True
        return any(_uses_draft7(v, depth + 1) for k, v in node.items() if k not in ("enum", "const", "default", "examples"))
    if isinstance(node, list):
        return any(_uses_draft7(v, depth + 1) for v in node)
    return False


@functools.lru_cache(maxsize=None)
def _py_validator_class(base: type) -> type:
    """The draft's validator class with our keywords added (one class per draft)."""
    return jsonschema_validators.extend(
        base, {"pattern": _py_pattern, **{name: _py_keyword(k) for name, k in keywords.KEYWORDS.items()}},
    )


class FormValidator:
    """A schema compiled once: ``is_valid`` is cheap, ``errors`` explains."""

    def __init__(self, schema: Any):
        self.schema = schema
        draft = draft_of(schema)
        self._py = _py_validator_class(draft)(schema, format_checker=FORMAT_CHECKER)
        self.index = SchemaIndex(schema)
        try:
            rs_factory = jsonschema_rs.Draft7Validator if draft is jsonschema.Draft7Validator else jsonschema_rs.validator_for
            self._rs = rs_factory(
                schema, formats=_RS_FORMATS, validate_formats=True, ignore_unknown_formats=True,
                keywords=_RS_KEYWORDS,
            )
        except Exception:  # a construct the fast validator does not support: explain-path only
            self._rs = None

    def is_valid(self, data: Any) -> bool:
        if self._rs is not None:
            return self._rs.is_valid(data)
        try:
            return self._py.is_valid(data)
        except _REGEX_FAILURES:  # a patternProperties key no engine can read
            return False

    def validate(self, data: Any) -> list[FieldError]:
        if self._rs is not None and self._rs.is_valid(data):
            return []
        # One message per field, the most basic first: a citizen fixes "is required"
        # before "wrong format", and two messages for one box only confuse.
        found: dict[str, FieldError] = {}

        def keep(field_error: FieldError) -> None:
            kept = found.get(field_error.path)
            if kept is None or _rank(field_error.keyword) < _rank(kept.keyword):
                found[field_error.path] = field_error

        unprintable = _unprintable_numbers(data)
        if unprintable:  # explained on their own; the rest of the data as if they were empty
            data = _without(data, (path for path, _ in unprintable))
        try:
            for error in self._py.iter_errors(data):
                for field_error in self._translate(error):
                    keep(field_error)
        except _REGEX_FAILURES:
            # A regular expression Python cannot read outside a `pattern` (the key of
            # patternProperties): jsonschema-rs explains instead, more plainly.
            found.clear()
            for field_error in self._rs_errors(data):
                keep(field_error)
        for path, template in unprintable:
            found[pointers.to_pointer(path)] = self._error(path, "type", template, digits=MAX_PRINTABLE_DIGITS)
        return sorted(found.values(), key=lambda e: self.index.position(_path_of(e.path)))

    def _rs_errors(self, data: Any) -> Iterator[FieldError]:
        """FieldErrors from jsonschema-rs, for when python-jsonschema cannot run."""
        if self._rs is None:
            yield self._error((), "pattern", messages.DEFAULT)
            return
        for error in self._rs.iter_errors(data):
            path = tuple(error.instance_path)
            keyword = str(error.schema_path[-1]) if error.schema_path else "false"
            kind, params = error.kind, {}
            if keyword == "required" and isinstance(getattr(kind, "property", None), str):
                path += (kind.property,)
            if hasattr(kind, "limit"):
                params["limit"] = messages.format_value(kind.limit)
            if keyword == "type" and hasattr(kind, "types"):
                params["type"] = messages.type_name(list(kind.types))
            template = messages.TEMPLATES.get(keyword, messages.DEFAULT)
            try:
                template.format(title="", **params)
            except (KeyError, IndexError, ValueError):
                template = messages.DEFAULT  # a placeholder we cannot fill from here
            yield self._error(path, keyword, template, **params)

    # -- from python-jsonschema errors to FieldErrors ---------------------------
    def _translate(self, error: jsonschema.exceptions.ValidationError) -> Iterator[FieldError]:
        keyword = error.validator
        path = tuple(error.absolute_path)
        if keyword == "required":
            yield from self._missing(path, error.instance, error.validator_value, "required")
        elif keyword in ("dependentRequired", "dependencies") and isinstance(error.validator_value, dict):
            yield from self._dependent_missing(path, error.instance, error.validator_value)
        elif keyword in ("oneOf", "anyOf") and error.context:
            yield from self._alternatives(error)
        elif keyword in keywords.KEYWORDS:
            yield self._error(path, str(keyword), error.message)
        elif keyword == "type" and _too_many_digits(error.instance, error.validator_value):
            yield self._error(path, "type", DIGITS_TEMPLATE, digits=MAX_DIGITS)
        elif keyword == "format":
            cause = error.cause
            template = getattr(cause, "template", None) or messages.TEMPLATES["format"]
            yield self._error(path, "format", template, error)
        else:
            yield self._error(path, str(keyword), self._template(keyword, error), error)

    def _template(self, keyword: Any, error: jsonschema.exceptions.ValidationError) -> str:
        if keyword == "minLength" and error.instance == "":
            return messages.EMPTY_TEMPLATE
        if keyword == "oneOf" and not error.context:
            return messages.TEMPLATES["oneOf.many"]
        if keyword is None:  # a `false` schema
            return messages.TEMPLATES["false"]
        return messages.TEMPLATES.get(str(keyword), messages.DEFAULT)

    def _error(self, path: tuple, keyword: str, template: str, error=None, **params: Any) -> FieldError:
        template = self.index.message_override(path, keyword) or template
        if error is not None:
            value = error.validator_value
            params.setdefault("limit", messages.format_value(value))
            if keyword == "type":
                params.setdefault("type", messages.type_name(value))
            if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
                params.setdefault("names", ", ".join(_extra_names(error)))
        text = messages.render(template, title=self.index.title(path), **params)
        return FieldError(pointers.to_pointer(path), keyword, text)

    def _missing(self, path: tuple, instance: Any, names: Iterable[str], keyword: str, **params: Any):
        if not isinstance(instance, dict):
            return
        for name in names:
            if name not in instance:
                child = path + (name,)
                yield self._error(child, keyword, messages.TEMPLATES[keyword], **params)

    def _dependent_missing(self, path: tuple, instance: Any, dependencies: dict):
        if not isinstance(instance, dict):
            return
        for trigger, needed in dependencies.items():
            if trigger in instance and isinstance(needed, list):
                yield from self._missing(
                    path, instance, needed, "dependentRequired",
                    dependency=self.index.title(path + (trigger,)),
                )

    def _alternatives(self, error: jsonschema.exceptions.ValidationError) -> Iterator[FieldError]:
        """Explain a failed oneOf/anyOf by the branch the citizen most likely meant."""
        by_branch: dict[int | None, list] = {}
        for sub in error.context:
            by_branch.setdefault(_branch_of(sub), []).append(sub)
        best = jsonschema.exceptions.best_match(error.context)
        branch_errors = by_branch.get(_branch_of(best), [best]) if best else []
        own_path = tuple(error.absolute_path)
        # When every branch fails at the value itself (e.g. a string that is neither a
        # CMND nor a passport number, or branches that are `false`), one message on the
        # field reads better.
        if all(tuple(e.absolute_path) == own_path and e.validator in ("type", "const", "enum", None)
               for e in branch_errors):
            yield self._error(own_path, str(error.validator), messages.TEMPLATES[str(error.validator)], error)
            return
        for sub in branch_errors:
            yield from self._translate(sub)


def _branch_of(error: jsonschema.exceptions.ValidationError) -> int | None:
    """The branch of a oneOf/anyOf an error of its context comes from; None for a branch
    that is the schema ``false`` (python-jsonschema gives its error no schema path)."""
    return error.relative_schema_path[0] if error.relative_schema_path else None


_RANKS = {"required": 0, "dependentRequired": 0, "type": 1, "minLength": 2, "const": 2, "enum": 2}


def _rank(keyword: str) -> int:
    return _RANKS.get(keyword, 3)


def _extra_names(error: jsonschema.exceptions.ValidationError) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    declared = set((schema.get("properties") or {}).keys())
    return [name for name in error.instance if name not in declared]


def _path_of(pointer: str) -> tuple:
    # An array index is ASCII digits; a key such as "²" or five thousand nines stays a key.
    return tuple(int(t) if t.isascii() and t.isdigit() and len(t) <= MAX_DIGITS else t
                 for t in pointers.split(pointer))


compile_schema = SchemaCache(FormValidator)  # one compiled FormValidator per schema object, reused


def validate(schema: Any, data: Any) -> list[FieldError]:
    """Every problem of ``data`` against ``schema``, in the form's reading order."""
    return compile_schema(schema).validate(data)
