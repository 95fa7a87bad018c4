"""``x-id-number-matches``: a số định danh cá nhân must agree with the birth date (digits
4–6) and the sex (digit 4) of the same person, on both validators; the lint checks the
fields it names."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner

from engine.catalog import Catalog
from engine.validation import FormValidator
from tests.engine.test_catalog import edit_json, tree  # noqa: F401 (tree: a fixture)
from web.cli import main

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"


def owner_with(household, **changes):
    data = copy.deepcopy(household.sample)
    data["owner"].update(changes)
    return data


def errors_of(household, data):
    """The validator's explanation; and the fast path must agree that the data is invalid."""
    validator = FormValidator(household.form_schema)
    errors = validator.validate(data)
    assert validator.is_valid(data) == (errors == [])
    return [(e.path, e.keyword, e.message) for e in errors]


def test_the_sample_owner_matches_her_number(household):
    # A woman born 1986 whose birth was registered in Hậu Giang (093): 093 1 86 …
    owner = household.sample["owner"]
    assert (owner["idNumber"][:6], owner["birthDate"][:4], owner["gender"]) == ("093186", "1986", "nu")
    assert errors_of(household, household.sample) == []


MISMATCHES = {
    "birth year": ({"birthDate": "1987-03-14"},
                   "Số định danh cá nhân không khớp với năm sinh: chữ số thứ 5–6 phải là 87"),
    "sex": ({"gender": "nam"},
            "Số định danh cá nhân không khớp với giới tính: chữ số thứ 4 của nam sinh năm 1900–1999 phải là 0"),
    "century": ({"birthDate": "2006-03-14"},
                "Số định danh cá nhân không khớp với năm sinh: chữ số thứ 4 của người sinh năm 2006 phải là 2 (nam) "
                "hoặc 3 (nữ)"),
}


@pytest.mark.parametrize("kind", MISMATCHES)
def test_a_mismatch_is_named_on_the_id_field(household, kind):
    changes, message = MISMATCHES[kind]
    assert errors_of(household, owner_with(household, **changes)) == [
        ("/owner/idNumber", "x-id-number-matches", message)]


def test_a_member_is_checked_too(household):
    data = copy.deepcopy(household.sample)
    data["members"][0]["birthDate"] = "1993-09-02"  # 093083002918: a man born 1983
    assert errors_of(household, data) == [
        ("/members/0/idNumber", "x-id-number-matches",
         "Số định danh cá nhân không khớp với năm sinh: chữ số thứ 5–6 phải là 93")]


@pytest.mark.parametrize(("number", "birth", "sex"), [
    ("001086004527", "1986-01-02", "nam"),
    ("093186004527", "1986-03-14", "nu"),
    ("079203004527", "2003-05-09", "nam"),
    ("094324001265", "2024-03-18", "nu"),
])
def test_a_matching_number_passes(household, number, birth, sex):
    assert errors_of(household, owner_with(household, idNumber=number, birthDate=birth, gender=sex)) == []


def test_a_malformed_number_gets_only_its_format_message(household):
    errors = errors_of(household, owner_with(household, idNumber="093986004527"))
    assert [(path, keyword) for path, keyword, _ in errors] == [("/owner/idNumber", "format")]


def test_both_validators_enforce_it_alone():
    """The keyword works on its own on the fast path (jsonschema-rs) and the explaining
    one (python-jsonschema), with nothing else in the schema to fail."""
    schema = {"type": "object", "x-id-number-matches": {"id_number": "/id", "birth_date": "/born", "sex": "/sex"},
              "properties": {"id": {"title": "Số định danh", "type": "string"}}}
    validator = FormValidator(schema)
    assert validator._rs is not None, "the fast path compiles the keyword"
    good, bad = {"id": "093186004527", "born": "1986-03-14", "sex": "nu"}, {"id": "093186004527", "born": "1986-03-14", "sex": "nam"}
    assert validator._rs.is_valid(good) and validator._py.is_valid(good)
    assert not validator._rs.is_valid(bad) and not validator._py.is_valid(bad)
    assert [e.path for e in validator.validate(bad)] == ["/id"]


def people_in(node, path=()):
    """The path of every object of a sample holding one person's ID number and birth date."""
    if isinstance(node, dict):
        if ("idNumber" in node or "personalId" in node) and "birthDate" in node:
            yield path
        for key, value in node.items():
            yield from people_in(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from people_in(value, (*path, i))


def at(data, path):
    for step in path:
        data = data[step]
    return data


def is_id_number_field(service, path, field):
    """Whether the field takes only a số định danh cá nhân (a format of its own), not also
    a passport number: a CMND there is refused by its format."""
    data = copy.deepcopy(service.sample)
    at(data, path)[field] = "093186004"
    return any(e.path == pointer(path, field) and e.keyword == "format" for e in service.validate(data))


def pointer(path, field):
    return "/" + "/".join(map(str, (*path, field)))


PEOPLE = [(service.slug, path) for service in Catalog.load() for path in people_in(service.sample)]


def test_the_catalogue_has_people_to_check():
    assert len({slug for slug, _ in PEOPLE}) >= 10 and len(PEOPLE) >= 20


@pytest.mark.parametrize(("slug", "path"), PEOPLE, ids=[f"{slug}:{'/'.join(map(str, path))}" for slug, path in PEOPLE])
def test_every_person_of_the_catalogue_is_checked(catalog, slug, path):
    """Wherever a form holds a person's số định danh cá nhân with the birth date, a number
    that disagrees with the sex (where the form holds it) or else with the birth year is
    refused on that person's ID field."""
    service = catalog[slug]
    field = "idNumber" if "idNumber" in at(service.sample, path) else "personalId"
    if not is_id_number_field(service, path, field):
        pytest.skip("the field also takes a passport number: its digits say nothing")
    data = copy.deepcopy(service.sample)
    person = at(data, path)
    if "gender" in person:
        person["gender"] = {"nam": "nu", "nu": "nam"}[person["gender"]]
        expected = "không khớp với giới tính"
    else:
        year = int(person["birthDate"][:4])
        person["birthDate"] = f"{year + 1 if year % 100 < 99 else year - 1}{person['birthDate'][4:]}"
        expected = "không khớp với năm sinh: chữ số thứ 5–6"
    errors = service.validate(data)
    assert [(e.path, e.keyword) for e in errors] == [(pointer(path, field), "x-id-number-matches")]
    assert expected in errors[0].message


def test_without_a_sex_field_the_birth_year_is_still_checked():
    schema = {"type": "object", "x-id-number-matches": {"id_number": "/id", "birth_date": "/born"},
              "properties": {"id": {"title": "Số định danh", "type": "string"}}}
    validator = FormValidator(schema)
    assert validator.is_valid({"id": "093186004527", "born": "1986-03-14"})  # no sex to compare
    for born, words in (("1987-03-14", "chữ số thứ 5–6 phải là 87"), ("2086-03-14", "chữ số thứ 4 của người sinh năm 2086")):
        errors = validator.validate({"id": "093186004527", "born": born})
        assert [e.path for e in errors] == ["/id"] and words in errors[0].message
        assert not validator.is_valid({"id": "093186004527", "born": born})


# -- the lint ------------------------------------------------------------------------------

def lint_with(tree, value):
    form = tree / HOUSEHOLD / "form.schema.json"
    edit_json(form, lambda f: f["properties"]["owner"].update({"x-id-number-matches": value}))
    result = CliRunner().invoke(main, ["schemas", "lint", str(tree)])
    return result.exit_code, [line for line in result.stdout.splitlines() if line.strip()]


GOOD = {"id_number": "/idNumber", "birth_date": "/birthDate", "sex": "/gender"}
POINTER = "/properties/owner/x-id-number-matches"


@pytest.mark.parametrize(("value", "where", "words"), [
    ({**GOOD, "birth_date": "/dateOfBirth"}, "/birth_date", "không có trường '/dateOfBirth' trong đối tượng này"),
    ({**GOOD, "birth_date": "/fullName"}, "/birth_date", "trường '/fullName' phải là ngày"),
    ({**GOOD, "sex": "/ethnicity"}, "/sex", "trường '/ethnicity' phải là giới tính"),
    ({**GOOD, "id_number": "/phone"}, "/id_number", "trường '/phone' phải là số định danh cá nhân"),
    ({**GOOD, "id_number": "/permanentAddress/ward"}, "/id_number", "phải là số định danh cá nhân"),
    ({"birth_date": "/birthDate", "sex": "/gender"}, "", "x-id-number-matches phải là"),
    ({"id_number": "/idNumber", "sex": "/gender"}, "", "x-id-number-matches phải là"),
    ({**GOOD, "place": "/birthPlace"}, "", "x-id-number-matches phải là"),
    ({**GOOD, "sex": "gender"}, "", "x-id-number-matches phải là"),
])
def test_the_lint_checks_the_fields_named(tree, value, where, words):
    code, lines = lint_with(tree, value)
    assert code == 1 and len(lines) == 1, lines
    assert f"form.schema.json: {POINTER}{where}: " in lines[0] and words in lines[0]


@pytest.mark.parametrize("value", [GOOD, {"id_number": "/idNumber", "birth_date": "/birthDate"}])
def test_the_lint_accepts_the_fields_of_the_shared_person(tree, value):
    assert lint_with(tree, value) == (0, [])


@pytest.mark.parametrize("changes", [{"gender": []}, {"birthDate": 1986}, {"idNumber": None}, {"birthDate": "14/03/1987"}])
def test_a_value_of_the_wrong_kind_is_left_to_its_own_check(household, changes):
    errors = errors_of(household, owner_with(household, **changes))
    assert errors and all(keyword != "x-id-number-matches" for _, keyword, _ in errors)
