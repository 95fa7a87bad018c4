"""render_form and parse_form are exact inverses, for our catalogue and other projects' schemas.

``submit`` (tests/browser_form.py) posts what a browser without JavaScript would:
successful controls only, nothing inside <template>, CRLF line breaks.
"""

from __future__ import annotations

import json

import pytest

from engine.catalog import Catalog
from engine.forms import parse_form
from engine.validation import compile_schema
from renderers.html import render_form
from tests.browser_form import submit
from tests.shared import require_shared, shared_dir

SLUGS = [s.slug for s in Catalog.load() if s.has_form]  # information-only services have no form
CORPUS = shared_dir() / "corpus" if shared_dir() else None


def roundtrip(schema, data):
    return parse_form(schema, submit(str(render_form(schema, data))))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_sample_round_trips(catalog, slug):
    service = catalog[slug]
    assert roundtrip(service.form_schema, service.sample) == service.sample


def _corpus_files():
    if CORPUS is None:
        return [None]  # the test asks tests.shared, which skips (or fails in CI) with the reason
    return sorted(CORPUS.glob("*/*.json"))


CORPUS_FILES = _corpus_files()


def _id(path):
    return "none" if path is None else f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[_id(p) for p in CORPUS_FILES])
def test_corpus_schema_renders_and_valid_samples_round_trip(path):
    if path is None:
        require_shared("external corpus")
    sample = json.loads(path.read_text(encoding="utf-8"))
    schema, data = sample["schema"], sample["formData"]
    html = str(render_form(schema, data))
    assert html.strip()
    assert str(render_form(schema)).strip(), "an empty form renders too"
    if data is None or not compile_schema(schema)._py.is_valid(data):
        return  # the README lists which samples carry invalid data on purpose
    assert parse_form(schema, submit(html)) == data


def test_the_corpus_is_all_there():
    require_shared("external corpus")
    assert len(CORPUS_FILES) == 119
