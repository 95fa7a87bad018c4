"""The portal's tables on a 360px phone and a 1280px desktop (issue: "Quản lý hồ sơ"
scrolled sideways on a phone and its action icons were off the screen).

Below 640px every row of "Quản lý hồ sơ", the desk's inbox, the services' administration
and "Tra cứu hồ sơ" is a card: the page does not scroll sideways, each cell shows its
column's name, and each row's links, buttons and checkboxes are inside the screen and at
least 44×44px. On the desktop they stay tables. Every page is photographed and checked
with axe-core (outputs/screenshots/phone_tables/).
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
from engine.receipts import new_receipt_number
from tests.e2e.walk import Walk, expect
from tests.web.helpers import PASSWORD, add_user
from web import resources

CITIZEN = "Nguyễn Thị Thanh Tâm"
ID_NUMBER = "093186004527"
LONG_NAME = "cap-ban-sao-trich-luc-ho-tich"  # the longest name of a service taking dossiers online
TARGET = 44  # px, WCAG 2.5.5 (Target Size, enhanced)

# Each row's controls as a finger meets them: a checkbox by its label when it has one.
ROW_CONTROLS = """table => [...table.tBodies[0].rows].map((row, i) => {
  const seen = new Set();
  for (const el of row.querySelectorAll("a[href], button, input:not([type=hidden]), select")) {
    const target = el.matches("input[type=checkbox], input[type=radio]") && el.closest("label") || el;
    seen.add(target);
  }
  return [...seen].map(el => {
    const r = el.getBoundingClientRect();
    return {row: i, name: (el.getAttribute("aria-label") || el.textContent || el.querySelector("input")?.getAttribute("aria-label") || "").trim().replace(/\\s+/g, " "),
            left: r.left, right: r.right, width: r.width, height: r.height};
  });
}).flat()"""
# Cells whose column name is not shown beside them (a phone's cards must show every one).
UNLABELLED = """table => [...table.tBodies[0].querySelectorAll("td[data-label]")]
  .filter(td => getComputedStyle(td, "::before").content !== JSON.stringify(td.dataset.label))
  .map(td => td.dataset.label)"""


def seed(app, catalog, household):
    """A citizen with a dossier in each state a row can be in; two of them late at the desk."""
    citizen = add_user(app, "thanhtam", full_name=CITIZEN, id_number=ID_NUMBER, email="thanhtam@example.com")
    clerk = add_user(app, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK,
                     agencies=["ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"], phone=None)
    add_user(app, "quantri", full_name="Phạm Quốc Bảo", role=Role.ADMIN, phone=None)
    store = resources.portal(app).dossiers
    me = to_actor(citizen)
    desk = to_actor(clerk)
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))

    def dossier(service, when, checklist=("giay-de-nghi",)):
        return store.add(lifecycle.create(service, me, copy.deepcopy(service.sample), list(checklist), when,
                                          citizen.id_number))

    long_service = catalog[LONG_NAME]
    # A draft (view, update, delete), with the (*) documents ticked as the page requires.
    dossier(long_service, now, [d.id for d in long_service.documents if d.mandatory and not d.from_form])
    store.update(lifecycle.confirm(dossier(household, now), me, now))  # confirmed: all four actions
    for days_ago, late in ((40, True), (20, True), (0, False)):
        when = now - dt.timedelta(days=days_ago)
        submitted = store.update(lifecycle.submit(store.update(lifecycle.confirm(dossier(household, when), me, when)),
                                                  household, me, when))
        if days_ago:
            store.update(lifecycle.accept(submitted, household, desk, when, new_receipt_number))
    return citizen


def sign_in(context, portal: str, username: str):
    page = context.new_page()
    page.goto(portal + "/dang-nhap")
    page.get_by_label("Tên truy cập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("navigation", name="Menu chính").get_by_role("link", name=re.compile("^Xin chào: ")))\
        .to_be_visible()
    return page


def check_table(walk: Walk, table_class: str, rows: int, step: str, every_row_acts: bool = True) -> None:
    """Photograph the page, then check its table of ``rows`` rows at this width."""
    page = walk.page
    table = page.locator(f"table.{table_class}")
    expect(table.locator("tbody > tr")).to_have_count(rows)
    walk.step(step)
    if walk.width == "desktop":
        # Unchanged on the desktop: a table with its header row; no card labels.
        assert table.evaluate("t => getComputedStyle(t).display") == "table"
        expect(table.locator("thead th").first).to_be_visible()
        assert table.evaluate("t => [...t.querySelectorAll('td[data-label]')].every("
                              "td => getComputedStyle(td, '::before').content === 'none')")
        return
    view = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert view[0] <= view[1], f"{step}: the page is {view[0]}px wide in a {view[1]}px viewport"
    assert table.evaluate(UNLABELLED) == [], f"{step}: cells without their column's name"
    controls = table.evaluate(ROW_CONTROLS)
    if every_row_acts:
        assert {c["row"] for c in controls} == set(range(rows)), f"{step}: a row without a control: {controls}"
    for c in controls:
        where = f"{step}, row {c['row'] + 1}, {c['name']!r}"
        assert c["left"] >= 0 and c["right"] <= view[1], f"{where}: off the screen ({c['left']:.0f}–{c['right']:.0f}px)"
        assert c["width"] >= TARGET and c["height"] >= TARGET, \
            f"{where}: {c['width']:.0f}×{c['height']:.0f}px, smaller than {TARGET}×{TARGET}px"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_tables_read_as_cards_on_a_phone(app, portal, catalog, household, open_context, width):
    seed(app, catalog, household)

    # The citizen: Quản lý hồ sơ, every dossier with its actions
    citizen = sign_in(open_context(width), portal, "thanhtam")
    walk = Walk(citizen, "phone_tables", width)
    citizen.goto(portal + "/quan-ly-ho-so")
    check_table(walk, "dossier-list", 5, "quan-ly-ho-so")
    row = citizen.get_by_role("row").filter(has_text="Đã xác nhận")
    for action in ("Xem thông tin hồ sơ", "Cập nhật hồ sơ", "Xóa hồ sơ", "Nộp hồ sơ"):
        expect(row.get_by_role("link", name=action)).to_be_visible()
    walk.press(row.get_by_role("link", name="Nộp hồ sơ"))  # a tap on the phone
    expect(citizen.get_by_role("alertdialog", name="Bạn chắc chắn muốn nộp hồ sơ này?")).to_be_visible()

    # Tra cứu hồ sơ by the ID number: the three dossiers sent to the desk (the one not yet
    # accepted has no receipt number, so no link to its details)
    citizen.goto(portal + "/tra-cuu")  # the number is posted, never put in the address
    citizen.get_by_label("Biên nhận hoặc Số CMND/CCCD").fill(ID_NUMBER)
    walk.press(citizen.get_by_role("button", name="Tra cứu"))
    check_table(walk, "lookup-table", 3, "tra-cuu", every_row_acts=False)

    # The clerk: the inbox (two rows late), then the statistics
    clerk = walk.also(sign_in(open_context(width), portal, "canbo"))
    clerk.page.goto(portal + "/mot-cua/")
    check_table(clerk, "inbox", 3, "mot-cua-hop-thu")
    expect(clerk.page.locator("table.inbox tr.overdue")).to_have_count(2)
    box = clerk.page.get_by_role("checkbox", name=re.compile("^Chọn hồ sơ .* để in$")).first
    clerk.press(box.locator("xpath=.."), navigates=False)  # its label, the finger-sized target
    expect(box).to_be_checked()
    clerk.page.goto(portal + "/mot-cua/thong-ke")
    clerk.step("mot-cua-thong-ke")
    assert clerk.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    if width == "phone":
        figure = clerk.page.locator("table.figures tbody td").nth(1)
        expect(figure.locator(".cell-label")).to_be_visible()  # the number's name, under it

    # The administrator: the services, each with its two actions
    admin = walk.also(sign_in(open_context(width), portal, "quantri"))
    admin.page.goto(portal + "/quan-tri/dich-vu")
    check_table(admin, "authoring-list", len(catalog.latest()), "quan-tri-dich-vu")
    walk.finish()
