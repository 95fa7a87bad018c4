"""Pages kept whole between requests (web.page_cache): the home page, field pages, service
pages and the sample dossier, as an anonymous visitor gets them."""

from __future__ import annotations

import re

from operations import publishing
from tests.web.helpers import csrf_token, login, logout, text
from tests.web.test_metrics import scrape, value
from tests.web.test_request_log import json_lines
from web import create_app, resources

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
HOUSEHOLD_NAME = "Đăng ký thành lập hộ kinh doanh"
PAGES = ["/", f"/dich-vu/{HOUSEHOLD}", f"/dich-vu/{HOUSEHOLD}/ho-so-mau"]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _cached(app) -> int:
    return len(app.extensions["page_cache"])


def test_the_pages_are_kept_and_served_the_same(app, client):
    for path in PAGES:
        first = client.get(path)
        assert first.status_code == 200
        assert client.get(path).get_data() == first.get_data()
    assert _cached(app) == len(PAGES)


def test_a_withdrawal_through_another_app_on_the_same_store_shows_at_once(app, client, tmp_path, catalog):
    for path in PAGES:
        client.get(path)
    assert HOUSEHOLD_NAME in text(client.get("/"))

    other = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
    with other.app_context():
        publishing.withdraw(resources.definitions(), resources.catalog(), HOUSEHOLD, True)

    assert HOUSEHOLD_NAME not in text(client.get("/"))  # no longer listed
    assert "Dịch vụ này đã ngừng nhận hồ sơ mới" in text(client.get(f"/dich-vu/{HOUSEHOLD}"))

    with other.app_context():
        publishing.withdraw(resources.definitions(), resources.catalog(), HOUSEHOLD, False)
    assert HOUSEHOLD_NAME in text(client.get("/"))
    assert "Nhấn vào đây để đăng ký hồ sơ" in text(client.get(f"/dich-vu/{HOUSEHOLD}"))


def test_each_language_gets_its_own_page(app, client):
    vietnamese = text(client.get("/"))
    client.set_cookie("lang", "en")
    english = text(client.get("/"))
    client.delete_cookie("lang")
    again = text(client.get("/"))
    assert "Chọn dịch vụ cần đăng ký hồ sơ" in vietnamese and "Chọn dịch vụ cần đăng ký hồ sơ" in again
    assert "Chọn dịch vụ cần đăng ký hồ sơ" not in english
    assert '<html lang="en">' in english and '<html lang="vi">' in vietnamese


def test_a_signed_in_visitor_sees_their_own_header_and_the_next_anonymous_one_nothing_of_it(app, citizen):
    anonymous, signed_in = app.test_client(), app.test_client()
    for path in PAGES:
        anonymous.get(path)  # kept, as an anonymous visitor got them
    login(signed_in, citizen.username)
    token = csrf_token(signed_in)
    for path in PAGES:
        page = text(signed_in.get(path))
        assert f"Xin chào: {citizen.full_name}" in page
        assert _TOKEN.search(page).group(1) == token  # their own sign-out form
        shown = text(anonymous.get(path))
        assert citizen.full_name not in shown and "csrf_token" not in shown and "Đăng nhập" in shown


def test_a_flashed_message_goes_only_to_its_visitor(app, citizen):
    leaving, other = app.test_client(), app.test_client()
    other.get("/")
    login(leaving, citizen.username)
    logout(leaving)
    assert "Bạn đã thoát khỏi hệ thống." in text(leaving.get("/"))
    assert "Bạn đã thoát khỏi hệ thống." not in text(leaving.get("/"))  # shown once
    assert "Bạn đã thoát khỏi hệ thống." not in text(other.get("/"))


def test_a_search_and_an_unknown_page_are_not_kept(app, client):
    assert HOUSEHOLD_NAME in text(client.get("/?q=hộ kinh doanh"))
    assert "Không tìm thấy dịch vụ nào" in text(client.get("/?q=zzzz"))
    assert client.get("/dich-vu/khong-co").status_code == 404
    assert client.get("/linh-vuc/khong-co").status_code == 404
    assert _cached(app) == 0


def test_the_cache_is_bounded(app, client, monkeypatch):
    cache = app.extensions["page_cache"]
    monkeypatch.setattr(cache, "size", 2)
    field = resources.portal(app).catalog.get(HOUSEHOLD).info.field
    for spelling in (field, field.upper(), field.lower()):  # one field page, three addresses
        assert client.get(f"/linh-vuc/{spelling}").status_code == 200
    assert _cached(app) == 2


# -- the front door: answered before Flask to a visitor with no session cookie ------------------

def _broken(app, monkeypatch) -> None:
    """Every cached view fails from now on: only an answer kept whole can still be 200."""
    def boom(*_args, **_kwargs):
        raise RuntimeError("the view ran")
    for endpoint in ("services.home", "services.service", "dossiers.sample"):
        monkeypatch.setitem(app.view_functions, endpoint, boom)


def test_a_visitor_with_no_session_cookie_gets_the_kept_answer_headers_and_all(app, client, monkeypatch):
    first = {path: client.get(path) for path in PAGES}
    _broken(app, monkeypatch)
    for path in PAGES:
        again = client.get(path)
        assert again.status_code == 200 and again.get_data() == first[path].get_data()
        own = {"X-Request-ID"}
        assert [h for h in again.headers if h[0] not in own] == [h for h in first[path].headers if h[0] not in own]
        assert "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]
        assert again.headers["X-Request-ID"] != first[path].headers["X-Request-ID"]
    assert client.get("/", headers={"X-Request-ID": "lb-7f3a"}).headers["X-Request-ID"] == "lb-7f3a"
    assert client.get("/", headers={"X-Request-ID": "093195001234"}).headers["X-Request-ID"] != "093195001234"


def test_a_visitor_with_a_session_goes_through_flask(app, client, monkeypatch):
    for path in PAGES:
        client.get(path)
    client.get("/dang-nhap")  # the sign-in form's CSRF token starts a session
    assert client.get_cookie("session") is not None
    _broken(app, monkeypatch)
    app.testing = False  # the error page a visitor would get, rather than the exception
    assert client.get("/").status_code == 500


def test_a_kept_answer_is_counted_under_its_route(app, client):
    client.get("/")  # kept
    before = scrape(client)
    for _ in range(3):
        client.get("/")
    after = scrape(client)
    count = {"method": "GET", "route": "/", "status": "200"}
    assert value(after, "dichvucong_http_requests_total", **count) - \
        value(before, "dichvucong_http_requests_total", **count) == 3


def test_a_kept_answer_has_its_json_log_line(json_app, capsys):
    client = json_app.test_client()
    client.get("/")  # kept
    capsys.readouterr()
    answer = client.get("/")
    assert [(line["route"], line["status"], line["request_id"]) for line in json_lines(capsys.readouterr().err)] == \
        [("/", 200, answer.headers["X-Request-ID"])]
