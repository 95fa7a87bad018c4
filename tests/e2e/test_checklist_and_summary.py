"""Issue 15 in a browser, at desktop and at phone width: a (*) item of "Chọn thông tin bạn
có" left unticked is refused at "Lưu lại", said at the checklist and in the error summary,
with nothing typed lost; two drafts of one service are told apart by their summary in
"Quản lý hồ sơ" and in the delete dialog. Screenshots in outputs/screenshots/checklist_and_summary/.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from tests.e2e.test_desk_walk import menu, sign_in
from tests.e2e.walk import Walk, expect
from tests.web.helpers import add_user
from web import resources

BIRTH = "dang-ky-khai-sinh"
ID_PAPER = "giay-to-tuy-than"
FIRST, SECOND = "Hộ kinh doanh Quán cơm Thanh Tâm", "Hộ kinh doanh Tiệm bánh Hồng Phát"


def drafts(app, catalog, household):
    """The citizen's drafts: two household businesses and a birth registration."""
    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234",
                       email="ngoc.tran@example.com")
    store, me = resources.portal(app).dossiers, to_actor(citizen)
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    for name in (FIRST, SECOND):
        data = copy.deepcopy(household.sample)
        data["business"]["name"] = name
        store.add(lifecycle.create(household, me, data, ["giay-de-nghi"], now, citizen.id_number))
    birth = catalog.get(BIRTH)
    return store.add(lifecycle.create(birth, me, copy.deepcopy(birth.sample), [ID_PAPER], now, citizen.id_number))


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_checklist_and_summary(app, portal, catalog, household, open_context, width):
    birth_dossier = drafts(app, catalog, household)
    birth = catalog.get(BIRTH)
    id_paper = birth.document(ID_PAPER).name
    page = open_context(width).new_page()
    walk = Walk(page, "checklist_and_summary", width)
    sign_in(walk, portal, "congdan", "cong-dan")

    # Quản lý hồ sơ: the two household drafts, each with its business name
    walk.press(menu(page).get_by_role("link", name="Quản lý hồ sơ"))
    rows = page.get_by_role("row")
    for name in (FIRST, SECOND):
        expect(rows.filter(has_text=name)).to_have_count(1)
    expect(rows.filter(has_text=birth.sample["child"]["fullName"])).to_have_count(1)
    walk.step("quan-ly-ho-so-tom-tat")

    # The delete dialog says which one
    walk.press(rows.filter(has_text=SECOND).get_by_role("link", name="Xóa hồ sơ"))
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Bạn chắc chắn muốn xóa hồ sơ này?")
    expect(dialog).to_contain_text(f"({SECOND})")
    expect(dialog).not_to_contain_text(FIRST)
    walk.step("hop-thoai-xoa-tom-tat")
    walk.press(dialog.get_by_role("link", name="Bỏ qua"))

    # The birth registration: its (*) identity paper unticked, the child's name changed, Lưu lại
    walk.press(page.get_by_role("row").filter(has_text=birth.sample["child"]["fullName"])
               .get_by_role("link", name="Cập nhật hồ sơ"))
    checklist = page.get_by_role("group", name="Giấy tờ bạn có")
    checklist.get_by_label(re.compile("^" + re.escape(id_paper))).uncheck()
    page.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Lê Minh Khôi")
    walk.press(page.get_by_role("button", name="Lưu lại", exact=True).last)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("Chưa đánh dấu giấy tờ bắt buộc"))
    expect(link).to_contain_text(id_paper)
    expect(checklist).to_have_accessible_description(re.compile(re.escape(id_paper)))
    expect(page.get_by_label("Họ, chữ đệm và tên của trẻ")).to_have_value("Lê Minh Khôi")
    walk.step("muc-bat-buoc-chua-danh-dau")
    walk.press(link, navigates=False)
    expect(checklist.get_by_role("checkbox").first).to_be_focused()
    assert resources.portal(app).dossiers.get(birth_dossier.id).data["child"]["fullName"] == \
        birth.sample["child"]["fullName"], "nothing was saved"

    # Ticked: saved, and the list shows the new name
    checklist.get_by_label(re.compile("^" + re.escape(id_paper))).check()
    walk.press(page.get_by_role("button", name="Lưu lại", exact=True).last)
    expect(page.get_by_role("status")).to_contain_text("Cập nhật hồ sơ thành công")
    walk.press(menu(page).get_by_role("link", name="Quản lý hồ sơ"))
    expect(page.get_by_role("row").filter(has_text="Lê Minh Khôi")).to_have_count(1)
    walk.step("quan-ly-ho-so-sau-khi-sua")
    walk.finish()
