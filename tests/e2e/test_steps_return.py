"""Return for correction on a form in steps (issue 15), in the browser at desktop and phone
width: the construction permit, submitted, comes back from the desk with one field of its
second step and one document marked. The citizen's first step lists the desk's marks with
"Sửa ở bước 2" and keeps its own fields locked; step 2 has the marked field open, with the
clerk's note as its description, beside locked neighbours; the review shows the marked part;
"Lưu lại" keeps the correction and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from engine.dossier import Role
from tests.e2e.test_desk_walk import menu, sign_in
from tests.e2e.walk import Walk, expect
from tests.web.helpers import add_user
from tests.web.test_steps import MARKED, NOTE, PERMIT, return_for_correction
from web import resources


def returned_permit(app, permit):
    """The citizen's permit dossier, submitted, then returned by the desk's own form."""
    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    clerk = add_user(app, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK, agencies=["ubnd-phuong-vi-thanh"],
                     phone=None)
    return return_for_correction(app, citizen, clerk, permit, dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")))


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_returned_dossier_in_steps_opens_only_its_marks(app, portal, catalog, open_context, width):
    permit = catalog[PERMIT]
    dossier = returned_permit(app, permit)
    page = open_context(width).new_page()
    walk = Walk(page, "steps_return", width)
    sign_in(walk, portal, "congdan", "cong-dan")
    walk.press(menu(page).get_by_role("link", name="Quản lý hồ sơ"))
    walk.press(page.get_by_role("row").filter(has_text=permit.info.name).get_by_role("link", name="Cập nhật hồ sơ"))

    # Step 1: the desk's marks, each with the step it is on; this step's fields locked
    expect(page.locator("p.step-count")).to_have_text("Bước 1/4")
    main = page.get_by_role("main")
    expect(main).to_contain_text(NOTE)
    expect(page.locator("[name='#/investor/fullName']")).to_be_disabled()
    walk.step("buoc-1-cac-muc-can-sua")
    walk.press(page.get_by_role("button", name=re.compile("^Sửa ở bước 2")))

    # Step 2: the marked field open, the clerk's note its description; its neighbours locked
    expect(page.locator("p.step-count")).to_have_text("Bước 2/4")
    number = page.locator(f"[name='#{MARKED}']")
    expect(number).to_be_editable()
    described = number.get_attribute("aria-describedby")
    expect(page.locator(f"#{described.split()[-1]}")).to_contain_text(NOTE)
    expect(page.locator("[name='#/site/plotNumber']")).to_be_disabled()
    walk.step("buoc-2-muc-can-sua")
    number.fill("DĐ 123456")
    walk.press(page.get_by_role("button", name="Tiếp tục", exact=True))
    walk.press(page.get_by_role("button", name="Tiếp tục", exact=True))

    # The review: the marked part, its document open to a new file, the others not
    expect(page.locator("p.step-count")).to_have_text("Bước 4/4")
    marked_part = page.locator("section.review-part.correction")
    expect(marked_part).to_have_count(1)
    expect(marked_part).to_contain_text("Cần sửa:")
    expect(marked_part).to_contain_text("DĐ 123456")
    expect(page.locator("[name='~file/giay-to-ve-dat']")).to_be_disabled()
    expect(page.locator("[name='~file/ban-ve-thiet-ke']")).to_be_enabled()
    walk.step("xem-lai")
    walk.press(page.get_by_role("button", name="Lưu lại"))
    expect(page.get_by_role("status")).to_contain_text("Cập nhật hồ sơ thành công")
    walk.step("da-luu")
    after = resources.portal(app).dossiers.get(dossier.id)
    assert after.data["site"]["landCertificateNumber"] == "DĐ 123456"
    assert after.data["investor"] == dossier.data["investor"] and after.data["site"]["plotNumber"] == \
        dossier.data["site"]["plotNumber"]
    walk.finish()
