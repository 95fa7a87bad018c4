"""Issue 16 in a browser, at 1280 and 360 px, every page photographed and checked with
axe-core (outputs/screenshots/verify_code/): someone holding a paper from the portal opens
"Kiểm tra văn bản" from the footer, types the "Mã kiểm tra" printed beside its QR code as
it comes (lower case, no dashes) and reads that the document is genuine, with its agency
and kind; a mistyped code is a clear "not found", and the address never holds more than the code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest

from engine.documents import IssuedDocument, grouped_code
from tests.e2e.walk import Walk, expect
from web import resources

AGENCY_NAME = "Ủy ban nhân dân phường Vị Thanh"


def issued(app) -> str:
    """A receipt the portal issued (its record, as operations.documents.issue leaves it): its code."""
    registry = resources.portal(app).documents
    code = registry.reserve_code()
    registry.add(IssuedDocument(
        sha256=hashlib.sha256(b"%PDF-1.7 giay tiep nhan").hexdigest(), kind="bien-nhan",
        title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả", dossier_id="0123456789abcdef",
        agency="ubnd-phuong-vi-thanh", agency_name=AGENCY_NAME,
        issued_at=dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")), signed=True, code=code))
    return code


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_typed_code_shows_the_document_genuine_and_a_wrong_one_not_found(request, app, portal, width):
    code = issued(app)
    page = request.getfixturevalue(width).new_page()
    walk = Walk(page, "verify_code", width)
    page.goto(portal + "/")
    walk.press(page.get_by_role("contentinfo").get_by_role("link", name="Kiểm tra văn bản"))
    walk.step("kiem-tra-van-ban")
    field = page.get_by_label("Mã kiểm tra")
    field.fill(code.lower())
    walk.press(page.get_by_role("button", name="Tra mã"))
    assert page.url == f"{portal}/kiem-tra-van-ban/ma/{code}"
    verdict = page.locator("section.verdict")
    expect(verdict.get_by_role("heading")).to_have_text("Cổng dịch vụ công đã cấp văn bản có mã này")
    expect(verdict).to_contain_text("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    expect(verdict).to_contain_text(AGENCY_NAME)
    expect(verdict).to_contain_text(grouped_code(code))
    walk.step("ma-kiem-tra-dung")

    walk.press(page.get_by_role("link", name="Kiểm tra một văn bản khác"))
    page.get_by_label("Mã kiểm tra").fill("H7QD-3MKP-W9T")  # one character short
    walk.press(page.get_by_role("button", name="Tra mã"))
    expect(page.locator("main")).to_contain_text("không phải là mã kiểm tra")
    expect(page.locator("section.verdict")).to_have_count(0)
    walk.step("ma-kiem-tra-sai")
    walk.finish()
