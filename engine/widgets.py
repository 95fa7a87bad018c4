"""Which input a field gets: a small registry of ranked predicates.

As in JSON Forms' testers (``rankWith``), every rule looks at the field's effective
schema and, when it applies, offers its widget with a rank; the highest rank wins,
and an explicit ``x-widget`` beats every rule. A schema no rule accepts raises
:class:`UnknownWidget`, so a new construct fails in tests instead of rendering as
something wrong in production.

The widget names are shared by the HTML renderer (one template each) and the form
parser (one parse function each); tests check that both cover every name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TEXT_FORMATS = {"id-number": "id", "cccd": "id", "tax-code": "id", "phone": "tel", "email": "email", "date": "date",
                "past-date": "date"}
SHORT_CHOICE = 5  # options shown as radio buttons up to this many, as a select beyond
LONG_TEXT = 300  # maxLength above which a string gets a text area


class UnknownWidget(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    rank: int
    widget: str
    test: Callable[[dict, "Facts"], bool]


@dataclass(frozen=True)
class Facts:
    """What the rules look at, worked out once from a field's effective schema."""

    types: frozenset[str]  # JSON types the value may have, "null" excluded
    nullable: bool
    options: tuple | None  # the labelled options, when the value is one of a fixed list
    alternatives: int  # oneOf/anyOf branches that are not plain options
    item_options: bool = False  # an array whose items are picked from a fixed list


RULES: list[Rule] = []


def rule(rank: int, widget: str):
    def register(test: Callable[[dict, Facts], bool]):
        RULES.append(Rule(rank, widget, test))
        return test

    return register


def only(facts: Facts, *types: str) -> bool:
    return bool(facts.types) and facts.types <= set(types)


ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array"})
# A value of any type, or of several unrelated types: typed as JSON text.
rule(1, "json")(lambda s, f: f.options is None and (not f.types and not f.nullable or len(f.types - {"integer"}) > 1))
rule(10, "text")(lambda s, f: only(f, "string"))
rule(11, "textarea")(lambda s, f: only(f, "string") and (s.get("maxLength") or 0) > LONG_TEXT)
rule(12, "date")(lambda s, f: only(f, "string") and s.get("format") in ("date", "past-date"))
rule(12, "email")(lambda s, f: only(f, "string") and s.get("format") == "email")
rule(12, "tel")(lambda s, f: only(f, "string") and s.get("format") == "phone")
rule(12, "id")(lambda s, f: only(f, "string") and s.get("format") in ("id-number", "cccd", "tax-code"))
rule(10, "integer")(lambda s, f: only(f, "integer"))
rule(10, "number")(lambda s, f: only(f, "number", "integer") and "number" in f.types)
rule(10, "yesno")(lambda s, f: only(f, "boolean"))
rule(22, "checkbox")(lambda s, f: only(f, "boolean") and s.get("const") is True)
rule(20, "radio")(lambda s, f: f.options is not None and len(f.options) <= SHORT_CHOICE)
rule(20, "select")(lambda s, f: f.options is not None and len(f.options) > SHORT_CHOICE)
rule(21, "constant")(lambda s, f: f.options is not None and len(f.options) == 1 and "const" in s)
rule(10, "object")(lambda s, f: only(f, "object"))
rule(14, "address")(lambda s, f: only(f, "object") and s.get("x-address") is True)
rule(10, "array")(lambda s, f: only(f, "array"))
rule(14, "checkboxes")(lambda s, f: only(f, "array") and s.get("uniqueItems") is True and f.item_options)
rule(25, "alternatives")(lambda s, f: f.alternatives > 0 and f.options is None)
rule(5, "null")(lambda s, f: not f.types and f.nullable and f.options is None)

# Widgets an author may ask for with x-widget (when the value's type allows it).
EXPLICIT = {"text", "textarea", "radio", "select", "checkbox", "yesno", "json"}


def choose(schema: dict, facts: Facts) -> str:
    requested = schema.get("x-widget")
    if requested is not None:
        if requested not in EXPLICIT:  # the lint refuses it; a form must not guess
            raise UnknownWidget(f"x-widget {requested!r} is not one of {sorted(EXPLICIT)}")
        return requested
    best: Rule | None = None
    for candidate in RULES:
        if candidate.test(schema, facts) and (best is None or candidate.rank > best.rank):
            best = candidate
    if best is None:
        raise UnknownWidget(f"no widget for {describe(schema)}")
    return best.widget


def widget_names() -> set[str]:
    return {r.widget for r in RULES} | EXPLICIT


def describe(schema: Any) -> str:
    return repr(schema)[:200]
