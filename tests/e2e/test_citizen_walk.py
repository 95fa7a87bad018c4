"""The citizen's walk of the user guide (issue 6), at desktop and at phone width.

Register ("Đăng ký"), activate from the e-mail, sign in ("Đăng nhập", "Xin chào: …"),
change the phone number on the profile page, find "Đăng ký thành lập hộ kinh doanh", fill its form (one required field left empty
first: the error summary and the inline error), attach a PDF, confirm the dossier from
the e-mail, submit it from "Quản lý hồ sơ" ("Nộp hồ sơ" / "Bỏ qua"), sign out ("Thoát").
Every page on the way is photographed and checked with axe-core.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.mailbox import link_in, small_pdf, wait_for_mail
from tests.e2e.walk import Walk, expect

NAME = "Trần Văn An"
USERNAME = "tranvanan"
EMAIL = "an.tran@example.com"
PASSWORD = "Cam-on-Vi-Thanh-2025"
ID_NUMBER = "093095004321"  # a man (digit 4: 0) born 1995, as the walk fills the owner
PHONE = "0912 345 678"
NEW_PHONE = "0987 654 321"
SERVICE = "Đăng ký thành lập hộ kinh doanh"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_citizen_walk(request, portal, smtp, width):
    page = request.getfixturevalue(width).new_page()
    walk = Walk(page, "citizen_walk", width)
    menu = page.get_by_role("navigation", name="Menu chính")

    # Trang chủ -> Đăng ký
    page.goto(portal + "/")
    walk.step("trang-chu")
    walk.press(menu.get_by_role("link", name="Đăng ký", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản")
    walk.step("dang-ky")
    page.get_by_label("Họ và tên").fill(NAME)
    page.get_by_label("Tên truy cập").fill(USERNAME)
    page.get_by_label("Thư điện tử").fill(EMAIL)
    page.get_by_label("Số điện thoại").fill(PHONE)
    page.get_by_label("Số định danh cá nhân").fill(ID_NUMBER)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tôi đồng ý").check()
    walk.press(page.get_by_role("button", name="Đăng ký"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra thư điện tử")
    walk.step("da-gui-thu-kich-hoat")

    # The activation e-mail's link, opened in the browser
    page.goto(link_in(wait_for_mail(smtp, EMAIL, "Kích hoạt tài khoản")))
    expect(page.get_by_role("status")).to_contain_text("đã được kích hoạt")
    walk.step("kich-hoat")

    # Đăng nhập -> "Xin chào: <name>"
    walk.press(menu.get_by_role("link", name="Đăng nhập"))
    walk.step("dang-nhap")
    page.get_by_label("Tên truy cập").fill(USERNAME)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    walk.press(page.get_by_role("main").get_by_role("button", name="Đăng nhập"))
    expect(menu.get_by_role("link", name=f"Xin chào: {NAME}")).to_be_visible()
    expect(menu.get_by_role("button", name="Thoát")).to_be_visible()
    walk.step("da-dang-nhap")

    # Xin chào: … -> the profile: a new phone number, which the next form is prefilled with
    walk.press(menu.get_by_role("link", name=f"Xin chào: {NAME}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cập nhật thông tin cá nhân")
    expect(page.get_by_label("Thư điện tử")).to_have_value(EMAIL)
    page.get_by_label("Số điện thoại").fill(NEW_PHONE)
    walk.press(page.get_by_role("main").get_by_role("button", name="Lưu lại"))
    expect(page.get_by_role("status")).to_contain_text("Cập nhật thông tin thành công")
    walk.step("thong-tin-ca-nhan")
    walk.press(menu.get_by_role("link", name="Trang chủ"))

    # The service: by the search on the desktop, by the field menu on the phone
    if width == "desktop":
        page.get_by_role("searchbox", name="Tìm dịch vụ theo tên").fill("hộ kinh doanh")
        walk.press(page.get_by_role("button", name="Tìm", exact=True))
        walk.step("tim-dich-vu")
    else:
        walk.press(page.get_by_role("complementary", name="Lĩnh vực").get_by_role(
            "link", name="Thành lập và hoạt động của hộ kinh doanh"))
        walk.step("linh-vuc")
    walk.press(page.get_by_role("main").get_by_role("link", name=SERVICE, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text(SERVICE)
    for heading in ("Hướng dẫn các bước thực hiện", "Thành phần hồ sơ", "Cơ sở pháp lý", "Tải về các biểu mẫu"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    walk.step("dich-vu")

    # Nhấn vào đây để đăng ký hồ sơ: the form, prefilled from the profile
    walk.press(page.get_by_role("link", name="Nhấn vào đây để đăng ký hồ sơ"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký hồ sơ mới")
    walk.step("dang-ky-ho-so")
    owner = page.get_by_role("group", name="Thông tin về chủ hộ kinh doanh")
    expect(owner.get_by_label("Họ, chữ đệm và tên")).to_have_value(NAME)
    expect(owner.get_by_label("Số định danh cá nhân")).to_have_value(ID_NUMBER)
    expect(owner.get_by_label("Số điện thoại")).to_have_value(NEW_PHONE.replace(" ", ""))
    expect(owner.get_by_label("Thư điện tử")).to_have_value(EMAIL)

    # Chọn thông tin bạn có
    page.get_by_role("group", name="Giấy tờ bạn có").get_by_label("Giấy đề nghị đăng ký hộ kinh doanh").check()
    # Biểu mẫu nhập liệu, as a person fills it; "Điện thoại" of the business left empty
    business = page.get_by_role("group", name="Thông tin hộ kinh doanh")
    business.get_by_label("Tên hộ kinh doanh").fill("Hộ kinh doanh Tạp hóa An Bình")
    head_office = business.get_by_role("group", name="Địa chỉ trụ sở hộ kinh doanh")
    _address(head_office, "Số 8, đường Ngô Quốc Trị, khu vực 4")
    business.get_by_label("Thư điện tử").fill("taphoa.anbinh@example.com")
    lines = page.get_by_role("group", name="Ngành, nghề kinh doanh (*)", exact=True)
    walk.press(lines.get_by_role("button", name="Thêm Ngành, nghề"), navigates=False)  # a row added in the page
    line = lines.get_by_role("group", name="Ngành, nghề 1", exact=True)
    line.get_by_label("Mã ngành").fill("4711")
    line.get_by_label("Tên ngành").fill("Bán lẻ lương thực, thực phẩm, đồ uống trong cửa hàng tổng hợp")
    line.get_by_role("group", name="Là ngành, nghề kinh doanh chính").get_by_label("Có").check()
    page.get_by_label("Vốn kinh doanh (đồng)").fill("80000000")
    page.get_by_role("group", name="Nguồn vốn").get_by_label("Vốn tư nhân").check()
    tax = page.get_by_role("group", name="Thông tin đăng ký thuế")
    tax.get_by_label("Số lượng lao động").fill("2")
    page.get_by_role("group", name="Chủ thể thành lập hộ kinh doanh").get_by_label("Cá nhân").check()
    owner.get_by_label("Ngày sinh").fill("1995-04-12")
    owner.get_by_role("group", name="Giới tính").get_by_label("Nam", exact=True).check()
    page.get_by_label("Tôi cam đoan những thông tin trên là đúng sự thật").check()
    walk.press(_save(page))

    # The error summary and the inline error, then the field filled
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="Hồ sơ còn 1 lỗi cần sửa"))
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_contain_text("Điện thoại")
    phone_box = business.get_by_label(re.compile(r"^Điện thoại"))
    expect(phone_box).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".has-error .field-error")).to_have_count(1)
    expect(page.locator(".has-error .field-error")).to_contain_text("Điện thoại")
    walk.step("loi-chua-nhap")
    walk.press(summary.get_by_role("link"), navigates=False)
    expect(phone_box).to_be_focused()
    phone_box.fill("02923876543")
    walk.press(_save(page))

    # Cập nhật hồ sơ: attach a PDF in "Giấy tờ đính kèm"
    expect(page.get_by_role("heading", level=1)).to_have_text("Cập nhật hồ sơ")
    expect(page.get_by_role("status")).to_contain_text("Đã lưu hồ sơ")
    walk.step("cap-nhat-ho-so")
    files = page.get_by_role("region", name="Giấy tờ đính kèm")
    files.get_by_label("Văn bản ủy quyền cho người đi nộp hồ sơ").set_input_files(
        files=[{"name": "Uy quyen Tran Van An.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}])
    walk.press(_save(page))
    expect(page.get_by_role("status")).to_contain_text("Cập nhật hồ sơ thành công")
    expect(files).to_contain_text("Đã tải lên: Uy quyen Tran Van An.pdf")
    walk.step("cap-nhat-thanh-cong")

    # The confirmation link of the e-mail
    page.goto(link_in(wait_for_mail(smtp, EMAIL, "Xác nhận hồ sơ")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã xác nhận hồ sơ")
    walk.step("xac-nhan-ho-so")

    # Quản lý hồ sơ -> the submit icon -> "Nộp hồ sơ" / "Bỏ qua" -> "Nộp hồ sơ"
    walk.press(menu.get_by_role("link", name="Quản lý hồ sơ"))
    row = page.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text("Đã xác nhận")
    walk.step("quan-ly-ho-so")
    walk.press(row.get_by_role("link", name="Nộp hồ sơ"))
    dialog = page.get_by_role("alertdialog", name="Bạn chắc chắn muốn nộp hồ sơ này?")
    expect(dialog.get_by_role("link", name="Bỏ qua")).to_be_visible()
    walk.step("xac-nhan-nop")
    walk.press(dialog.get_by_role("button", name="Nộp hồ sơ"))
    expect(page.get_by_role("status")).to_contain_text("Đã nộp hồ sơ đến Bộ phận một cửa")
    expect(page.get_by_role("row").filter(has_text=SERVICE)).to_contain_text("Đã nộp, chờ tiếp nhận")
    walk.step("da-nop")

    # Thoát: back on the home page, signed out
    walk.press(menu.get_by_role("button", name="Thoát"))
    expect(page).to_have_url(re.compile(re.escape(portal) + r"/?$"))
    expect(page.get_by_role("status")).to_contain_text("Bạn đã thoát khỏi hệ thống")
    expect(menu.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(menu.get_by_text("Xin chào")).to_have_count(0)
    walk.step("da-thoat")
    walk.finish()


def _address(group, street: str) -> None:
    """The province -> ward picker: the ward list follows the province chosen."""
    group.get_by_label("Tỉnh/Thành phố").select_option("Thành phố Cần Thơ")
    group.get_by_label("Xã/Phường/Đặc khu").select_option("Phường Vị Thanh")  # waits for the list
    group.get_by_label("Số nhà, đường, ấp/khu vực").fill(street)


def _save(page):
    return page.get_by_role("button", name="Lưu lại")
