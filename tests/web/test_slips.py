"""The desk's slips (Mẫu số 01-05, Thông tư 03/2025/TT-VPCP) of a dossier driven through the
workflow: the desk prints them, the citizen downloads them, nobody else gets them."""

from __future__ import annotations

import re

import datetime as dt

import pytest

from engine.dossier import Role
from tests.web.helpers import PASSWORD, add_user, login, text
from tests.web.test_desk import VN, act, at, clock, desk, dossier, pdf_text, stored  # noqa: F401 (fixtures)
from web import resources

NAME = "Trần Thị Bích Ngọc"  # the citizen fixture's name, on the dossier


def flat(data: bytes) -> str:
    return " ".join(pdf_text(data).split())


@pytest.fixture
def mine(app, client, citizen):
    login(client, citizen.username, PASSWORD)
    return client


def slip(client, dossier_id, kind, desk_side=True):
    prefix = "/mot-cua" if desk_side else ""
    return client.get(f"{prefix}/ho-so/{dossier_id}/phieu/{kind}.pdf")


def test_the_receipt_is_form_01_of_the_circular(app, desk, mine, dossier):
    act(desk, dossier.id, "tiep-nhan")
    receipt = stored(app, dossier.id).receipt_number
    for response in (slip(desk, dossier.id, "tiep-nhan"), desk.get(f"/mot-cua/ho-so/{dossier.id}/bien-nhan.pdf"),
                     slip(mine, dossier.id, "tiep-nhan", desk_side=False)):
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        printed = flat(response.data)
        assert "Mẫu số 01 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in printed
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in printed and receipt in printed and NAME in printed
        assert "Số định danh cá nhân: 093195001234" in printed and "CMND" not in printed
        assert "Vị Thanh, ngày 25 tháng 11 năm 2026" in printed


def test_a_supplement_request_gives_form_02(app, desk, mine, dossier):
    act(desk, dossier.id, "tiep-nhan")
    resources.portal(app).clock = at(dt.datetime(2026, 11, 26, 10, tzinfo=VN))
    act(desk, dossier.id, "yeu-cau-bo-sung", note="Bổ sung bản sao hợp đồng thuê địa điểm")
    receipt = stored(app, dossier.id).receipt_number
    page = text(desk.get(f"/mot-cua/ho-so/{dossier.id}"))
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu số 02)" in page
    assert f"/mot-cua/ho-so/{dossier.id}/phieu/yeu-cau-bo-sung.pdf" in page
    for printed in (flat(slip(desk, dossier.id, "yeu-cau-bo-sung").data),
                    flat(slip(mine, dossier.id, "yeu-cau-bo-sung", desk_side=False).data)):
        assert "Mẫu số 02 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in printed
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in printed
        assert NAME in printed and receipt in printed and "Lê Văn Hùng" in printed
        assert "Bổ sung bản sao hợp đồng thuê địa điểm" in printed
        assert "Vị Thanh, ngày 26 tháng 11 năm 2026" in printed
    assert slip(desk, dossier.id, "tu-choi").status_code == 404
    assert slip(desk, dossier.id, "dung-giai-quyet").status_code == 404


def without_codes(text: str) -> str:
    return re.sub(r"[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{4}", "CODE", text)


def test_a_refusal_before_acceptance_gives_form_03(app, desk, mine, dossier):
    act(desk, dossier.id, "tu-choi", note="Ngành nghề kinh doanh thuộc danh mục cấm", **{"xac-nhan": "1"})
    printed = flat(slip(desk, dossier.id, "tu-choi").data)
    assert "Mẫu số 03 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in printed
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in printed
    assert NAME in printed and "Ngành nghề kinh doanh thuộc danh mục cấm" in printed
    assert "Số biên nhận" not in printed  # never accepted: no receipt number
    assert slip(desk, dossier.id, "dung-giai-quyet").status_code == 404
    assert slip(desk, dossier.id, "tiep-nhan").status_code == 404
    view = text(mine.get(f"/ho-so/{dossier.id}"))
    assert "Tải Phiếu từ chối tiếp nhận giải quyết hồ sơ (mẫu số 03)" in view and "mẫu số 05" not in view
    # The same slip, but issued again: another document, with its own verification code
    assert without_codes(flat(slip(mine, dossier.id, "tu-choi", desk_side=False).data)) == without_codes(printed)


def test_a_refusal_after_acceptance_gives_form_05(app, desk, mine, dossier):
    act(desk, dossier.id, "tiep-nhan")
    act(desk, dossier.id, "tu-choi", note="Địa điểm kinh doanh đang có tranh chấp", **{"xac-nhan": "1"})
    receipt = stored(app, dossier.id).receipt_number
    printed = flat(slip(desk, dossier.id, "dung-giai-quyet").data)
    assert "Mẫu số 05 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in printed and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in printed
    assert NAME in printed and receipt in printed and "Địa điểm kinh doanh đang có tranh chấp" in printed
    assert slip(desk, dossier.id, "tu-choi").status_code == 404
    view = text(mine.get(f"/ho-so/{dossier.id}"))
    assert "(mẫu số 05)" in view and "(mẫu số 01)" in view and "(mẫu số 03)" not in view


def test_a_new_appointment_gives_form_04(app, desk, mine, dossier):
    act(desk, dossier.id, "tiep-nhan")
    resources.portal(app).clock = at(dt.datetime(2026, 12, 1, 9, tzinfo=VN))
    act(desk, dossier.id, "hen-lai", new_date="2026-12-04", note="Cần xác minh địa điểm kinh doanh.")
    receipt = stored(app, dossier.id).receipt_number
    assert "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết (mẫu số 04)" in text(
        desk.get(f"/mot-cua/ho-so/{dossier.id}"))
    printed = flat(slip(mine, dossier.id, "xin-loi", desk_side=False).data)
    assert "Mẫu số 04 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in printed
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in printed
    assert NAME in printed and receipt in printed and "Cần xác minh địa điểm kinh doanh." in printed
    assert "đến ngày 04/12/2026" in printed and "hẹn trả kết quả ngày 30/11/2026" in printed


def test_nobody_else_gets_a_slip(app, client, desk, dossier):
    act(desk, dossier.id, "tiep-nhan")
    act(desk, dossier.id, "yeu-cau-bo-sung", note="Bổ sung bản sao CCCD")
    other_clerk = app.test_client()
    add_user(app, "canbo2", full_name="Võ Minh Trí", role=Role.CLERK, agencies=["cong-an-phuong-vi-thanh"])
    login(other_clerk, "canbo2", PASSWORD)
    other_citizen = app.test_client()
    add_user(app, "congdan2", full_name="Phan Văn Khải", id_number="093195009999")
    login(other_citizen, "congdan2", PASSWORD)
    for kind in ("tiep-nhan", "yeu-cau-bo-sung"):
        assert slip(desk, dossier.id, kind).status_code == 200
        assert slip(other_clerk, dossier.id, kind).status_code == 404
        assert slip(other_citizen, dossier.id, kind, desk_side=False).status_code == 404
        assert slip(other_citizen, dossier.id, kind).status_code == 403  # the desk's address: not a clerk
        assert slip(client, dossier.id, kind, desk_side=False).status_code in (302, 401)  # signed out
    assert slip(desk, dossier.id, "khong-co").status_code == 404
    assert slip(desk, "0000000000000000", "tiep-nhan").status_code == 404


def test_an_administrator_prints_every_agency_s_slips(app, admin, desk, dossier):
    act(desk, dossier.id, "tiep-nhan")
    client = app.test_client()
    login(client, admin.username, PASSWORD)
    assert slip(client, dossier.id, "tiep-nhan").status_code == 200
