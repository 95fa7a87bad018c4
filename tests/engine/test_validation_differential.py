"""The fast validator (jsonschema-rs) and the explaining one (python-jsonschema) agree.

``validate()`` returns no errors whenever jsonschema-rs says "valid", so if the two
ever disagreed a bad dossier could pass unexplained. Both get the same format and
keyword callables; this checks they agree on damaged versions of every catalogue
sample (valid and invalid data near the boundary the validators must draw).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.catalog import Catalog
from tests.engine.strategies import mutations

UNFILLED = re.compile(r"\{(title|limit|type|names|dependency)\}")  # a placeholder left in a message
SLUGS = [s.slug for s in Catalog.load() if s.has_form]  # information-only services have no form


@pytest.mark.parametrize("slug", SLUGS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_both_validators_agree(catalog, slug, data):
    service = catalog[slug]
    value = data.draw(mutations(service.sample))
    validator = service.validator
    fast = validator._rs.is_valid(value)
    slow = validator._py.is_valid(value)
    assert fast == slow, value
    errors = validator.validate(value)
    assert (errors == []) == slow
    assert all(e.message and not UNFILLED.search(e.message) for e in errors)


@pytest.mark.parametrize("slug", SLUGS)
def test_the_fast_validator_is_in_use(catalog, slug):
    """A schema jsonschema-rs cannot compile would silently fall back to the slow path."""
    assert catalog[slug].validator._rs is not None
