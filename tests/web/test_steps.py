"""A long form in steps (x-steps): the construction permit's form, one section a page."""

from __future__ import annotations

import copy
import re

import pytest
from werkzeug.datastructures import MultiDict

from tests.browser_form import submit as browser_submit
from tests.web.helpers import login
from web import resources

PERMIT = "cap-giay-phep-xay-dung-nha-o-rieng-le"
CREATE = f"/dich-vu/{PERMIT}/dang-ky-ho-so"


def dossier_form(page_html: str) -> str:
    return re.search(r'<form method="post" enctype="multipart/form-data".*?</form>', page_html, re.S).group(0)


def press(client, path: str, page_html: str, button: str, change=None):
    """Click ``button`` (``~go=next``...) of the page, after ``change(fields)`` as a citizen types."""
    fields = browser_submit(dossier_form(page_html), button)
    if change:
        change(fields)
    return client.post(path, data=fields)


def stored(client, user):
    with client.application.app_context():
        return resources.dossiers().list_by_owner(user.id)


def step_of(page_html: str) -> str:
    return re.search(r'<p class="step-count">([^<]+)</p>', page_html).group(1)


def current(page_html: str) -> str:
    return re.search(r'<li aria-current="step"[^>]*>([^<]+)</li>', page_html).group(1)


def typed(name: str, value: str):
    def change(fields: MultiDict):
        fields.setlist(name, [value])
    return change


@pytest.fixture
def permit(catalog):
    return catalog[PERMIT]


@pytest.fixture
def signed_in(client, citizen):
    assert login(client, citizen.username).status_code == 302
    return citizen


def sample_page(client, permit, step: int = 0) -> MultiDict:
    """What a step's page posts once the citizen has typed the sample's answers."""
    from renderers.html import render_form

    token = browser_submit(dossier_form(client.get(CREATE).get_data(as_text=True))).getlist("csrf_token")
    filled = browser_submit(str(render_form(permit.form_schema, copy.deepcopy(permit.sample))))
    filled.setlist("csrf_token", token)
    filled.setlist("~step", [str(step)])
    return filled


def test_first_step_shows_one_section_with_progress(client, signed_in):
    page = client.get(CREATE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert step_of(html) == "Bước 1/4" and current(html) == "Chủ đầu tư"
    assert 'name="~go" value="next"' in html and 'value="back"' not in html  # no "Quay lại" on step 1
    # The other sections' controls are posted back unseen.
    assert html.count('<div class="step-part" hidden>') == 2


def test_every_step_and_the_review_say_when_the_session_ends(client, signed_in, permit):
    """As the one-page form does (tests/web/test_drafts.py): in words, and for session.js's warning."""
    fields = sample_page(client, permit)
    html = client.get(CREATE).get_data(as_text=True)
    for expected in ("Bước 1/4", "Bước 2/4", "Bước 3/4", "Bước 4/4"):
        assert step_of(html) == expected
        notice = re.search(r'<p class="notice" id="session-end" data-session-seconds="(\d+)".*?</p>', html, re.S)
        assert notice and 43000 < int(notice.group(1)) <= 43200, expected  # 12 h from signing in
        assert "Phiên đăng nhập của bạn kết thúc lúc " in notice.group(0) and "js/session.js" in html
        # The notice sits above the buttons, whose "Lưu nháp" the warning presses.
        assert html.index('id="session-end"') < html.index("data-draft>")
        fields.setlist("~step", [str(int(expected[5]) - 1)])
        html = client.post(CREATE, data=MultiDict([*fields.items(multi=True), ("~go", "next")])).get_data(as_text=True)


def test_an_error_in_step_one_keeps_you_there_with_only_its_messages(client, signed_in):
    html = client.get(CREATE).get_data(as_text=True)
    page = press(client, CREATE, html, "~go=next", typed("#/investor/fullName", ""))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert step_of(html) == "Bước 1/4"
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert "Họ, chữ đệm và tên là bắt buộc" in summary
    assert 'href="#f-investor-fullName"' in summary
    # Nothing of the later steps (the site, the house) is reported yet.
    assert "Địa điểm" not in summary and "Số tầng" not in summary


def test_values_travel_across_steps_back_and_save(client, signed_in, permit):
    fields = sample_page(client, permit)
    page = client.post(CREATE, data=MultiDict([*fields.items(multi=True), ("~go", "next")]))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and step_of(html) == "Bước 2/4" and current(html) == "Địa điểm và thiết kế"
    # Quay lại: step 1 again, with what was typed there.
    back = press(client, CREATE, html, "~go=back").get_data(as_text=True)
    assert step_of(back) == "Bước 1/4" and 'value="Nguyễn Hoàng Long"' in back
    html = press(client, CREATE, back, "~go=next").get_data(as_text=True)
    html = press(client, CREATE, html, "~go=next", typed("#/site/landCertificateNumber", "DĐ 999999")).get_data(as_text=True)
    assert step_of(html) == "Bước 3/4"
    review = press(client, CREATE, html, "~go=next").get_data(as_text=True)
    assert step_of(review) == "Bước 4/4" and current(review) == "Xem lại"
    answers = re.sub(r"<[^>]+>", " ", review.split('class="review-part"', 1)[1].split('class="step-part"', 1)[0])
    for shown in ("Nguyễn Hoàng Long", "DĐ 999999", "Công ty TNHH Tư vấn Thiết kế Xây dựng Phú Gia", "307,2"):
        assert shown in answers
    assert review.count(">Sửa<") == 3 and "Chọn thông tin bạn có" in review
    # Sửa: straight to that section, then Lưu lại from the review page saves everything.
    edit = press(client, CREATE, review, "~go=edit:1").get_data(as_text=True)
    assert current(edit) == "Địa điểm và thiết kế" and 'value="DĐ 999999"' in edit

    def tick(fields):
        fields.setlist("~checklist", [d.id for d in permit.documents if d.mandatory and not d.upload])
    saved = press(client, CREATE, review, "~go=save", tick)
    assert saved.status_code == 302
    mine = stored(client, signed_in)
    assert len(mine) == 1
    expected = copy.deepcopy(permit.sample)
    expected["site"]["landCertificateNumber"] = "DĐ 999999"
    assert mine[0].data == expected
    # The saved dossier opens in steps too, its answers in place, saying it awaits confirmation.
    update = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert step_of(update) == "Bước 1/4" and 'value="Nguyễn Hoàng Long"' in update
    assert "Hồ sơ chưa được xác nhận" in update


def test_the_checklist_ticked_on_the_review_page_survives_sua(client, signed_in, permit):
    fields = sample_page(client, permit, step=3)
    fields.setlist("~checklist", ["giay-to-ve-dat"])
    edit = client.post(CREATE, data=MultiDict([*fields.items(multi=True), ("~go", "edit:0")])).get_data(as_text=True)
    assert current(edit) == "Chủ đầu tư" and '<input type="hidden" name="~checklist" value="giay-to-ve-dat">' in edit
    html = press(client, CREATE, edit, "~go=next").get_data(as_text=True)
    html = press(client, CREATE, html, "~go=next").get_data(as_text=True)
    review = press(client, CREATE, html, "~go=next").get_data(as_text=True)
    assert current(review) == "Xem lại" and 'value="giay-to-ve-dat" checked' in review


def test_save_with_an_error_left_goes_back_to_its_step(client, signed_in, permit):
    fields = sample_page(client, permit, step=3)
    fields.setlist("#/house/height", [""])
    fields.setlist("~checklist", [d.id for d in permit.documents if d.mandatory and not d.upload])
    page = client.post(CREATE, data=MultiDict([*fields.items(multi=True), ("~go", "save")]))
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and current(html) == "Nội dung đề nghị cấp phép"
    assert "error-summary" in html
    assert stored(client, signed_in) == []


def test_a_service_without_steps_is_one_page(client, signed_in):
    html = client.get("/dich-vu/dang-ky-thanh-lap-ho-kinh-doanh/dang-ky-ho-so").get_data(as_text=True)
    assert "step-count" not in html and "Tiếp tục" not in html
    assert "Chọn thông tin bạn có" in html and "Biểu mẫu nhập liệu" in html and "Lưu lại" in html


@pytest.mark.parametrize(("change", "words"), [
    (lambda f: f.pop("x-sections"), "x-steps cần x-sections"),
    (lambda f: f["x-sections"][2]["fields"].remove("commitment"), "'commitment' không thuộc phần nào"),
    (lambda f: f["x-sections"][0]["fields"].append("site"), "'site' đã nằm trong phần 1"),
    (lambda f: f.update({"x-steps": "có"}), "x-steps phải là true hoặc false"),
    (lambda f: f["properties"]["site"].update({"x-steps": True}), "x-steps chỉ đặt ở gốc"),
])
def test_the_lint_refuses_steps_it_cannot_show(tmp_path, change, words):
    import json
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    from web.cli import main

    tree = tmp_path / "schemas"
    shutil.copytree(Path(__file__).resolve().parents[2] / "schemas", tree)
    form_path = tree / PERMIT / "form.schema.json"
    form = json.loads(form_path.read_text(encoding="utf-8"))
    change(form)
    form_path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["schemas", "lint", str(tree)])
    assert result.exit_code == 1 and words in result.stdout, result.stdout


# -- "Lưu nháp" on a step, resumed at that step ------------------------------------------------

DRAFTED = "Đã lưu nháp. Hồ sơ chưa hoàn thành"


def test_a_draft_saved_at_step_two_with_a_required_field_empty_resumes_there(client, signed_in, permit):
    fields = sample_page(client, permit, step=1)
    fields.setlist("#/site/landCertificateNumber", [""])  # required, left empty
    saved = client.post(CREATE, data=MultiDict([*fields.items(multi=True), ("~draft", "1")]))
    assert saved.status_code == 302
    mine = stored(client, signed_in)
    assert len(mine) == 1 and mine[0].incomplete and mine[0].draft_step == 2
    assert "landCertificateNumber" not in mine[0].data["site"]  # kept as typed: nothing there
    assert mine[0].data["investor"]["fullName"] == permit.sample["investor"]["fullName"]  # step 1's too
    assert saved.headers["Location"].endswith(f"/ho-so/{mine[0].id}/cap-nhat?buoc=2")
    resumed = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert DRAFTED in resumed and step_of(resumed) == "Bước 2/4" and current(resumed) == "Địa điểm và thiết kế"
    assert "error-summary" not in resumed  # not checked until "Tiếp tục" or "Lưu lại"
    # "Quản lý hồ sơ" lists it as "Chưa hoàn thành", its "Tiếp tục nhập" at step 2.
    manage = client.get("/quan-ly-ho-so").get_data(as_text=True)
    assert "Chưa hoàn thành" in manage
    link = re.search(r'<a href="([^"]+)">Tiếp tục nhập</a>', manage).group(1)
    assert link == f"/ho-so/{mine[0].id}/cap-nhat?buoc=2"
    again = client.get(link).get_data(as_text=True)
    assert step_of(again) == "Bước 2/4" and "Lưu nháp" in again


def test_every_step_has_a_draft_button_and_a_draft_of_a_saved_dossier_skips_the_step_s_check(client, signed_in, permit):
    html = client.get(CREATE).get_data(as_text=True)
    assert 'name="~draft" value="1"' in html
    fields = sample_page(client, permit, step=3)
    fields.setlist("#/house/height", [""])
    first = client.post(CREATE, data=MultiDict([*fields.items(multi=True), ("~draft", "1")]))
    dossier = stored(client, signed_in)[0]
    assert first.headers["Location"].endswith("?buoc=4") and dossier.draft_step == 4
    # From step 1 of the saved draft, the investor's name cleared: kept, resumed at step 1.
    page = client.get(f"/ho-so/{dossier.id}/cap-nhat?buoc=1").get_data(as_text=True)
    again = press(client, f"/ho-so/{dossier.id}/cap-nhat", page, "~draft=1", typed("#/investor/fullName", ""))
    assert again.status_code == 302 and again.headers["Location"].endswith("?buoc=1")
    kept = stored(client, signed_in)[0]
    assert kept.incomplete and "fullName" not in kept.data["investor"] and kept.draft_step == 1
    assert "height" not in kept.data["house"]


@pytest.mark.parametrize(("asked", "shown"), [("abc", "Bước 1/4"), ("99", "Bước 4/4"), ("0", "Bước 1/4"),
                                              ("-3", "Bước 1/4"), ("3", "Bước 3/4"), ("", "Bước 1/4")])
def test_a_bad_step_in_the_address_opens_a_step_within_bounds(client, signed_in, permit, asked, shown):
    fields = sample_page(client, permit, step=0)
    client.post(CREATE, data=MultiDict([*fields.items(multi=True), ("~draft", "1")]))
    dossier = stored(client, signed_in)[0]
    page = client.get(f"/ho-so/{dossier.id}/cap-nhat?buoc={asked}")
    assert page.status_code == 200 and step_of(page.get_data(as_text=True)) == shown


# -- returned for correction, field by field ------------------------------------------------------

MARKED = "/site/landCertificateNumber"
NOTE = "Số giấy chứng nhận không khớp bản chụp"


def return_for_correction(app, citizen, clerk, permit, now):
    """The permit, with the required scans as stored records (their bytes are never read),
    submitted by ``citizen``, then returned by ``clerk`` through the desk's own form with one
    field (MARKED, with NOTE) and one document marked. Also tests/e2e/test_steps_return.py."""
    from engine import lifecycle
    from engine.accounts import to_actor
    from engine.dossier import Attachment
    from tests.web.helpers import PASSWORD
    from tests.web.test_desk import act

    store, me = resources.portal(app).dossiers, to_actor(citizen)
    with app.app_context():
        dossier = store.add(lifecycle.create(permit, me, copy.deepcopy(permit.sample),
                                             [d.id for d in permit.documents if d.mandatory], now, citizen.id_number))
        for d in permit.documents:
            if d.upload and d.upload.required:
                dossier = store.update(lifecycle.attach(dossier, permit, me, d.id, Attachment(
                    file_id="f-" + d.id, filename=d.id + ".pdf", media_type="application/pdf", size=10,
                    sha256="0" * 64, uploaded_at=now), now))
        dossier = store.update(lifecycle.confirm(dossier, me, now))
        dossier = store.update(lifecycle.submit(dossier, permit, me, now))
    desk = app.test_client()
    assert login(desk, clerk.username, PASSWORD).status_code == 302
    assert act(desk, dossier.id, "yeu-cau-bo-sung", note="Sửa các mục được đánh dấu.",
               corrections=[MARKED, "doc:ban-ve-thiet-ke"], **{"corrections-note:" + MARKED: NOTE}).status_code == 303
    return store.get(dossier.id)


@pytest.fixture
def returned(app, signed_in, permit, clerk):
    from tests.web.test_desk import WED, at

    resources.portal(app).clock = at(WED)
    return return_for_correction(app, signed_in, clerk, permit, WED)


def test_the_stepped_pages_of_a_returned_dossier_show_the_marks_and_lock_the_rest(client, returned, permit):
    path = f"/ho-so/{returned.id}/cap-nhat"
    assert [c.pointer for c in returned.corrections if c.pointer] == [MARKED]
    first = client.get(path).get_data(as_text=True)
    assert step_of(first) == "Bước 1/4" and NOTE in first  # the desk's list, on every step
    assert 'value="edit:1"' in first  # "Sửa ở bước 2" for the mark of another step
    # ...a button of the form, after the hidden one that Enter in a text box presses ("Tiếp tục").
    assert re.search(r'<button type="submit"[^>]*>', dossier_form(first)).group(0).endswith('value="enter">')
    name = re.search(r'<fieldset class="locked" disabled>(?:(?!</fieldset>).)*name="#/investor/fullName"', first, re.S)
    assert name, "the unmarked name is read-only"

    second = press(client, path, first, "~go=next").get_data(as_text=True)
    assert step_of(second) == "Bước 2/4"
    box = re.search(r'<div class="correction" id="[^"]+-fix-box">(?:(?!<div class="correction").)*?'
                    r'name="#/site/landCertificateNumber"', second, re.S)
    assert box and NOTE in box.group(0)  # the control inside the highlighted box, with the clerk's note
    number = re.search(r'<input[^>]*name="#/site/landCertificateNumber"[^>]*>', second).group(0)
    assert "disabled" not in number
    assert re.search(r'<fieldset class="locked" disabled>(?:(?!</fieldset>).)*name="#/site/plotNumber"', second, re.S)

    def change(fields):
        fields.setlist("#/site/landCertificateNumber", ["DĐ 123456"])
        fields.setlist("#/investor/fullName", ["Người Khác"])  # a crafted post for an unmarked field
        fields.setlist("#/site/plotNumber", ["999"])
    third = press(client, path, second, "~go=next", change).get_data(as_text=True)
    review = press(client, path, third, "~go=next").get_data(as_text=True)
    assert current(review) == "Xem lại"
    marked_part = re.search(r'<section class="review-part correction".*?</section>', review, re.S).group(0)
    assert "Cần sửa:" in marked_part and NOTE in marked_part and "Địa điểm và thiết kế" in marked_part
    assert review.count('class="review-part correction"') == 1
    assert re.search(r'<input[^>]*name="~file/giay-to-ve-dat"[^>]*disabled', review)  # unmarked document
    assert not re.search(r'<input[^>]*name="~file/ban-ve-thiet-ke"[^>]*disabled', review)
    assert "DĐ 123456" in review and "Người Khác" not in review

    def crafted(fields):
        fields.setlist("#/investor/fullName", ["Người Khác"])
    saved = press(client, path, review, "~go=save", crafted)
    assert saved.status_code == 302
    with client.application.app_context():
        after = resources.dossiers().get(returned.id)
    assert after.data["site"]["landCertificateNumber"] == "DĐ 123456"
    assert after.data["investor"]["fullName"] == returned.data["investor"]["fullName"]
    assert after.data["site"]["plotNumber"] == returned.data["site"]["plotNumber"]
