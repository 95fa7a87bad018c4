"""Each shared definition refuses what a citizen could mistype, with the right message."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from engine import formats
from engine.bundle import SchemaSource, bundle
from engine.catalog import DEFAULT_ROOT
from engine.validation import validate


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A form with one field per shared definition, bundled like a real service."""
    folder = tmp_path_factory.mktemp("defs-probe")
    names = ["fullName", "idNumber", "personalId", "phone", "email", "taxCode", "date",
             "birthDate", "gender", "ethnicity", "address", "commitment"]
    form = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {n: {"$ref": f"../_defs/common.schema.json#/$defs/{n}"} for n in names},
    }
    (folder / "form.schema.json").write_text(json.dumps(form), encoding="utf-8")
    source = SchemaSource(DEFAULT_ROOT, extra={"probe": folder})
    problems = []
    schema = bundle(source, source.uri_for(folder / "form.schema.json"), problems)
    assert problems == []
    return schema


def only_error(schema, field, value):
    errors = validate(schema, {field: value})
    assert len(errors) == 1, errors
    assert errors[0].path == f"/{field}"
    return errors[0]


INVALID = [
    # field, value, keyword, message
    ("idNumber", "361234567", "format", "Số định danh cá nhân: số CMND 9 chữ số không còn giá trị từ ngày 01/01/2025; vui lòng nhập số định danh cá nhân 12 chữ số (in trên thẻ căn cước)"),  # an old CMND
    ("idNumber", "09318600452", "format", "Số định danh cá nhân phải gồm 12 chữ số"),
    ("idNumber", "0931860045278", "format", "Số định danh cá nhân phải gồm 12 chữ số"),
    ("idNumber", "09318600452A", "format", "Số định danh cá nhân chỉ được gồm chữ số, không có chữ cái hay khoảng trắng"),
    ("idNumber", "093 186 004 527", "format", "Số định danh cá nhân chỉ được gồm chữ số, không có chữ cái hay khoảng trắng"),
    ("idNumber", "999186004527", "format", "Số định danh cá nhân có mã tỉnh (3 chữ số đầu) không hợp lệ"),
    ("idNumber", "003186004527", "format", "Số định danh cá nhân có mã tỉnh (3 chữ số đầu) không hợp lệ"),  # 003: no province
    ("idNumber", "093486004527", "format", "Số định danh cá nhân không hợp lệ: chữ số thứ 4 (thế kỷ sinh và giới tính) phải là 0, 1, 2 hoặc 3"),
    ("idNumber", "093986004527", "format", "Số định danh cá nhân không hợp lệ: chữ số thứ 4 (thế kỷ sinh và giới tính) phải là 0, 1, 2 hoặc 3"),
    ("idNumber", "", "format", "Số định danh cá nhân chỉ được gồm chữ số, không có chữ cái hay khoảng trắng"),
    ("idNumber", 93186004527, "type", "Số định danh cá nhân phải là chuỗi ký tự"),
    ("personalId", "093586004527", "format", "Số định danh cá nhân không hợp lệ: chữ số thứ 4 (thế kỷ sinh và giới tính) phải là 0, 1, 2 hoặc 3"),
    ("personalId", "361234567", "format", "Số định danh cá nhân phải gồm 12 chữ số"),
    ("personalId", "０９３１８６００４５２７", "format", "Số định danh cá nhân chỉ được gồm chữ số, không có chữ cái hay khoảng trắng"),
    ("phone", "091234567", "format", "Số điện thoại không hợp lệ: nhập số di động 10 chữ số (ví dụ 0912345678) hoặc số cố định có mã vùng (ví dụ 02933870123)"),
    ("phone", "0112345678", "format", "Số điện thoại không hợp lệ: nhập số di động 10 chữ số (ví dụ 0912345678) hoặc số cố định có mã vùng (ví dụ 02933870123)"),
    ("phone", "+8491234567", "format", "Số điện thoại không hợp lệ: nhập số di động 10 chữ số (ví dụ 0912345678) hoặc số cố định có mã vùng (ví dụ 02933870123)"),
    ("phone", "0912 345 678", "format", "Số điện thoại không hợp lệ: nhập số di động 10 chữ số (ví dụ 0912345678) hoặc số cố định có mã vùng (ví dụ 02933870123)"),
    ("email", "thanhtam@gmail", "format", "Thư điện tử không phải là địa chỉ thư điện tử hợp lệ"),
    ("email", "thanh tam@gmail.com", "format", "Thư điện tử không phải là địa chỉ thư điện tử hợp lệ"),
    ("taxCode", "0100109107", "format", "Mã số thuế không đúng (chữ số kiểm tra không khớp)"),
    ("taxCode", "01001091", "format", "Mã số thuế phải gồm 10 chữ số (hoặc 10 chữ số, dấu gạch ngang và 3 chữ số)"),
    ("taxCode", "0100109106-12", "format", "Mã số thuế phải gồm 10 chữ số (hoặc 10 chữ số, dấu gạch ngang và 3 chữ số)"),
    ("date", "2026-02-30", "format", "Ngày không phải là ngày hợp lệ (ngày/tháng/năm)"),
    ("date", "25/11/2026", "format", "Ngày không phải là ngày hợp lệ (ngày/tháng/năm)"),
    ("birthDate", "2999-01-01", "format", "Ngày sinh không được sau ngày hôm nay"),
    ("birthDate", "1986-13-01", "format", "Ngày sinh không phải là ngày hợp lệ (ngày/tháng/năm)"),
    ("fullName", "", "minLength", "Họ, chữ đệm và tên không được để trống"),
    ("fullName", "Nguyễn Văn 3", "pattern", "Họ, chữ đệm và tên chỉ gồm chữ cái và khoảng trắng, không có chữ số hay ký hiệu"),
    ("fullName", "N" * 101, "maxLength", "Họ, chữ đệm và tên không được dài quá 100 ký tự"),
    ("gender", "khac", "oneOf", "Giới tính không khớp với lựa chọn nào"),
    ("ethnicity", "Kinh Tế", "enum", "Dân tộc: hãy chọn một giá trị trong danh sách"),
    ("commitment", False, "const", "Bạn cần đánh dấu ô cam đoan trước khi lưu hồ sơ"),
]


@pytest.mark.parametrize("field,value,keyword,message", INVALID, ids=[f"{f}={v!r}"[:40] for f, v, *_ in INVALID])
def test_invalid_value_gives_keyword_and_vietnamese_message(shared, field, value, keyword, message):
    error = only_error(shared, field, value)
    assert (error.keyword, error.message) == (keyword, message)


VALID = [
    ("idNumber", "093186004527"),  # digit 4: 1 = a woman born 1900–1999
    ("idNumber", "001086004527"),  # 0 = a man born 1900–1999
    ("idNumber", "096203004527"),  # 2 = a man born 2000–2099
    ("idNumber", "079324004527"),  # 3 = a woman born 2000–2099
    ("phone", "0939512486"),
    ("phone", "+84939512486"),
    ("phone", "02923820123"),  # Cần Thơ landline
    ("email", "thanhtam.nguyen86@gmail.com"),
    ("taxCode", "0100109106"),
    ("taxCode", "0100109106-001"),
    ("taxCode", "093186004527"),  # an individual's tax code is their ID number since 7/2025
    ("birthDate", "1986-03-14"),
    ("fullName", "Huỳnh Thị Ngọc Ánh"),
    ("fullName", "H'Hen Niê"),
    ("gender", "nu"),
    ("ethnicity", "Khmer"),
    ("commitment", True),
]


@pytest.mark.parametrize("field,value", VALID)
def test_valid_value_passes(shared, field, value):
    assert validate(shared, {field: value}) == []


def test_address_missing_parts_are_named_by_their_own_title(shared):
    errors = validate(shared, {"address": {"province": "Thành phố Cần Thơ"}})
    assert [(e.path, e.keyword, e.message) for e in errors] == [
        ("/address/ward", "required", "Xã/Phường/Đặc khu là bắt buộc"),
        ("/address/street", "required", "Số nhà, đường, ấp/khu vực là bắt buộc"),
    ]


def test_address_ward_must_belong_to_the_province(shared):
    error = only_error_at(shared, {"address": {"province": "Tỉnh Đắk Lắk", "ward": "Phường Vị Thanh", "street": "Số 5"}})
    assert error.path == "/address/ward"
    assert error.keyword == "x-address"
    assert error.message == "Xã/Phường/Đặc khu: Phường Vị Thanh không thuộc Tỉnh Đắk Lắk"


def test_address_unknown_names_are_refused(shared):
    errors = validate(shared, {"address": {"province": "Tỉnh Hậu Giang", "ward": "Phường 5", "street": "Số 5"}})
    assert [(e.path, e.message) for e in errors] == [
        ("/address/province", "Tỉnh/Thành phố không có trong danh mục tỉnh, thành phố hiện hành"),
        ("/address/ward", "Xã/Phường/Đặc khu không có trong danh mục xã, phường hiện hành"),
    ]


def only_error_at(schema, data):
    errors = validate(schema, data)
    assert len(errors) == 1, errors
    return errors[0]


def test_past_date_follows_the_clock(monkeypatch, shared):
    monkeypatch.setattr(formats, "today", lambda: dt.date(2026, 11, 25))
    assert validate(shared, {"birthDate": "2026-11-25"}) == []
    assert only_error(shared, "birthDate", "2026-11-26").keyword == "format"


def test_every_registered_format_is_documented():
    for name, fmt in formats.FORMATS.items():
        assert fmt.description, name
