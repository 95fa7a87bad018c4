"""Every page family in English with the ``lang=en`` cookie, Vietnamese by default.

Each family lists words of its template in both languages: with the cookie the English
ones are on the page and the Vietnamese ones are gone; without it, the other way round
(which also proves the Vietnamese words really are on that page). Some Vietnamese words
are bounded by ``>``/``<``: the same words also occur inside service data (steps, notes,
action labels), which stays Vietnamese in both languages.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from engine import lifecycle
from engine.accounts import to_actor
from tests.web.helpers import login, post, text
from web import resources

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
WED = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
CATALOGUE = Path(__file__).parents[2] / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# family: (who is signed in, path, English words, Vietnamese words of the same template)
PAGES = {
    "verify": (None, "/kiem-tra-van-ban", [
        ">Check a document<", ">PDF file to check<", ">Check<", "It is only read for the check, never kept.",
    ], [
        ">Kiểm tra văn bản<", ">Tệp PDF cần kiểm tra<", ">Kiểm tra<",
        "Tệp chỉ được đọc để kiểm tra, không được lưu lại.",
    ]),
    "home": (None, "/", [
        "Choose the service you want to apply for", "Find a service by name", ">Search<", "Level 3 · Apply online",
        ">Track an application<", ">Register<", ">Log in<", ">Home<",
    ], [
        ">Chọn dịch vụ cần đăng ký hồ sơ<", ">Tìm dịch vụ theo tên<", ">Tìm<", "Mức độ 3 · Nộp trực tuyến",
        ">Tra cứu hồ sơ<", ">Đăng ký<", ">Đăng nhập<", ">Trang chủ<",
    ]),
    "service": (None, f"/dich-vu/{HOUSEHOLD}", [
        "Click here to apply", ">Procedure code<", ">Processing time<", "<dd>3 working days.", ">Fees and charges<",
        "as set by the provincial People's Council", ">Application documents<", ">See a sample application<", ">Legal basis<",
        ">Step-by-step guide<",
    ], [
        ">Nhấn vào đây để đăng ký hồ sơ<", ">Mã thủ tục<", ">Thời hạn giải quyết<", "<dd>3 ngày làm việc.",
        ">Phí, lệ phí<", "theo mức do Hội đồng nhân dân cấp tỉnh quy định", ">Thành phần hồ sơ<", ">Xem hồ sơ mẫu<", ">Cơ sở pháp lý<",
        ">Hướng dẫn các bước thực hiện<",
    ]),
    "create": ("congdan", f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so", [
        ">New application<", ">Application details<", ">Documents you have<", ">Application form<",
        ">See a sample application<", "to fill in the form correctly", ">Save<", ">Receiving agency<",
    ], [
        ">Đăng ký hồ sơ mới<", ">Thông tin hồ sơ<", ">Chọn thông tin bạn có<", ">Biểu mẫu nhập liệu<",
        ">Xem hồ sơ mẫu<", "để điền cho chính xác", ">Lưu lại<", ">Cơ quan tiếp nhận<",
    ]),
    "manage": ("congdan", "/quan-ly-ho-so", [
        ">My applications<", ">All applications<", ">Receipt number<", ">Actions<", ">Created on<",
        ">View the application<", ">Log out<", "Hello: Trần Thị Bích Ngọc",
    ], [
        ">Quản lý hồ sơ<", ">Tất cả hồ sơ<", ">Số biên nhận<", ">Thao tác<", ">Ngày tạo<",
        ">Xem thông tin hồ sơ<", ">Thoát<", "Xin chào: Trần Thị Bích Ngọc",
    ]),
    "dossier": ("congdan", "/ho-so/{confirmed}", [
        ">Status<", ">Application documents<", ">Application form<", ">Processing log<",
        "Print the application (PDF)", " Update application</a>", " Submit application</a>",
        " Delete application</a>", ">Attached file<",
    ], [
        ">Trạng thái<", ">Thành phần hồ sơ<", ">Biểu mẫu nhập liệu<", ">Nhật ký xử lý<",
        "In hồ sơ (PDF)", " Cập nhật hồ sơ</a>", " Nộp hồ sơ</a>", " Xóa hồ sơ</a>", ">Tệp đính kèm<",
    ]),
    "desk inbox": ("canbo", "/mot-cua/", [
        ">Incoming applications<", ">All services<", ">Submitted from<", ">Filter<", ">Export CSV<",
        ">Print the selected applications<", ">Waiting to be accepted<", ">One-stop desk<", ">Statistics<",
        "1 application, by result due date.",
    ], [
        ">Hồ sơ tiếp nhận<", ">Tất cả dịch vụ<", ">Nộp từ ngày<", ">Lọc<", ">Xuất CSV<",
        ">In các hồ sơ đã chọn<", ">Chờ tiếp nhận<", ">Bộ phận một cửa<", ">Thống kê<",
        "1 hồ sơ, xếp theo ngày hẹn trả kết quả.",
    ]),
    "desk dossier": ("canbo", "/mot-cua/ho-so/{submitted}", [
        ">Process the application<", ">Accept the application<", "sets the result date to ", ">Refuse the application<",
        ">Reason for refusal<", ">Ask for more information<", ">Print the application<", ">Applicant<",
        ">Form version<",
    ], [
        ">Xử lý hồ sơ<", ">Tiếp nhận hồ sơ<", "hẹn trả kết quả ngày ", ">Từ chối giải quyết<", ">Lý do từ chối<",
        ">Yêu cầu bổ sung hồ sơ<", ">In hồ sơ<", ">Người nộp<", ">Phiên bản biểu mẫu<",
    ]),
    "desk figures": ("canbo", "/mot-cua/thong-ke", [
        ">Statistics by service<", ">Accepted<", ">On time<", ">Average working days to process<",
    ], [
        ">Thống kê theo dịch vụ<", ">Đã tiếp nhận<", ">Đúng hạn<", ">Số ngày giải quyết trung bình<",
    ]),
    "authoring": ("quantri", "/quan-tri/dich-vu", [
        ">Service administration<", ">Upload a new service definition<", ">Current version<", ">Taking applications<",
        ">Upload a new version<", ">Stop taking new applications<", ">Version 1<", ">Administration<",
    ], [
        ">Quản trị dịch vụ<", ">Tải lên định nghĩa dịch vụ mới<", ">Phiên bản hiện hành<", ">Đang nhận hồ sơ<",
        ">Tải lên phiên bản mới<", ">Ngừng nhận hồ sơ mới<", ">Phiên bản 1<", ">Quản trị<",
    ]),
    "authoring upload": ("quantri", "/quan-tri/dich-vu/tai-len", [
        ">Upload a service definition<", "A service definition is a folder of four files", ">Upload and check<",
        ">Cancel<",
    ], [
        ">Tải lên định nghĩa dịch vụ<", "Một định nghĩa dịch vụ là một thư mục gồm bốn tệp", ">Tải lên và kiểm tra<",
        ">Bỏ qua<",
    ]),
}


@pytest.fixture
def dossiers(app, citizen, household):
    """Two dossiers of ``congdan``: one confirmed (the citizen may still change it), one submitted."""
    store = resources.portal(app).dossiers
    me = to_actor(citizen)
    found = {}
    for name in ("confirmed", "submitted"):
        dossier = store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), ["giay-de-nghi"],
                                             WED, citizen.id_number))
        dossier = store.update(lifecycle.confirm(dossier, me, WED))
        if name == "submitted":
            dossier = store.update(lifecycle.submit(dossier, household, me, WED))
        found[name] = dossier.id
    return found


@pytest.fixture
def visit(app, citizen, clerk, admin, dossiers):
    """The page of a family as its user sees it, in ``lang`` (None: no cookie)."""

    def page(family: str, lang: str | None) -> str:
        who, path, _english, _vietnamese = PAGES[family]
        client = app.test_client()
        if who:
            assert login(client, who).status_code == 302
        if lang:
            client.set_cookie("lang", lang)
        response = client.get(path.format(**dossiers))
        assert response.status_code == 200, (family, response.status_code)
        return response.get_data(as_text=True)

    return page


def unescaped(page: str) -> str:
    return html.unescape(page)


@pytest.mark.parametrize("family", PAGES)
def test_the_page_is_in_english_with_the_cookie(visit, family):
    page = unescaped(visit(family, "en"))
    _who, _path, english, vietnamese = PAGES[family]
    assert '<html lang="en">' in page
    for words in english:
        assert words in page, words
    for words in vietnamese:
        assert words not in page, f"left in Vietnamese: {words}"


@pytest.mark.parametrize("family", PAGES)
def test_vietnamese_is_the_default(visit, family):
    page = unescaped(visit(family, None))
    _who, _path, english, vietnamese = PAGES[family]
    assert '<html lang="vi">' in page
    for words in vietnamese:
        assert words in page, words
    for words in english:
        assert words not in page, f"English without asking: {words}"


def test_an_unknown_language_in_the_cookie_is_vietnamese(app):
    client = app.test_client()
    client.set_cookie("lang", "fr")
    page = text(client.get("/"))
    assert '<html lang="vi">' in page and "Chọn dịch vụ cần đăng ký hồ sơ" in page


def test_service_data_stays_vietnamese_in_english(visit, catalog):
    """Names, fields, documents, methods, status labels: the definitions' and engine's words."""
    page = unescaped(visit("service", "en"))
    household = catalog[HOUSEHOLD]
    for words in (household.info.name, household.info.field, household.documents[0].name, "Trực tiếp; Trực tuyến"):
        assert words in page, words
    assert "Đã nộp, chờ tiếp nhận" in unescaped(visit("desk inbox", "en"))  # a status label


def test_messages_with_values_are_translated_and_escaped(client):
    client.set_cookie("lang", "en")
    page = client.get("/?q=<b>nhà</b>").get_data(as_text=True)
    assert "No service matches “&lt;b&gt;nhà&lt;/b&gt;”." in page and "<b>nhà</b>" not in page


def test_flash_messages_follow_the_language(app, client, citizen, dossiers):
    login(client, "congdan")
    client.set_cookie("lang", "en")
    deleted = post(client, f"/ho-so/{dossiers['confirmed']}/xoa", {}, follow_redirects=True)
    assert "The application was deleted." in text(deleted) and "Đã xóa hồ sơ." not in text(deleted)
    client.set_cookie("lang", "vi")
    refused = client.get(f"/ho-so/{dossiers['submitted']}/cap-nhat", follow_redirects=True)
    assert "Hồ sơ đã nộp đến Bộ phận một cửa, không thể sửa." in text(refused)


def test_the_confirmation_link_page_in_english(client):
    client.set_cookie("lang", "en")
    page = text(client.get("/ho-so/xac-nhan/khong-hop-le"))
    assert "The application could not be confirmed" in page and "The confirmation link is not valid." in page


def test_the_desk_counts_in_english_plurals(app, clerk, dossiers):
    desk = app.test_client()
    login(desk, "canbo")
    desk.set_cookie("lang", "en")
    assert "1 application, by result due date." in text(desk.get("/mot-cua/"))
    assert "0 applications, by result due date." in text(desk.get("/mot-cua/?trang-thai=rejected"))


def test_upload_refusals_are_in_english(app, admin):
    client = app.test_client()
    login(client, "quantri")
    client.set_cookie("lang", "en")
    page = text(post(client, "/quan-tri/dich-vu/tai-len", {"slug": ""}, content_type="multipart/form-data"))
    assert "The upload was refused" in page and "No file chosen." in page
    page = text(post(client, "/quan-tri/dich-vu/tai-len",
                     {"slug": "Sai Ma", "files": (io.BytesIO(b"{}"), "service.json")},
                     form_page="/quan-tri/dich-vu/tai-len", content_type="multipart/form-data"))
    assert "The service code “Sai Ma” is not valid: lower-case unaccented letters and digits" in page
    page = text(post(client, "/quan-tri/dich-vu/tai-len", {"files": (io.BytesIO(b"zip?"), "x.zip")},
                     form_page="/quan-tri/dich-vu/tai-len", content_type="multipart/form-data"))
    assert "The .zip file is damaged or is not a .zip archive." in page


def test_the_english_catalogue_is_complete():
    """No empty or fuzzy entry, and every entry keeps the placeholders of its Vietnamese."""
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    entries = [m for m in catalogue if m.id]
    assert len(entries) > 350
    for message in entries:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
    problems = [(m.id, errors) for m, errors in catalogue.check() if errors]
    assert not problems, problems
