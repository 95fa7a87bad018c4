"""The three household-business services follow the law in force since 1 July 2025:
Nghị định 168/2025/NĐ-CP (household business chapter) and the forms of Thông tư
68/2025/TT-BTC, Phụ lục II (Mẫu 1 establishment, Mẫu 2 change, Mẫu 3 suspension).

Every check reads the loaded definitions or runs the real validator, so a schema that
slides back to the repealed Nghị định 01/2021 fails here."""

from __future__ import annotations

import copy
import json

import pytest

from engine import pointers

FOUND = "dang-ky-thanh-lap-ho-kinh-doanh"
CHANGE = "dang-ky-thay-doi-noi-dung-ho-kinh-doanh"
SUSPEND = "tam-ngung-tiep-tuc-kinh-doanh-ho-kinh-doanh"
ALL = [FOUND, CHANGE, SUSPEND]
OFFLINE_ONLY = {"ethnicity", "nationality", "permanentAddress", "currentAddress"}


def deref(service, node):
    """The node with its local ``$ref`` followed (bundled forms refer only to ``#/...``),
    siblings of the ``$ref`` kept over the target's."""
    while isinstance(node, dict) and "$ref" in node:
        target = pointers.resolve(service.form_schema, node["$ref"][1:], None)
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def walk(service, node, seen=None):
    """Every subschema of the form, references followed once."""
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            if node["$ref"] in seen:
                return
            seen.add(node["$ref"])
            node = deref(service, node)
        yield node
        for value in node.values():
            yield from walk(service, value, seen)
    elif isinstance(node, list):
        for value in node:
            yield from walk(service, value, seen)


def paths(errors):
    return {e.path: e.message for e in errors}


def person_objects(service):
    """The chủ hộ and member objects each form declares (resolved)."""
    schema = service.form_schema
    found = {"owner": deref(service, schema["properties"]["owner"])}
    if service.slug == FOUND:
        found["member"] = deref(service, schema["then"]["properties"]["members"]["items"])
    if service.slug == CHANGE:
        branches = {next(iter(b["then"]["properties"])): b["then"]["properties"] for b in schema["allOf"]}
        found["newOwner"] = deref(service, branches["ownerChange"]["ownerChange"]["properties"]["newOwner"])
        member_row = deref(service, branches["memberChanges"]["memberChanges"]["items"])
        found["member"] = deref(service, member_row["properties"]["member"])
    return found


@pytest.mark.parametrize("slug", ALL)
def test_every_sample_is_valid_with_ids_matching_birth_and_sex(catalog, slug):
    service = catalog[slug]
    assert service.validate(service.sample) == []


@pytest.mark.parametrize("slug", ALL)
def test_persons_are_identified_by_their_12_digit_id_number_only(catalog, slug):
    service = catalog[slug]
    for name, person in person_objects(service).items():
        assert {"fullName", "birthDate", "gender", "idNumber"} <= set(person["required"]), name
        assert not OFFLINE_ONLY & set(person["required"]), name  # asked only when the population database is offline
        assert deref(service, person["properties"]["idNumber"])["format"] in ("id-number", "cccd"), name
        assert person["x-id-number-matches"] == {"id_number": "/idNumber", "birth_date": "/birthDate", "sex": "/gender"}
    # the sample's chủ hộ with a 9-digit CMND is refused, in Vietnamese
    sample = copy.deepcopy(service.sample)
    sample["owner"]["idNumber"] = "361234567"
    message = paths(service.validate(sample))["/owner/idNumber"]
    assert "Số định danh cá nhân" in message and "12 chữ số" in message
    # a number whose digits 4-6 contradict the birth date is refused
    sample["owner"]["idNumber"] = "093" + ("1" if sample["owner"]["gender"] == "nu" else "0") + "55004527"
    assert "/owner/idNumber" in paths(service.validate(sample))


@pytest.mark.parametrize("slug", ALL)
def test_population_database_fields_can_be_left_out(catalog, slug):
    service = catalog[slug]
    sample = copy.deepcopy(service.sample)
    for person in [sample["owner"], *sample.get("members", [])]:
        for key in OFFLINE_ONLY:
            person.pop(key, None)
    assert service.validate(sample) == []


def test_members_are_identified_by_id_number_too(catalog):
    service = catalog[FOUND]
    sample = copy.deepcopy(service.sample)
    sample["members"][0]["idNumber"] = "361234567"
    assert "12 chữ số" in paths(service.validate(sample))["/members/0/idNumber"]
    del sample["members"][0]["idNumber"]
    assert "/members/0/idNumber" in paths(service.validate(sample))


@pytest.mark.parametrize("slug", ALL)
def test_no_meeting_minutes_and_no_tax_method(catalog, slug):
    service = catalog[slug]
    text = json.dumps([service.form_schema, [d.name + " " + (d.note or "") for d in service.documents],
                       service.sample], ensure_ascii=False).lower()
    assert "biên bản họp" not in text
    assert all("bien-ban-hop" not in d.id for d in service.documents)
    for node in walk(service, service.form_schema):
        title = str(node.get("title", "")).lower()
        assert "biên bản họp" not in title and "phương pháp tính thuế" not in title
        values = [o.get("const") for o in node.get("oneOf", []) if isinstance(o, dict)] + list(node.get("enum", []))
        labels = [str(o.get("title", "")).lower() for o in node.get("oneOf", []) if isinstance(o, dict)]
        assert "khoan" not in values and "khoán" not in labels
    assert "taxMethod" not in json.dumps(service.form_schema)


def test_tax_block_holds_only_the_notice_address_and_the_workers(catalog):
    for slug, where in ((FOUND, ("properties", "taxRegistration")),
                        (CHANGE, None)):
        service = catalog[slug]
        schema = service.form_schema
        if where is None:
            node = next(b["then"]["properties"]["taxChange"] for b in schema["allOf"]
                        if "taxChange" in b["then"]["properties"])
        else:
            node = schema[where[0]][where[1]]
        assert set(deref(service, node)["properties"]) == {"taxNoticeAddress", "employees"}, slug


@pytest.mark.parametrize("slug", [FOUND, CHANGE])
def test_the_fee_is_set_by_the_province_paid_on_filing_and_not_refunded(catalog, slug):
    (fee,) = catalog[slug].info.fees
    assert fee.amount is None
    assert "Hội đồng nhân dân cấp tỉnh" in fee.note
    assert "nộp khi nộp hồ sơ" in fee.note and "không được hoàn trả" in fee.note


def test_founding_dossier_is_the_three_documents_of_article_100(catalog):
    docs = catalog[FOUND].documents
    assert [d.id for d in docs] == ["giay-de-nghi", "van-ban-uy-quyen-chu-ho", "uy-quyen-nop-ho-so"]
    request, authorisation, proxy = docs
    assert request.from_form and request.mandatory and "Mẫu số 1" in request.name
    assert not authorisation.mandatory and "công chứng hoặc chứng thực" in authorisation.name
    assert "thành viên hộ gia đình" in authorisation.name
    assert not proxy.mandatory and "hợp đồng cung cấp dịch vụ" in proxy.name and "giấy giới thiệu" in proxy.name
    assert "không bắt buộc công chứng" in proxy.note


@pytest.mark.parametrize("slug", ALL)
def test_legal_bases_are_current(catalog, slug):
    bases = {b.number: b for b in catalog[slug].info.legal_basis}
    assert str(bases["168/2025/NĐ-CP"].issued) == "2025-06-30" and bases["168/2025/NĐ-CP"].issuer == "Chính phủ"
    assert bases["68/2025/TT-BTC"].issuer == "Bộ Tài chính"
    assert str(bases["26/2023/QH15"].issued) == "2023-06-27"
    assert "01/2021/NĐ-CP" not in bases and "01/2021/TT-BKHĐT" not in bases


def test_suspension_is_online_in_one_working_day_with_its_period_and_early_resumption(catalog):
    service = catalog[SUSPEND]
    assert service.info.processing_days == 1
    assert service.info.level == 3 and "truc-tuyen" in service.info.methods
    schema = service.form_schema
    suspend, resume = schema["then"], schema["else"]
    assert {"suspendFrom", "suspendTo"} <= set(suspend["required"])
    assert "03 ngày làm việc" in deref(service, suspend["properties"]["suspendFrom"])["description"]
    assert "resumeFrom" in resume["required"]
    assert "trước thời hạn" in resume["properties"]["resumeReason"]["title"]
    # the period is asked when suspending, the resumption date when resuming early
    sample = copy.deepcopy(service.sample)
    del sample["suspendTo"]
    assert "/suspendTo" in paths(service.validate(sample))
    early = {**{k: v for k, v in service.sample.items() if k not in ("suspendFrom", "suspendTo", "reason")},
             "notice": "tiep-tuc", "suspendedUntil": "2027-03-06", "resumeFrom": "2027-01-04",
             "resumeReason": "Đã sửa chữa xong mặt bằng sớm hơn dự kiến."}
    assert service.validate(early) == []
    del early["resumeFrom"]
    assert "/resumeFrom" in paths(service.validate(early))


def test_change_form_is_mau_2_with_its_change_pages(catalog):
    service = catalog[CHANGE]
    schema = service.form_schema
    assert schema["title"] == "Giấy đề nghị đăng ký thay đổi nội dung đăng ký hộ kinh doanh"
    changes = {o["const"] for o in deref(service, schema["properties"]["changes"])["items"]["oneOf"]}
    assert changes == {"ten", "dia-chi", "chu-ho", "thanh-vien", "von", "nganh-nghe", "thue"}
    lines = next(b["then"]["properties"]["businessLineChanges"] for b in schema["allOf"]
                 if "businessLineChanges" in b["then"]["properties"])
    assert lines["items"]["properties"]["code"]["pattern"] == "^[0-9]{4}$"
    sample = copy.deepcopy(service.sample)
    sample["businessLineChanges"][0]["code"] = "47221"
    assert "ngành cấp bốn" in paths(service.validate(sample))["/businessLineChanges/0/code"]


def _owner_change(service, **change):
    sample = copy.deepcopy(service.sample)
    sample["changes"] = ["chu-ho"]
    for key in ("newAddress", "businessLineChanges", "capitalChange"):
        sample.pop(key, None)
    sample["ownerChange"] = {
        "newOwner": {"fullName": "Trần Thị Ngọc Hân", "birthDate": "2001-05-20", "gender": "nu",
                     "idNumber": "093301004871"},
        **change,
    }
    return sample


def test_a_new_chu_ho_only_on_todays_grounds(catalog):
    service = catalog[CHANGE]
    schema = service.form_schema
    owner_change = next(b["then"]["properties"]["ownerChange"] for b in schema["allOf"]
                        if "ownerChange" in b["then"]["properties"])
    grounds = {o["const"] for o in owner_change["properties"]["basis"]["oneOf"]}
    assert grounds == {"uy-quyen-thanh-vien", "chu-ho-chet", "chu-ho-mat-nang-luc", "chuyen-giao-truoc-01-7-2025"}
    for basis in ("uy-quyen-thanh-vien", "chu-ho-chet", "chu-ho-mat-nang-luc"):
        assert service.validate(_owner_change(service, basis=basis)) == [], basis
    assert "/ownerChange/basis" in paths(service.validate(_owner_change(service, basis="mua-ban")))


def test_sale_gift_or_inheritance_only_before_1_july_2025(catalog):
    service = catalog[CHANGE]
    before = _owner_change(service, basis="chuyen-giao-truoc-01-7-2025", transferType="ban", transferDate="2025-06-30")
    assert service.validate(before) == []
    for late in ("2025-07-01", "2025-12-15", "2026-01-02"):
        after = _owner_change(service, basis="chuyen-giao-truoc-01-7-2025", transferType="tang-cho", transferDate=late)
        message = paths(service.validate(after))["/ownerChange/transferDate"]
        assert "phải trước ngày 01/7/2025" in message, late
    missing = _owner_change(service, basis="chuyen-giao-truoc-01-7-2025", transferType="thua-ke")
    assert "/ownerChange/transferDate" in paths(service.validate(missing))
