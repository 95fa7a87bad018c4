"""Issue 15 in a browser, at 1280 and 360 px, every page photographed and checked with
axe-core (outputs/screenshots/lookup_detail/ and login_dialog/):

- "Tra cứu hồ sơ" by ID number finds a dossier refused before acceptance (so without a
  receipt number): its "Xem chi tiết" shows the status, the reason and the processing log;
- "Đăng nhập" opens the guide's dialog ("Một hộp thoại hiện lên…"): focus in "Tên truy
  cập", Escape closes it and focus is back on the link; a wrong password shows the login
  page's error, the dialog then signs in; without JavaScript the link is the login page;
- the favicon answers.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from engine.dossier import Role
from tests.e2e.conftest import WIDTHS
from tests.e2e.walk import SCREENSHOTS, Walk, expect
from tests.web.helpers import PASSWORD, add_user
from web import resources

CITIZEN = "Nguyễn Thị Thanh Tâm"
USERNAME = "thanhtam"
ID_NUMBER = "093186004527"
CLERK = "Lê Văn Hùng"
REASON = "Địa điểm kinh doanh nằm trong khu vực cấm kinh doanh theo quy hoạch của phường"


def seed(app, household):
    """A citizen with one dossier refused at the desk before it was accepted."""
    citizen = add_user(app, USERNAME, full_name=CITIZEN, id_number=ID_NUMBER, email="thanhtam@example.com")
    clerk = add_user(app, "canbo", full_name=CLERK, role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"], phone=None)
    store = resources.portal(app).dossiers
    me, desk = to_actor(citizen), to_actor(clerk)
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) - dt.timedelta(days=1)
    dossier = store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), [], now, ID_NUMBER))
    dossier = store.update(lifecycle.confirm(dossier, me, now))
    dossier = store.update(lifecycle.submit(dossier, household, me, now))
    return store.update(lifecycle.reject(dossier, desk, REASON, now + dt.timedelta(hours=2)))


def menu(page):
    return page.get_by_role("navigation", name="Menu chính")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_lookup_detail_of_a_dossier_refused_before_acceptance(request, app, portal, household, width):
    refused = seed(app, household)
    page = request.getfixturevalue(width).new_page()
    walk = Walk(page, "lookup_detail", width)
    page.goto(portal + "/")
    walk.press(menu(page).get_by_role("link", name="Tra cứu hồ sơ"))
    walk.step("tra-cuu")
    page.get_by_label("Biên nhận hoặc Số CMND/CCCD").fill(ID_NUMBER)
    walk.press(page.get_by_role("button", name="Tra cứu", exact=True))
    results = page.locator(".lookup-results")
    expect(results.get_by_role("table")).to_contain_text("Từ chối")
    expect(results.get_by_role("table")).to_contain_text("Chưa cấp")
    walk.step("tra-cuu-ket-qua")
    walk.press(results.get_by_role("link", name=re.compile("^Xem chi tiết")), navigates=False)
    detail = page.locator(".lookup-detail")
    expect(detail).to_be_in_viewport()
    expect(detail.get_by_role("heading", level=3)).to_have_text(f"Chi tiết hồ sơ: {household.info.name}")
    expect(detail.locator("dd.refusal")).to_have_text(REASON)
    log = detail.locator("ol.log li")
    expect(log).to_have_count(2)
    expect(log.nth(0)).to_contain_text("Nộp hồ sơ đến Bộ phận một cửa")
    expect(log.nth(1)).to_contain_text("Từ chối giải quyết hồ sơ")
    expect(log.nth(1)).to_contain_text(REASON)
    walk.step("tra-cuu-chi-tiet-tu-choi")
    shown = page.locator("main").inner_text()
    for private in (CITIZEN, CLERK, refused.id, "Quán cơm"):
        assert private not in shown, private
    assert shown.count(ID_NUMBER) == 0, "the ID number only in the field's value"
    walk.finish()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_login_dialog_with_ten_truy_cap(request, app, portal, household, width):
    seed(app, household)
    page = request.getfixturevalue(width).new_page()
    walk = Walk(page, "login_dialog", width)
    page.goto(portal + "/tra-cuu")
    link = menu(page).get_by_role("link", name="Đăng nhập")
    dialog = page.get_by_role("dialog", name="Đăng nhập")
    expect(dialog).to_be_hidden()

    walk.press(link, navigates=False)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Tên truy cập")).to_be_focused()
    expect(dialog.get_by_label("Mật khẩu", exact=True)).to_be_visible()
    assert page.url == portal + "/tra-cuu", "a dialog, not a page"
    walk.step("dang-nhap-hop-thoai")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()

    walk.press(link, navigates=False)  # again, and a wrong password: the login page's error
    dialog.get_by_label("Tên truy cập").fill(USERNAME)
    dialog.get_by_label("Mật khẩu", exact=True).fill("khong-phai-mat-khau")
    walk.press(dialog.get_by_role("button", name="Đăng nhập"))
    expect(page.get_by_role("alert")).to_contain_text("Tên truy cập hoặc mật khẩu không đúng")
    expect(page.get_by_role("main").get_by_label("Tên truy cập")).to_have_value(USERNAME)
    walk.step("dang-nhap-sai-mat-khau")
    page.goto(portal + "/tra-cuu")

    walk.press(link, navigates=False)  # "Bỏ qua" closes it too
    walk.press(dialog.get_by_role("button", name="Bỏ qua"), navigates=False)
    expect(dialog).to_be_hidden()
    expect(link).to_be_focused()
    walk.press(link, navigates=False)
    dialog.get_by_label("Tên truy cập").fill(USERNAME)
    dialog.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    walk.press(dialog.get_by_role("button", name="Đăng nhập"))
    expect(menu(page).get_by_role("link", name=f"Xin chào: {CITIZEN}")).to_be_visible()
    assert page.url == portal + "/tra-cuu", "back to the page the dialog was opened on"
    walk.step("da-dang-nhap")
    walk.finish()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_without_javascript_the_link_is_the_login_page(browser, app, portal, household, width):
    seed(app, household)
    context = browser.new_context(locale="vi-VN", java_script_enabled=False, **WIDTHS[width])
    try:
        context.set_default_timeout(10_000)
        page = context.new_page()
        # No Walk: axe-core runs as a script, which this page does not (the login page is
        # checked in tests/e2e/test_citizen_walk.py); a screenshot of the page.
        page.goto(portal + "/")
        expect(page.get_by_role("dialog")).to_have_count(0)  # closed: not shown, not in the way
        with page.expect_navigation():
            menu(page).get_by_role("link", name="Đăng nhập").click()
        assert page.url == portal + "/dang-nhap"
        expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
        SCREENSHOTS.joinpath("login_dialog").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "login_dialog" / f"khong-javascript-trang-dang-nhap-{width}.png",
                        full_page=True)
        page.get_by_label("Tên truy cập").fill(USERNAME)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("main").get_by_role("button", name="Đăng nhập").click()
        expect(menu(page).get_by_role("link", name=f"Xin chào: {CITIZEN}")).to_be_visible()
    finally:
        context.close()


def test_the_favicon_answers(desktop, portal):
    page = desktop.new_page()
    page.goto(portal + "/")
    for path, kind in (("/favicon.ico", "image/vnd.microsoft.icon"), ("/favicon.svg", "image/svg+xml")):
        response = page.request.get(portal + path)
        assert response.status == 200 and response.headers["content-type"].startswith(kind), path
    links = page.locator('link[rel="icon"]')
    expect(links).to_have_count(2)
