"""Issue 15 in a browser: a long form walked in steps (x-steps) with JavaScript disabled,
at desktop and at phone width: "Bước 1/4", an error of step 1 keeps the citizen there,
"Tiếp tục" and "Quay lại" keep what was typed, "Xem lại" shows every answer, "Sửa" goes
back to a part, "Lưu lại" saves; "Lưu nháp" on step 2 with a required field empty keeps
the dossier, and "Tiếp tục nhập" in "Quản lý hồ sơ" opens it at step 2 again. axe-core needs JavaScript: the same walk is made again
in a JavaScript-enabled context, which takes the screenshots and runs axe on every page
(outputs/screenshots/steps/).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from tests.e2e.conftest import WIDTHS
from tests.e2e.walk import Walk, expect
from tests.web.helpers import PASSWORD, add_user
from web import resources

PERMIT = "cap-giay-phep-xay-dung-nha-o-rieng-le"


class Quiet:
    """A walk without screenshots or axe (the JavaScript-disabled visit)."""

    def __init__(self, page, width: str):
        self.page, self.width = page, width

    def step(self, name: str) -> None:
        self.page.wait_for_load_state("load")

    def press(self, target) -> None:
        with self.page.expect_navigation():
            (target.tap if self.width == "phone" else target.click)()


def sign_in(page, portal: str) -> None:
    page.goto(portal + "/dang-nhap")
    page.get_by_label("Tên truy cập").fill("congdan")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Đăng nhập").click()


def walk_in_steps(walk, portal: str, dossier_id: str, app) -> None:
    page = walk.page
    page.goto(f"{portal}/ho-so/{dossier_id}/cap-nhat")
    progress = page.locator(".step-count")
    expect(progress).to_have_text("Bước 1/4")
    expect(page.locator('[aria-current="step"]')).to_have_text("Chủ đầu tư")
    expect(page.get_by_label("Số nhà, đường, ấp/khu vực").first).to_be_visible()
    expect(page.get_by_label("Số hiệu Giấy chứng nhận quyền sử dụng đất", exact=False)).to_be_hidden()
    walk.step("buoc-1")

    # An error of step 1: stays on step 1, said in the summary and at the field
    name = page.get_by_label("Họ, chữ đệm và tên", exact=False).first
    name.fill("")
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    expect(progress).to_have_text("Bước 1/4")
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("link", name="Họ, chữ đệm và tên là bắt buộc")).to_be_visible()
    walk.step("buoc-1-loi")
    page.get_by_label("Họ, chữ đệm và tên", exact=False).first.fill("Nguyễn Hoàng Minh")
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    expect(progress).to_have_text("Bước 2/4")
    walk.step("buoc-2")

    # Quay lại keeps what was typed
    walk.press(page.get_by_role("button", name="Quay lại"))
    expect(progress).to_have_text("Bước 1/4")
    expect(page.get_by_label("Họ, chữ đệm và tên", exact=False).first).to_have_value("Nguyễn Hoàng Minh")
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    expect(progress).to_have_text("Bước 3/4")
    walk.step("buoc-3")
    walk.press(page.get_by_role("button", name="Tiếp tục"))

    # Xem lại: every answer, a Sửa per part, the checklist and the uploads
    expect(progress).to_have_text("Bước 4/4")
    review = page.locator(".review-part")
    expect(review).to_have_count(3)
    expect(review.first).to_contain_text("Nguyễn Hoàng Minh")
    expect(review.nth(1)).to_contain_text("Công ty TNHH Tư vấn Thiết kế Xây dựng Phú Gia")
    expect(page.get_by_role("heading", name="Chọn thông tin bạn có")).to_be_visible()
    expect(page.get_by_role("heading", name="Giấy tờ đính kèm")).to_be_visible()
    walk.step("xem-lai")
    walk.press(page.get_by_role("button", name=re.compile(r"^Sửa\s*:\s*Địa điểm và thiết kế$")))
    expect(page.locator('[aria-current="step"]')).to_have_text("Địa điểm và thiết kế")
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    walk.press(page.get_by_role("button", name="Lưu lại").last)
    expect(page.get_by_text("Cập nhật hồ sơ thành công.")).to_be_visible()
    walk.step("da-luu")
    with app.app_context():
        saved = resources.dossiers().get(dossier_id)
    assert saved.data["investor"]["fullName"] == "Nguyễn Hoàng Minh"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_form_walked_in_steps_without_javascript(app, portal, catalog, browser, open_context, width):
    twice(app, portal, catalog, browser, open_context, width, walk_in_steps, "steps")


def twice(app, portal: str, catalog, browser, open_context, width: str, walk_through, shots: str) -> None:
    """``walk_through`` a fresh permit dossier without JavaScript (what must work), then another
    with it, taking the screenshots and axe checks at this width into outputs/screenshots/``shots``."""
    permit = catalog[PERMIT]
    citizen = add_user(app, "congdan", full_name="Nguyễn Hoàng Long", id_number="093084007315",
                       email="hoanglong@example.com")
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    with app.app_context():
        store = resources.portal(app).dossiers
        ids = [store.add(lifecycle.create(permit, to_actor(citizen), copy.deepcopy(permit.sample), [], now,
                                          citizen.id_number)).id for _ in range(2)]
    context = browser.new_context(java_script_enabled=False, locale="vi-VN", **WIDTHS[width])
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, portal)
        walk_through(Quiet(page, width), portal, ids[0], app)
    finally:
        context.close()
    page = open_context(width).new_page()
    walk = Walk(page, shots, width)
    sign_in(page, portal)
    walk_through(walk, portal, ids[1], app)
    walk.finish()


def draft_at_step_two(walk, portal: str, dossier_id: str, app) -> None:
    page = walk.page
    page.goto(f"{portal}/ho-so/{dossier_id}/cap-nhat")
    progress = page.locator(".step-count")
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    expect(progress).to_have_text("Bước 2/4")
    number = page.locator("[name='#/site/landCertificateNumber']")
    number.fill("")  # required: "Tiếp tục" would refuse; "Lưu nháp" keeps it as it is
    page.locator("[name='#/site/plotNumber']").fill("77")
    walk.press(page.get_by_role("button", name="Lưu nháp"))
    expect(page.get_by_role("status")).to_contain_text("Đã lưu nháp")
    expect(progress).to_have_text("Bước 2/4")
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Hồ sơ chưa hoàn thành (đã lưu nháp)")
    walk.step("luu-nhap-buoc-2")
    with app.app_context():
        kept = resources.dossiers().get(dossier_id)
    assert kept.incomplete and kept.data["site"]["plotNumber"] == 77
    assert "landCertificateNumber" not in kept.data["site"]

    # Later, from "Quản lý hồ sơ": "Chưa hoàn thành", and "Tiếp tục nhập" resumes at step 2
    page.goto(f"{portal}/")
    walk.press(page.get_by_role("navigation", name="Menu chính").get_by_role("link", name="Quản lý hồ sơ"))
    resume = page.locator(f"a[href*='/ho-so/{dossier_id}/cap-nhat?buoc=2']").filter(has_text="Tiếp tục nhập")
    expect(page.get_by_role("main")).to_contain_text("Chưa hoàn thành")
    walk.step("quan-ly-chua-hoan-thanh")
    walk.press(resume)
    expect(progress).to_have_text("Bước 2/4")
    expect(page.locator('[aria-current="step"]')).to_have_text("Địa điểm và thiết kế")
    expect(page.locator("[name='#/site/plotNumber']")).to_have_value("77")
    expect(number).to_have_value("")
    walk.step("tiep-tuc-buoc-2")
    # "Tiếp tục" now checks the step: the empty number is reported, nothing is lost
    walk.press(page.get_by_role("button", name="Tiếp tục"))
    expect(progress).to_have_text("Bước 2/4")
    expect(page.locator(".error-summary")).to_be_visible()
    walk.step("tiep-tuc-buoc-2-loi")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_draft_saved_at_step_two_resumes_there_without_javascript(app, portal, catalog, browser, open_context,
                                                                     width):
    twice(app, portal, catalog, browser, open_context, width, draft_at_step_two, "steps_draft")
