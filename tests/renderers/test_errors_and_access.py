"""Errors beside their fields and in a summary; accessibility; escaping; the display mode."""

from __future__ import annotations

import copy
from collections import Counter

import pytest

from engine.catalog import Catalog
from engine.validation import validate
from renderers.html import render_display, render_form
from tests.renderers.html_helpers import by_id, label_for, parse, text_of, visible_controls

SLUGS = [s.slug for s in Catalog.load() if s.has_form]  # information-only services have no form


def summary_links(tree):
    box = tree.find(".//*[@data-error-summary]")
    return [(a.get("href"), text_of(a)) for a in box.iter("a")] if box is not None else []


def render_with_errors(schema, data):
    errors = validate(schema, data)
    return parse(render_form(schema, data, errors)), errors


def assert_error_at(tree, control_id, message):
    control = by_id(tree, control_id)
    error = by_id(tree, control_id + "-error")
    assert text_of(error) == f"Lỗi: {message}"
    assert control_id + "-error" in control.get("aria-describedby", "").split()
    assert ("#" + control_id, message) in summary_links(tree)


def test_required_error_sits_at_the_missing_field_and_the_summary_links_to_it(household):
    data = copy.deepcopy(household.sample)
    del data["owner"]["fullName"]
    tree, _ = render_with_errors(household.form_schema, data)
    assert_error_at(tree, "f-owner-fullName", "Họ, chữ đệm và tên là bắt buộc")
    assert by_id(tree, "f-owner-fullName").get("aria-invalid") == "true"


def test_format_error(household):
    data = copy.deepcopy(household.sample)
    data["owner"]["idNumber"] = "12345"
    tree, _ = render_with_errors(household.form_schema, data)
    assert_error_at(tree, "f-owner-idNumber", "Số định danh cá nhân phải gồm 12 chữ số")
    assert by_id(tree, "f-owner-idNumber").get("value") == "12345", "what was typed is shown again"


def test_pattern_error_with_the_definition_s_own_message(household):
    data = copy.deepcopy(household.sample)
    data["businessLines"][1]["code"] = "56"
    tree, _ = render_with_errors(household.form_schema, data)
    assert_error_at(tree, "f-businessLines-1-code", "Mã ngành gồm 4 chữ số (ngành cấp bốn)")


def test_type_error_keeps_the_text(household):
    data = copy.deepcopy(household.sample)
    data["capital"] = "một trăm triệu"
    tree, _ = render_with_errors(household.form_schema, data)
    assert_error_at(tree, "f-capital", "Vốn kinh doanh (đồng) phải là số nguyên")
    assert by_id(tree, "f-capital").get("value") == "một trăm triệu"


def test_minimum_error_on_an_integer(household):
    data = copy.deepcopy(household.sample)
    data["capital"] = 5
    tree, _ = render_with_errors(household.form_schema, data)
    assert_error_at(tree, "f-capital", "Vốn kinh doanh (đồng) phải lớn hơn hoặc bằng 1.000.000")


def test_a_group_error_sits_on_its_fieldset(household):
    data = copy.deepcopy(household.sample)
    data["members"] = []
    tree, _ = render_with_errors(household.form_schema, data)
    group = by_id(tree, "f-~c0t-members".replace("~", "_7e_"))
    assert group.tag == "fieldset"
    message = "Thành viên hộ gia đình tham gia thành lập hộ kinh doanh phải có ít nhất 1 mục"
    assert text_of(by_id(tree, group.get("id") + "-error")) == f"Lỗi: {message}"
    assert ("#" + group.get("id"), message) in summary_links(tree)


def test_a_radio_group_error(household):
    data = copy.deepcopy(household.sample)
    del data["owner"]["gender"]
    tree, _ = render_with_errors(household.form_schema, data)
    group = by_id(tree, "f-owner-gender")
    assert group.tag == "fieldset" and group.get("aria-describedby") == "f-owner-gender-error"
    assert ("#f-owner-gender", "Giới tính là bắt buộc") in summary_links(tree)


def test_the_commitment_error(household):
    data = copy.deepcopy(household.sample)
    del data["commitment"]
    tree, _ = render_with_errors(household.form_schema, data)
    assert_error_at(tree, "f-commitment", "Bạn cần đánh dấu ô cam đoan trước khi lưu hồ sơ")


def test_cross_field_error_on_the_ward(household):
    data = copy.deepcopy(household.sample)
    data["business"]["address"]["province"] = "Tỉnh Đắk Lắk"
    tree, _ = render_with_errors(household.form_schema, data)
    assert_error_at(tree, "f-business-address-ward", "Xã/Phường/Đặc khu: Phường Vị Thanh không thuộc Tỉnh Đắk Lắk")


def test_an_error_with_no_field_still_appears_in_the_summary():
    schema = {"type": "object", "title": "Tờ khai", "properties": {"a": {"title": "A", "type": "string"}},
              "additionalProperties": False}
    tree, errors = render_with_errors(schema, {"a": "x", "hack": 1})
    assert [m for _, m in summary_links(tree)] == ["Tờ khai có thông tin không được phép: hack"]


def test_the_summary_lists_errors_in_form_order(household):
    data = copy.deepcopy(household.sample)
    data["commitment"] = False
    data["business"]["phone"] = "123"
    del data["owner"]["birthDate"]
    tree, errors = render_with_errors(household.form_schema, data)
    assert [h for h, _ in summary_links(tree)] == ["#f-business-phone", "#f-owner-birthDate", "#f-commitment"]
    assert text_of(tree.find(".//h2")) == "Hồ sơ còn 3 lỗi cần sửa"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_control_of_every_form_has_a_label_and_valid_references(catalog, slug):
    service = catalog[slug]
    tree = parse(render_form(service.form_schema, service.sample))
    ids = Counter(e.get("id") for e in tree.iter() if e.get("id"))
    assert [i for i, n in ids.items() if n > 1] == [], "ids are unique"
    for control in visible_controls(tree):
        assert label_for(tree, control.get("id")), control.get("name")
        for ref in (control.get("aria-describedby") or "").split():
            assert ref in ids, (control.get("id"), ref)
    for group in tree.iter("fieldset"):
        assert group.find("legend") is not None and text_of(group.find("legend"))


@pytest.mark.parametrize("slug", SLUGS)
def test_required_fields_are_marked_for_eyes_and_screen_readers(catalog, slug):
    tree = parse(render_form(catalog[slug].form_schema, catalog[slug].sample))
    for control in visible_controls(tree):
        if control.get("aria-required") == "true":
            assert label_for(tree, control.get("id")).endswith("(*)")


def test_focus_order_follows_the_page():
    schema = {"type": "object", "properties": {"b": {"type": "string", "title": "B"}, "a": {"type": "string", "title": "A"}}}
    html = str(render_form(schema))
    assert "tabindex" not in html.replace('tabindex="-1"', "")
    assert html.index('id="f-b"') < html.index('id="f-a"')


NASTY = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_text_from_a_definition_is_escaped_everywhere():
    schema = {"type": "object", "title": NASTY, "description": NASTY, "required": ["a"], "properties": {
        "a": {"type": "string", "title": NASTY, "description": NASTY, "examples": [NASTY]},
        "b": {"title": NASTY, "oneOf": [{"const": 1, "title": NASTY}, {"const": 2, "title": "x"}]},
        "c": {"title": NASTY, "enum": [NASTY, "a", "b", "c", "d", "e"]},
        "d": {"type": "array", "title": NASTY, "items": {"type": "object", "title": NASTY,
                                                          "properties": {NASTY: {"type": "string", "title": NASTY}}}},
    }}
    data = {"a": NASTY, "c": NASTY, "d": [{NASTY: NASTY}]}
    for html in (render_form(schema, data, validate(schema, data)), render_form(schema), render_display(schema, data)):
        html = str(html)
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_display_shows_a_readable_document_marked_as_a_sample(household):
    tree = parse(render_display(household.form_schema, household.sample, sample=True))
    text = text_of(tree)
    assert "MẪU" in text and "không phải hồ sơ thật" in text
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in text
    assert "Hộ kinh doanh Quán cơm Thanh Tâm" in text
    assert "150.000.000" in text  # amounts grouped the Vietnamese way
    assert "14/03/1986" in text  # dates as day/month/year
    assert "Nữ" in text and "Các thành viên hộ gia đình" in text  # options by their label, not their code
    assert "Số 27, đường Trần Hưng Đạo, khu vực 2, Phường Vị Thanh, Thành phố Cần Thơ" in text
    table = tree.find(".//table")
    assert [text_of(th) for th in table.iter("th")][:3] == ["STT", "Mã ngành", "Tên ngành"]
    assert "Lê Văn Hùng" in text  # the members of the active branch are shown
    assert not list(tree.iter("input"))


def test_display_of_a_real_dossier_is_not_marked_as_sample(household):
    assert "MẪU" not in text_of(parse(render_display(household.form_schema, household.sample)))


def test_display_leaves_out_the_inactive_branch(household):
    data = copy.deepcopy(household.sample)
    data["founderType"] = "ca-nhan"
    text = text_of(parse(render_display(household.form_schema, data)))
    assert "Lê Văn Hùng" not in text
