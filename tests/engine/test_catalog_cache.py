"""A start whose schemas passed the checks before reads their bundled forms instead of
checking again (engine.catalog.CheckedForms); any change to the schemas checks everything."""

from __future__ import annotations

import json
import shutil

import pytest

from engine.catalog import DEFAULT_ROOT, Catalog, DefinitionError

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"


@pytest.fixture
def root(tmp_path):
    copy = tmp_path / "schemas"
    shutil.copytree(DEFAULT_ROOT, copy)
    return copy


def _kept(cache):
    return sorted(cache.glob("checked-forms-*.json"))


def test_a_second_start_reads_the_checked_forms_and_gets_the_same_catalogue(root, tmp_path):
    cache = tmp_path / "cache"
    first = Catalog.load(root, cache=cache)
    [kept] = _kept(cache)
    # What the second start uses is the file: a mark put into it shows in the catalogue.
    forms = json.loads(kept.read_text(encoding="utf-8"))
    assert forms[HOUSEHOLD] == first.get(HOUSEHOLD).form_schema
    forms[HOUSEHOLD]["title"] = "Tiêu đề lấy từ tệp đã kiểm tra"
    kept.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    second = Catalog.load(root, cache=cache)
    assert second.get(HOUSEHOLD).title == "Tiêu đề lấy từ tệp đã kiểm tra"
    assert [s.slug for s in second] == [s.slug for s in first]
    assert all(second.get(s.slug).form_schema == s.form_schema for s in first if s.slug != HOUSEHOLD)


def test_a_form_broken_after_a_passing_start_is_refused_at_the_next(root, tmp_path):
    cache = tmp_path / "cache"
    Catalog.load(root, cache=cache)
    form = root / HOUSEHOLD / "form.schema.json"
    schema = json.loads(form.read_text(encoding="utf-8"))
    schema["properties"]["ho_ten_chu_ho"] = {"type": "strin"}  # not a JSON Schema type
    form.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DefinitionError) as refused:
        Catalog.load(root, cache=cache)
    assert "form.schema.json" in str(refused.value)


def test_a_changed_shared_definition_is_checked_again_and_the_old_file_dropped(root, tmp_path):
    cache = tmp_path / "cache"
    Catalog.load(root, cache=cache)
    [before] = _kept(cache)
    shared = sorted((root / "_defs").glob("*.json"))[0]
    shared.write_text(shared.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same meaning, new bytes
    Catalog.load(root, cache=cache)
    [after] = _kept(cache)
    assert after != before


def test_an_unreadable_cache_file_means_a_full_check(root, tmp_path):
    cache = tmp_path / "cache"
    Catalog.load(root, cache=cache)
    [kept] = _kept(cache)
    kept.write_text("{not json", encoding="utf-8")
    assert len(Catalog.load(root, cache=cache)) == len(Catalog.load(root))
