""""Đăng nhập" in the guide's words: "Một hộp thoại hiện lên yêu cầu bạn điền đầy đủ thông tin
tên truy cập, mật khẩu; sau đó nhấn Đăng nhập". Every page an anonymous visitor gets holds
the dialog (opened by web/static/js/login.js, tests/e2e/test_lookup_and_login.py) posting
to the login page, whose own form stays for a browser without JavaScript; the dialog's
form carries the session's CSRF token, fetched when it opens, never kept in the page."""

from __future__ import annotations

import re

from tests.web.helpers import PASSWORD, csrf_token, login, text

PAGES = ("/", "/tra-cuu", "/dich-vu/dang-ky-thanh-lap-ho-kinh-doanh")


def dialog_of(page: str) -> str:
    found = re.search(r'<dialog class="login-dialog" id="login-dialog" aria-labelledby="login-dialog-title">(.*?)'
                      r"</dialog>", page, re.S)
    assert found, "no login dialog on the page"
    return found.group(1)


def token_of(client) -> str:
    response = client.get("/dang-nhap/ma-phien")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["csrf_token"]


def test_every_anonymous_page_has_the_dialog_with_the_guide_s_words(client):
    for path in PAGES:
        page = text(client.get(path))
        link = re.search(r'<a href="/dang-nhap"([^>]*)>Đăng nhập</a>', page)
        assert link and 'data-login-dialog="login-dialog"' in link.group(1)
        assert 'aria-haspopup="dialog"' in link.group(1)
        dialog = dialog_of(page)
        assert '<h2 id="login-dialog-title">Đăng nhập</h2>' in dialog
        assert re.search(r'<form method="post" action="/dang-nhap"', dialog)
        assert '<label class="label" for="login-dialog-username">Tên truy cập</label>' in dialog
        assert re.search(r'<input [^>]*id="login-dialog-username" name="username"[^>]*autocomplete="username"', dialog)
        assert '<label class="label" for="login-dialog-password">Mật khẩu</label>' in dialog
        assert re.search(r'id="login-dialog-password" name="password" type="password"', dialog)
        assert '<button type="submit">Đăng nhập</button>' in dialog and ">Bỏ qua</button>" in dialog
        assert '<script src="/static/js/login.js" defer></script>' in page
        assert "Tên đăng nhập" not in page and "csrf_token" not in dialog, path
    assert "csrf_token" not in text(client.get("/")), "a page kept for everyone holds no session's token"


def test_the_account_pages_have_their_own_forms_and_no_dialog(client):
    """The login page says "Tên truy cập" too; the registration page asks for one."""
    for path in ("/dang-nhap", "/dang-ky", "/quen-mat-khau"):
        page = text(client.get(path))
        assert "<dialog" not in page and "data-login-dialog" not in page and "Tên đăng nhập" not in page, path
        assert '<a href="/dang-nhap">Đăng nhập</a>' in page, "the menu's link is the login page"
    for path in ("/dang-nhap", "/dang-ky"):
        assert '<label class="label" for="username">Tên truy cập</label>' in text(client.get(path)), path


def test_the_dialog_s_form_signs_in_and_comes_back_to_the_page(client, citizen):
    page = text(client.get("/tra-cuu"))
    assert 'name="next" value="/tra-cuu"' in dialog_of(page)
    response = client.post("/dang-nhap", data={"csrf_token": token_of(client), "next": "/tra-cuu",
                                                "username": citizen.username, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/tra-cuu"
    page = text(client.get("/tra-cuu"))
    assert f"Xin chào: {citizen.full_name}" in page and "<dialog" not in page


def test_the_dialog_s_token_is_the_session_s(client, citizen):
    # A Flask-WTF token is "payload.timestamp.signature": two made across a second's turn
    # differ in the last two parts; the payload is the session's own secret.
    assert token_of(client).split(".")[0] == csrf_token(client, "/dang-nhap").split(".")[0]


def test_without_the_token_the_dialog_s_post_is_refused(client, citizen):
    client.get("/")
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/dang-nhap", data={**data, "username": citizen.username, "password": PASSWORD})
        assert response.status_code == 400 and "Phiên làm việc đã hết hạn" in text(response)
    assert "Xin chào" not in text(client.get("/"))


def test_a_wrong_password_from_the_dialog_shows_the_login_page_s_error(client, citizen):
    response = client.post("/dang-nhap", data={"csrf_token": token_of(client), "next": "/",
                                                "username": citizen.username, "password": "sai-mat-khau-123"})
    assert response.status_code == 422
    page = text(response)
    assert "Tên truy cập hoặc mật khẩu không đúng" in page and "<h1>Đăng nhập</h1>" in page
    assert '<label class="label" for="username">Tên truy cập</label>' in page
    assert 'name="next" type="hidden" value="/"' in page, "the page it came from is kept"


def test_from_the_lookup_the_dialog_leads_to_its_empty_form(client):
    """Never back to a number typed: a lookup's answer is a post, a detail's address holds it."""
    token = csrf_token(client, "/tra-cuu")
    pages = [client.post("/tra-cuu", data={"csrf_token": token, "q": "093186004527"}),
             client.get("/tra-cuu/093186004527")]
    for response in pages:
        dialog = dialog_of(text(response))
        assert 'name="next" value="/tra-cuu"' in dialog and "093186004527" not in dialog


def test_after_another_post_the_dialog_leads_home(client):
    response = client.post("/dang-nhap/ma-phien")  # any post answered by a page: here 405
    assert 'name="next" value=""' in dialog_of(text(response))


def test_a_signed_in_visitor_has_no_dialog(client, citizen):
    login(client, citizen.username)
    page = text(client.get("/"))
    assert "<dialog" not in page and "login.js" not in page and "Thoát" in page


def test_english(client):
    client.set_cookie("lang", "en")
    dialog = dialog_of(text(client.get("/")))
    for words in (">Log in</h2>", ">Username</label>", ">Password</label>", ">Cancel</button>"):
        assert words in dialog, words
