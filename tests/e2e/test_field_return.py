"""Return for correction, field by field (issue 15), at desktop and at phone width.

The clerk asks for more on a submitted household business dossier and marks one field
(the owner's phone number) and one document, each with a note. The citizen's update
page shows the request, the marked field highlighted with its note, every other field
disabled and only the marked document open to a new file; the citizen corrects the
phone number, saves and sends the dossier back; the marks are gone, the log keeps them.
"""

from __future__ import annotations

import pytest

from engine.dossier import Role
from tests.e2e.test_desk_walk import menu, open_from_inbox, sign_in, status_of, submitted_dossier
from tests.e2e.walk import Walk, expect
from tests.web.helpers import add_user
from web import resources

SERVICE = "Đăng ký thành lập hộ kinh doanh"
NOTE = "Đề nghị sửa các mục được đánh dấu dưới đây."
PHONE_NOTE = "Số điện thoại của chủ hộ thiếu một chữ số."
PHONE = "Thông tin về chủ hộ kinh doanh › Số điện thoại"
NAME = "Thông tin về chủ hộ kinh doanh › Họ, chữ đệm và tên"
MINUTES = "Bản sao văn bản ủy quyền có công chứng hoặc chứng thực"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_field_returned_for_correction_is_the_only_one_editable(app, portal, smtp, household, open_context, width):
    citizen = submitted_dossier(app, household)
    owner_name = household.sample["owner"]["fullName"]
    add_user(app, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"], phone=None)
    clerk_page = open_context(width).new_page()
    citizen_page = open_context(width).new_page()
    clerk = Walk(clerk_page, "field_return", width)
    person = clerk.also(citizen_page)

    # The clerk marks the phone number and a document, each with a note
    sign_in(clerk, portal, "canbo", "can-bo")
    clerk.press(menu(clerk_page).get_by_role("link", name="Bộ phận một cửa"))
    open_from_inbox(clerk, "Đã nộp, chờ tiếp nhận")
    clerk_page.get_by_label("Yêu cầu bổ sung: các giấy tờ, nội dung còn thiếu").fill(NOTE)
    clerk_page.get_by_text("Các mục cần sửa (không bắt buộc)").click()
    marks = clerk_page.get_by_role("group", name="Đánh dấu các mục công dân cần sửa")
    marks.get_by_label(PHONE, exact=True).check()
    marks.get_by_label(f"Ghi chú: {PHONE}", exact=True).fill(PHONE_NOTE)
    marks.get_by_label(f"Giấy tờ: {MINUTES}").check()
    clerk.step("can-bo-danh-dau-muc-can-sua")
    clerk.press(clerk_page.get_by_role("button", name="Yêu cầu bổ sung hồ sơ"))
    expect(status_of(clerk_page)).to_have_text("Yêu cầu bổ sung")
    log = clerk_page.locator("ol.log")
    expect(log).to_contain_text(f"Các mục cần sửa: {PHONE} ({PHONE_NOTE})")
    clerk.step("can-bo-da-yeu-cau-sua")

    # The citizen: only the phone number and the marked document can change
    sign_in(person, portal, "congdan", "cong-dan")
    person.press(menu(citizen_page).get_by_role("link", name="Quản lý hồ sơ"))
    person.press(citizen_page.get_by_role("row").filter(has_text=SERVICE).get_by_role("link", name="Cập nhật hồ sơ"))
    main = citizen_page.get_by_role("main")
    expect(main).to_contain_text(NOTE)
    phone = citizen_page.locator("[name='#/owner/phone']")
    expect(phone).to_be_editable()
    described = phone.get_attribute("aria-describedby")
    expect(citizen_page.locator(f"#{described.split()[-1]}")).to_contain_text(PHONE_NOTE)
    expect(citizen_page.locator("[name='#/owner/fullName']")).to_be_disabled()
    expect(citizen_page.get_by_label("Tên hộ kinh doanh")).to_be_disabled()
    expect(citizen_page.locator("[name='#/~c0t/members/0/fullName']")).to_be_disabled()  # a list: disabled whole
    files = citizen_page.get_by_role("region", name="Giấy tờ đính kèm")
    expect(files.get_by_label(MINUTES)).to_be_enabled()
    expect(files.get_by_label("Văn bản ủy quyền cho người đi nộp hồ sơ")).to_be_disabled()
    person.step("cong-dan-muc-can-sua")
    phone.fill("0939512487")
    person.press(citizen_page.get_by_role("button", name="Lưu lại"))
    expect(citizen_page.get_by_role("status")).to_contain_text("Cập nhật hồ sơ thành công")
    expect(phone).to_have_value("0939512487")
    expect(citizen_page.locator("[name='#/owner/fullName']")).to_have_value(owner_name)
    person.step("cong-dan-da-sua")

    person.press(menu(citizen_page).get_by_role("link", name="Quản lý hồ sơ"))
    person.press(citizen_page.get_by_role("row").filter(has_text=SERVICE).get_by_role("link", name="Nộp hồ sơ"))
    person.press(citizen_page.get_by_role("alertdialog").get_by_role("button", name="Nộp hồ sơ"))
    expect(citizen_page.get_by_role("row").filter(has_text=SERVICE)).to_contain_text("Đã nộp, chờ tiếp nhận")
    stored = resources.portal(app).dossiers.list_by_owner(citizen.id)[0]
    assert stored.corrections == [] and stored.data["owner"]["phone"] == "0939512487"
    clerk.finish()

