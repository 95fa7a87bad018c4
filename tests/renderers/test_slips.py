"""The one-stop desk's slips (Phụ lục I, Thông tư 03/2025/TT-VPCP), read in the PDF's own text."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.dossier import LogEntry, Role, Status
from engine.lifecycle import reschedule_note
from renderers import slips
from tests.renderers.pdf_helpers import ACCEPTED_AT, RECEIPT, accepted_dossier, flat, pages_text
from tests.renderers.test_pdf_security import assert_safe, hostile_service, listener  # noqa: F401 (a fixture)

NAME = "Nguyễn Thị Thanh Tâm"
LATER = ACCEPTED_AT + dt.timedelta(days=1)


def entry(action, note="", at=LATER, status_from=Status.PROCESSING, status_to=Status.PROCESSING):
    return LogEntry(at=at, actor="clerk-1", actor_name="Trần Văn Bình", role=Role.CLERK, action=action, note=note,
                    status_from=status_from, status_to=status_to)


def submitted_at_desk(service, *log):
    """A dossier the desk never accepted: no receipt number, no appointment."""
    return accepted_dossier(service, receipt_number=None, accepted_at=None, appointment_date=None,
                            status=Status.SUBMITTED, log=[entry("submit", at=ACCEPTED_AT, status_to=Status.SUBMITTED),
                                                          *log])


def accepted(service, *log):
    return accepted_dossier(service, log=[entry("accept", at=ACCEPTED_AT, status_from=Status.SUBMITTED), *log])


def text_of(service, kind, dossier, place=""):
    return flat(" ".join(pages_text(slips.render_slip_pdf(service, kind, dossier, None, place))))


def test_the_registry_has_the_five_forms_of_the_circular():
    assert [(s.number, s.title) for s in slips.SLIPS.values()] == [
        ("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        ("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        ("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        ("04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        ("05", "Thông báo dừng giải quyết hồ sơ"),
    ]


def test_the_receipt_is_form_01_and_names_the_personal_identification_number(household):
    text = text_of(household, "tiep-nhan", accepted(household), place="Vị Thanh")
    assert "Mẫu số 01 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and RECEIPT in text
    assert "Số định danh cá nhân: 093186004527" in text and "CMND" not in text
    assert "Vị Thanh, ngày 02 tháng 12 năm 2026" in text
    assert "01/2018" not in text


def test_form_02_lists_what_to_add_and_who_asked(household):
    dossier = accepted(household, entry("request_supplement", "Bản sao hợp đồng thuê địa điểm kinh doanh",
                                        status_to=Status.SUPPLEMENT))
    text = text_of(household, "yeu-cau-bo-sung", dossier)
    assert "Mẫu số 02 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in text
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert NAME in text and RECEIPT in text and "Trần Văn Bình" in text
    assert "Bản sao hợp đồng thuê địa điểm kinh doanh" in text
    assert "Ngày 03 tháng 12 năm 2026" in text  # the day of the request
    assert "trả lại hồ sơ để Ông/Bà bổ sung, hoàn thiện" in text and "một lần" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text


def test_form_02_is_made_from_the_latest_request(household):
    dossier = accepted(household, entry("request_supplement", "Lần một: bản sao CCCD"),
                       entry("resubmit"), entry("request_supplement", "Lần hai: sơ đồ địa điểm"))
    text = text_of(household, "yeu-cau-bo-sung", dossier)
    assert "Lần hai: sơ đồ địa điểm" in text and "Lần một" not in text


def test_a_refusal_before_acceptance_is_form_03_without_a_receipt_number(household):
    dossier = submitted_at_desk(household, entry("reject", "Ngành nghề thuộc danh mục cấm kinh doanh",
                                                 status_from=Status.SUBMITTED, status_to=Status.REJECTED))
    assert [s.number for s in slips.available(dossier)] == ["03"]
    text = text_of(household, "tu-choi", dossier)
    assert "Mẫu số 03 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in text
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert NAME in text and "Ngành nghề thuộc danh mục cấm kinh doanh" in text
    assert "Số biên nhận" not in text and "Số:" not in text
    with pytest.raises(LookupError):
        slips.render_slip_html(household, "dung-giai-quyet", dossier)


def test_a_refusal_after_acceptance_is_form_05(household):
    dossier = accepted(household, entry("reject", "Địa điểm kinh doanh đang có tranh chấp", status_to=Status.REJECTED))
    assert [s.number for s in slips.available(dossier)] == ["01", "05"]
    text = text_of(household, "dung-giai-quyet", dossier)
    assert "Mẫu số 05 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in text and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert NAME in text and RECEIPT in text and "Địa điểm kinh doanh đang có tranh chấp" in text
    with pytest.raises(LookupError):
        slips.render_slip_html(household, "tu-choi", dossier)


def test_form_04_gives_the_reason_and_the_new_date(household):
    note = reschedule_note("Cần xác minh địa điểm kinh doanh.", dt.date(2026, 12, 11), dt.date(2026, 12, 7))
    dossier = accepted(household, entry("reschedule", note))
    dossier = dossier.model_copy(update={"appointment_date": dt.date(2026, 12, 11)})
    text = text_of(household, "xin-loi", dossier)
    assert "Mẫu số 04 (Phụ lục I, Thông tư 03/2025/TT-VPCP)" in text
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert NAME in text and RECEIPT in text
    assert "Cần xác minh địa điểm kinh doanh." in text and "Hẹn lại" not in text  # the reason alone
    assert "gia hạn thời gian giải quyết hồ sơ đến ngày 11/12/2026" in text
    assert "hẹn trả kết quả ngày 07/12/2026" in text  # the appointment missed


def test_a_dossier_without_the_entry_has_no_such_slip(household):
    dossier = submitted_at_desk(household)
    assert slips.available(dossier) == []
    for kind in slips.SLIPS:
        with pytest.raises(LookupError):
            slips.render_slip_html(household, kind, dossier)
    with pytest.raises(KeyError):
        slips.render_slip_html(household, "khong-co", dossier)


def test_markup_typed_by_the_desk_prints_as_text_and_fetches_nothing(household, listener):  # noqa: F811
    port, hits = listener
    service, evil = hostile_service(household, port)
    reason = " ".join(evil)
    dossiers = {
        "yeu-cau-bo-sung": accepted(service, entry("request_supplement", reason)),
        "tu-choi": submitted_at_desk(service, entry("reject", reason, status_from=Status.SUBMITTED)),
        "xin-loi": accepted(service, entry("reschedule", reschedule_note(reason, dt.date(2026, 12, 11),
                                                                        dt.date(2026, 12, 7)))),
        "dung-giai-quyet": accepted(service, entry("reject", reason)),
    }
    for kind, dossier in dossiers.items():
        data = slips.render_slip_pdf(service, kind, dossier, f"http://127.0.0.1:{port}/tra-cuu/x")
        assert_safe(data, hits)
        assert "file:///etc/passwd" in "".join(" ".join(pages_text(data)).split()), kind
