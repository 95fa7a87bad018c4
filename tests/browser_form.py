"""Emulation of a browser, JavaScript off, submitting a form: what the server receives.

Round-trip tests check ``parse_form(schema, submit(html)) == data``. The markup is
parsed by html5lib, which follows the WHATWG parser as browsers do (entities decoded,
the newline right after ``<textarea>`` dropped, nested ``<form>`` tags ignored,
``<noscript>`` parsed as markup since scripting is off). Then the HTML standard's
"constructing the entry list" runs over the first form's controls: its descendants
plus elements whose ``form=`` names its id (a fragment without ``<form>`` is the form).
Skipped: nameless or disabled controls (``disabled``, or inside a disabled fieldset but
not its first ``<legend>``), ``<template>`` and ``<datalist>`` content, unchecked
checkboxes and radios (one checked radio per group: the last), file and image inputs,
every button but the submitter, disabled options. A select without ``multiple`` sends
its last ``selected`` option, else (display size 1) its first enabled one. Input values
are sanitised per type (newlines stripped; invalid numbers and dates become ""; range
defaults to its midpoint, colour to #000000) and line breaks are sent as CRLF.
Not emulated: the parser's form pointer (``<table><form><tr>``), ``wrap=hard``, ``dirname``.
"""

from __future__ import annotations

import calendar
import math
import re
from xml.etree.ElementTree import Element

import html5lib
from werkzeug.datastructures import MultiDict

TEXT_TYPES = {"text", "search", "tel", "url", "email", "password"}
INPUT_TYPES = TEXT_TYPES | {"number", "date", "time", "datetime-local", "month", "week",
                            "hidden", "range", "color", "checkbox", "radio",
                            "file", "image", "submit", "reset", "button"}
FIELD_TAGS = {"input", "button", "select", "textarea"}
WS = " \t\n\f\r"
_TIME = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?"
_PATTERNS = {
    "number": r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?",
    "date": r"(\d{4,})-(\d\d)-(\d\d)", "month": r"(\d{4,})-(\d\d)", "week": r"(\d{4,})-W(\d\d)",
    "time": _TIME, "datetime-local": rf"(\d{{4,}})-(\d\d)-(\d\d)[T ]({_TIME})",
}


class _Doc:
    """A parsed fragment with the tree walks the algorithm needs."""

    def __init__(self, html: str):
        root = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
        self.parent = {child: el for el in root.iter() for child in el}
        self.elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
        self.by_id = {e.get("id"): e for e in reversed(self.elements)  # the first one wins
                      if e.get("id") is not None and not self.inside(e, "template")}

    def ancestors(self, el: Element):
        while (el := self.parent.get(el)) is not None:
            yield el

    def inside(self, el: Element, tag: str) -> Element | None:
        return next((a for a in self.ancestors(el) if a.tag == tag), None)

    def owner(self, el: Element) -> Element | None:
        if (form_id := el.get("form")) is not None:
            target = self.by_id.get(form_id)
            return target if target is not None and target.tag == "form" else None
        return self.inside(el, "form")

    def disabled(self, el: Element) -> bool:
        """Own attribute, or in a disabled fieldset but not in its first <legend> child."""
        fieldsets = [a for a in self.ancestors(el) if a.tag == "fieldset" and a.get("disabled") is not None]
        return el.get("disabled") is not None or any(
            next((c for c in f if c.tag == "legend"), None) not in self.ancestors(el) for f in fieldsets)


def _type(el: Element) -> str:
    kind = (el.get("type") or "").lower()
    if el.tag == "input":
        return kind if kind in INPUT_TYPES else "text"
    if el.tag == "button":
        return kind if kind in {"reset", "button"} else "submit"
    if el.tag == "select":
        return "select-multiple" if el.get("multiple") is not None else "select-one"
    return "textarea"


def _num(text: str | None, default: float | None = None) -> float | None:
    return float(text) if text and re.fullmatch(_PATTERNS["number"], text) else default


def _valid(kind: str, value: str) -> bool:
    if not (m := re.fullmatch(_PATTERNS[kind], value)):
        return False
    if kind in {"date", "month", "datetime-local"}:
        year, month = int(m[1]), int(m[2])
        day = int(m[3]) if kind != "month" else 1
        return year > 0 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
    if kind == "week":  # a year has 53 ISO weeks when it starts or ends on a Thursday
        year, week = int(m[1]), int(m[2])
        long = calendar.weekday(year, 1, 1) == 3 or calendar.weekday(year, 12, 31) == 3
        return year > 0 and 1 <= week <= (53 if long else 52)
    return True


def _range(el: Element, value: str) -> str:
    """A range always has a value: the midpoint by default, clamped, on a step."""
    low = _num(el.get("min"), 0.0)
    high = max(low, _num(el.get("max"), 100.0))
    number = min(max(_num(value, low + (high - low) / 2), low), high)
    step = (el.get("step") or "").lower()
    if step != "any":
        size = size if (size := _num(step, 0.0)) > 0 else 1.0
        number = low + math.floor((number - low) / size + 0.5) * size  # ties round up
        while number > high:
            number -= size
    return f"{number:.15g}"


def _input_value(el: Element, kind: str) -> str:
    if kind in {"checkbox", "radio"}:
        return el.get("value", "on")
    if kind == "file":
        return ""
    value = el.get("value", "")
    if kind in TEXT_TYPES:
        value = value.replace("\r", "").replace("\n", "")
    if kind in {"url", "email"}:
        value = value.strip(WS)
    if kind == "email" and el.get("multiple") is not None:
        value = ",".join(part.strip(WS) for part in value.split(","))
    if kind in _PATTERNS and not _valid(kind, value):
        return ""
    if kind == "datetime-local":  # normalised: "T", and the shortest time string
        value = value.replace(" ", "T")
        value = value.rstrip("0").rstrip(".") if "." in value else value
        value = value[:-3] if value.endswith(":00") and value.count(":") == 2 else value
    if kind == "color":
        return value.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else "#000000"
    return _range(el, value) if kind == "range" else value


def _options(select: Element) -> list[tuple[str, bool, bool]]:
    """(value, selectedness, disabled) for each option of a select, in tree order."""
    parent = {child: el for el in select.iter() for child in el}

    def disabled(option: Element) -> bool:
        group = parent[option]
        return option.get("disabled") is not None or (
            group.tag == "optgroup" and group.get("disabled") is not None)

    def value(option: Element) -> str:  # else the text, ASCII whitespace stripped and collapsed
        text = re.sub(r"[ \t\n\f\r]+", " ", "".join(option.itertext())).strip(" ")
        return option.get("value", text)

    options = list(select.iter("option"))
    chosen = [o for o in options if o.get("selected") is not None]
    if select.get("multiple") is None:
        chosen = chosen[-1:]
        size = re.match(r"[ \t\n\f\r]*(\d+)", select.get("size", ""))
        if not chosen and (size is None or int(size[1]) <= 1):
            chosen = [o for o in options if not disabled(o)][:1]
    return [(value(o), o in chosen, disabled(o)) for o in options]


def _checked(doc: _Doc) -> set[Element]:
    """Checkboxes and radios that are checked; in a radio group the last ``checked`` wins."""
    checked, groups = set(), {}
    for el in doc.elements:
        if el.tag != "input" or el.get("checked") is None or _type(el) not in {"checkbox", "radio"}:
            continue
        if _type(el) == "radio" and el.get("name"):
            key = (id(doc.owner(el)), id(doc.inside(el, "template")), el.get("name"))
            checked.discard(groups.get(key))
            groups[key] = el
        checked.add(el)
    return checked


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def entry_list(html: str, submitter: str | None = None) -> list[tuple[str, str]]:
    """The (name, value) pairs a browser sends, in document order."""
    doc = _Doc(html)
    forms = [e for e in doc.elements if e.tag == "form" and not doc.inside(e, "template")]
    fields = [e for e in doc.elements if e.tag in FIELD_TAGS and not doc.inside(e, "template")
              and (not forms or doc.owner(e) is forms[0])]
    clicked = None
    if submitter is not None:
        buttons = {b: f"{b.get('name')}={b.get('value', '')}"
                   for b in fields if _type(b) == "submit" and b.get("name")}
        matches = [b for b, label in buttons.items() if submitter in (b.get("name"), label)]
        if len(matches) != 1:
            raise ValueError(f"submitter {submitter!r} matches {len(matches)} of the form's "
                             f"submit buttons {list(buttons.values())}")
        if doc.disabled(clicked := matches[0]):
            raise ValueError(f"submitter {submitter!r} is disabled: it cannot be clicked")
    checked, entries = _checked(doc), []
    for el in fields:
        name, kind = el.get("name") or "", _type(el)
        if not name or doc.disabled(el) or doc.inside(el, "datalist"):
            continue
        if el.tag == "select":
            entries += [(name, value) for value, chosen, off in _options(el) if chosen and not off]
        elif el.tag == "textarea":
            entries.append((name, el.text or ""))
        elif kind in {"submit", "reset", "button", "image"}:
            if el is clicked:
                entries.append((name, el.get("value", "")))
        elif kind in {"checkbox", "radio"}:
            if el in checked:
                entries.append((name, _input_value(el, kind)))
        elif kind == "hidden" and name.lower() == "_charset_":
            entries.append((name, "UTF-8"))
        elif kind != "file":
            entries.append((name, _input_value(el, kind)))
    return [(_crlf(name), _crlf(value)) for name, value in entries]


def submit(html: str, submitter: str | None = None) -> MultiDict:
    """The form data set as Flask's ``request.form`` would hold it.

    ``submitter`` names the clicked submit button: its ``name``, or ``name=value``
    when several buttons share a name. A ``MultiDict`` keeps document order per
    name; ``entry_list`` keeps it across names.
    """
    return MultiDict(entry_list(html, submitter))


def controls(html: str) -> list[dict]:
    """Every named form control in the markup, in document order, whichever form owns it.

    Keys: tag, type (``input`` type, ``select-one``/``select-multiple``, ``textarea``, button
    type), name, value (sanitised; a select's first selected value), checked (effective,
    checkboxes and radios), selected and options (values, selects only, else None),
    disabled (effective, fieldsets included), in_template.
    """
    doc = _Doc(html)
    checked, found = _checked(doc), []
    for el in doc.elements:
        if el.tag not in FIELD_TAGS or not el.get("name"):
            continue
        kind, selected, options = _type(el), None, None
        if el.tag == "select":
            options = [value for value, _, _ in _options(el)]
            selected = [value for value, chosen, _ in _options(el) if chosen]
            value = selected[0] if selected else ""
        elif el.tag == "textarea":
            value = el.text or ""
        elif el.tag == "button":
            value = el.get("value", "")
        else:
            value = _input_value(el, kind)
        found.append({"tag": el.tag, "type": kind, "name": el.get("name"), "value": value,
                      "checked": el in checked, "selected": selected, "options": options,
                      "disabled": doc.disabled(el),
                      "in_template": doc.inside(el, "template") is not None})
    return found
