"""A schema compiled once into the fields a form shows.

Rendering (``renderers.html``) and parsing (``engine.forms``) walk the same tree, so
what the citizen sees and what the server reads back can never drift apart. The
tree is built lazily (children on first use), so recursive schemas compile, and it
is cached per schema object, so a request never rediscovers what a schema means.

A :class:`Field` holds the *effective* schema of one position: ``$ref`` followed
(sibling keywords win, so a local title beats the shared one) and ``allOf`` merged.
Objects have children, conditional groups (``if``/``then``/``else``,
``dependentSchemas``) and an optional ``x-order``/``x-sections`` layout; arrays
have an item field (or fixed ``prefixItems``); ``oneOf``/``anyOf`` of objects
become alternatives; fixed lists of values become options.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from referencing.jsonschema import specification_with

from engine import widgets
from engine.schema_cache import SchemaCache
from engine.schema_refs import SchemaRefs
from engine.validation import FORMAT_CHECKER, draft_of

_MERGE_SKIP = {"$ref", "allOf", "$defs", "definitions", "$schema", "$id"}


@dataclass(frozen=True)
class Option:
    value: Any
    label: str


@dataclass(frozen=True)
class Section:
    title: str
    description: str
    fields: tuple["Field", ...]


@dataclass(frozen=True)
class Condition:
    """Fields that exist only while a condition holds on the object they belong to."""

    kind: str  # "if" or "dependent"
    test: Any  # the "if" schema, or the trigger property's name
    then_fields: tuple["Field", ...]
    else_fields: tuple["Field", ...] = ()


@dataclass(frozen=True)
class Alternative:
    label: str
    field: "Field"


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class FormModel:
    """The compiled form of one schema: resolution, merging and matching helpers."""

    def __init__(self, schema: Any):
        self.schema = schema
        root = schema if isinstance(schema, (dict, bool)) else {}
        draft = draft_of(root)
        self._validator = draft(root, format_checker=FORMAT_CHECKER)
        # The same draft as validation, when the schema names none with $schema.
        self._refs = SchemaRefs(root, default=specification_with(draft.META_SCHEMA["$schema"]))
        self._effective: dict[int, tuple[Any, dict]] = {}
        self.render_cache: dict[tuple, Any] = {}  # renderers keep what depends only on the schema
        self.root = Field(self, schema, (), required=True)

    # -- schema resolution -----------------------------------------------------------
    def resolve_ref(self, ref: str) -> Any:
        found = self._refs.resolve(ref)
        return {} if found is None else found  # unresolvable: treat as "anything", the lint reports it

    def effective(self, schema: Any, _depth: int = 0) -> dict:
        """``schema`` with its ``$ref`` followed and ``allOf`` merged (cached)."""
        if schema is True or not isinstance(schema, dict):
            return {} if schema is True or schema is None else {"not": {}}
        cached = self._effective.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        result: dict = {}
        if isinstance(schema.get("$ref"), str) and _depth < 32:
            result.update(self.effective(self.resolve_ref(schema["$ref"]), _depth + 1))
        result.update({k: v for k, v in schema.items() if k not in _MERGE_SKIP})
        conditions = list(result.pop("x-conditions", ()))
        if "if" in result:
            conditions.append((result.pop("if"), result.pop("then", None), result.pop("else", None)))
        for sub in schema.get("allOf") or ():
            part = self.effective(sub, _depth + 1)
            conditions.extend(part.get("x-conditions", ()))
            _merge_into(result, part)
        if conditions:
            result["x-conditions"] = conditions
        self._effective[id(schema)] = (schema, result)
        return result

    def matches(self, schema: Any, value: Any) -> bool:
        """Does ``value`` satisfy ``schema`` (a subschema of this form, refs resolved)?"""
        try:
            return self._validator.evolve(schema=schema).is_valid(value)
        except Exception:
            return False


def _merge_into(target: dict, part: dict) -> None:
    for key, value in part.items():
        if key == "x-conditions":
            continue
        if key == "properties" and isinstance(value, dict):
            merged = dict(target.get("properties") or {})
            for name, sub in value.items():
                merged[name] = {"allOf": [merged[name], sub]} if name in merged else sub
            target["properties"] = merged
        elif key == "required" and isinstance(value, list):
            target["required"] = list(dict.fromkeys([*(target.get("required") or []), *value]))
        else:
            target.setdefault(key, value)


class Field:
    """One position in the form: a scalar input, an object, an array or a choice."""

    def __init__(self, model: FormModel, declared: Any, path: tuple[str, ...], required: bool, label: str | None = None):
        self.model = model
        self.declared = declared
        self.path = path  # schema path: property names, "*" for array items, "#n" for tuple items
        self.required = required
        self.schema = model.effective(declared)
        s = self.schema
        self.name = path[-1] if path else ""
        self.title = label or _text(s.get("title")) or (self.name if self.name and not self.name.startswith(("*", "#")) else "")
        self.description = _text(s.get("description"))
        self.read_only = s.get("readOnly") is True
        self.default = s.get("default")
        examples = s.get("examples")
        self.placeholder = _example(examples[0]) if isinstance(examples, list) and examples else ""
        self.options = self._options()
        types = self._types()
        self.nullable = "null" in types or any(o.value is None for o in self.options or ())
        self.types = frozenset(types - {"null"})
        facts = widgets.Facts(
            types=self.types, nullable=self.nullable, options=tuple(self.options) if self.options is not None else None,
            alternatives=len(self._branches()) if self.options is None else 0,
            item_options=self._item_has_options(),
        )
        self.widget_entry = widgets.choose(s, facts)  # the registry entry: parser, macros
        self.widget = self.widget_entry.name

    def __repr__(self) -> str:
        return f"<Field {'/'.join(self.path) or '(root)'} {self.widget}>"

    # -- what a scalar field offers ----------------------------------------------------
    def _types(self) -> set[str]:
        declared = self.schema.get("type")
        if isinstance(declared, str):
            return {declared}
        if isinstance(declared, list):
            return {t for t in declared if isinstance(t, str)}
        if self.options is not None:
            return {_type_of(o.value) for o in self.options}
        s = self.schema
        if "properties" in s or "additionalProperties" in s or "patternProperties" in s:
            return {"object"}
        if "items" in s or "prefixItems" in s:
            return {"array"}
        if "minLength" in s or "maxLength" in s or "pattern" in s or "format" in s:
            return {"string"}
        if any(k in s for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
            return {"number"}
        return set()

    def _options(self) -> list[Option] | None:
        s = self.schema
        if isinstance(s.get("enum"), list):
            return [Option(v, _label(v)) for v in s["enum"]]
        if "const" in s:
            return [Option(s["const"], _text(s.get("title")) or _label(s["const"]))]
        for key in ("oneOf", "anyOf"):
            branches = s.get(key)
            if not isinstance(branches, list) or not branches:
                continue
            options = []
            for branch in branches:
                b = self.model.effective(branch)
                if "const" in b:
                    options.append(Option(b["const"], _text(b.get("title")) or _label(b["const"])))
                elif isinstance(b.get("enum"), list) and len(b["enum"]) == 1:
                    options.append(Option(b["enum"][0], _text(b.get("title")) or _label(b["enum"][0])))
                else:
                    return None
            return options
        return None

    def _branches(self) -> list:
        for key in ("oneOf", "anyOf"):
            if isinstance(self.schema.get(key), list) and self.schema[key]:
                return self.schema[key]
        return []

    def _item_has_options(self) -> bool:
        items = self.schema.get("items")
        # The path bound stops a schema whose array items are that same array.
        return (isinstance(items, dict) and len(self.path) < 48
                and self.item is not None and self.item.options is not None)

    # -- objects -------------------------------------------------------------------------
    @cached_property
    def properties(self) -> dict[str, Any]:
        props = self.schema.get("properties")
        return props if isinstance(props, dict) else {}

    @cached_property
    def required_names(self) -> frozenset[str]:
        required = self.schema.get("required")
        return frozenset(r for r in required if isinstance(r, str)) if isinstance(required, list) else frozenset()

    @cached_property
    def children(self) -> tuple[Field, ...]:
        """The object's own fields, in the author's order (``x-order``, then the rest)."""
        fields = {name: Field(self.model, sub, self.path + (name,), name in self.required_names)
                  for name, sub in self.properties.items()}
        order = self.schema.get("x-order")
        if isinstance(order, list):
            first = [fields.pop(n) for n in order if n in fields]
            return tuple(first + list(fields.values()))
        return tuple(fields.values())

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """``x-sections``: titled groups of this object's fields (the rest follow, untitled)."""
        layout = self.schema.get("x-sections")
        if not isinstance(layout, list):
            return ()
        by_name = {f.name: f for f in self.children}
        sections, used = [], set()
        for entry in layout:
            if not isinstance(entry, dict):
                continue
            names = [n for n in entry.get("fields") or [] if n in by_name and n not in used]
            used.update(names)
            sections.append(Section(_text(entry.get("title")), _text(entry.get("description")),
                                    tuple(by_name[n] for n in names)))
        rest = tuple(f for f in self.children if f.name not in used)
        if rest:
            sections.append(Section("", "", rest))
        return tuple(sections)

    @cached_property
    def conditions(self) -> tuple[Condition, ...]:
        own = set(self.properties)
        result = []
        for if_schema, then_schema, else_schema in self.schema.get("x-conditions", ()):
            then_fields = self._branch_fields(then_schema, own)
            else_fields = self._branch_fields(else_schema, own)
            if then_fields or else_fields:
                result.append(Condition("if", if_schema, then_fields, else_fields))
        dependent = self.schema.get("dependentSchemas") or {}
        if isinstance(self.schema.get("dependencies"), dict):  # draft 7
            dependent = {**{k: v for k, v in self.schema["dependencies"].items() if isinstance(v, dict)}, **dependent}
        for trigger, sub in dependent.items():
            fields = self._branch_fields(sub, own)
            if fields:
                result.append(Condition("dependent", trigger, fields))
        return tuple(result)

    def _branch_fields(self, schema: Any, own: set[str]) -> tuple[Field, ...]:
        """The fields a condition's branch adds (its properties the object does not declare)."""
        if not isinstance(schema, dict):
            return ()
        branch = self.model.effective(schema)
        required = frozenset(r for r in branch.get("required") or [] if isinstance(r, str))
        return tuple(Field(self.model, sub, self.path + (name,), name in required)
                     for name, sub in (branch.get("properties") or {}).items() if name not in own)

    # -- keys the schema does not declare (additionalProperties, patternProperties) -------
    @cached_property
    def declared_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.all_children())

    @cached_property
    def accepts_new_keys(self) -> bool:
        """Offer "add an entry" only where the author asked for free keys explicitly."""
        extra = self.schema.get("additionalProperties")
        return extra is True or isinstance(extra, dict) or bool(self.schema.get("patternProperties"))

    def extra_field(self, key: str) -> Field | None:
        """The field for a key the schema does not declare (None when none is allowed)."""
        cache = self.__dict__.setdefault("_extra_fields", {})
        for pattern, sub in (self.schema.get("patternProperties") or {}).items():
            if _search(pattern, key):
                if pattern not in cache:
                    cache[pattern] = Field(self.model, sub, self.path + ("~v",), True, label=key)
                return cache[pattern]
        extra = self.schema.get("additionalProperties", True)
        if extra is False:
            return None
        if "" not in cache:
            cache[""] = Field(self.model, extra, self.path + ("~v",), True, label="Giá trị")
        return cache[""]

    def extra_keys(self, value: Any) -> list[str]:
        if not isinstance(value, dict):
            return []
        return [k for k in value if k not in self.declared_names]

    def all_children(self) -> list[Field]:
        """Own fields and every conditional field (for walking the whole form)."""
        result = list(self.children)
        for condition in self.conditions:
            result.extend(condition.then_fields)
            result.extend(condition.else_fields)
        return result

    # -- arrays --------------------------------------------------------------------------
    @cached_property
    def prefix(self) -> tuple[Field, ...]:
        items = self.schema.get("prefixItems")
        if not isinstance(items, list):
            items = self.schema.get("items") if isinstance(self.schema.get("items"), list) else []
        return tuple(Field(self.model, sub, self.path + (f"#{i}",), False) for i, sub in enumerate(items))

    @cached_property
    def item(self) -> Field | None:
        """The field of every item after the fixed ones (None when no more are allowed)."""
        s = self.schema
        if isinstance(s.get("items"), list):  # draft 7 tuple form
            rest = s.get("additionalItems", True)
        elif "prefixItems" in s:
            rest = s.get("items", True)
        else:
            rest = s.get("items", True)
        if rest is False:
            return None
        # An item is not "required" the way a field is: no (*) on every row.
        return Field(self.model, rest, self.path + ("*",), False,
                     label=None if isinstance(rest, dict) and rest.get("title") else self.title)

    def item_field(self, index: int) -> Field | None:
        return self.prefix[index] if index < len(self.prefix) else self.item

    # -- alternatives (oneOf / anyOf of things that are not plain options) ----------------
    @cached_property
    def alternatives(self) -> tuple[Alternative, ...]:
        base = {k: v for k, v in self.schema.items() if k not in ("oneOf", "anyOf", "title", "description", "x-conditions")}
        result = []
        for i, branch in enumerate(self._branches()):
            b = self.model.effective(branch)
            merged = dict(base)
            _merge_into(merged, {k: v for k, v in b.items() if k != "title"})
            label = _text(b.get("title")) or _type_label(b) or f"Lựa chọn {i + 1}"
            result.append(Alternative(label, Field(self.model, merged, self.path, self.required, label=self.title)))
        return tuple(result)

    def chosen_alternative(self, value: Any) -> int | None:
        """The branch that describes ``value``: the first it satisfies, else the first
        whose constants it carries, else None (nothing chosen yet)."""
        if value is None:
            return None
        branches = self._branches()
        for i, branch in enumerate(branches):
            if self.model.matches(branch, value):
                return i
        for i, alt in enumerate(self.alternatives):
            consts = {n: f.options[0].value for n, f in ((c.name, c) for c in alt.field.children)
                      if f.widget == "constant"}
            if consts and isinstance(value, dict) and all(value.get(n) == v for n, v in consts.items()):
                return i
        for i, alt in enumerate(self.alternatives):
            if _type_of(value) in alt.field.types or (_type_of(value) == "integer" and "number" in alt.field.types):
                return i
        return None

    # -- defaults ------------------------------------------------------------------------
    def initial(self) -> Any:
        """The value a new form starts with: defaults, and required objects' defaults."""
        if self.default is not None:
            return self.default
        if self.widget in ("object", "address"):
            values = {}
            for child in self.children:
                value = child.initial()
                if value is not None:
                    values[child.name] = value
            return values or None
        if self.widget == "constant" and self.required:
            return self.options[0].value
        return None


def _search(pattern: str, text: str) -> bool:
    import re

    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _label(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if value is None:
        return "(để trống)"
    return json.dumps(value, ensure_ascii=False)


def _example(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_TYPE_LABELS = {"string": "Chữ", "number": "Số", "integer": "Số nguyên", "boolean": "Có/không",
                "object": "Nhóm thông tin", "array": "Danh sách", "null": "Để trống"}


def _type_label(schema: dict) -> str:
    declared = schema.get("type")
    return _TYPE_LABELS.get(declared, "") if isinstance(declared, str) else ""


form_model = SchemaCache(FormModel)  # one compiled FormModel per schema object, reused
