"""Pages kept whole between requests (web.page_cache): the home page, field pages, service
pages and the sample dossier, as an anonymous visitor gets them."""

from __future__ import annotations

import re

from operations import publishing
from tests.web.helpers import csrf_token, login, logout, text
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
