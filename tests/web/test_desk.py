"""The one-stop desk: every transition and every refusal, the log, the e-mails, prints, CSV, figures."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import html
import io
import re

import pytest
from pypdf import PdfReader

from engine import lifecycle
from engine.accounts import to_actor
from engine.dossier import Role, Status
from tests.web.helpers import PASSWORD, add_user, body, login, post, text
from web import resources

VN = dt.timezone(dt.timedelta(hours=7))
WED = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN)


def at(moment):
    return lambda: moment


@pytest.fixture
def clock(app):
    resources.portal(app).clock = at(WED)
    return app


def submit_one(app, citizen, household, when=WED):
    """A household business dossier of ``citizen``, confirmed and submitted (as the portal would)."""
    store = resources.portal(app).dossiers
    me = to_actor(citizen)
    dossier = store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), ["giay-de-nghi"], when,
                                         citizen.id_number))
    dossier = store.update(lifecycle.confirm(dossier, me, when))
    return store.update(lifecycle.submit(dossier, household, me, when))


@pytest.fixture
def dossier(app, clock, citizen, household):
    return submit_one(app, citizen, household)


@pytest.fixture
def desk(app, clerk):
    client = app.test_client()
    assert login(client, clerk.username, PASSWORD).status_code == 302
    return client


def act(client, dossier_id, step, **form):
    return post(client, f"/mot-cua/ho-so/{dossier_id}/{step}", form, form_page=f"/mot-cua/ho-so/{dossier_id}")


def stored(app, dossier_id):
    return resources.portal(app).dossiers.get(dossier_id)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_inbox_lists_submitted_dossiers_of_the_clerk_s_agencies(desk, dossier):
    page = text(desk.get("/mot-cua/"))
    assert "Trần Thị Bích Ngọc" in page and "Chờ tiếp nhận" in page and "Đăng ký thành lập hộ kinh doanh" in page


def test_a_clerk_of_another_agency_sees_nothing(app, dossier):
    other = add_user(app, "canbo2", full_name="Võ Minh Trí", role=Role.CLERK, agencies=["cong-an-phuong-vi-thanh"])
    client = app.test_client()
    login(client, other.username, PASSWORD)
    assert "Trần Thị Bích Ngọc" not in text(client.get("/mot-cua/"))
    assert client.get(f"/mot-cua/ho-so/{dossier.id}").status_code == 404
    assert act(client, dossier.id, "tiep-nhan").status_code == 404
    assert client.get(f"/ho-so/{dossier.id}/tep/giay-de-nghi").status_code == 404
    assert stored(app, dossier.id).status == Status.SUBMITTED


def test_a_citizen_calling_a_desk_action_is_forbidden(app, client, citizen, dossier):
    login(client, citizen.username, PASSWORD)
    assert client.get("/mot-cua/").status_code == 403
    response = client.post(f"/mot-cua/ho-so/{dossier.id}/tiep-nhan")
    assert response.status_code in (400, 403)  # refused by CSRF or by role; never accepted
    assert stored(app, dossier.id).status == Status.SUBMITTED


def test_the_accept_button_says_which_result_date_it_gives(desk, dossier):
    page = desk.get(f"/mot-cua/ho-so/{dossier.id}").get_data(as_text=True)
    assert "hẹn trả kết quả ngày 30/11/2026" in page  # the clock's Wednesday 25/11 + 3 working days


def test_accept_gives_a_receipt_and_an_appointment_and_tells_the_citizen(app, desk, dossier, smtp):
    response = act(desk, dossier.id, "tiep-nhan")
    assert response.status_code == 303
    accepted = stored(app, dossier.id)
    assert accepted.status == Status.PROCESSING and accepted.receipt_number
    assert accepted.appointment_date == dt.date(2026, 11, 30)  # Wednesday + 3 working days
    entry = accepted.log[-1]
    assert (entry.action, entry.actor_name) == ("accept", "Lê Văn Hùng")
    [mail] = smtp.messages
    assert accepted.receipt_number in body(mail) and "30/11/2026" in body(mail)
    assert "093195001234" not in body(mail), "no ID number in e-mail"

    again = act(desk, dossier.id, "tiep-nhan")
    assert "Hồ sơ không ở trạng thái chờ tiếp nhận" in text(desk.get(again.headers["Location"]))
    assert [e.action for e in stored(app, dossier.id).log].count("accept") == 1


def test_accepting_before_tet_counts_working_days_after_it(app, clock, desk, citizen, household):
    dossier = submit_one(app, citizen, household, dt.datetime(2026, 2, 12, 10, tzinfo=VN))
    resources.portal(app).clock = at(dt.datetime(2026, 2, 12, 10, tzinfo=VN))
    act(desk, dossier.id, "tiep-nhan")
    assert stored(app, dossier.id).appointment_date == dt.date(2026, 2, 24)


def test_supplement_reopens_the_dossier_and_the_citizen_resubmits(app, client, desk, citizen, household, dossier, smtp):
    act(desk, dossier.id, "tiep-nhan")
    resources.portal(app).clock = at(dt.datetime(2026, 11, 26, 10, tzinfo=VN))  # Thursday: 2 working days left
    act(desk, dossier.id, "yeu-cau-bo-sung", note="Bổ sung bản sao CCCD của ông Lê Văn Hùng")
    asked = stored(app, dossier.id)
    assert asked.status == Status.SUPPLEMENT and asked.paused_working_days == 2
    assert "Bổ sung bản sao CCCD" in body(smtp.messages[-1])

    # A week later (Thursday), the citizen signs in (a session lasts 12 hours) and resubmits.
    resources.portal(app).clock = at(dt.datetime(2026, 12, 3, 8, tzinfo=VN))
    login(client, citizen.username, PASSWORD)
    assert "Bổ sung bản sao CCCD" in text(client.get(f"/ho-so/{dossier.id}/cap-nhat"))
    assert post(client, f"/ho-so/{dossier.id}/nop", {}).status_code == 302
    back = stored(app, dossier.id)
    assert back.status == Status.PROCESSING and back.appointment_date == dt.date(2026, 12, 7)
    assert [e.action for e in back.log][-3:] == ["accept", "request_supplement", "resubmit"]


def test_supplement_needs_a_note(app, desk, dossier):
    act(desk, dossier.id, "yeu-cau-bo-sung", note="   ")
    assert stored(app, dossier.id).status == Status.SUBMITTED


def test_a_refusal_is_asked_about_before_it_is_taken(app, desk, dossier):
    question = act(desk, dossier.id, "tu-choi", note="Ngành nghề kinh doanh thuộc danh mục cấm")
    page = text(question)
    assert question.status_code == 200 and 'role="alertdialog"' in page
    assert "Bạn chắc chắn muốn từ chối giải quyết hồ sơ này?" in page
    assert "Ngành nghề kinh doanh thuộc danh mục cấm" in page and "Bỏ qua" in page
    assert stored(app, dossier.id).status == Status.SUBMITTED  # nothing happened yet


def test_reject_with_a_reason(app, desk, dossier, smtp):
    act(desk, dossier.id, "tu-choi", note="Ngành nghề kinh doanh thuộc danh mục cấm", **{"xac-nhan": "1"})
    rejected = stored(app, dossier.id)
    assert rejected.status == Status.REJECTED and rejected.log[-1].note == "Ngành nghề kinh doanh thuộc danh mục cấm"
    assert "danh mục cấm" in body(smtp.messages[-1])


def test_result_with_a_file_then_hand_over(app, client, desk, citizen, dossier):
    from tests.web.test_dossiers import pdf_bytes

    act(desk, dossier.id, "tiep-nhan")
    token_page = f"/mot-cua/ho-so/{dossier.id}"
    response = post(desk, f"/mot-cua/ho-so/{dossier.id}/co-ket-qua",
                    {"note": "Đã cấp Giấy chứng nhận số 93A8001234", "result_file": (io.BytesIO(pdf_bytes()), "gcn.pdf")},
                    form_page=token_page, content_type="multipart/form-data")
    assert response.status_code == 303
    done = stored(app, dossier.id)
    assert done.status == Status.DONE and done.result_file.media_type == "application/pdf"
    login(client, citizen.username, PASSWORD)
    assert "Đã cấp Giấy chứng nhận số 93A8001234" in text(client.get(f"/ho-so/{dossier.id}"))
    assert client.get(f"/ho-so/{dossier.id}/ket-qua").data.startswith(b"%PDF-")
    act(desk, dossier.id, "tra-ket-qua")
    assert stored(app, dossier.id).status == Status.RETURNED
    assert [e.action for e in stored(app, dossier.id).log] == [
        "create", "confirm", "submit", "accept", "record_result", "hand_over"]


def test_a_late_dossier_gets_an_apology_slip_and_a_new_appointment(app, desk, dossier, smtp):
    act(desk, dossier.id, "tiep-nhan")
    page = text(desk.get(f"/mot-cua/ho-so/{dossier.id}"))
    assert "Lập phiếu xin lỗi và hẹn lại" not in page  # due Monday 30/11: not yet
    resources.portal(app).clock = at(dt.datetime(2026, 12, 1, 9, tzinfo=VN))
    page = text(desk.get(f"/mot-cua/ho-so/{dossier.id}"))
    assert "Quá hạn" in page and "Lập phiếu xin lỗi và hẹn lại" in page
    assert "Quá hạn" in text(desk.get("/mot-cua/"))
    act(desk, dossier.id, "hen-lai", new_date="2026-12-04", note="Cần xác minh địa điểm kinh doanh.")
    moved = stored(app, dossier.id)
    assert moved.appointment_date == dt.date(2026, 12, 4) and moved.log[-1].action == "reschedule"
    old_address = desk.get(f"/mot-cua/ho-so/{dossier.id}/phieu-xin-loi")
    assert old_address.status_code == 302 and old_address.headers["Location"].endswith("/phieu/xin-loi.pdf")
    slip = " ".join(pdf_text(desk.get(old_address.headers["Location"]).data).split())
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in slip and "04/12/2026" in slip
    assert "04/12/2026" in body(smtp.messages[-1])


def test_prints_the_dossier_and_the_receipt_slip(app, desk, dossier):
    act(desk, dossier.id, "tiep-nhan")
    accepted = stored(app, dossier.id)
    dossier_pdf = desk.get(f"/mot-cua/ho-so/{dossier.id}/ban-in.pdf")
    assert dossier_pdf.mimetype == "application/pdf" and "Nguyễn Thị Thanh Tâm" in pdf_text(dossier_pdf.data)
    slip = pdf_text(desk.get(f"/mot-cua/ho-so/{dossier.id}/bien-nhan.pdf").data)
    assert accepted.receipt_number in slip and "30/11/2026" in slip and "Lê Văn Hùng" in slip


def test_batch_print_of_the_selection(app, desk, citizen, household, dossier):
    second = submit_one(app, citizen, household)
    response = post(desk, "/mot-cua/in-ho-so", {"chon": [dossier.id, second.id]}, form_page="/mot-cua/")
    one = len(PdfReader(io.BytesIO(desk.get(f"/mot-cua/ho-so/{dossier.id}/ban-in.pdf").data)).pages)
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 2 * one


def test_csv_export_and_figures(app, desk, citizen, household, dossier):
    other = submit_one(app, citizen, household)
    act(desk, dossier.id, "tiep-nhan")
    act(desk, other.id, "tu-choi", note="Trùng hồ sơ", **{"xac-nhan": "1"})
    exported = desk.get("/mot-cua/xuat-csv?trang-thai=processing&trang-thai=rejected")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Số biên nhận", "Dịch vụ", "Người nộp"] and len(rows) == 3
    figures = text(desk.get("/mot-cua/thong-ke"))
    assert "Đăng ký thành lập hộ kinh doanh" in figures
    cells = figures.split("Đăng ký thành lập hộ kinh doanh</td>")[1].split("</tr>")[0]
    assert [c.split("<")[0] for c in cells.split("<td>")[1:]][:5] == ["2", "1", "0", "0", "1"]


def test_the_inbox_pages_keep_every_filter(app, clock, desk, citizen, household, monkeypatch):
    monkeypatch.setattr("web.desk.PAGE_SIZE", 2)
    submitted = [submit_one(app, citizen, household, when=WED - dt.timedelta(hours=h)) for h in range(5)]
    for d in submitted[:2]:
        act(desk, d.id, "tiep-nhan")  # accepted: they have an appointment, so they come first
    seen, url = [], "/mot-cua/?trang-thai=submitted&trang-thai=processing&trang=1"
    for number in (1, 2, 3):
        response = desk.get(url)
        assert response.status_code == 200, url
        page = html.unescape(response.get_data(as_text=True))
        assert f'<span aria-current="page">{number}</span>' in page
        # Each dossier's page link, in the order shown.
        seen += re.findall(r'href="/mot-cua/ho-so/([0-9a-f]{16})"', page)
        csv_link = re.search(r'href="(/mot-cua/xuat-csv[^"]*)"', page).group(1)
        assert "trang-thai=submitted" in csv_link and "trang-thai=processing" in csv_link
        if number < 3:
            url = re.search(rf'href="([^"]*trang={number + 1}[^"]*)"', page).group(1)
            assert "trang-thai=submitted" in url and "trang-thai=processing" in url
    assert len(seen) == 5 and set(seen) == {d.id for d in submitted}
    # The accepted first (the same appointment date), then those waiting; each oldest submission first.
    oldest_first = lambda ds: [d.id for d in sorted(ds, key=lambda d: d.submitted_at)]  # noqa: E731
    assert seen == oldest_first(submitted[:2]) + oldest_first(submitted[2:])
    exported = desk.get(csv_link).get_data(as_text=True)
    assert len(exported.strip().splitlines()) == 1 + 5
    # A page past the end shows the last one.
    assert '<span aria-current="page">3</span>' in desk.get("/mot-cua/?trang=99").get_data(as_text=True)


def test_an_administrator_sees_every_agency(app, admin, dossier):
    client = app.test_client()
    login(client, admin.username, PASSWORD)
    assert client.get(f"/mot-cua/ho-so/{dossier.id}").status_code == 200


def test_the_pager_links_the_first_the_last_and_the_pages_around_this_one():
    from web.desk import pager

    assert pager(1, 1) == [1]
    assert pager(1, 5) == [1, 2, 3, 4, 5]
    assert pager(1, 400) == [1, 2, 3, None, 400]
    assert pager(200, 400) == [1, None, 198, 199, 200, 201, 202, None, 400]
    assert pager(400, 400) == [1, None, 398, 399, 400]
    assert pager(4, 400) == [1, 2, 3, 4, 5, 6, None, 400]  # no gap where nothing is left out


def test_every_desk_page_shows_the_desk_menu_not_the_citizens_fields(desk, dossier):
    for path in ("/mot-cua/", f"/mot-cua/ho-so/{dossier.id}", "/mot-cua/thong-ke"):
        page = text(desk.get(path))
        assert 'aria-label="Bộ phận một cửa"' in page and "Hồ sơ cần xử lý" in page, path
        assert 'aria-label="Lĩnh vực"' not in page, path
