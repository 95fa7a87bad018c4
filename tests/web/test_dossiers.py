"""The citizen's dossiers, step by step as the user guide tells them (steps 5-9)."""

from __future__ import annotations

import copy
import io
import re

import pytest
from PIL import Image
from pypdf import PdfWriter
from werkzeug.datastructures import MultiDict

from engine.dossier import Status
from tests.browser_form import submit as browser_submit
from tests.web.helpers import PASSWORD, add_user, body, link_in, login, post, text
from web import resources

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
CREATE = f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so"
SLOT = "van-ban-uy-quyen-chu-ho"  # pdf, jpeg or png up to 10 MB


def dossier_form(page_html: str) -> str:
    """The dossier's <form> of a page (the header has forms too)."""
    return re.search(r'<form method="post" enctype="multipart/form-data".*?</form>', page_html, re.S).group(0)


def fields_of(client, path: str, **submitter) -> MultiDict:
    return browser_submit(dossier_form(client.get(path).get_data(as_text=True)), **submitter)


def fill(fields: MultiDict, data: dict, household) -> MultiDict:
    """The fields a browser posts for ``data``, keeping the page's CSRF token and checklist."""
    from renderers.html import render_form

    filled = browser_submit(str(render_form(household.form_schema, data)))
    for key in ("csrf_token", "~checklist"):
        for value in fields.getlist(key):
            filled.add(key, value)
    return filled


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def signed_in(client, citizen):
    assert login(client, citizen.username).status_code == 302
    return citizen


def create_dossier(client, household, checklist=("giay-de-nghi",)):
    fields = fill(fields_of(client, CREATE), copy.deepcopy(household.sample), household)
    for doc in checklist:
        fields.add("~checklist", doc)
    response = client.post(CREATE, data=fields)
    assert response.status_code == 302, text(response)
    return response.headers["Location"].split("/")[2]


def store(app):
    return resources.portal(app).dossiers


# -- step 5: create ----------------------------------------------------------------------------

def test_creating_needs_login(client):
    response = client.get(CREATE)
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_the_create_page_has_the_guide_s_parts_and_is_prefilled(client, signed_in):
    page = text(client.get(CREATE))
    for words in ("Thông tin hồ sơ", "Chọn thông tin bạn có", "Biểu mẫu nhập liệu", "Xem hồ sơ mẫu", "Lưu lại",
                  "(*)", "Giấy đề nghị đăng ký hộ kinh doanh"):
        assert words in page
    assert 'value="Trần Thị Bích Ngọc"' in page and 'value="093195001234"' in page


def test_the_service_page_links_to_registration_only_for_online_services(client, catalog):
    assert "Nhấn vào đây để đăng ký hồ sơ" in text(client.get(f"/dich-vu/{HOUSEHOLD}"))
    offline = next(s for s in catalog if not s.online)
    page = text(client.get(f"/dich-vu/{offline.slug}"))
    assert "Nhấn vào đây để đăng ký hồ sơ" not in page and "không nộp hồ sơ trực tuyến" in page


def test_a_missing_required_field_is_shown_again_with_nothing_lost(app, client, signed_in, household):
    data = copy.deepcopy(household.sample)
    del data["owner"]["fullName"]
    fields = fill(fields_of(client, CREATE), data, household)
    fields.add("~checklist", "giay-de-nghi")
    response = client.post(CREATE, data=fields)
    assert response.status_code == 422
    page = text(response)
    assert "Hồ sơ còn 1 lỗi cần sửa" in page and "Họ, chữ đệm và tên là bắt buộc" in page
    assert 'value="Hộ kinh doanh Quán cơm Thanh Tâm"' in page and 'value="giay-de-nghi" checked' in page
    assert store(app).count() == 0


def test_an_old_9_digit_cmnd_is_refused_on_a_new_dossier(app, client, signed_in, household):
    """Since 1/1/2025 the CMND is no longer valid (Luật Căn cước 2023): the chủ hộ is asked
    for the 12-digit số định danh cá nhân, and nothing is saved."""
    data = copy.deepcopy(household.sample)
    data["owner"]["idNumber"] = "093186004"
    fields = fill(fields_of(client, CREATE), data, household)
    fields.add("~checklist", "giay-de-nghi")
    response = client.post(CREATE, data=fields)
    assert response.status_code == 422
    page = text(response)
    assert ("Số định danh cá nhân: số CMND 9 chữ số không còn giá trị từ ngày 01/01/2025; "
            "vui lòng nhập số định danh cá nhân 12 chữ số") in page
    assert 'value="093186004"' in page, "what was typed is shown again"
    assert store(app).count() == 0


def test_a_number_that_disagrees_with_the_birth_date_is_refused(app, client, signed_in, household):
    data = copy.deepcopy(household.sample)
    data["owner"]["birthDate"] = "1968-03-14"  # 093186004527 is a woman born 1986
    fields = fill(fields_of(client, CREATE), data, household)
    fields.add("~checklist", "giay-de-nghi")
    response = client.post(CREATE, data=fields)
    assert response.status_code == 422
    assert "Số định danh cá nhân không khớp với năm sinh: chữ số thứ 5–6 phải là 68" in text(response)
    assert store(app).count() == 0


def test_saving_creates_a_draft_and_mails_a_confirmation_link(app, client, signed_in, household, smtp):
    dossier_id = create_dossier(client, household)
    dossier = store(app).get(dossier_id)
    assert dossier.status == Status.DRAFT and dossier.data == household.sample
    assert dossier.checklist == ["giay-de-nghi"] and dossier.applicant_id_number == "093195001234"
    [mail] = smtp.messages
    assert mail["To"] == signed_in.email and "Xác nhận hồ sơ" in mail["Subject"]
    assert "093195001234" not in body(mail), "no ID number in e-mail"
    page = text(client.get(f"/ho-so/{dossier_id}/cap-nhat"))
    assert "Đã lưu hồ sơ" in page and "Giấy đính kèm" not in page and "Giấy tờ đính kèm" in page

    # Step 7: the dossier is valid only after the link is followed (from any device).
    confirm = link_in(mail)
    response = app.test_client().get(confirm)
    assert response.status_code == 200 and "Hồ sơ đã được xác nhận" in text(response)
    assert store(app).get(dossier_id).status == Status.CONFIRMED
    assert app.test_client().get(confirm).status_code == 200  # a second click changes nothing
    assert [e.action for e in store(app).get(dossier_id).log] == ["create", "confirm"]


def test_a_tampered_confirmation_link_is_refused(client):
    assert client.get("/ho-so/xac-nhan/khong-hop-le").status_code == 404


def test_adding_a_row_without_javascript_keeps_everything_and_saves_nothing(app, client, signed_in, household):
    fields = fill(fields_of(client, CREATE), copy.deepcopy(household.sample), household)
    fields.add("~action", "add:/businessLines")
    response = client.post(CREATE, data=fields)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ngành, nghề 3" in page and "Hộ kinh doanh Quán cơm Thanh Tâm" in page
    assert store(app).count() == 0


# -- step 6: attachments -------------------------------------------------------------------------

def upload(client, dossier_id, household, files: dict, **extra):
    fields = fill(fields_of(client, f"/ho-so/{dossier_id}/cap-nhat"), copy.deepcopy(household.sample), household)
    for key, value in extra.items():
        fields.add(key, value)
    for slot, (content, name) in files.items():
        fields.add(f"~file/{slot}", (io.BytesIO(content), name))
    return client.post(f"/ho-so/{dossier_id}/cap-nhat", data=fields, content_type="multipart/form-data")


def test_uploading_replacing_and_removing_a_file(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    response = upload(client, dossier_id, household, {SLOT: (pdf_bytes(), "CCCD chồng.pdf")})
    assert response.status_code == 302
    assert "Cập nhật hồ sơ thành công" in text(client.get(response.headers["Location"]))
    attached = store(app).get(dossier_id).attachments[SLOT]
    assert (attached.filename, attached.media_type) == ("CCCD chồng.pdf", "application/pdf")
    download = client.get(f"/ho-so/{dossier_id}/tep/{SLOT}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    png = io.BytesIO()
    Image.new("RGB", (20, 20)).save(png, format="PNG")
    upload(client, dossier_id, household, {SLOT: (png.getvalue(), "anh.png")})
    assert store(app).get(dossier_id).attachments[SLOT].media_type == "image/png"
    with pytest.raises(KeyError):
        resources.portal(app).files.read(attached.file_id)  # the replaced file is gone

    upload(client, dossier_id, household, {}, **{f"~remove/{SLOT}": "1"})
    assert SLOT not in store(app).get(dossier_id).attachments
    assert [e.action for e in store(app).get(dossier_id).log].count("attach") == 2


def test_an_html_file_renamed_pdf_is_refused(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    response = upload(client, dossier_id, household, {SLOT: (b"<html><script>alert(1)</script></html>", "giay.pdf")})
    assert response.status_code == 422
    assert "Tệp không phải là PDF, JPEG hoặc PNG" in text(response)
    assert store(app).get(dossier_id).attachments == {}


def test_a_file_over_the_limit_is_refused(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    big = pdf_bytes() + b"%" + b"0" * (10 * 1024 * 1024)
    response = upload(client, dossier_id, household, {SLOT: (big, "to.pdf")})
    assert response.status_code == 422 and "Tệp lớn quá 10 MB" in text(response)


# -- step 8: Quản lý hồ sơ -----------------------------------------------------------------------

def test_the_list_shows_my_dossiers_with_named_actions_and_filters(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    page = text(client.get("/quan-ly-ho-so"))
    assert "Đăng ký thành lập hộ kinh doanh" in page and "Chưa xác nhận" in page
    for name in ("Xem thông tin hồ sơ", "Cập nhật hồ sơ", "Xóa hồ sơ"):
        assert f'<span class="visually-hidden">{name}</span>' in page
    assert "Nộp hồ sơ</span>" not in page, "an unconfirmed dossier cannot be submitted"
    assert "Đăng ký thành lập" not in text(client.get("/quan-ly-ho-so?trang-thai=submitted")).split('id="main"')[1]
    assert dossier_id in client.get("/quan-ly-ho-so?trang-thai=draft").get_data(as_text=True)


def test_many_dossiers_are_paged(app, client, signed_in, household):
    from engine import lifecycle
    from engine.accounts import to_actor
    from engine.clock import system_clock as now

    with app.test_request_context():
        made = [lifecycle.create(household, to_actor(signed_in), household.sample, [], now()) for _ in range(23)]
    store(app).bulk_add(made)
    first, third = text(client.get("/quan-ly-ho-so")), text(client.get("/quan-ly-ho-so?trang=3"))
    assert first.count("Xem thông tin hồ sơ</span>") == 10 and "Trang 3" in first
    assert third.count("Xem thông tin hồ sơ</span>") == 3
    past = text(client.get("/quan-ly-ho-so?trang=99"))  # past the end: the last page
    assert past.count("Xem thông tin hồ sơ</span>") == 3 and "Tất cả hồ sơ</a> <span class=\"count\">23</span>" in past


# -- step 9: delete, submit ---------------------------------------------------------------------------

def test_delete_asks_first_then_deletes(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    page = text(client.get(f"/ho-so/{dossier_id}/xoa"))
    assert "Bạn chắc chắn muốn xóa hồ sơ này?" in page and "Xóa ngay" in page and "Bỏ qua" in page
    assert store(app).get(dossier_id) is not None
    response = post(client, f"/ho-so/{dossier_id}/xoa", {})
    assert response.status_code == 302 and store(app).get(dossier_id) is None


def confirm_via_mail(app, smtp):
    app.test_client().get(link_in(smtp.messages[-1]))


def test_submit_asks_first_submits_once_and_locks_the_dossier(app, client, signed_in, household, smtp):
    dossier_id = create_dossier(client, household)
    confirm_via_mail(app, smtp)
    page = text(client.get(f"/ho-so/{dossier_id}/nop"))
    assert "Bạn chắc chắn muốn nộp hồ sơ này?" in page and "Nộp hồ sơ" in page and "Bỏ qua" in page
    token_page = f"/ho-so/{dossier_id}/nop"
    first = post(client, token_page, {})
    second = post(client, token_page, {})  # a double click
    assert first.status_code == second.status_code == 302
    dossier = store(app).get(dossier_id)
    assert dossier.status == Status.SUBMITTED
    assert [e.action for e in dossier.log].count("submit") == 1
    assert "Đã nộp hồ sơ" in smtp.messages[-1]["Subject"]
    listing = text(client.get("/quan-ly-ho-so"))
    assert "Đã nộp, chờ tiếp nhận" in listing and "Cập nhật hồ sơ</span>" not in listing

    # No more editing or deleting.
    assert client.get(f"/ho-so/{dossier_id}/cap-nhat").status_code == 302
    edit = post(client, f"/ho-so/{dossier_id}/cap-nhat", {"#/capital": ["1"]}, form_page="/quan-ly-ho-so")
    assert edit.status_code == 302
    assert "không thể sửa" in text(client.get(edit.headers["Location"]))
    assert post(client, f"/ho-so/{dossier_id}/xoa", {}, form_page="/quan-ly-ho-so").status_code == 302
    assert store(app).get(dossier_id).status == Status.SUBMITTED


def test_an_unconfirmed_dossier_cannot_be_submitted(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    page = text(client.get(f"/ho-so/{dossier_id}/nop"))
    assert "Hồ sơ chưa được xác nhận" in page
    post(client, f"/ho-so/{dossier_id}/nop", {}, form_page="/quan-ly-ho-so")
    assert store(app).get(dossier_id).status == Status.DRAFT


# -- another citizen sees nothing -----------------------------------------------------------------------

def test_another_citizen_gets_404_for_page_attachment_and_actions(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    upload(client, dossier_id, household, {SLOT: (pdf_bytes(), "cccd.pdf")})
    other = app.test_client()
    add_user(app, "nguoikhac", full_name="Phan Văn Khải", id_number="093080001111")
    login(other, "nguoikhac", PASSWORD)
    for path in (f"/ho-so/{dossier_id}", f"/ho-so/{dossier_id}/cap-nhat", f"/ho-so/{dossier_id}/tep/{SLOT}",
                 f"/ho-so/{dossier_id}/xoa", f"/ho-so/{dossier_id}/nop"):
        assert other.get(path).status_code == 404, path
    assert post(other, f"/ho-so/{dossier_id}/xoa", {}, form_page="/quan-ly-ho-so").status_code == 404
    assert store(app).get(dossier_id) is not None
    assert dossier_id not in other.get("/quan-ly-ho-so").get_data(as_text=True)


def test_the_sample_is_public_and_marked(client, household):
    page = text(client.get(f"/dich-vu/{HOUSEHOLD}/ho-so-mau"))
    assert "MẪU" in page and "Hộ kinh doanh Quán cơm Thanh Tâm" in page
