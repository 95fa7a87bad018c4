"""Property tests: whatever a browser (or an attacker) posts, parsing and validation answer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from engine.catalog import Catalog
from engine.forms import parse_form
from engine.validation import FieldError
from renderers.html import render_form
from tests.browser_form import controls

SERVICES = [s for s in Catalog.load() if s.has_form]  # information-only services have no form
NAMES = {s.slug: sorted({c["name"] for c in controls(str(render_form(s.form_schema, s.sample)))}) for s in SERVICES}

VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "1", "2", "99", "-1", "true", "false", "null", "[]", "{}", "1.000.000", "12,5",
                     "new0row", "~row", "Phường Vị Thanh", "Thành phố Cần Thơ", "2026-02-30", "<script>"]),
)


@st.composite
def postings(draw):
    service = draw(st.sampled_from(SERVICES))
    known = NAMES[service.slug]
    names = st.one_of(st.sampled_from(known), st.text(max_size=20), st.sampled_from(["#", "#/", "#/~row", "~action"]))
    pairs = draw(st.lists(st.tuples(names, VALUES), max_size=40))
    return service, MultiDict(pairs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(postings())
def test_arbitrary_posted_fields_never_make_parsing_or_validation_raise(posting):
    service, fields = posting
    data = parse_form(service.form_schema, fields)
    errors = service.validate(data)
    assert all(isinstance(e, FieldError) and e.message for e in errors)
    render_form(service.form_schema, data, errors)  # and the page can be shown again


# -- generated valid dossiers round-trip (hypothesis-jsonschema) ---------------------------

import unicodedata  # noqa: E402

from hypothesis import Phase, assume  # noqa: E402
from hypothesis_jsonschema import from_schema  # noqa: E402

from engine.form_model import form_model  # noqa: E402
from engine.validation import compile_schema  # noqa: E402
from tests.browser_form import submit  # noqa: E402
from tests.engine.strategies import VALID_FORMATS  # noqa: E402

def _section_strategies(service):
    """One hypothesis-jsonschema strategy per top-level field of the form.

    Generating a whole dossier at once makes hypothesis-jsonschema filter most draws
    away (0.5-4 s an example on these forms); generating one section at a time, inside
    an otherwise valid sample, reaches valid dossiers quickly and still covers every
    field of every form."""
    schema = service.form_schema
    defs = {k: schema[k] for k in ("$defs", "definitions") if k in schema}
    sections = dict(schema.get("properties", {}))
    # Only the branch in force for the sample: the other one's data is dropped on purpose.
    for condition in form_model(schema).root.conditions:
        active = condition.kind == "if" and form_model(schema).matches(condition.test, service.sample)
        for field in condition.then_fields if active else condition.else_fields:
            sections[field.name] = field.declared
    return {name: from_schema({**sub, **defs}, custom_formats=VALID_FORMATS) for name, sub in sections.items()}


_STRATEGIES = {s.slug: _section_strategies(s) for s in SERVICES}


def _closed(node):
    """The schema with every object closed (unevaluatedProperties: false): data valid
    against it has no key outside the fields in force, which the form drops on purpose
    (an inactive branch's data) or never shows."""
    if isinstance(node, list):
        return [_closed(n) for n in node]
    if not isinstance(node, dict):
        return node
    closed = {k: (v if k in ("const", "enum", "default", "examples") else _closed(v)) for k, v in node.items()}
    if node.get("type") == "object" and "additionalProperties" not in node and "patternProperties" not in node:
        closed["unevaluatedProperties"] = False
    return closed


_CLOSED = {s.slug: compile_schema(_closed(s.form_schema)) for s in SERVICES}


def typeable(value):
    """What a person can type: no control characters, no lone surrogates, no padding.

    A browser cannot post a NUL or a bare CR, and the form trims spaces around a line,
    so generated text is brought to what a citizen could have entered."""
    if isinstance(value, str):
        kept = "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"))
        return kept.strip()
    if isinstance(value, list):
        return [typeable(v) for v in value]
    if isinstance(value, dict):
        return {typeable(k): typeable(v) for k, v in value.items()}
    return value


@pytest.mark.slow
@pytest.mark.parametrize("slug", [s.slug for s in SERVICES])
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None,
          phases=[Phase.explicit, Phase.generate])
@given(data=st.data())
def test_generated_valid_dossiers_round_trip(slug, data):
    service = next(s for s in SERVICES if s.slug == slug)
    section = data.draw(st.sampled_from(sorted(_STRATEGIES[slug])), label="section")
    value = {**service.sample, section: typeable(data.draw(_STRATEGIES[slug][section], label="generated"))}
    assume(_CLOSED[slug].is_valid(value))
    html = str(render_form(service.form_schema, value))
    assert parse_form(service.form_schema, submit(html)) == in_option_order(form_model(service.form_schema).root, value)


def in_option_order(field, value):
    """Check boxes post their values in the order of the options: a set, not a sequence."""
    if field.widget == "checkboxes" and isinstance(value, list):
        order = [o.value for o in field.item.options]
        return sorted(value, key=lambda v: order.index(v) if v in order else len(order))
    if field.widget == "alternatives":
        chosen = field.chosen_alternative(value)
        return in_option_order(field.alternatives[chosen].field, value) if chosen is not None else value
    if isinstance(value, dict) and field.widget in ("object", "address"):
        children = {c.name: c for c in field.all_children()}
        return {k: in_option_order(children[k], v) if k in children else v for k, v in value.items()}
    if isinstance(value, list) and field.widget == "array":
        return [in_option_order(field.item_field(i), v) if field.item_field(i) else v for i, v in enumerate(value)]
    return value
