"""Every widget of ``engine.widgets.REGISTRY`` is complete and works end to end.

For each entry: its tester picks it for an example schema, its parser exists, the form
and display macros it names exist in ``renderers/templates``, and an example value
renders as a form, posts back as itself, and shows in the read-only display. A widget
registered without an example here fails too, so a new widget cannot skip the check.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine import places, widgets
from engine.form_model import form_model
from engine.forms import parse_form
from engine.widgets import REGISTRY, DuplicateWidget, UnknownWidget, WidgetRegistry
from renderers.html import DISPLAY_MACROS, FORM_MACROS, MacroTable, MissingMacro, render_display, render_form
from tests.browser_form import submit
from tests.renderers.html_helpers import parse, text_of

TITLE = "Trường thử"
PROVINCE = places.provinces()[0]
WARD = places.wards(PROVINCE)[0]

# widget name -> (schema that gets it, a value, the text the display shows, None: nothing)
EXAMPLES = {
    "json": ({}, {"a": [1, 2]}, '{"a": [1, 2]}'),
    "text": ({"type": "string"}, "Nguyễn Văn An", "Nguyễn Văn An"),
    "textarea": ({"type": "string", "maxLength": 2000}, "Dòng một\nDòng hai", "Dòng một Dòng hai"),
    "date": ({"type": "string", "format": "date"}, "2024-03-05", "05/03/2024"),
    "email": ({"type": "string", "format": "email"}, "an@example.vn", "an@example.vn"),
    "tel": ({"type": "string", "format": "phone"}, "0912345678", "0912345678"),
    "id": ({"type": "string", "format": "cccd"}, "093186004527", "093186004527"),
    "integer": ({"type": "integer"}, 150000000, "150.000.000"),
    "number": ({"type": "number"}, 82.5, "82,5"),
    "yesno": ({"type": "boolean"}, False, "Không"),
    "checkbox": ({"type": "boolean", "const": True}, True, "Có"),
    "radio": ({"oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}]}, "nu", "Nữ"),
    "select": ({"enum": ["Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy"]}, "Sáu", "Sáu"),
    "constant": ({"const": "VN"}, "VN", None),
    "object": ({"type": "object", "properties": {"name": {"type": "string", "title": "Tên"}}},
               {"name": "Lê Thị Hoa"}, "Lê Thị Hoa"),
    "address": ({"type": "object", "x-address": True,
                 "properties": {"street": {"type": "string", "title": "Số nhà"}, "ward": {"type": "string", "title": "Xã"},
                                "province": {"type": "string", "title": "Tỉnh"}}},
                {"street": "12 Lý Thường Kiệt", "ward": WARD, "province": PROVINCE},
                f"12 Lý Thường Kiệt, {WARD}, {PROVINCE}"),
    "array": ({"type": "array", "items": {"type": "string"}}, ["Mục một", "Mục hai"], "Mục một"),
    "checkboxes": ({"type": "array", "uniqueItems": True, "items": {"enum": ["Xe máy", "Ô tô", "Tàu"]}},
                   ["Xe máy", "Tàu"], "Xe máy; Tàu"),
    "alternatives": ({"oneOf": [{"type": "string", "title": "Chữ"}, {"type": "integer", "title": "Số"}]}, 12, "12"),
    "null": ({"type": "null"}, None, None),
}

ENTRIES = list(REGISTRY)


def wrapped(schema):
    """The example as the one required field ``x`` of a form."""
    return {"type": "object", "properties": {"x": {"title": TITLE, **schema}}, "required": ["x"]}


def example(name):
    assert name in EXAMPLES, f"widget {name!r} has no example: add one to EXAMPLES in this file"
    schema, value, shown = EXAMPLES[name]
    return wrapped(schema), {"x": value}, shown


def test_the_registry_has_every_widget_and_every_example_a_widget():
    assert len(ENTRIES) == len({w.name for w in ENTRIES})
    assert set(EXAMPLES) <= {w.name for w in ENTRIES}, "an example of a widget nobody registered"


@pytest.mark.parametrize("widget", ENTRIES, ids=lambda w: w.name)
def test_each_entry_has_a_tester_a_parser_and_both_macros(widget):
    assert isinstance(widget.tester, widgets.Tester) and callable(widget.tester.predicate)
    assert callable(widget.parser)
    assert FORM_MACROS.has(widget.form_macro), f"templates/form.html lacks {widget.form_macro!r} ({widget.name})"
    assert DISPLAY_MACROS.has(widget.display_macro), \
        f"templates/display.html lacks {widget.display_macro!r} ({widget.name})"


@pytest.mark.parametrize("widget", ENTRIES, ids=lambda w: w.name)
def test_each_entry_is_chosen_for_its_example(widget):
    schema, _, _ = example(widget.name)
    field = form_model(schema).root.children[0]
    assert field.widget_entry is widget


@pytest.mark.parametrize("widget", ENTRIES, ids=lambda w: w.name)
def test_each_entry_round_trips_and_displays_its_value(widget):
    schema, data, shown = example(widget.name)
    assert parse_form(schema, submit(str(render_form(schema, data)))) == data
    displayed = text_of(parse(render_display(schema, data)))
    if shown is None:
        assert TITLE not in displayed, f"{widget.name} shows nothing in a display"
    else:
        assert shown in displayed


def test_a_widget_name_registered_twice_is_refused():
    registry = WidgetRegistry()
    text = REGISTRY["text"]
    registry.register(text)
    with pytest.raises(DuplicateWidget):
        registry.register(replace(text, form_macro="w_textarea"))
    assert registry["text"] is text
    with pytest.raises(DuplicateWidget):
        REGISTRY.register(replace(text))
    assert REGISTRY["text"] is text


def test_an_unregistered_name_is_unknown():
    with pytest.raises(UnknownWidget):
        REGISTRY["colour-wheel"]


def test_an_explicit_widget_beats_a_higher_ranked_tester_and_only_explicit_ones_may_be_asked_for():
    options = {"enum": ["a", "b", "c"]}
    assert form_model(wrapped(options)).root.children[0].widget == "radio"
    assert form_model(wrapped({**options, "x-widget": "select"})).root.children[0].widget == "select"
    with pytest.raises(UnknownWidget):
        form_model(wrapped({"type": "string", "x-widget": "date"})).root.children[0]


def test_a_macro_the_registry_names_but_a_template_lacks_fails_loudly():
    table = MacroTable("form.html", lambda w: "w_colour_wheel", posts=True)
    with pytest.raises(MissingMacro):
        table.of(REGISTRY["text"])
