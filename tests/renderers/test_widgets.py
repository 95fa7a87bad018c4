"""One test per widget kind: the HTML a citizen relies on, and what comes back."""

from __future__ import annotations

import pytest

from engine.forms import apply_action, parse_form
from engine.widgets import UnknownWidget
from renderers.html import render_form
from tests.browser_form import submit
from tests.renderers.html_helpers import by_id, label_for, parse, text_of


def form(properties, required=(), **extra):
    return {"type": "object", "properties": properties, "required": list(required), **extra}


def roundtrip(schema, data, submitter=None):
    return parse_form(schema, submit(str(render_form(schema, data)), submitter))


def test_text_input_has_label_hint_placeholder_and_required_marks():
    schema = form({"name": {"type": "string", "title": "Họ và tên", "description": "Viết có dấu",
                            "examples": ["Nguyễn Văn An"]}}, required=["name"])
    tree = parse(render_form(schema, {"name": "Lê Thị Hoa"}))
    control = by_id(tree, "f-name")
    assert (control.tag, control.get("type"), control.get("name"), control.get("value")) == ("input", "text", "#/name", "Lê Thị Hoa")
    assert label_for(tree, "f-name") == "Họ và tên (*)"
    assert control.get("aria-required") == "true"
    assert control.get("placeholder") == "Ví dụ: Nguyễn Văn An"
    assert control.get("aria-describedby") == "f-name-hint"
    assert text_of(by_id(tree, "f-name-hint")) == "Viết có dấu"


def test_empty_optional_text_is_omitted_and_spaces_trimmed():
    schema = form({"a": {"type": "string", "title": "A"}, "b": {"type": "string", "title": "B"}})
    fields = {"#/a": ["  Phường Vị Thanh "], "#/b": [""]}
    assert parse_form(schema, fields) == {"a": "Phường Vị Thanh"}


def test_long_text_is_a_textarea_and_crlf_comes_back_as_lf():
    schema = form({"note": {"type": "string", "title": "Ghi chú", "maxLength": 2000}})
    tree = parse(render_form(schema, {"note": "Dòng 1\nDòng 2"}))
    assert by_id(tree, "f-note").tag == "textarea"
    assert roundtrip(schema, {"note": "Dòng 1\nDòng 2"}) == {"note": "Dòng 1\nDòng 2"}
    assert parse_form(schema, {"#/note": ["a\r\nb"]}) == {"note": "a\nb"}


@pytest.mark.parametrize("fmt,input_type,inputmode", [
    ("date", "date", None), ("past-date", "date", None), ("email", "email", None),
    ("phone", "tel", "tel"), ("id-number", "text", "numeric"), ("cccd", "text", "numeric"), ("tax-code", "text", "numeric"),
])
def test_formats_choose_the_input_a_phone_keyboard_needs(fmt, input_type, inputmode):
    control = by_id(parse(render_form(form({"x": {"type": "string", "title": "X", "format": fmt}}))), "f-x")
    assert control.get("type") == input_type
    assert control.get("inputmode") == inputmode


def test_phone_and_id_numbers_typed_in_groups_are_joined():
    schema = form({"p": {"type": "string", "title": "Điện thoại", "format": "phone"},
                   "i": {"type": "string", "title": "CCCD", "format": "cccd"}})
    assert parse_form(schema, {"#/p": ["0912 345 678"], "#/i": ["093 186 004 527"]}) == {"p": "0912345678", "i": "093186004527"}


def test_integers_accept_vietnamese_thousands_and_keep_what_is_not_a_number():
    schema = form({"capital": {"type": "integer", "title": "Vốn"}})
    assert parse_form(schema, {"#/capital": ["150.000.000"]}) == {"capital": 150000000}
    assert parse_form(schema, {"#/capital": ["150000000"]}) == {"capital": 150000000}
    assert parse_form(schema, {"#/capital": ["nhiều"]}) == {"capital": "nhiều"}
    assert by_id(parse(render_form(schema, {"capital": "nhiều"})), "f-capital").get("value") == "nhiều"


def test_numbers_accept_the_decimal_comma():
    schema = form({"area": {"type": "number", "title": "Diện tích (m²)"}})
    assert parse_form(schema, {"#/area": ["82,5"]}) == {"area": 82.5}
    assert parse_form(schema, {"#/area": ["82.5"]}) == {"area": 82.5}
    assert parse_form(schema, {"#/area": ["82"]}) == {"area": 82}
    assert roundtrip(schema, {"area": 82.75}) == {"area": 82.75}


def test_short_lists_are_radio_buttons_in_a_fieldset():
    schema = form({"g": {"title": "Giới tính", "type": "string",
                         "oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}]}}, required=["g"])
    tree = parse(render_form(schema, {"g": "nu"}))
    group = by_id(tree, "f-g")
    assert group.tag == "fieldset" and text_of(group.find("legend")) == "Giới tính (*)"
    assert [label_for(tree, f"f-g-{i}") for i in range(2)] == ["Nam", "Nữ"]
    assert by_id(tree, "f-g-1").get("checked") is not None and by_id(tree, "f-g-0").get("checked") is None
    assert roundtrip(schema, {"g": "nu"}) == {"g": "nu"}
    assert roundtrip(schema, {}) == {}


def test_long_lists_are_a_select_that_starts_empty():
    values = ["Kinh", "Tày", "Thái", "Hoa", "Khmer", "Mường"]
    schema = form({"e": {"title": "Dân tộc", "type": "string", "enum": values}})
    tree = parse(render_form(schema, {}))
    select = by_id(tree, "f-e")
    options = select.findall("option")
    assert select.tag == "select" and [o.text for o in options] == ["— Chọn —", *values]
    assert options[0].get("value") == ""
    assert roundtrip(schema, {}) == {}
    assert roundtrip(schema, {"e": "Khmer"}) == {"e": "Khmer"}


def test_enums_of_any_json_type_round_trip():
    schema = form({"v": {"title": "Giá trị", "enum": [1, "1", True, None, 2.5, {"a": 1}]}})
    for value in [1, "1", True, None, 2.5, {"a": 1}]:
        assert roundtrip(schema, {"v": value}) == {"v": value}


def test_booleans_are_yes_no_and_unanswered_is_left_out():
    schema = form({"b": {"type": "boolean", "title": "Có tầng hầm"}})
    tree = parse(render_form(schema, {"b": False}))
    assert [label_for(tree, "f-b-0"), label_for(tree, "f-b-1")] == ["Có", "Không"]
    assert roundtrip(schema, {"b": False}) == {"b": False}
    assert roundtrip(schema, {"b": True}) == {"b": True}
    assert roundtrip(schema, {}) == {}


def test_a_commitment_is_one_checkbox():
    schema = form({"ok": {"type": "boolean", "const": True, "title": "Tôi cam đoan",
                          "x-messages": {"required": "Bạn cần đánh dấu ô cam đoan"}}}, required=["ok"])
    tree = parse(render_form(schema, {}))
    box = by_id(tree, "f-ok")
    assert box.get("type") == "checkbox" and label_for(tree, "f-ok") == "Tôi cam đoan (*)"
    assert parse_form(schema, {}) == {}
    assert parse_form(schema, {"#/ok": ["true"]}) == {"ok": True}


def test_multiple_choice_is_checkboxes():
    schema = form({"s": {"title": "Nguồn vốn", "type": "array", "uniqueItems": True,
                         "items": {"type": "string", "oneOf": [{"const": "a", "title": "Tư nhân"},
                                                              {"const": "b", "title": "Vay"}]}}})
    tree = parse(render_form(schema, {"s": ["b"]}))
    assert [by_id(tree, f"f-s-{i}").get("type") for i in range(2)] == ["checkbox", "checkbox"]
    assert roundtrip(schema, {"s": ["b"]}) == {"s": ["b"]}
    assert roundtrip(schema, {"s": ["a", "b"]}) == {"s": ["a", "b"]}


def test_objects_are_fieldsets_with_a_legend():
    schema = form({"owner": {"title": "Chủ hộ", "type": "object", "properties": {"n": {"type": "string", "title": "Tên"}}}})
    group = by_id(parse(render_form(schema, {})), "f-owner")
    assert group.tag == "fieldset" and text_of(group.find("legend")) == "Chủ hộ"
    assert roundtrip(schema, {"owner": {"n": "An"}}) == {"owner": {"n": "An"}}


ADDRESS = {"title": "Địa chỉ", "type": "object", "x-address": True, "required": ["province", "ward", "street"],
           "properties": {"province": {"title": "Tỉnh/Thành phố", "type": "string", "format": "vn-province"},
                          "ward": {"title": "Xã/Phường", "type": "string", "format": "vn-ward"},
                          "street": {"title": "Số nhà, đường", "type": "string"}}}


def test_address_offers_current_provinces_and_the_wards_of_the_chosen_one():
    schema = form({"home": ADDRESS})
    data = {"home": {"province": "Thành phố Cần Thơ", "ward": "Phường Vị Thanh", "street": "Số 5"}}
    tree = parse(render_form(schema, data))
    provinces = [o.text for o in by_id(tree, "f-home-province").findall("option")][1:]
    assert len(provinces) == 34 and "Thành phố Cần Thơ" in provinces and "Tỉnh Hậu Giang" not in provinces
    wards = [o.text for o in by_id(tree, "f-home-ward").findall("option")][1:]
    assert "Phường Vị Thanh" in wards and "Phường Ninh Kiều" in wards and len(wards) == 103
    assert roundtrip(schema, data) == data
    refresh = [b for b in tree.iter("button") if b.get("value") == "refresh"]
    assert refresh, "without JavaScript a button refreshes the wards list"


def test_an_address_value_outside_the_lists_is_kept():
    schema = form({"home": ADDRESS})
    data = {"home": {"province": "Tỉnh Hậu Giang", "ward": "Phường 5", "street": "Số 5"}}
    assert roundtrip(schema, data) == data


ROWS = form({"members": {"title": "Thành viên", "type": "array", "minItems": 1, "items": {
    "title": "Thành viên", "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string", "title": "Họ tên"}, "age": {"type": "integer", "title": "Tuổi"}}}}})


def test_array_rows_round_trip_in_order_with_their_labels():
    data = {"members": [{"name": "An", "age": 30}, {"name": "Bình"}, {"name": "Chi", "age": 5}]}
    tree = parse(render_form(ROWS, data))
    assert label_for(tree, "f-members-1-name") == "Họ tên (*)"
    in_templates = {id(e) for t in tree.iter("template") for e in t.iter()}
    legends = [text_of(f.find("legend")) for f in tree.iter("fieldset")
               if f.get("id", "").startswith("f-members-") and id(f) not in in_templates]
    assert legends == ["Thành viên 1", "Thành viên 2", "Thành viên 3"]
    assert roundtrip(ROWS, data) == data


def test_rows_are_read_in_page_order_whatever_their_index():
    fields = {"#/members/~row": ["7", "2"], "#/members/7/name": ["Bảy"], "#/members/2/name": ["Hai"]}
    assert parse_form(ROWS, fields) == {"members": [{"name": "Bảy"}, {"name": "Hai"}]}


def test_rows_are_added_and_removed_without_javascript():
    data = {"members": [{"name": "An"}, {"name": "Bình"}]}
    html = str(render_form(ROWS, data))
    posted = submit(html, "~action=add:/members")
    assert posted.get("~action") == "add:/members"
    grown = apply_action(ROWS, parse_form(ROWS, posted), posted["~action"])
    assert grown == {"members": [{"name": "An"}, {"name": "Bình"}, {}]}
    shrunk = apply_action(ROWS, parse_form(ROWS, submit(html)), "remove:/members/0")
    assert shrunk == {"members": [{"name": "Bình"}]}


def test_rows_have_a_template_for_the_script_and_it_is_never_posted():
    tree = parse(render_form(ROWS, {"members": []}))
    templates = list(tree.iter("template"))
    assert len(templates) == 1 and templates[0].get("data-placeholder") == "new0row"
    assert "new0row" in str(render_form(ROWS, {}))
    assert parse_form(ROWS, submit(str(render_form(ROWS, {"members": []})))) == {"members": []}


ALTERNATIVES = form({"basis": {"title": "Căn cứ chỗ ở", "oneOf": [
    {"title": "Nhà thuê", "type": "object", "required": ["kind", "contract"],
     "properties": {"kind": {"const": "thue"}, "contract": {"type": "string", "title": "Số hợp đồng"}}},
    {"title": "Nhà của mình", "type": "object", "required": ["kind", "certificate"],
     "properties": {"kind": {"const": "so-huu"}, "certificate": {"type": "string", "title": "Số giấy chứng nhận"}}},
]}})


def test_alternatives_offer_a_choice_and_only_the_chosen_one_is_read():
    data = {"basis": {"kind": "so-huu", "certificate": "CS 01234"}}
    tree = parse(render_form(ALTERNATIVES, data))
    assert [label_for(tree, f"f-basis-alt{i}") for i in range(2)] == ["Nhà thuê", "Nhà của mình"]
    assert by_id(tree, "f-basis-alt1").get("checked") is not None
    assert roundtrip(ALTERNATIVES, data) == data
    fields = {"#/basis/~alt": ["1"], "#/basis/~a0/kind": ["1"], "#/basis/~a0/contract": ["HĐ 9"],
              "#/basis/~a1/kind": ["1"], "#/basis/~a1/certificate": ["CS 7"]}
    assert parse_form(ALTERNATIVES, fields) == {"basis": {"kind": "so-huu", "certificate": "CS 7"}}


CONDITIONAL = {
    "type": "object",
    "properties": {"kind": {"title": "Chủ thể", "type": "string",
                            "oneOf": [{"const": "ca-nhan", "title": "Cá nhân"}, {"const": "ho", "title": "Hộ gia đình"}]}},
    "if": {"properties": {"kind": {"const": "ho"}}, "required": ["kind"]},
    "then": {"properties": {"members": {"title": "Thành viên", "type": "array", "items": {"type": "string", "title": "Tên"}}}},
    "else": {"properties": {"reason": {"title": "Lý do", "type": "string"}}},
}


def test_conditional_fields_say_when_they_apply_and_inactive_ones_are_dropped():
    tree = parse(render_form(CONDITIONAL, {"kind": "ho", "members": ["An"]}))
    hints = [text_of(p) for p in tree.iter("p") if p.get("class") == "conditional-hint"]
    assert hints[0] == "Điền phần này khi “Chủ thể” là: Hộ gia đình."
    blocks = [d for d in tree.iter("div") if d.get("class") == "conditional"]
    assert blocks[0].get("data-show-if") == '{"name": "#/kind", "values": ["1"], "empty": false}'
    assert roundtrip(CONDITIONAL, {"kind": "ho", "members": ["An"]}) == {"kind": "ho", "members": ["An"]}
    assert roundtrip(CONDITIONAL, {"kind": "ca-nhan", "reason": "x"}) == {"kind": "ca-nhan", "reason": "x"}
    fields = {"#/kind": ["0"], "#/~c0t/members/~row": ["0"], "#/~c0t/members/0": ["An"], "#/~c0e/reason": ["Tự làm"]}
    assert parse_form(CONDITIONAL, fields) == {"kind": "ca-nhan", "reason": "Tự làm"}


def test_dependent_schemas_apply_when_their_trigger_is_filled():
    schema = form({"card": {"type": "string", "title": "Số thẻ"}},
                  dependentSchemas={"card": {"properties": {"address": {"type": "string", "title": "Địa chỉ gửi thẻ"}}}})
    assert parse_form(schema, {"#/~c0t/address": ["Số 5"]}) == {}
    assert parse_form(schema, {"#/card": ["1"], "#/~c0t/address": ["Số 5"]}) == {"card": "1", "address": "Số 5"}


def test_all_of_parts_merge_into_one_object():
    schema = {"allOf": [form({"a": {"type": "string", "title": "A"}}, required=["a"]),
                        form({"b": {"type": "integer", "title": "B"}})]}
    tree = parse(render_form(schema, {}))
    assert label_for(tree, "f-a") == "A (*)" and label_for(tree, "f-b") == "B"
    assert roundtrip(schema, {"a": "x", "b": 2}) == {"a": "x", "b": 2}


def test_refs_and_defs_are_followed_with_the_local_title_winning():
    schema = form({"home": {"title": "Nơi ở", "$ref": "#/$defs/place"}},
                  **{"$defs": {"place": {"title": "Địa điểm", "type": "object",
                                         "properties": {"s": {"type": "string", "title": "Đường"}}}}})
    assert text_of(by_id(parse(render_form(schema, {})), "f-home").find("legend")) == "Nơi ở"
    assert roundtrip(schema, {"home": {"s": "Trần Hưng Đạo"}}) == {"home": {"s": "Trần Hưng Đạo"}}


def test_defaults_fill_a_new_form_only():
    schema = form({"n": {"type": "string", "title": "Quốc tịch", "default": "Việt Nam"}})
    assert by_id(parse(render_form(schema)), "f-n").get("value") == "Việt Nam"
    assert by_id(parse(render_form(schema, {})), "f-n").get("value") == ""


def test_read_only_fields_are_shown_and_posted_but_not_editable():
    schema = form({"code": {"type": "string", "title": "Mã hồ sơ", "readOnly": True}})
    control = by_id(parse(render_form(schema, {"code": "HS-1"})), "f-code")
    assert control.get("readonly") is not None
    assert roundtrip(schema, {"code": "HS-1"}) == {"code": "HS-1"}


def test_any_json_value_is_typed_as_json():
    schema = form({"meta": {"title": "Dữ liệu khác"}})
    assert by_id(parse(render_form(schema, {"meta": {"a": [1, 2]}})), "f-meta").tag == "textarea"
    assert roundtrip(schema, {"meta": {"a": [1, 2]}}) == {"meta": {"a": [1, 2]}}


def test_an_unknown_explicit_widget_fails_loudly():
    with pytest.raises(UnknownWidget):
        render_form(form({"x": {"type": "string", "title": "X", "x-widget": "colour-wheel"}}))


def test_an_explicit_widget_wins():
    schema = form({"x": {"type": "string", "title": "X", "x-widget": "textarea"}})
    assert by_id(parse(render_form(schema)), "f-x").tag == "textarea"


def test_sections_group_fields_under_headings():
    schema = form({"a": {"type": "string", "title": "A"}, "b": {"type": "string", "title": "B"},
                   "c": {"type": "string", "title": "C"}},
                  **{"x-sections": [{"title": "Phần hai", "fields": ["c", "a"]}]})
    html = str(render_form(schema, {}))
    assert html.index("Phần hai") < html.index('id="f-c"') < html.index('id="f-a"') < html.index('id="f-b"')


def test_undeclared_keys_round_trip_but_strict_parsing_refuses_injected_ones():
    schema = form({"a": {"type": "string", "title": "A"}})
    data = {"a": "x", "note": "giữ lại"}
    assert roundtrip(schema, data) == data
    injected = {"#/a": ["x"], "#/~x": ["0"], "#/~k/0": ["isAdmin"], "#/~v/0": ["true"]}
    assert parse_form(schema, injected) == {"a": "x", "isAdmin": True}
    assert parse_form(schema, injected, strict=True) == {"a": "x"}
    opened = form({"a": {"type": "string", "title": "A"}}, additionalProperties={"type": "string"})
    assert parse_form(opened, {"#/~x": ["0"], "#/~k/0": ["k"], "#/~v/0": ["v"]}, strict=True) == {"k": "v"}
