"""HTML of a form schema: the fillable form and its read-only display.

``render_form(schema, data, errors)`` returns the controls of any JSON Schema (a
plain dict, draft 2020-12 or 7) as an HTML fragment without a ``<form>`` wrapper,
prefilled with ``data``, each error beside its field and an error summary on top
that links to them (the GOV.UK pattern). ``engine.forms.parse_form`` reads the
posted fields back: control names are explained there.

``render_display(schema, data, sample=False, blank=False)`` is the same walk in
display mode: a dossier as a readable document (the "Xem hồ sơ mẫu" preview, reused
by the PDF), or with ``blank`` the form to fill by hand (writing lines, boxes for
options, empty table rows), which ``renderers.pdf`` prints for level-2 services.

Both walk ``engine.form_model`` (compiled once per schema). Each field is rendered by
a Jinja2 macro of ``templates/form.html`` or ``templates/display.html``: the one its
widget's entry in ``engine.widgets`` names (:class:`MacroTable`), so the registry is
the only list of widgets. Every text from a definition is autoescaped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from markupsafe import escape as esc

from engine import places, pointers, widgets
from engine.form_model import Condition, Field, form_model
from engine.validation import FieldError
from engine.widget_parsers import BLANK, branch_token, control_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_TEMPLATE_DEPTH = 4  # nested "add a row" templates: deeper rows are added by a round trip
BLANK_BOXES = 12  # a blank form prints options as boxes up to this many, a writing line beyond
MAX_BLANK_DEPTH = 6  # a blank form of a recursive schema stops nesting here (a line to write on)
MAX_BLANK_ROWS = 40  # empty rows printed for a list, whatever its minItems
_NESTED = frozenset({"object", "address", "array", "alternatives"})

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    # Compiled templates kept between processes (Jinja's own folder per user, under the
    # temporary directory): a worker's first form skips compiling the form's macros.
    bytecode_cache=FileSystemBytecodeCache(),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def dom_id(name_pointer: str) -> str:
    """An HTML id for a control: "f" and the pointer, every character outside
    [A-Za-z0-9] escaped, so distinct pointers always give distinct ids."""
    escaped = re.sub(r"[^A-Za-z0-9/]", lambda m: f"_{ord(m.group()):x}_", name_pointer)
    return "f" + escaped.replace("/", "-")


class MissingMacro(LookupError):
    """A template lacks a macro that a widget's registry entry (or the renderer) names."""


class MacroTable:
    """The macros of one template: a widget's by the name its registry entry gives
    (``macro_of`` picks the form or the display name), the renderer's own by name."""

    def __init__(self, template: str, macro_of: Callable[[widgets.Widget], str], posts: bool):
        self.template = template
        self.posts = posts  # the form's controls are posted back; a display's are not
        self._macro_of = macro_of
        self._by_widget: dict[str, Any] = {}

    @cached_property
    def _module(self) -> Any:
        """The template's macros, compiled at first use: a third of a second that a
        worker's start does not need (most requests render no form)."""
        return _env.get_template(self.template).module

    def has(self, name: str) -> bool:
        return callable(getattr(self._module, name, None))

    def named(self, name: str) -> Any:
        if not self.has(name):
            raise MissingMacro(f"templates/{self.template} has no macro {name!r}")
        return getattr(self._module, name)

    def of(self, widget: widgets.Widget) -> Any:
        """The macro that renders ``widget`` (looked up once, then kept)."""
        macro = self._by_widget.get(widget.name)
        if macro is None:
            macro = self._by_widget[widget.name] = self.named(self._macro_of(widget))
        return macro


class _Walk:
    """One rendering: values, errors and the anchors the error summary links to."""

    def __init__(self, macros: MacroTable, errors: list[FieldError] | None, blank_mode: bool = False,
                 ids: bool = True, step: int | None = None):
        self.macros = macros
        self.step = step  # a form in steps: the root section shown, the others hidden (None: all shown)
        self.ids = ids  # False: no id attributes (a PDF would make each one a named destination)
        self.errors = {e.path: e for e in errors or ()}
        self.anchors: dict[str, str] = {}  # data pointer -> id of its first control
        self.quiet = 0  # > 0 inside what is not active: a row template, an unchosen branch
        self.blank_mode = blank_mode  # display mode only: the form to fill by hand, no values
        # Returned for correction (engine.corrections): the marked fields' notes by data
        # pointer; every other field is shown disabled. None: the whole form is editable.
        self.corrections: dict[str, str] | None = None
        self.in_item = False  # inside one item the desk may mark (a leaf, a list, an address)
        self.fix_id = ""  # the id of the note of the marked item being rendered

    def field(self, f: Field, value: Any, ptr: str, data_ptr: str, depth: int = 0, label: str | None = None) -> Markup:
        if self.corrections is not None and not self.in_item and data_ptr and f.widget != "object":
            return self.correction_item(f, value, ptr, data_ptr, depth, label)
        fid = self.anchor(data_ptr, ptr)
        if self.blank_mode and depth > MAX_BLANK_DEPTH and f.widget in _NESTED:  # a line to write on
            return self.macros.of(widgets.REGISTRY["text"])(self, f, None, ptr, data_ptr, fid, depth, label)
        return self.macros.of(f.widget_entry)(self, f, value, ptr, data_ptr, fid, depth, label)

    def correction_item(self, f: Field, value: Any, ptr: str, data_ptr: str, depth: int, label: str | None) -> Markup:
        """One item of a dossier returned for correction: highlighted with the desk's note
        when marked (the note describes each of its controls), else disabled (not posted:
        the engine keeps the stored value)."""
        marked = data_ptr in self.corrections
        box = dom_id(ptr) + "-fix"
        self.in_item, self.fix_id = True, box if marked else ""
        try:
            html = self.field(f, value, ptr, data_ptr, depth, label)
        finally:
            self.in_item, self.fix_id = False, ""
        if not marked:
            return Markup(f'<fieldset class="locked" disabled>{html}</fieldset>')
        note = self.corrections[data_ptr] or "Bộ phận một cửa yêu cầu sửa mục này."
        return Markup(f'<div class="correction" id="{esc(box)}-box"><p class="correction-note" id="{esc(box)}">'
                      f'<strong>Cần sửa:</strong> {esc(note)}</p>{html}</div>')

    def anchor(self, data_ptr: str, ptr: str) -> str:
        """The id of the control named by ``ptr``; the first active one anchors its value's errors."""
        if not self.ids:
            return ""
        fid = dom_id(ptr)
        if not self.quiet:
            self.anchors.setdefault(data_ptr, fid)
        return fid

    def quiet_unless(self, active: bool, render, *args) -> Markup:
        """Render something that is not in force (an unchosen alternative, an inactive
        branch) without its errors, so they show only where the citizen is working."""
        if active:
            return render(*args)
        self.quiet += 1
        try:
            return render(*args)
        finally:
            self.quiet -= 1

    def active(self, parent: Field, condition: Condition, value: Any) -> bool:
        if condition.kind == "dependent":
            return isinstance(value, dict) and condition.test in value
        return parent.model.matches(condition.test, value if value is not None else {})

    # helpers the templates call
    def child(self, parent: Field, child: Field, value: Any, ptr: str, data_ptr: str, depth: int, token: str = "") -> Markup:
        own = value.get(child.name) if isinstance(value, dict) else None
        name = pointers.escape(child.name)
        base = f"{ptr}/{token}" if token else ptr
        html = self.field(child, own, f"{base}/{name}", f"{data_ptr}/{name}", depth)
        # Only a form posts: a display has no control to mark.
        if self.macros.posts and isinstance(value, dict) and child.name in value and own in (None, "", [], {}):
            return self.blank(f"{base}/{name}", own) + html
        return html

    def blank(self, ptr: str, value: Any) -> Markup:
        """Marks a value that is present but empty, so it reads back as it was."""
        return Markup(f'<input type="hidden" name="{esc(control_name(ptr + "/" + BLANK))}" value="{esc(json.dumps(value))}">')

    def extras(self, f: Field, value: Any) -> list[tuple[str, Field]]:
        return [(k, f.extra_field(k)) for k in f.extra_keys(value) if f.extra_field(k) is not None]

    def extra(self, f: Field, key: str, value: Any, ptr: str, data_ptr: str, index: int, depth: int) -> Markup:
        own = value.get(key) if isinstance(value, dict) else None
        html = self.field(f.extra_field(key), own, f"{ptr}/~v/{index}", f"{data_ptr}/{pointers.escape(key)}", depth, key)
        if own in (None, "", [], {}):
            return self.blank(f"{ptr}/~v/{index}", own) + html
        return html

    def item(self, array: Field, value: Any, position: int, ptr: str, data_ptr: str, index: str, depth: int,
             label: str | None = None) -> Markup:
        f = array.item_field(position)
        return self.field(f, value, f"{ptr}/{index}", f"{data_ptr}/{index}", depth, label) if f else Markup()

    def error(self, data_ptr: str) -> FieldError | None:
        return None if self.quiet else self.errors.get(data_ptr)

    def name(self, ptr: str) -> str:
        return control_name(ptr)

    def head(self, f: Field, data_ptr: str, fid: str, label: str | None, for_control: bool = True) -> Markup:
        """The label (or legend), the hint and the error of a field."""
        title = esc(label or f.title)
        required = _REQUIRED if f.required else ""
        if for_control:
            top = f'<label class="label" for="{esc(fid)}">{title}{required}</label>\n'
        else:
            top = f'<legend class="label">{title}{required}</legend>\n'
        return Markup(top + str(self.hint_and_error(f, data_ptr, fid)))

    def hint_and_error(self, f: Field, data_ptr: str, fid: str) -> Markup:
        parts = ""
        if f.description:
            parts += f'<div class="hint" id="{esc(fid)}-hint">{esc(f.description)}</div>\n'
        error = self.error(data_ptr)
        if error:
            parts += (f'<p class="field-error" id="{esc(fid)}-error"><span class="visually-hidden">Lỗi: </span>'
                      f"{esc(error.message)}</p>\n")
        return Markup(parts)

    def aria(self, f: Field, data_ptr: str, fid: str) -> Markup:
        """The attributes that tie a control to its hint and error, and mark it required."""
        attrs = ""
        described = self.described_by(f, fid, data_ptr)
        if described:
            attrs += f' aria-describedby="{esc(described)}"'
        if f.required:
            attrs += ' aria-required="true"'
        if self.error(data_ptr):
            attrs += ' aria-invalid="true"'
        if f.read_only:
            attrs += " readonly"
        return Markup(attrs)

    def described_by(self, f: Field, fid: str, data_ptr: str) -> str:
        ids = []
        if f.description:
            ids.append(fid + "-hint")
        if self.error(data_ptr):
            ids.append(fid + "-error")
        if self.fix_id and not self.quiet:  # a row template is cached apart from any dossier's marks
            ids.append(self.fix_id)
        return " ".join(ids)

    def option_index(self, f: Field, value: Any) -> int | None:
        for i, option in enumerate(f.options or ()):
            if option.value == value and type(option.value) is type(value):
                return i
        for i, option in enumerate(f.options or ()):
            if option.value == value:
                return i
        return None

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)

    def json_text(self, value: Any) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False, indent=1)

    def rows(self, f: Field, value: Any) -> list:
        return list(value) if isinstance(value, list) else []

    def row_template(self, f: Field, ptr: str, data_ptr: str, depth: int) -> Markup | None:
        """The row the script clones for "add", or None when too deep (round trip instead)."""
        if depth >= MAX_TEMPLATE_DEPTH or f.item is None:
            return None
        # A template row does not depend on the data or the errors: render it once per
        # form and position, and keep it with the compiled form.
        key = ("row-template", id(self.macros), id(f), ptr, depth)
        cache = f.model.render_cache
        if key not in cache:
            # Letters and digits only, so ids (dom_id) carry it unchanged; never all
            # digits, so a template row can never be read as a posted one.
            placeholder = f"new{depth}row"
            cache[key] = self.quiet_unless(False, self.macros.named("w_row"), self, f, f.item.initial(), len(f.prefix), ptr,
                                           data_ptr, placeholder, depth + 1)
        return cache[key]

    def condition_data(self, parent: Field, condition: Condition, ptr: str) -> str:
        """What the script needs to show a branch only when it applies (JSON), or ""."""
        if condition.kind == "dependent":
            trigger = next((c for c in parent.all_children() if c.name == condition.test), None)
            if trigger is None:
                return ""
            return json.dumps({"name": self.name(f"{ptr}/{pointers.escape(trigger.name)}"), "present": True})
        simple = _simple_condition(condition.test)
        if simple is None:
            return ""
        name, values = simple
        trigger = next((c for c in parent.children if c.name == name), None)
        if trigger is None:
            return ""
        posted = [self.posted_value(trigger, v) for v in values]
        # Without "required" in the "if", an unanswered field satisfies the condition.
        required = name in (condition.test.get("required") or [])
        return json.dumps({"name": self.name(f"{ptr}/{pointers.escape(name)}"), "values": posted, "empty": not required})

    def condition_words(self, parent: Field, condition: Condition) -> str:
        if condition.kind == "dependent":
            trigger = next((c for c in parent.all_children() if c.name == condition.test), None)
            return f"Điền phần này khi đã nhập “{trigger.title if trigger else condition.test}”."
        simple = _simple_condition(condition.test)
        if simple is None:
            return "Điền phần này nếu trường hợp của bạn cần."
        name, values = simple
        trigger = next((c for c in parent.children if c.name == name), None)
        if trigger is None:
            return "Điền phần này nếu trường hợp của bạn cần."
        labels = [self.label(trigger, v) for v in values]
        return f"Điền phần này khi “{trigger.title}” là: {' hoặc '.join(labels)}."

    def else_words(self, parent: Field, condition: Condition) -> str:
        return self.condition_words(parent, condition).replace("Điền phần này khi", "Điền phần này khi không phải trường hợp", 1)

    def posted_value(self, f: Field, value: Any) -> str:
        index = self.option_index(f, value)
        if index is not None and f.widget in ("radio", "select"):
            return str(index)
        return self.text(value)

    def label(self, f: Field, value: Any) -> str:
        index = self.option_index(f, value)
        if index is not None:
            return f.options[index].label
        if isinstance(value, bool):
            return "Có" if value else "Không"
        return self.text(value)

    def branch_token(self, k: int, side: str) -> str:
        return branch_token(k, side)

    def select_options(self, f: Field, value: Any) -> Markup:
        chosen = self.option_index(f, value)
        key = ("select", id(f), chosen)
        cache = f.model.render_cache
        if key not in cache:
            parts = ['<option value="">— Chọn —</option>']
            parts += [f'<option value="{i}"{_SELECTED if i == chosen else ""}>{esc(o.label)}</option>'
                      for i, o in enumerate(f.options)]
            cache[key] = Markup("\n".join(parts))
        if chosen is None and value is not None:  # not an offered option: kept as typed
            typed = esc(self.text(value))
            return cache[key] + Markup(f'\n<option value="{typed}" selected>{typed}</option>')
        return cache[key]

    def choices(self, f: Field, ptr: str, fid: str, kind: str, value: Any) -> Markup:
        """Radio buttons or check boxes: (posted value, label) pairs and which are checked."""
        if kind == "yesno":
            items, checked = [("true", "Có"), ("false", "Không")], {self.text(value)}
        elif kind == "checkbox":
            options = f.item.options
            items = [(str(i), o.label) for i, o in enumerate(options)]
            chosen = value if isinstance(value, list) else []
            checked = {str(i) for i, o in enumerate(options) if any(o.value == c for c in chosen)}
        else:
            items = [(str(i), o.label) for i, o in enumerate(f.options)]
            index = self.option_index(f, value)
            checked = {str(index)} if index is not None else set()
        input_type = "checkbox" if kind == "checkbox" else "radio"
        disabled = _DISABLED if f.read_only else ""
        name, fid = esc(control_name(ptr)), esc(fid)
        return Markup("\n".join(
            f'<div class="choice"><input type="{input_type}" id="{fid}-{i}" name="{name}" value="{esc(posted)}"'
            f'{_CHECKED if posted in checked else ""}{disabled}><label for="{fid}-{i}">{esc(label)}</label></div>'
            for i, (posted, label) in enumerate(items)
        ))

    def province_options(self, selected: Any) -> Markup:
        return _options("— Chọn tỉnh/thành phố —", tuple(places.provinces()), selected if isinstance(selected, str) else None)

    def ward_options(self, province: Any, selected: Any) -> Markup:
        wards = places.wards(province) if isinstance(province, str) else ()
        return _options("— Chọn xã/phường —", wards, selected if isinstance(selected, str) else None)

    def chosen(self, f: Field, value: Any) -> int | None:
        return f.chosen_alternative(value)

    # display mode -------------------------------------------------------------------
    def shown(self, f: Field, value: Any) -> str:
        """A value as a person reads it on paper."""
        return _shown(f, value)

    def cell(self, f: Field, value: Any) -> Markup:
        """A value in a table cell: long tokens (e-mails, addresses without spaces, codes)
        get <wbr> break points so a narrow column wraps them instead of running off the page."""
        return _breakable(_shown(f, value))

    def columns(self, item: Field) -> list[Field]:
        return [c for c in item.all_children() if c.widget not in ("constant", "null")]

    # blank mode: the printable form a citizen fills by hand ---------------------------
    def blank_choices(self, f: Field) -> list[str] | None:
        """The labels a blank field offers as boxes to tick, or None for a writing line."""
        if f.widget == "yesno":
            return ["Có", "Không"]
        if f.widget == "alternatives":
            return [a.label for a in f.alternatives]
        options = f.item.options if f.widget == "checkboxes" and f.item is not None else f.options
        if f.widget in ("radio", "select", "checkboxes") and options is not None:
            labels = [o.label for o in options if o.value is not None]
            return labels if len(labels) <= BLANK_BOXES else None
        return None

    def blank_lines(self, f: Field) -> int:
        return 3 if f.widget in ("textarea", "json") else 1

    def blank_rows(self, f: Field) -> int:
        """Empty rows printed for a list: at least max(3, minItems), no more than maxItems allows."""
        low, high = (f.schema.get(k) for k in ("minItems", "maxItems"))
        low, high = (n if isinstance(n, int) and not isinstance(n, bool) else None for n in (low, high))
        rows = min(max(3, low or 0), MAX_BLANK_ROWS)
        if high is not None and high >= 1:
            rows = min(rows, high)
        return max(rows - len(f.prefix), 0)

    def blank_hint(self, f: Field) -> str:
        """How to write the value by hand: the field's description, or its format."""
        if f.description:
            return f.description
        if f.widget == "date":
            return "ngày/tháng/năm"
        if f.widget == "select" and self.blank_choices(f) is None:  # too many options to print
            return "ghi rõ"
        return ""

    def summary(self) -> list[tuple[str, str]]:
        """(anchor id, message) of every error, in form order."""
        result = []
        for path, error in self.errors.items():
            anchor = self.anchors.get(path)
            if anchor is None:  # an error on something not shown (e.g. an unknown key)
                parent = path.rsplit("/", 1)[0]
                while parent and parent not in self.anchors:
                    parent = parent.rsplit("/", 1)[0]
                anchor = self.anchors.get(parent, "")
            result.append((anchor, error.message))
        return result


# Fixed markup the helpers below put between escaped values (f-strings with escape()
# are several times faster than Markup.format, which matters at ~70 fields a form).
_SELECTED = " selected"
_REQUIRED = ' <span class="req">(*)</span>'
_CHECKED = " checked"
_DISABLED = " disabled"


@lru_cache(maxsize=2048)
def _options(prompt: str, names: tuple[str, ...], selected: str | None) -> Markup:
    """<option>s of an administrative-unit list (34 provinces, ~100 wards each), built once
    per selection: they are most of an address's HTML."""
    parts = [f'<option value="">{esc(prompt)}</option>']
    parts += [f'<option value="{esc(n)}"{_SELECTED if n == selected else ""}>{esc(n)}</option>' for n in names]
    if selected and selected not in names:  # not in the list (any more): kept, nothing typed is lost
        parts.append(f'<option value="{esc(selected)}" selected>{esc(selected)}</option>')
    return Markup("\n".join(parts))


EMPTY = "—"
_LONG_TOKEN = re.compile(r"\S{13,}")
_BREAK_AFTER = frozenset("@./-_:;,?&=+")


def _breakable(text: str) -> Markup:
    parts, last = [], 0
    for match in _LONG_TOKEN.finditer(text):
        parts.append(str(esc(text[last:match.start()])))
        run = 0
        for ch in match.group():
            parts.append(str(esc(ch)))
            run += 1
            if ch in _BREAK_AFTER or run >= 10:
                parts.append("<wbr>")
                run = 0
        last = match.end()
    parts.append(str(esc(text[last:])))
    return Markup("".join(parts))


def _shown(f: Field, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    widget = f.widget
    if widget == "checkbox" and isinstance(value, bool):  # its one option's label is its own title
        return "Có" if value else "Không"
    if widget == "alternatives":
        chosen = f.chosen_alternative(value)
        return _shown(f.alternatives[chosen].field, value) if chosen is not None else _plain(value)
    if f.options is not None:
        for option in f.options:
            if option.value == value:
                return option.label
    if widget == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if widget in ("integer", "number") and isinstance(value, (int, float)):
        return _number(value)
    if widget == "address" and isinstance(value, dict):
        return ", ".join(str(value[k]) for k in ("street", "ward", "province") if value.get(k))
    if widget == "checkboxes" and isinstance(value, list) and f.item is not None:
        return "; ".join(_shown(f.item, v) for v in value)
    if widget in ("object", "address") and isinstance(value, dict):
        parts = [f"{c.title}: {_shown(c, value[c.name])}" for c in f.all_children() if c.name in value
                 and c.widget not in ("constant", "null")]
        return "; ".join(parts) or EMPTY
    if widget == "array" and isinstance(value, list):
        return "; ".join(_shown(f.item_field(i) or f, v) for i, v in enumerate(value))
    return _plain(value)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _number(value: int | float) -> str:
    """1.500.000 and 12,5: Vietnamese digit grouping and decimal comma."""
    if isinstance(value, float) and not value.is_integer():
        whole, _, fraction = f"{value}".partition(".")
        return f"{int(whole):,}".replace(",", ".") + "," + fraction
    return f"{int(value):,}".replace(",", ".")


def _simple_condition(test: Any) -> tuple[str, list] | None:
    """``{"properties": {"x": {"const": v}}}`` (or ``enum``) as (x, [v, ...])."""
    if not isinstance(test, dict):
        return None
    props = test.get("properties")
    if not isinstance(props, dict) or len(props) != 1 or set(test) - {"properties", "required"}:
        return None
    (name, sub), = props.items()
    if not isinstance(sub, dict):
        return None
    if "const" in sub:
        return name, [sub["const"]]
    if isinstance(sub.get("enum"), list):
        return name, list(sub["enum"])
    return None


FORM_MACROS = MacroTable("form.html", lambda w: w.form_macro, posts=True)
DISPLAY_MACROS = MacroTable("display.html", lambda w: w.display_macro, posts=False)


def render_form(schema: Any, data: Any = None, errors: list[FieldError] | None = None) -> Markup:
    """The form's controls, prefilled, with inline errors and an error summary on top."""
    summary, body = render_form_parts(schema, data, errors)
    return summary + body


def render_form_parts(schema: Any, data: Any = None, errors: list[FieldError] | None = None,
                      outside: list[tuple[str, str]] | None = None,
                      corrections: dict[str, str] | None = None, step: int | None = None) -> tuple[Markup, Markup]:
    """The error summary and the form's controls apart, for a page that puts the summary
    above more than the form; ``outside``: (anchor id, message) of the page's own errors
    beside the form's (the checklist of a dossier), listed first. With ``corrections``
    (data pointer -> the desk's note), only those fields are editable, highlighted.
    ``step``: of a form in steps (``x-steps``), the index of the root section whose
    controls are shown; the other sections' controls are still rendered, hidden, so their
    values are posted back (an index past the last section hides them all: the review page)."""
    model = form_model(schema)
    if data is None:
        data = model.root.initial()
    walk = _Walk(FORM_MACROS, errors, step=step)
    walk.corrections = corrections
    body = walk.field(model.root, data, "", "")
    items = [*(outside or []), *(walk.summary() if errors else [])]
    summary = FORM_MACROS.named("w_summary")(items) if items else Markup()
    return summary, body


def render_display(schema: Any, data: Any, sample: bool = False, blank: bool = False) -> Markup:
    """The dossier as a read-only document; ``sample`` marks it clearly as a sample (MẪU);
    ``blank`` ignores ``data`` and gives the form to fill by hand."""
    model = form_model(schema)
    walk = _Walk(DISPLAY_MACROS, None, blank_mode=blank)
    return DISPLAY_MACROS.named("w_document")(walk, model.root, None if blank else data, sample)


def display_fields(schema: Any, data: Any, blank: bool = False, ids: bool = True) -> Markup:
    """The fields of :func:`render_display` without its title and sample banner: the
    PDF (``renderers.pdf``) puts them under its own administrative heading, without
    ``ids`` (WeasyPrint would make each one a named destination: time and bytes)."""
    model = form_model(schema)
    walk = _Walk(DISPLAY_MACROS, None, blank_mode=blank, ids=ids)
    return walk.field(model.root, None if blank else data, "", "")


def display_section(schema: Any, data: Any, index: int) -> Markup:
    """One root section of :func:`render_display` (its fields, without the section's
    title): a part of the review page of a form in steps."""
    model = form_model(schema)
    walk = _Walk(DISPLAY_MACROS, None)
    section = model.root.sections[index]
    fields = DISPLAY_MACROS.named("children")(walk, model.root, section.fields, data, "", "", 0)
    return Markup('<dl class="kvs">') + fields + Markup("</dl>")
