"""Every widget in one place: what picks it, what reads it back, what shows it.

Before, one widget was spread over five tables that could drift apart (the ranked
rules here, the parsers, two template files and the renderer's input table). Now a
widget is one :class:`Widget` entry in :data:`REGISTRY`, holding:

* its **tester**, a ranked predicate as in JSON Forms' testers (``rankWith``): it looks
  at the field's effective schema and the :class:`Facts` worked out from it and, when it
  applies, offers its rank; the highest rank wins (the first registered among equals),
  and an explicit ``x-widget`` naming an ``explicit`` widget beats every tester;
* its **parser**, from ``engine.widget_parsers``: posted form text to a typed JSON value;
* the names of its two Jinja macros, the control in ``renderers/templates/form.html``
  and the read-only value in ``display.html``. The engine holds only the names (it
  never imports Jinja); ``renderers.html`` looks the macros up by them.

Adding a widget is adding its entry here (and a parser or macros when no existing one
fits); ``tests/renderers/test_widget_registry.py`` checks that every entry's parts exist
and that a value of it round-trips. Like rjsf's ``getWidget``, the registry fails
loudly: a name registered twice raises :class:`DuplicateWidget`, and a schema no tester
accepts, or an ``x-widget`` that is not explicit, raises :class:`UnknownWidget`, so a new
construct fails in tests instead of rendering as something wrong in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.widget_parsers import (
    Parser,
    parse_alternatives,
    parse_array,
    parse_checkbox,
    parse_checkboxes,
    parse_constant,
    parse_integer,
    parse_json,
    parse_multiline_text,
    parse_null,
    parse_number,
    parse_object,
    parse_option,
    parse_spaceless_text,
    parse_text,
    parse_yes_no,
)

SHORT_CHOICE = 5  # options shown as radio buttons up to this many, as a select beyond
LONG_TEXT = 300  # maxLength above which a string gets a text area
NOT_APPLICABLE = -1  # what a tester answers for a schema it does not accept


class UnknownWidget(ValueError):
    """No widget for a schema, or a widget name nobody registered."""


class DuplicateWidget(ValueError):
    """A widget name registered twice: the second would silently replace the first."""


@dataclass(frozen=True)
class Facts:
    """What the testers look at, worked out once from a field's effective schema."""

    types: frozenset[str]  # JSON types the value may have, "null" excluded
    nullable: bool
    options: tuple | None  # the labelled options, when the value is one of a fixed list
    alternatives: int  # oneOf/anyOf branches that are not plain options
    item_options: bool = False  # an array whose items are picked from a fixed list


@dataclass(frozen=True)
class Tester:
    """A ranked predicate: ``rank`` when ``predicate(schema, facts)`` holds, else NOT_APPLICABLE."""

    rank: int
    predicate: Callable[[dict, Facts], bool]

    def __call__(self, schema: dict, facts: Facts) -> int:
        return self.rank if self.predicate(schema, facts) else NOT_APPLICABLE


@dataclass(frozen=True)
class Widget:
    """One widget: the registry entry that every part of the form engine reads."""

    name: str
    tester: Tester
    parser: Parser
    form_macro: str  # the macro in renderers/templates/form.html
    display_macro: str  # the macro in renderers/templates/display.html
    explicit: bool = False  # an author may ask for it with x-widget


class WidgetRegistry:
    """The widgets by name, in registration order (which breaks ties between equal ranks)."""

    def __init__(self) -> None:
        self._widgets: dict[str, Widget] = {}

    def register(self, widget: Widget) -> Widget:
        if widget.name in self._widgets:
            raise DuplicateWidget(f"widget {widget.name!r} is already registered")
        self._widgets[widget.name] = widget
        return widget

    def __getitem__(self, name: str) -> Widget:
        try:
            return self._widgets[name]
        except KeyError:
            raise UnknownWidget(f"no widget named {name!r}") from None

    def __iter__(self) -> Iterator[Widget]:
        return iter(self._widgets.values())

    def __len__(self) -> int:
        return len(self._widgets)

    def explicit_names(self) -> list[str]:
        """The widgets an author may ask for with x-widget, sorted."""
        return sorted(w.name for w in self._widgets.values() if w.explicit)

    def choose(self, schema: dict, facts: Facts) -> Widget:
        requested = schema.get("x-widget")
        if requested is not None:
            widget = self._widgets.get(requested) if isinstance(requested, str) else None
            if widget is None or not widget.explicit:  # the lint refuses it; a form must not guess
                raise UnknownWidget(f"x-widget {requested!r} is not one of {self.explicit_names()}")
            return widget
        best, best_rank = None, NOT_APPLICABLE
        for widget in self._widgets.values():
            rank = widget.tester(schema, facts)
            if rank > best_rank:
                best, best_rank = widget, rank
        if best is None:
            raise UnknownWidget(f"no widget for {describe(schema)}")
        return best


def only(facts: Facts, *types: str) -> bool:
    return bool(facts.types) and facts.types <= set(types)


def describe(schema: Any) -> str:
    return repr(schema)[:200]


REGISTRY = WidgetRegistry()
register = REGISTRY.register
choose = REGISTRY.choose

# A value of any type, or of several unrelated types: typed as JSON text.
register(Widget("json", Tester(1, lambda s, f: f.options is None and (
    not f.types and not f.nullable or len(f.types - {"integer"}) > 1)),
    parse_json, form_macro="w_json", display_macro="w_value", explicit=True))
register(Widget("text", Tester(10, lambda s, f: only(f, "string")),
                parse_text, form_macro="w_text", display_macro="w_value", explicit=True))
register(Widget("textarea", Tester(11, lambda s, f: only(f, "string") and (s.get("maxLength") or 0) > LONG_TEXT),
                parse_multiline_text, form_macro="w_textarea", display_macro="w_value", explicit=True))
register(Widget("date", Tester(12, lambda s, f: only(f, "string") and s.get("format") in ("date", "past-date")),
                parse_text, form_macro="w_date", display_macro="w_value"))
register(Widget("email", Tester(12, lambda s, f: only(f, "string") and s.get("format") == "email"),
                parse_text, form_macro="w_email", display_macro="w_value"))
register(Widget("tel", Tester(12, lambda s, f: only(f, "string") and s.get("format") == "phone"),
                parse_spaceless_text, form_macro="w_tel", display_macro="w_value"))
register(Widget("id", Tester(12, lambda s, f: only(f, "string") and s.get("format") in ("id-number", "cccd", "tax-code")),
                parse_spaceless_text, form_macro="w_id", display_macro="w_value"))
register(Widget("integer", Tester(10, lambda s, f: only(f, "integer")),
                parse_integer, form_macro="w_integer", display_macro="w_value"))
register(Widget("number", Tester(10, lambda s, f: only(f, "number", "integer") and "number" in f.types),
                parse_number, form_macro="w_number", display_macro="w_value"))
register(Widget("yesno", Tester(10, lambda s, f: only(f, "boolean")),
                parse_yes_no, form_macro="w_yesno", display_macro="w_value", explicit=True))
register(Widget("checkbox", Tester(22, lambda s, f: only(f, "boolean") and s.get("const") is True),
                parse_checkbox, form_macro="w_checkbox", display_macro="w_value", explicit=True))
register(Widget("radio", Tester(20, lambda s, f: f.options is not None and len(f.options) <= SHORT_CHOICE),
                parse_option, form_macro="w_radio", display_macro="w_value", explicit=True))
register(Widget("select", Tester(20, lambda s, f: f.options is not None and len(f.options) > SHORT_CHOICE),
                parse_option, form_macro="w_select", display_macro="w_value", explicit=True))
register(Widget("constant", Tester(21, lambda s, f: f.options is not None and len(f.options) == 1 and "const" in s),
                parse_constant, form_macro="w_constant", display_macro="w_nothing"))
register(Widget("object", Tester(10, lambda s, f: only(f, "object")),
                parse_object, form_macro="w_object", display_macro="w_object"))
register(Widget("address", Tester(14, lambda s, f: only(f, "object") and s.get("x-address") is True),
                parse_object, form_macro="w_address", display_macro="w_address"))
register(Widget("array", Tester(10, lambda s, f: only(f, "array")),
                parse_array, form_macro="w_array", display_macro="w_array"))
register(Widget("checkboxes", Tester(14, lambda s, f: only(f, "array") and s.get("uniqueItems") is True and f.item_options),
                parse_checkboxes, form_macro="w_checkboxes", display_macro="w_value"))
register(Widget("alternatives", Tester(25, lambda s, f: f.alternatives > 0 and f.options is None),
                parse_alternatives, form_macro="w_alternatives", display_macro="w_alternatives"))
register(Widget("null", Tester(5, lambda s, f: not f.types and f.nullable and f.options is None),
                parse_null, form_macro="w_null", display_macro="w_nothing"))
