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
