"""The residence (cư trú) services of Công an phường Vị Thanh built on the CT01 form's
shared parts (schemas/_defs/residence.schema.json): what a citizen filling them meets."""

from __future__ import annotations

import copy

import pytest

RESIDENCE = ["gia-han-tam-tru", "khai-bao-tam-vang", "tach-ho", "xoa-dang-ky-thuong-tru",
             "xoa-dang-ky-tam-tru", "dieu-chinh-thong-tin-ve-cu-tru"]


def errors(service, data):
    return [(e.path, e.message) for e in service.validate(data)]


def changed(service, **top):
    data = copy.deepcopy(service.sample)
    data.update(top)
    return data


@pytest.mark.parametrize("slug", RESIDENCE)
def test_the_police_ward_handles_it_and_its_sample_is_valid(catalog, slug):
    service = catalog[slug]
    assert service.info.agency.code == "cong-an-phuong-vi-thanh"
    assert service.info.field == catalog["dang-ky-tam-tru"].info.field
    assert errors(service, service.sample) == []


@pytest.mark.parametrize(("slug", "desk", "online"), [
    ("gia-han-tam-tru", [15000, 10000], [7000, 5000]),
    ("tach-ho", [10000], [5000]),
])
def test_submitting_online_costs_less_than_at_the_desk(catalog, slug, desk, online):
    service = catalog[slug]
    assert [f.amount for f in service.terms_for(service.sample, "truc-tiep").fees] == desk
    assert [f.amount for f in service.terms_for(service.sample, "truc-tuyen").fees] == online


def test_a_declarant_whose_id_number_disagrees_with_the_birth_year_is_refused(catalog):
    service = catalog["gia-han-tam-tru"]
    data = copy.deepcopy(service.sample)
    data["declarant"]["birthDate"] = "1997-10-05"
    assert errors(service, data) == [(
        "/declarant/personalId",
        "Số định danh cá nhân không khớp với năm sinh: chữ số thứ 5–6 phải là 97")]


def test_an_extension_longer_than_two_years_is_refused(catalog):
    service = catalog["gia-han-tam-tru"]
    assert errors(service, changed(service, durationMonths=30)) == [
        ("/durationMonths", "Thời hạn đề nghị gia hạn (tháng) tối đa là 24 tháng (02 năm)")]


def test_the_owner_consenting_in_the_form_must_agree(catalog):
    service = catalog["gia-han-tam-tru"]
    data = copy.deepcopy(service.sample)
    data["owner"]["agreed"] = False
    assert errors(service, data) == [("/owner/agreed", "Cần có ý kiến đồng ý của chủ sở hữu chỗ ở")]
    del data["owner"]
    assert errors(service, data) == [("/owner", "Chủ sở hữu chỗ ở hợp pháp là bắt buộc")]
    data["ownerConsent"] = "van-ban-rieng"  # a separate written consent: no owner in the form
    assert errors(service, data) == []


def test_a_supervised_person_names_the_authority_that_agreed(catalog):
    service = catalog["khai-bao-tam-vang"]
    assert errors(service, changed(service, group="dien-quan-ly")) == [
        ("/managingAuthority", "Cơ quan có thẩm quyền giám sát, quản lý, giáo dục đã đồng ý là bắt buộc")]
    assert errors(service, changed(service, group="dien-quan-ly",
                                   managingAuthority="Ủy ban nhân dân phường Vị Thanh")) == []


def test_a_parent_declaring_for_a_minor_gives_their_own_details(catalog):
    service = catalog["khai-bao-tam-vang"]
    assert [path for path, _ in errors(service, changed(service, byGuardian=True))] == ["/guardian"]


def test_splitting_a_household_needs_the_heads_consent_or_the_divorce(catalog):
    service = catalog["tach-ho"]
    refused = copy.deepcopy(service.sample)
    refused["consent"]["agreed"] = False
    assert errors(service, refused) == [
        ("/consent/agreed", "Cần có ý kiến đồng ý của chủ hộ và chủ sở hữu chỗ ở")]
    divorce = changed(service, case="ly-hon")
    del divorce["consent"]
    assert [path for path, _ in errors(service, divorce)] == ["/divorce"]


@pytest.mark.parametrize(("slug", "message"), [
    ("xoa-dang-ky-thuong-tru", "Cần kê khai ít nhất một người được xóa đăng ký thường trú"),
    ("xoa-dang-ky-tam-tru", "Cần kê khai ít nhất một người được xóa đăng ký tạm trú"),
])
def test_a_removal_names_someone_and_an_other_reason_is_explained(catalog, slug, message):
    service = catalog[slug]
    assert errors(service, changed(service, persons=[])) == [("/persons", message)]
    data = changed(service, reason="khac")
    del data["reasonDetail"]
    assert errors(service, data) == [("/reasonDetail", "Nội dung cụ thể là bắt buộc")]


def test_a_new_household_head_needs_the_members_agreement(catalog):
    service = catalog["dieu-chinh-thong-tin-ve-cu-tru"]
    data = copy.deepcopy(service.sample)
    data["newHead"]["membersAgreed"] = False
    assert errors(service, data) == [
        ("/newHead/membersAgreed", "Cần có ý kiến đồng ý của các thành viên hộ gia đình")]
    renamed = changed(service, change="thay-doi-dia-chi")
    assert [path for path, _ in errors(service, renamed)] == ["/addressChange"]
