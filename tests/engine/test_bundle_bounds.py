"""``engine.bundle.read_json`` holds a definition's JSON to engine.bounds: nested deeper
than MAX_JSON_DEPTH, or a number of more than MAX_JSON_DIGITS digits, is a Problem naming
the file (never a RecursionError or a ValueError), and ``dichvucong schemas lint`` prints it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from engine.bounds import MAX_JSON_DEPTH, MAX_JSON_DIGITS
from engine.bundle import DocumentError, Problem, read_json
from engine.catalog import DEFAULT_ROOT
from tests.engine.test_catalog import HOUSEHOLD, lint, tree  # noqa: F401 (a fixture)

DEEP = f"JSON lồng quá sâu (quá {MAX_JSON_DEPTH} tầng)"
LONG = f"số có quá {MAX_JSON_DIGITS} chữ số"


def problem(tmp_path: Path, content: str) -> Problem:
    path = tmp_path / "service.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DocumentError) as raised:
        read_json(path, "service.json")
    return raised.value.problem


def read(tmp_path: Path, content: str):
    path = tmp_path / "service.json"
    path.write_text(content, encoding="utf-8")
    return read_json(path, "service.json")


def nested(levels: int, open_: str = "[", close: str = "]") -> str:
    return open_ * levels + close * levels


# -- depth --------------------------------------------------------------------------------------

@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 1000, sys.getrecursionlimit() + 10, 100_000])
def test_nesting_past_the_bound_is_a_problem_naming_the_file(tmp_path, levels):
    found = problem(tmp_path, nested(levels))
    assert found == Problem("service.json", "", f"{DEEP} ở dòng 1, cột {MAX_JSON_DEPTH + 1}")
    assert str(found).startswith(f"service.json: /: {DEEP}")


def test_objects_count_as_arrays_do_and_the_place_is_told(tmp_path):
    inner = '{"b": [' * (MAX_JSON_DEPTH // 2) + "1" + "]}" * (MAX_JSON_DEPTH // 2)  # exactly the bound deep
    assert read(tmp_path, inner)
    # One level more: the last "[" of the inner text, on line 2 after '  "a": ' (7 characters).
    column = 7 + len(inner.partition("1")[0])
    assert problem(tmp_path, '{\n  "a": ' + inner + "\n}").message == f"{DEEP} ở dòng 2, cột {column}"


def test_nesting_at_the_bound_reads(tmp_path):
    assert read(tmp_path, nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))
    assert read(tmp_path, '[' + nested(MAX_JSON_DEPTH - 1) + "," + nested(MAX_JSON_DEPTH - 1) + "]")


def test_brackets_inside_strings_are_text(tmp_path):
    text = "[" * 1000 + "{" * 1000 + '\\"' + "]" * 10
    assert read(tmp_path, json.dumps({"title": text, "pattern": "^\\\\[[0-9]{12}\\\\]$"})) == \
        {"title": text, "pattern": "^\\\\[[0-9]{12}\\\\]$"}


def test_an_unclosed_deep_text_is_still_refused_without_recursion(tmp_path):
    assert problem(tmp_path, '{"a": ' + "[" * 200_000).message.startswith(DEEP)


# -- digits -----------------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["9" * 5000, "-" + "9" * 5000, "1" * (MAX_JSON_DIGITS + 1),
                                    "0." + "1" * MAX_JSON_DIGITS, "1e" + "0" * MAX_JSON_DIGITS,
                                    "1.5E+" + "9" * 5000])
def test_a_number_of_too_many_digits_is_a_problem_naming_the_file(tmp_path, number):
    found = problem(tmp_path, '{\n  "fee": ' + number + "\n}")
    assert found == Problem("service.json", "", f"{LONG} ở dòng 2, cột 10")


@pytest.mark.parametrize("number", ["1" * MAX_JSON_DIGITS, "-" + "9" * MAX_JSON_DIGITS, "1." + "0" * 28,
                                    "12.5e+3", "0", "-0.25"])
def test_a_number_within_the_bound_reads(tmp_path, number):
    assert read(tmp_path, f'{{"fee": {number}}}') == {"fee": json.loads(number)}


def test_digits_inside_strings_are_text(tmp_path):
    assert read(tmp_path, json.dumps({"pattern": "^[0-9]{12}$", "code": "9" * 5000})) == \
        {"pattern": "^[0-9]{12}$", "code": "9" * 5000}


def test_other_problems_are_still_told(tmp_path):
    assert problem(tmp_path, '{"fee": 1,}').message.startswith("JSON không hợp lệ ở dòng 1, cột 11")
    (tmp_path / "latin1.json").write_bytes('{"a": "Bình"}'.encode("latin-1"))
    with pytest.raises(DocumentError, match="UTF-8"):
        read_json(tmp_path / "latin1.json", "latin1.json")


def test_every_built_in_definition_is_within_the_bounds():
    for path in DEFAULT_ROOT.rglob("*.json"):
        read_json(path, path.name)


# -- the lint ---------------------------------------------------------------------------------

def test_lint_prints_a_file_too_deep_and_a_number_too_long(tree):
    (tree / HOUSEHOLD / "service.json").write_text(nested(100_000), encoding="utf-8")
    (tree / HOUSEHOLD / "sample.json").write_text('{"capital": ' + "9" * 5000 + "}", encoding="utf-8")
    code, lines, _ = lint(tree)
    assert code == 1
    assert f"{tree / HOUSEHOLD / 'service.json'}: /: {DEEP} ở dòng 1, cột {MAX_JSON_DEPTH + 1}" in lines
    assert f"{tree / HOUSEHOLD / 'sample.json'}: /: {LONG} ở dòng 1, cột 13" in lines


def test_lint_prints_a_shared_definition_too_deep(tree):
    common = tree / "_defs" / "common.schema.json"
    common.write_text('{"$defs": ' + nested(50_000, "{\"a\": ", "}") + "}", encoding="utf-8")
    code, lines, _ = lint(tree)
    assert code == 1 and any(line.startswith(f"{common}: /: {DEEP}") for line in lines), lines
