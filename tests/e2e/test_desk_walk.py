"""The one-stop desk's walk (issue 7), at desktop and at phone width: two people, each in
their own browser.

A citizen's household business dossier is submitted (built through the engine, as the
citizen walk does it in the browser). The clerk signs in, opens "Bộ phận một cửa",
asks for more documents; the citizen sees the request on the update page, attaches the
missing document, changes the form and submits again; the clerk accepts the dossier
("Tiếp nhận hồ sơ"), prints the receipt slip, records the result ("Có kết quả"); the
citizen finds the dossier in "Tra cứu hồ sơ" by its receipt number and by their ID
number, with every step in the public log and their name masked.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from engine import lifecycle
from engine.accounts import to_actor
from engine.dossier import Role
from engine.public import mask_name
from engine.receipts import is_valid
from tests.e2e.mailbox import small_pdf, wait_for_mail
from tests.e2e.walk import Walk, expect
from tests.web.helpers import PASSWORD, add_user
from web import resources

SERVICE = "Đăng ký thành lập hộ kinh doanh"
CITIZEN = "Trần Thị Bích Ngọc"
ID_NUMBER = "093195001234"
CLERK = "Lê Văn Hùng"
NOTE = "Đề nghị bổ sung bản sao văn bản ủy quyền có công chứng của các thành viên hộ gia đình cho chủ hộ kinh doanh."
PUBLIC_STEPS = ["Nộp hồ sơ đến Bộ phận một cửa", "Yêu cầu bổ sung hồ sơ", "Nộp lại hồ sơ đã bổ sung",
                "Tiếp nhận hồ sơ", "Có kết quả giải quyết"]


def submitted_dossier(app, household):
    """The citizen's dossier, confirmed and submitted, as the citizen walk leaves it."""
    citizen = add_user(app, "congdan", full_name=CITIZEN, id_number=ID_NUMBER, email="ngoc.tran@example.com")
    store = resources.portal(app).dossiers
    me = to_actor(citizen)
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    dossier = store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), ["giay-de-nghi"], now,
                                         citizen.id_number))
    dossier = store.update(lifecycle.confirm(dossier, me, now))
    store.update(lifecycle.submit(dossier, household, me, now))
    return citizen


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_desk_walk(app, portal, smtp, household, open_context, width):
    citizen = submitted_dossier(app, household)
    add_user(app, "canbo", full_name=CLERK, role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"], phone=None)
    clerk_page = open_context(width).new_page()
    citizen_page = open_context(width).new_page()
    clerk = Walk(clerk_page, "desk_walk", width)
    person = clerk.also(citizen_page)

    # The clerk: Đăng nhập -> Bộ phận một cửa -> the dossier -> ask for more documents
    sign_in(clerk, portal, "canbo", "can-bo")
    clerk.press(menu(clerk_page).get_by_role("link", name="Bộ phận một cửa"))
    expect(clerk_page.get_by_role("heading", level=1)).to_have_text("Hồ sơ tiếp nhận")
    clerk.step("can-bo-hop-thu")
    open_from_inbox(clerk, "Đã nộp, chờ tiếp nhận")
    clerk_page.get_by_label("Yêu cầu bổ sung: các giấy tờ, nội dung còn thiếu").fill(NOTE)
    clerk.press(clerk_page.get_by_role("button", name="Yêu cầu bổ sung hồ sơ"))
    expect(clerk_page.get_by_role("status")).to_contain_text("Yêu cầu bổ sung hồ sơ: đã lưu")
    expect(status_of(clerk_page)).to_have_text("Yêu cầu bổ sung")
    clerk.step("can-bo-da-yeu-cau-bo-sung")
    wait_for_mail(smtp, citizen.email, "Yêu cầu bổ sung hồ sơ")

    # The citizen: the request on the update page; a document attached, the form changed, submitted again
    sign_in(person, portal, "congdan", "cong-dan")
    person.press(menu(citizen_page).get_by_role("link", name="Quản lý hồ sơ"))
    row = citizen_page.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text("Yêu cầu bổ sung")
    person.step("cong-dan-quan-ly-ho-so")
    person.press(row.get_by_role("link", name="Cập nhật hồ sơ"))
    expect(citizen_page.get_by_text("Bộ phận một cửa yêu cầu bổ sung:")).to_be_visible()
    expect(citizen_page.get_by_role("main")).to_contain_text(NOTE)
    person.step("cong-dan-yeu-cau-bo-sung")
    minutes = "Bản sao văn bản ủy quyền có công chứng hoặc chứng thực"
    citizen_page.get_by_role("group", name="Giấy tờ bạn có").get_by_label(minutes).check()
    citizen_page.get_by_role("region", name="Giấy tờ đính kèm").get_by_label(minutes).set_input_files(
        files=[{"name": "uy-quyen-chu-ho.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}])
    citizen_page.get_by_label("Số lượng lao động").fill("5")
    person.press(citizen_page.get_by_role("button", name="Lưu lại"))
    expect(citizen_page.get_by_role("status")).to_contain_text("Cập nhật hồ sơ thành công")
    expect(citizen_page.get_by_label("Số lượng lao động")).to_have_value("5")
    person.step("cong-dan-da-bo-sung")
    person.press(menu(citizen_page).get_by_role("link", name="Quản lý hồ sơ"))
    person.press(citizen_page.get_by_role("row").filter(has_text=SERVICE).get_by_role("link", name="Nộp hồ sơ"))
    dialog = citizen_page.get_by_role("alertdialog", name="Bạn chắc chắn muốn nộp hồ sơ này?")
    expect(dialog.get_by_role("link", name="Bỏ qua")).to_be_visible()
    person.step("cong-dan-xac-nhan-nop-lai")
    person.press(dialog.get_by_role("button", name="Nộp hồ sơ"))
    expect(citizen_page.get_by_role("row").filter(has_text=SERVICE)).to_contain_text("Đã nộp, chờ tiếp nhận")
    person.step("cong-dan-da-nop-lai")

    # The clerk: accepts, prints the receipt slip, records the result
    clerk.press(menu(clerk_page).get_by_role("link", name="Bộ phận một cửa"))
    clerk.step("can-bo-hop-thu-nop-lai")
    open_from_inbox(clerk, "Đã nộp, chờ tiếp nhận")
    expect(clerk_page.get_by_role("main")).to_contain_text("uy-quyen-chu-ho.pdf")
    clerk.press(clerk_page.get_by_role("button", name="Tiếp nhận hồ sơ"))
    expect(status_of(clerk_page)).to_have_text("Đang xử lý")
    receipt = clerk_page.locator("dt:text-is('Số biên nhận') + dd").inner_text().strip()
    assert is_valid(receipt), receipt
    clerk.step("can-bo-da-tiep-nhan")
    slip = clerk_page.get_by_role("link", name="In giấy tiếp nhận và hẹn trả kết quả")
    response = clerk_page.request.get(portal + slip.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)
    assert receipt in text, text
    clerk_page.get_by_label("Kết quả giải quyết").fill("Đã cấp Giấy chứng nhận đăng ký hộ kinh doanh số 57A8012345")
    clerk.press(clerk_page.get_by_role("button", name="Có kết quả"))
    expect(status_of(clerk_page)).to_have_text("Có kết quả")
    clerk.step("can-bo-co-ket-qua")

    # The citizen: Tra cứu hồ sơ, by the receipt number, then by the ID number
    for query, name in ((receipt, "bien-nhan"), (ID_NUMBER, "so-cmnd")):
        person.press(menu(citizen_page).get_by_role("link", name="Tra cứu hồ sơ"))
        person.step(f"cong-dan-tra-cuu-{name}")
        citizen_page.get_by_label("Biên nhận hoặc Số CMND/CCCD").fill(query)
        person.press(citizen_page.get_by_role("button", name="Tra cứu"))
        found = citizen_page.get_by_role("row").filter(has_text=receipt)
        expect(found).to_contain_text(mask_name(CITIZEN))
        expect(found).to_contain_text("Có kết quả")
        expect(citizen_page.get_by_role("main")).not_to_contain_text(CITIZEN)
        person.step(f"cong-dan-ket-qua-{name}")
        person.press(found.get_by_role("link", name=re.compile("Xem chi tiết")))
        expect(citizen_page.get_by_role("heading", level=1)).to_contain_text(receipt)
        log = citizen_page.get_by_role("region", name="Nhật ký xử lý").get_by_role("listitem")
        expect(log).to_have_count(len(PUBLIC_STEPS))
        for entry, action in zip(log.all(), PUBLIC_STEPS):
            expect(entry).to_contain_text(action)
        expect(citizen_page.get_by_role("main")).to_contain_text(mask_name(CITIZEN))
        expect(citizen_page.get_by_role("main")).not_to_contain_text(CITIZEN)
        expect(citizen_page.get_by_role("main")).not_to_contain_text(ID_NUMBER)
        person.step(f"cong-dan-chi-tiet-{name}")
    clerk.finish()


def menu(page):
    return page.get_by_role("navigation", name="Menu chính")


def sign_in(walk: Walk, portal: str, username: str, who: str) -> None:
    page = walk.page
    page.goto(portal + "/")
    walk.press(menu(page).get_by_role("link", name="Đăng nhập"), navigates=False)  # the guide's dialog
    dialog = page.get_by_role("dialog", name="Đăng nhập")
    expect(dialog).to_be_visible()
    walk.step(f"{who}-dang-nhap")
    dialog.get_by_label("Tên truy cập").fill(username)
    dialog.get_by_label("Mật khẩu").fill(PASSWORD)
    walk.press(dialog.get_by_role("button", name="Đăng nhập"))
    expect(menu(page).get_by_role("link", name=re.compile("^Xin chào: "))).to_be_visible()


def open_from_inbox(walk: Walk, status: str) -> None:
    """Open the (only) dossier of the inbox, from its row."""
    page = walk.page
    row = page.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text(status)
    expect(row).to_contain_text(CITIZEN)
    walk.press(row.get_by_role("link").first)
    expect(page.get_by_role("heading", level=1)).to_have_text(SERVICE)
    walk.step("can-bo-ho-so")


def status_of(page):
    return page.locator("dt:text-is('Trạng thái') + dd .status")
