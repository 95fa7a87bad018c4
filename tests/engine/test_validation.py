"""validate(schema, data): paths, keywords and Vietnamese messages a citizen reads."""

from __future__ import annotations

import copy
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.validation import FieldError, compile_schema, validate

UNFILLED = re.compile(r"\{(title|limit|type|names|dependency)\}")  # a placeholder left in a message

PERSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["fullName", "contact"],
    "properties": {
        "fullName": {"title": "Họ và tên", "type": "string", "minLength": 2},
        "age": {"title": "Tuổi", "type": "integer", "minimum": 18, "maximum": 120},
        "contact": {
            "title": "Liên hệ",
            "type": "object",
            "required": ["phone"],
            "properties": {"phone": {"title": "Số điện thoại", "type": "string", "format": "phone"}},
        },
        "children": {
            "title": "Con",
            "type": "array",
            "maxItems": 2,
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"title": "Tên con", "type": "string"}},
            },
        },
    },
}


def test_required_error_sits_on_the_missing_child_with_its_title():
    errors = validate(PERSON, {"contact": {}})
    assert errors == [
        FieldError("/fullName", "required", "Họ và tên là bắt buộc"),
        FieldError("/contact/phone", "required", "Số điện thoại là bắt buộc"),
    ]


def test_errors_follow_the_form_order_not_the_validator_order():
    data = {"children": [{}, {}, {}], "age": 12, "contact": {"phone": "123"}, "fullName": "A"}
    assert [(e.path, e.keyword) for e in validate(PERSON, data)] == [
        ("/fullName", "minLength"),
        ("/age", "minimum"),
        ("/contact/phone", "format"),
        ("/children", "maxItems"),
        ("/children/0/name", "required"),
        ("/children/1/name", "required"),
        ("/children/2/name", "required"),
    ]


def test_items_in_arrays_have_their_index_in_the_path():
    errors = validate(PERSON, {"fullName": "An", "contact": {"phone": "0912345678"}, "children": [{"name": "Bé"}, {}]})
    assert errors == [FieldError("/children/1/name", "required", "Tên con là bắt buộc")]


def test_numbers_are_written_the_vietnamese_way():
    schema = {"type": "object", "properties": {"capital": {"title": "Vốn", "type": "integer", "minimum": 1000000}}}
    assert validate(schema, {"capital": 5})[0].message == "Vốn phải lớn hơn hoặc bằng 1.000.000"


def test_one_message_per_field_the_most_basic_first():
    schema = {"type": "object", "properties": {"code": {"title": "Mã", "type": "string", "minLength": 4, "pattern": "^[0-9]+$"}}}
    assert validate(schema, {"code": ""}) == [FieldError("/code", "minLength", "Mã không được để trống")]


def test_a_definition_may_override_the_message_per_field():
    schema = {
        "type": "object",
        "required": ["code"],
        "properties": {
            "code": {
                "title": "Mã ngành",
                "type": "string",
                "pattern": "^[0-9]{4}$",
                "x-messages": {"pattern": "{title} gồm 4 chữ số", "required": "Hãy nhập {title}"},
            }
        },
    }
    assert validate(schema, {"code": "12"}) == [FieldError("/code", "pattern", "Mã ngành gồm 4 chữ số")]
    assert validate(schema, {}) == [FieldError("/code", "required", "Hãy nhập Mã ngành")]


def test_a_local_title_beside_a_ref_wins_over_the_shared_title():
    schema = {
        "type": "object",
        "required": ["home"],
        "properties": {"home": {"title": "Nơi thường trú", "$ref": "#/$defs/address"}},
        "$defs": {"address": {"title": "Địa chỉ", "type": "object"}},
    }
    assert validate(schema, {}) == [FieldError("/home", "required", "Nơi thường trú là bắt buộc")]


def test_dependent_required_names_the_field_that_triggered_it():
    schema = {
        "type": "object",
        "properties": {
            "hasBasement": {"title": "Có tầng hầm", "type": "boolean"},
            "basementArea": {"title": "Diện tích tầng hầm", "type": "number"},
        },
        "dependentRequired": {"hasBasement": ["basementArea"]},
    }
    assert validate(schema, {"hasBasement": True}) == [
        FieldError("/basementArea", "dependentRequired", "Diện tích tầng hầm là bắt buộc khi đã nhập Có tầng hầm")
    ]


def test_if_then_requires_the_conditional_field_with_its_title():
    schema = {
        "type": "object",
        "properties": {"kind": {"title": "Chủ thể", "enum": ["ca-nhan", "ho-gia-dinh"]}},
        "if": {"properties": {"kind": {"const": "ho-gia-dinh"}}, "required": ["kind"]},
        "then": {
            "required": ["members"],
            "properties": {"members": {"title": "Thành viên hộ gia đình", "type": "array", "minItems": 1}},
        },
    }
    assert validate(schema, {"kind": "ca-nhan"}) == []
    assert validate(schema, {"kind": "ho-gia-dinh"}) == [
        FieldError("/members", "required", "Thành viên hộ gia đình là bắt buộc")
    ]
    assert validate(schema, {"kind": "ho-gia-dinh", "members": []}) == [
        FieldError("/members", "minItems", "Thành viên hộ gia đình phải có ít nhất 1 mục")
    ]


def test_a_failed_alternative_is_explained_by_the_branch_the_citizen_chose():
    schema = {
        "type": "object",
        "properties": {
            "basis": {
                "title": "Căn cứ chỗ ở",
                "oneOf": [
                    {"title": "Nhà thuê", "type": "object", "required": ["kind", "contractNo"],
                     "properties": {"kind": {"const": "thue"}, "contractNo": {"title": "Số hợp đồng", "type": "string"}}},
                    {"title": "Nhà của mình", "type": "object", "required": ["kind", "certificateNo"],
                     "properties": {"kind": {"const": "so-huu"}, "certificateNo": {"title": "Số giấy chứng nhận", "type": "string"}}},
                ],
            }
        },
    }
    assert validate(schema, {"basis": {"kind": "thue"}}) == [
        FieldError("/basis/contractNo", "required", "Số hợp đồng là bắt buộc")
    ]
    assert validate(schema, {"basis": "thue"})[0].message.startswith("Căn cứ chỗ ở")


def test_labelled_options_refuse_a_value_outside_them():
    schema = {"type": "object", "properties": {"g": {"title": "Giới tính", "oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}]}}}
    assert validate(schema, {"g": "x"}) == [FieldError("/g", "oneOf", "Giới tính không khớp với lựa chọn nào")]


def test_type_messages_name_the_expected_kind():
    schema = {"type": "object", "properties": {"n": {"title": "Số tầng", "type": "integer"}, "ok": {"title": "Đồng ý", "type": "boolean"}}}
    assert validate(schema, {"n": "ba", "ok": "có"}) == [
        FieldError("/n", "type", "Số tầng phải là số nguyên"),
        FieldError("/ok", "type", "Đồng ý phải là giá trị có/không"),
    ]


def test_additional_properties_are_named():
    schema = {"title": "Tờ khai", "type": "object", "properties": {"a": {"title": "A"}}, "additionalProperties": False}
    assert validate(schema, {"a": 1, "evil": 2}) == [FieldError("", "additionalProperties", "Tờ khai có thông tin không được phép: evil")]


def test_draft_7_schemas_with_definitions_work_too():
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"$ref": "#/definitions/name"}},
        "definitions": {"name": {"title": "Tên", "type": "string"}},
    }
    assert validate(schema, {}) == [FieldError("/name", "required", "Tên là bắt buộc")]
    assert validate(schema, {"name": 3}) == [FieldError("/name", "type", "Tên phải là chuỗi ký tự")]


def test_a_field_without_title_is_named_by_its_key():
    assert validate({"type": "object", "required": ["x"]}, {}) == [FieldError("/x", "required", "x là bắt buộc")]


def test_validators_are_compiled_once_per_schema_object():
    schema = copy.deepcopy(PERSON)
    assert compile_schema(schema) is compile_schema(schema)
    assert compile_schema(copy.deepcopy(PERSON)) is not compile_schema(schema)


def test_valid_data_has_no_errors(household):
    assert validate(household.form_schema, household.sample) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(data=JSON)
def test_validation_never_raises_on_arbitrary_data(household, data):
    errors = validate(household.form_schema, data)
    assert all(isinstance(e, FieldError) and e.message for e in errors)


@settings(max_examples=100, deadline=None)
@given(mutation=st.dictionaries(st.sampled_from(["business", "owner", "capital", "members", "founderType", "commitment"]), JSON, max_size=3))
def test_damaged_household_dossiers_always_explain_themselves(household, mutation):
    data = {**household.sample, **mutation}
    errors = validate(household.form_schema, data)
    assert household.validator.is_valid(data) == (errors == [])
    for e in errors:
        assert e.message and not UNFILLED.search(e.message)
