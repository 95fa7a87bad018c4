"""What every page shares: the menu, the language switch, error pages in the visitor's
language (CSRF refusal, rate limit, 404, 500), never a stack trace."""

from __future__ import annotations

import pytest

from tests.web.helpers import PASSWORD, csrf_token, login, post, text
from web import create_app


def test_the_menu_uses_the_user_guides_words(client):
    page = text(client.get("/"))
    for word in ("Trang chủ", "Tra cứu hồ sơ", "Đăng ký", "Đăng nhập"):
        assert f">{word}<" in page
    assert 'href="/tra-cuu"' in page
    assert "Quản lý hồ sơ" not in page and "Thoát" not in page


def test_english_is_one_click_away_and_kept_in_a_cookie(client, citizen):
    response = client.get("/ngon-ngu/en?next=/dang-ky")
    assert response.status_code == 302 and response.location == "/dang-ky"
    assert "lang=en" in response.headers["Set-Cookie"]
    page = text(client.get("/dang-ky"))
    assert '<html lang="en">' in page
    for words in ("Register an account", "Full name", "Username", "Log in", "Home", "Track an application"):
        assert words in page, words
    refused = post(client, "/dang-ky", {"username": "ab", "id_number": "1"})
    assert "Username must be 4 to 32 characters long" in text(refused)
    assert "Personal identification number must have 12 digits" in text(refused)
    login(client, "congdan")
    page = text(client.get("/"))
    assert "Hello: Trần Thị Bích Ngọc" in page and "Log out" in page and "My applications" in page
    client.get("/ngon-ngu/vi")
    assert "Xin chào: Trần Thị Bích Ngọc" in text(client.get("/"))


def test_the_language_switch_stays_on_this_site(client):
    assert client.get("/ngon-ngu/en?next=https://evil.example/").location == "/"
    assert client.get("/ngon-ngu/fr").status_code == 404


def test_a_post_without_csrf_token_is_refused_in_vietnamese(app, client, citizen):
    response = client.post("/dang-nhap", data={"username": "congdan", "password": PASSWORD})
    assert response.status_code == 400
    page = text(response)
    assert "Phiên làm việc đã hết hạn" in page and "Traceback" not in page
    assert "Xin chào" not in text(client.get("/"))
    login(client, "congdan")
    assert client.post("/thoat").status_code == 400  # "Thoát" too needs the token
    assert "Xin chào" in text(client.get("/"))


def test_a_token_from_another_session_is_refused(app, client):
    other = app.test_client()
    token = csrf_token(other)
    response = client.post("/dang-nhap", data={"csrf_token": token, "username": "congdan", "password": PASSWORD})
    assert response.status_code == 400


def test_too_many_failed_logins_for_one_username_get_429(tmp_path, catalog):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                      "PASSWORD_PROFILE": "CHEAPEST", "LOGIN_LIMIT_USERNAME": "3 per minute"})
    client = app.test_client()
    codes = [login(client, "congdan", "sai").status_code for _ in range(4)]
    assert codes == [422, 422, 422, 429]
    page = text(login(client, "congdan", "sai"))
    assert "Quá nhiều yêu cầu" in page and "Xin vui lòng đợi một lúc rồi thử lại" in page
    assert login(client, "nguoikhac", "sai").status_code == 422  # another username is not blocked


def test_too_many_logins_from_one_address_get_429(tmp_path, catalog):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                      "PASSWORD_PROFILE": "CHEAPEST", "LOGIN_LIMIT_IP": "2 per minute"})
    client = app.test_client()
    assert [login(client, f"user{i}", "sai").status_code for i in range(3)] == [422, 422, 429]


def test_resend_and_reset_are_rate_limited_per_address(tmp_path, catalog):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                      "MAIL_LIMIT_ADDRESS": "2 per hour"})
    client = app.test_client()
    for path in ("/gui-lai-kich-hoat", "/quen-mat-khau"):
        codes = [post(client, path, {"email": "an@example.com"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429], path


def test_unknown_pages_are_404_in_vietnamese(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text(response)


def test_a_crash_shows_an_apology_not_a_trace(tmp_path, catalog):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})  # not TESTING: errors are caught

    @app.get("/hong")
    def broken():
        raise RuntimeError("bí mật nội bộ")

    response = app.test_client().get("/hong")
    assert response.status_code == 500
    page = text(response)
    assert "Đã có lỗi xảy ra" in page and "bí mật nội bộ" not in page and "Traceback" not in page


@pytest.mark.parametrize("path", ["/dang-ky", "/dang-nhap", "/quen-mat-khau", "/gui-lai-kich-hoat"])
def test_account_pages_are_in_english_too(client, path):
    client.get("/ngon-ngu/en")
    page = text(client.get(path))
    assert '<html lang="en">' in page and "Đăng" not in page.split("<main")[1]
