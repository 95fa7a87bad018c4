"""Issue 15 in a browser, at desktop and at phone width: a household business form saved
with "Lưu nháp" while incomplete (the owner's name empty, the capital typed in words),
marked "Chưa hoàn thành" in "Quản lý hồ sơ" and resumed from there with what was typed;
"Lưu lại" then shows the form's errors. The form says when the session ends, and a few
minutes before, its script warns and offers "Lưu nháp". Screenshots in
outputs/screenshots/draft/.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.test_desk_walk import menu, sign_in
from tests.e2e.walk import Walk, expect
from tests.web.helpers import add_user
from web import resources

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
BUSINESS = "Hộ kinh doanh Tiệm may Kim Ngân"
CAPITAL = "một trăm triệu"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_draft_saved_incomplete_and_resumed(app, portal, open_context, smtp, width):
    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234",
                       email="ngoc.tran@example.com")
    page = open_context(width).new_page()
    walk = Walk(page, "draft", width)
    sign_in(walk, portal, "congdan", "cong-dan")

    # The create page: its session notice, the business name and the capital in words, the
    # owner's name emptied, then "Lưu nháp"
    page.goto(f"{portal}/dich-vu/{HOUSEHOLD}/dang-ky-ho-so")
    expect(page.locator("#session-end")).to_contain_text("Phiên đăng nhập của bạn kết thúc lúc")
    expect(page.locator("#session-warning")).to_have_count(0)  # 12 hours left: no warning
    page.get_by_label(re.compile("^Tên hộ kinh doanh")).fill(BUSINESS)
    page.get_by_label(re.compile(r"^Vốn kinh doanh \(đồng\)")).fill(CAPITAL)
    page.locator("#f-owner-fullName").fill("")
    walk.step("dang-ky-chua-xong")
    walk.press(page.get_by_role("button", name="Lưu nháp", exact=True))
    expect(page.get_by_role("status")).to_contain_text("Đã lưu nháp")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cập nhật hồ sơ")
    walk.step("da-luu-nhap")
    (mine,) = resources.portal(app).dossiers.list_by_owner(citizen.id)
    assert mine.incomplete and mine.data["capital"] == CAPITAL
    assert smtp.messages == [], "no confirmation link for a half-filled form"

    # Quản lý hồ sơ: "Chưa hoàn thành", and "Tiếp tục nhập" resumes it
    walk.press(menu(page).get_by_role("link", name="Quản lý hồ sơ"))
    row = page.get_by_role("row").filter(has_text=BUSINESS)
    expect(row).to_contain_text("Chưa hoàn thành")
    walk.step("quan-ly-ho-so-chua-hoan-thanh")
    walk.press(row.get_by_role("link", name="Tiếp tục nhập"))
    expect(page.get_by_label(re.compile(r"^Vốn kinh doanh \(đồng\)"))).to_have_value(CAPITAL)
    expect(page.get_by_label(re.compile("^Tên hộ kinh doanh"))).to_have_value(BUSINESS)
    expect(page.get_by_text("Hồ sơ chưa hoàn thành (đã lưu nháp)")).to_be_visible()

    # "Lưu lại": the full check, its errors, nothing typed lost
    walk.press(page.get_by_role("button", name="Lưu lại", exact=True).last)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Vốn kinh doanh")
    expect(summary).to_contain_text("Họ, chữ đệm và tên")
    expect(page.get_by_label(re.compile(r"^Vốn kinh doanh \(đồng\)"))).to_have_value(CAPITAL)
    walk.step("luu-lai-bao-loi")
    assert resources.portal(app).dossiers.get(mine.id).incomplete

    # Four minutes left: the script warns, and its "Lưu nháp" keeps the page's changes
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(minutes=4)
    page.goto(f"{portal}/ho-so/{mine.id}/cap-nhat")
    warning = page.get_by_role("alert").filter(has_text="Phiên đăng nhập sẽ kết thúc sau khoảng")
    expect(warning).to_be_visible()
    page.get_by_label(re.compile("^Tên hộ kinh doanh")).fill(BUSINESS + " 2")
    walk.step("canh-bao-het-phien")
    walk.press(warning.get_by_role("button", name="Lưu nháp"))
    expect(page.get_by_role("status")).to_contain_text("Đã lưu nháp")
    assert resources.portal(app).dossiers.get(mine.id).data["business"]["name"] == BUSINESS + " 2"
    walk.finish()
