"""Lint: every list of a form says how many rows it takes, and no more than a dossier can
print; a list of ticked options is bounded by its options."""

from __future__ import annotations

import pytest

from engine.bounds import MAX_LISTED_ROWS
from engine.schema_rules import check


def problems(schema: dict) -> list[tuple[str, str]]:
    return list(check({"type": "object", "title": "Tờ khai", "properties": {"rows": schema}}, lambda _s: None))


ROW = {"type": "object", "title": "Dòng", "properties": {"name": {"type": "string", "title": "Tên"}}}


@pytest.mark.parametrize("schema, message", [
    ({"type": "array", "title": "Thành viên", "items": ROW}, "cần maxItems"),
    ({"type": "array", "title": "Thành viên", "items": ROW, "maxItems": MAX_LISTED_ROWS + 1}, "không được quá"),
    ({"type": "array", "title": "Lựa chọn", "items": {"type": "string", "title": "Một", "enum": ["a", "b"]}},
     "cần maxItems"),  # without uniqueItems an option may be ticked a thousand times
])
def test_an_unbounded_list_is_refused(schema, message):
    assert any(message in text for _at, text in problems(schema))


@pytest.mark.parametrize("schema", [
    {"type": "array", "title": "Thành viên", "items": ROW, "maxItems": 20},
    {"type": "array", "title": "Nguồn vốn", "uniqueItems": True,
     "items": {"type": "string", "title": "Loại", "oneOf": [{"const": "a", "title": "A"}, {"const": "b", "title": "B"}]}},
    {"type": "array", "title": "Ngày", "uniqueItems": True, "items": {"type": "string", "title": "Ngày", "enum": ["2"]}},
])
def test_a_bounded_list_passes(schema):
    assert not [p for p in problems(schema) if "maxItems" in p[1] or "dòng" in p[1]]
