""""Kho giấy tờ của tôi" (issue 15) in a browser, at desktop and at phone width.

The citizen keeps a scan of her ID card in "Kho giấy tờ", picks it for a document of a
household business dossier instead of uploading it again, and deletes it from the store
after a confirmation; the dossier keeps its own copy. Screenshots in outputs/screenshots/wallet/.
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
from tests.web.test_dossiers import SLOT, pdf_bytes
from web import resources

LABEL = "Căn cước của tôi"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_document_kept_once_is_attached_from_the_store(app, portal, smtp, household, open_context, width, tmp_path):
    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    now = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    dossier = resources.portal(app).dossiers.add(lifecycle.create(
        household, to_actor(citizen), copy.deepcopy(household.sample), ["giay-de-nghi"], now, citizen.id_number))
    scan = tmp_path / "CCCD mat truoc.pdf"
    scan.write_bytes(pdf_bytes())
    page = open_context(width).new_page()
    walk = Walk(page, "wallet", width)
    sign_in(walk, portal, "congdan", "cong-dan")

    # Kho giấy tờ: name the document, choose the file, keep it
    walk.press(menu(page).get_by_role("link", name="Kho giấy tờ"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kho giấy tờ của tôi")
    expect(page.get_by_text("Kho giấy tờ của bạn chưa có giấy tờ nào.")).to_be_visible()
    page.get_by_label("Tên giấy tờ").fill(LABEL)
    page.get_by_label(re.compile("^Tệp")).set_input_files(str(scan))
    walk.step("kho-giay-to-trong")
    walk.press(page.get_by_role("button", name="Lưu vào kho"))
    expect(page.get_by_role("status")).to_contain_text(f"Đã lưu “{LABEL}” vào Kho giấy tờ của tôi.")
    expect(page.get_by_role("row").filter(has_text=LABEL)).to_contain_text("CCCD mat truoc.pdf")
    walk.step("kho-giay-to-da-luu")

    # The dossier: the document picked from the store, no file chosen
    walk.press(menu(page).get_by_role("link", name="Quản lý hồ sơ"))
    walk.press(page.get_by_role("row").filter(has_text="Đăng ký thành lập hộ kinh doanh")
               .get_by_role("link", name="Cập nhật hồ sơ"))
    picker = page.locator(f"#wallet-{SLOT}")
    expect(picker).to_have_accessible_name("Hoặc chọn từ Kho giấy tờ của tôi")
    expect(picker.locator("option").nth(1)).to_contain_text(f"{LABEL} (CCCD mat truoc.pdf, ")
    picker.select_option(index=1)
    walk.step("chon-tu-kho")
    walk.press(page.get_by_role("button", name="Lưu lại", exact=True).last)
    expect(page.get_by_role("status")).to_contain_text("Cập nhật hồ sơ thành công")
    expect(page.locator(f"#file-{SLOT}").locator("xpath=..")).to_contain_text("Đã tải lên: CCCD mat truoc.pdf")
    walk.step("da-dinh-kem-tu-kho")
    attached = resources.portal(app).dossiers.get(dossier.id).attachments[SLOT]
    [item] = resources.portal(app).wallet.items(citizen.id)
    assert attached.sha256 == item.sha256 and attached.file_id != item.file_id

    # Deleted from the store after "Xóa ngay": the dossier keeps its copy
    walk.press(menu(page).get_by_role("link", name="Kho giấy tờ"))
    walk.press(page.get_by_role("link", name=f"Xóa {LABEL}"))
    expect(page.get_by_role("alertdialog")).to_contain_text("vẫn giữ bản sao của mình")
    walk.step("xoa-khoi-kho")
    walk.press(page.get_by_role("button", name="Xóa ngay"))
    expect(page.get_by_text("Kho giấy tờ của bạn chưa có giấy tờ nào.")).to_be_visible()
    assert resources.portal(app).files.read(attached.file_id) == pdf_bytes()
    walk.finish()
