"""No posted form can make the engine raise: parsing, validation and the row buttons.

A public portal meets every kind of malformed request. ``str.isdigit`` takes "²" and
"٣" (``int`` then refuses the first and misreads the second as 3), ``int`` refuses text
of more than 4,300 digits, a oneOf of ``false`` schemas has no branch path, and Python's
``re`` cannot read ``\\p{L}``. Each failure class has a plain regression test below; the
property tests then post hostile values to every control of every service's form, and
hostile row buttons, and ask only that nothing raises.
"""

from __future__ import annotations

import copy
import json
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from engine import patterns, pointers
from engine.bounds import MAX_DIGITS, MAX_INDEX, MAX_ROWS
from engine.catalog import DEFAULT_ROOT, definition_folders
from engine.forms import apply_action, parse_form
from engine.validation import FieldError, validate
from tests.browser_form import controls, submit
from web.cli import main

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
BUILDING = "cap-giay-phep-xay-dung-nha-o-rieng-le"
# The catalogue's services with a form (information-only ones have nothing to post).
SLUGS = [folder.name for folder in definition_folders(DEFAULT_ROOT) if (folder / "form.schema.json").is_file()]

# Digits that are not ASCII: str.isdigit() is true for all of them; int() refuses the
# superscripts and reads the others (Arabic-Indic, Devanagari, full-width…) as numbers.
ODD_DIGITS = "²³¹⁰⁹₀₉٠٣٩۴०९১௧๑໒༣၄႐០᠑０１９𝟘𝟙𝟿①⑩"
INDEX_TOKENS = ["²", "٣", "１", "0" * 5000, "9" * 5000, "-1", "+1", " 1", "1 ", "01", "0000", str(MAX_INDEX),
                str(MAX_ROWS), "1e3", "0x1", "", "~", "~1", "~0", "~row", "\u202e1", "1\x00", "nan"]

hostile_text = st.one_of(
    st.sampled_from([
        "", " ", "²", "٣", "１２３", "9" * 5000, "0" * 5000, "-" + "9" * 5000, "1" + "0" * MAX_DIGITS,
        "1" + ".000" * 11, "1e999", "-1e999", "1e-999", "nan", "inf", "-0", "+", "-", ".", ",", "12,5", "1,2,3",
        "0x10", "1_000", " 1 ", "true", "false", "null", "{}", "[]", '""', "\u202e123", "\u202ecode\u202c",
        "\x00", "\x1b[31m", "\r\n", "\ufeff", "\U0010ffff", "\ufffe", "\U000e0041", "Hộ kinh doanh \u202e",
        "2025-02-30", "9999-99-99", "0" * 20000,
    ]),
    st.text(alphabet=ODD_DIGITS + "0123456789.,-+eE ", max_size=40),
    st.text(max_size=30),  # any code point but surrogates: controls, bidi marks, private use
    st.builds(lambda piece, n: piece * n, st.sampled_from(["9", "²", "٣", "0", "a", "ạ", "\u202e", "\x01", "1."]),
              st.integers(1, 6000)),
    st.integers(-10 ** 40, 10 ** 40).map(str),
)
hostile_values = st.lists(hostile_text, min_size=0, max_size=3)  # a control posted 0, 1 or several times


_FORMS: dict[str, tuple] = {}


def _form(service) -> tuple[dict, list[tuple[str, str]], tuple[str, ...], tuple[str, ...]]:
    """The service's schema, what a browser posts for its sample, every control name the
    rendered form holds (filled and empty, row templates too), and its array pointers."""
    if service.slug not in _FORMS:
        _FORMS[service.slug] = _read_form(service)
    return _FORMS[service.slug]


def _read_form(service):
    from renderers.html import render_form

    filled = str(render_form(service.form_schema, service.sample))
    empty = str(render_form(service.form_schema, None))
    posted = list(submit(filled).items(multi=True))
    names = tuple(dict.fromkeys(c["name"] for html in (filled, empty) for c in controls(html)))
    arrays = tuple(dict.fromkeys(n.removesuffix("/~row") for n in names if n.endswith("/~row")))
    return service.form_schema, posted, names, arrays


def _check(errors) -> None:
    assert isinstance(errors, list)
    assert all(isinstance(e, FieldError) and e.message for e in errors)


# -- 1. a select answer that is a digit but not a number ----------------------------------------

@pytest.mark.parametrize("raw", ["²", "9" * 5000, "٣", "１", "0" * 5000, "-1", "54", " 1"])
def test_a_select_answer_that_is_not_an_option_index_is_kept_for_validation_to_refuse(household, raw):
    data = parse_form(household.form_schema, {"#/owner/ethnicity": raw}, strict=True)
    assert data["owner"]["ethnicity"] == raw  # "٣" is not read as option 3, "²" does not raise
    assert any(e.path == "/owner/ethnicity" and e.keyword == "enum" for e in validate(household.form_schema, data))


def test_checkboxes_and_alternatives_take_only_ascii_indices(household):
    data = parse_form(household.form_schema, MultiDict(
        [("#/capitalSources", v) for v in ("²", "9" * 5000, "٣", "0", "0", "0")]), strict=True)
    assert data["capitalSources"] == ["tu-nhan"]  # "0" once, however often posted; the rest ignored
    schema = {"type": "object", "properties": {"paper": {"title": "Giấy tờ", "oneOf": [
        {"title": "CMND", "type": "object", "properties": {"n": {"title": "Số", "type": "string"}}},
        {"title": "Hộ chiếu", "type": "object", "properties": {"p": {"title": "Số", "type": "string"}}}]}}}
    for raw in ("²", "9" * 5000, "١"):
        assert parse_form(schema, {"#/paper/~alt": raw, f"#/paper/~a{raw}/p": "x"}) == {}
    assert parse_form(schema, {"#/paper/~alt": "1", "#/paper/~a1/p": "B123"}) == {"paper": {"p": "B123"}}


# -- 2. integers and numbers of more digits than MAX_DIGITS ----------------------------------------

@pytest.mark.parametrize("raw", ["9" * 5000, "-" + "9" * 5000, "1" + "0" * MAX_DIGITS, "1" + ".000" * 11])
def test_an_integer_of_too_many_digits_is_a_message_on_its_field(household, raw):
    data = parse_form(household.form_schema, {"#/capital": raw}, strict=True)
    assert data["capital"] == raw.strip()  # kept as typed
    errors = {e.path: e for e in validate(household.form_schema, data)}
    assert errors["/capital"].message == f"Vốn kinh doanh (đồng) không được có quá {MAX_DIGITS} chữ số"


def test_an_integer_of_max_digits_is_still_a_number(household):
    data = parse_form(household.form_schema, {"#/capital": "9" * MAX_DIGITS}, strict=True)
    assert data["capital"] == int("9" * MAX_DIGITS)
    errors = {e.path: e.keyword for e in validate(household.form_schema, data)}
    assert errors["/capital"] == "maximum"


@pytest.mark.parametrize("raw, words", [("9" * 5000, f"không được có quá {MAX_DIGITS} chữ số"),
                                        ("0." + "0" * 5000 + "1", f"không được có quá {MAX_DIGITS} chữ số"),
                                        ("1e999", "phải là số"), ("-1e999", "phải là số")])
def test_a_number_of_too_many_digits_or_beyond_a_float_is_a_message_on_its_field(catalog, raw, words):
    schema = catalog[BUILDING].form_schema
    data = parse_form(schema, {"#/house/height": raw}, strict=True)
    assert data["house"]["height"] == raw
    errors = {e.path: e for e in validate(schema, data)}
    assert errors["/house/height"].message.startswith("Chiều cao công trình (m) ")
    assert words in errors["/house/height"].message


def test_numbers_no_json_text_holds_are_errors_not_exceptions():
    schema = {"type": "object", "properties": {"n": {"title": "Số tiền", "type": "string"},
                                               "f": {"title": "Tỷ lệ", "type": "number"}}}
    errors = {e.path: e.message for e in validate(schema, {"n": 10 ** 5000, "f": float("inf")})}
    assert errors == {"/n": "Số tiền không được có quá 4000 chữ số", "/f": "Tỷ lệ phải là một số hữu hạn"}


# -- 3. the row index of a button, of a row marker, of a pointer -------------------------------------

HOSTILE_ACTIONS = ["remove:#/businessLines/²", "add:#/businessLines/²/x", "remove:#/businessLines/" + "0" * 5000,
                   "remove:#/businessLines/" + "9" * 5000, "add:#/businessLines/" + "0" * 5000 + "/code",
                   "remove:#/businessLines/٣", "remove:#/businessLines/-1", "add:#/~c0t/members/²/x",
                   "remove:#/businessLines", "remove:#", "add:#", "add:", "remove:", ":", "", "add:businessLines",
                   "add:#/businessLines/0/code", "remove:#/capital/0", "add:#/" + "a/" * 5000]


@pytest.mark.parametrize("action", HOSTILE_ACTIONS, ids=lambda a: a[:40])
def test_a_row_button_with_a_hostile_index_changes_nothing(household, action):
    data = parse_form(household.form_schema, submit_sample(household), strict=True)
    before = copy.deepcopy(data)
    assert apply_action(household.form_schema, data, action) == before


def test_a_row_button_with_a_real_index_still_works(household):
    data = parse_form(household.form_schema, submit_sample(household), strict=True)
    rows = len(data["businessLines"])
    assert len(apply_action(household.form_schema, copy.deepcopy(data), "add:#/businessLines")["businessLines"]) == rows + 1
    assert len(apply_action(household.form_schema, copy.deepcopy(data), "remove:#/businessLines/0")["businessLines"]) == rows - 1


def test_pointers_resolve_only_ascii_indices():
    document = {"rows": [10, 11, 12, 13]}
    assert pointers.resolve(document, "/rows/3") == 13
    for token in ("²", "٣", "0" * 5000, "9" * 5000, str(MAX_ROWS)):
        assert pointers.resolve(document, f"/rows/{token}", None) is None
        with pytest.raises(KeyError):
            pointers.resolve(document, f"/rows/{token}")


def test_row_markers_that_are_not_indices_are_ignored(household):
    fields = MultiDict([("#/businessLines/~row", i) for i in ("²", "0" * 5000, "٣", "0", "0")]
                       + [("#/businessLines/0/code", "5610"), ("#/businessLines/²/code", "9999")])
    assert parse_form(household.form_schema, fields, strict=True)["businessLines"] == [{"code": "5610"}]


def test_an_array_holds_at_most_max_rows_rows(household):
    """Rows past MAX_ROWS are dropped by the parser, and "add a row" past it adds none."""
    fields = MultiDict([("#/businessLines/~row", str(i)) for i in range(MAX_ROWS + 500)])
    data = parse_form(household.form_schema, fields, strict=True)
    assert len(data["businessLines"]) == MAX_ROWS
    assert len(apply_action(household.form_schema, data, "add:#/businessLines")["businessLines"]) == MAX_ROWS
    assert any(e.path == "/businessLines" and e.keyword == "maxItems" for e in validate(household.form_schema, data))


def submit_sample(service) -> MultiDict:
    return MultiDict(_form(service)[1])


# -- 8. oneOf/anyOf of false schemas, patterns Python's re cannot read -------------------------------

@pytest.mark.parametrize("schema", [
    {"anyOf": [False, False]}, {"oneOf": [False, False]}, {"oneOf": [False]},
    {"type": "object", "properties": {"a": {"title": "Chọn", "anyOf": [False, {"type": "string"}]}}},
    {"type": "object", "properties": {"a": {"title": "Chọn", "oneOf": [{"type": "string"}, False]}}},
], ids=str)
def test_alternatives_of_false_schemas_are_explained(schema):
    errors = validate(schema, {"a": 1})
    assert len(errors) == 1 and errors[0].keyword in ("anyOf", "oneOf")
    assert errors[0].message.endswith("không khớp với lựa chọn nào")


def test_a_pattern_python_cannot_compile_does_not_break_validation():
    letters = {"type": "object", "properties": {"name": {"title": "Tên", "type": "string", "pattern": "^\\p{L}+$"}}}
    assert validate(letters, {"name": "Ngọc"}) == []
    assert [(e.path, e.message) for e in validate(letters, {"name": "Ngọc1"})] == [("/name", "Tên không đúng định dạng")]
    behind = {"type": "string", "title": "Mã", "pattern": "(?<=a+)b"}  # compiles in jsonschema-rs, not in re
    assert validate(behind, "aab") == [] and validate(behind, "b") != []
    nobody = {"type": "string", "title": "Mã", "pattern": "(("}  # no engine reads it: nothing matches
    assert [e.keyword for e in validate(nobody, "x")] == ["pattern"]
    keys = {"type": "object", "patternProperties": {"^\\p{Lu}": {"type": "integer"}}, "additionalProperties": False}
    _check(validate(keys, {"Ab": "x", "1": 2}))
    assert validate(keys, {"Ab": 1}) == []


@pytest.mark.parametrize("pattern, words", [
    ("^\\p{L}+$", "lớp ký tự Unicode \\p{…}"), ("\\P{Lu}", "lớp ký tự Unicode \\P{…}"),
    ("(?<=a+)b", "phải có độ dài cố định"), ("((", "thiếu dấu đóng ngoặc )"), ("a{2,1}", "số lần lặp tối thiểu"),
])
def test_the_lint_refuses_a_pattern_python_cannot_compile_in_vietnamese(pattern, words):
    found = patterns.problem(pattern)
    assert found and found.startswith("biểu thức chính quy") and words in found


def test_the_lint_command_refuses_a_unicode_property_pattern(tmp_path):
    root = tmp_path / "schemas"
    root.mkdir()
    shutil.copytree(DEFAULT_ROOT / "_defs", root / "_defs")
    shutil.copytree(DEFAULT_ROOT / HOUSEHOLD, root / HOUSEHOLD)
    form = root / HOUSEHOLD / "form.schema.json"
    schema = json.loads(form.read_text(encoding="utf-8"))
    schema["properties"]["business"]["properties"]["website"]["pattern"] = "^\\p{L}+$"
    schema["properties"]["business"]["properties"]["name"]["pattern"] = "(?<=a+)b"
    form.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["schemas", "lint", str(root)])
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert result.exit_code == 1
    assert any("/business/properties/website/pattern" in line and "\\p{…}" in line for line in lines), lines
    assert any("/business/properties/name/pattern" in line and "độ dài cố định" in line for line in lines), lines


# -- properties: every control of every form, hostile values and buttons ----------------------------

PROPERTY_SETTINGS = settings(max_examples=20, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("slug", SLUGS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_hostile_values_in_any_control_never_make_parsing_or_validation_raise(catalog, slug, data):
    schema, posted, names, arrays = _form(catalog[slug])
    fields = MultiDict(posted)
    for name in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=6, unique=True), label="names"):
        fields.setlist(name, data.draw(hostile_values, label=name))
    if arrays and data.draw(st.booleans(), label="odd row"):  # a row named by a hostile index
        array, token = data.draw(st.sampled_from(arrays)), data.draw(st.sampled_from(INDEX_TOKENS))
        fields.add(f"{array}/~row", token)
        fields.add(f"{array}/{token}/code", data.draw(hostile_text))
    for strict in (True, False):
        parsed = parse_form(schema, fields, strict=strict)
        json.dumps(parsed, allow_nan=False)  # what is stored: JSON, every number printable and finite
        _check(validate(schema, parsed))


ACTION_KINDS = ["add", "remove", "refresh", "ADD", " add", "remove ", ""]


@pytest.mark.parametrize("slug", SLUGS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_hostile_row_buttons_never_raise(catalog, slug, data):
    schema, posted, names, arrays = _form(catalog[slug])
    parsed = parse_form(schema, MultiDict(posted), strict=True)
    if data.draw(st.booleans(), label="free text"):
        action = data.draw(hostile_text, label="action")
    else:  # aimed at one of the form's arrays (or anywhere), with a hostile row index
        target = data.draw(st.sampled_from(arrays or ("#",)) | hostile_text, label="target")
        token = data.draw(st.sampled_from(INDEX_TOKENS) | hostile_text, label="index")
        tail = data.draw(st.sampled_from(["", "/x", "/code", "/", "/²", "/" + "0" * 5000]), label="tail")
        action = f"{data.draw(st.sampled_from(ACTION_KINDS), label='kind')}:{target}/{token}{tail}"
    result = apply_action(schema, parsed, action)
    json.dumps(result, allow_nan=False)
    _check(validate(schema, result))
