"""Accounts as the user guide tells them: "Đăng ký", activation by e-mail, "Đăng nhập",
"Thoát", "Xin chào: …" and the profile, password reset; with every refusal."""

from __future__ import annotations

import pytest

from tests.web.helpers import PASSWORD, add_user, body, csrf_token, link_in, login, logout, post, text
from web import tokens
from web import resources

REGISTRATION = {
    "full_name": "Võ Thị Kim Ngân",
    "username": "Kim.Ngan",
    "email": "Kim.Ngan@Example.com",
    "phone": "0912 345 678",
    "id_number": "093195001234",
    "password": "an-toan-2025",
    "confirm": "an-toan-2025",
    "consent": "y",
}


def register(client, **changes):
    return post(client, "/dang-ky", REGISTRATION | changes)


def users(app):
    return resources.portal(app).users


# -- Đăng ký ---------------------------------------------------------------------------------


def test_registration_creates_an_inactive_citizen_and_emails_an_activation_link(app, client, smtp):
    response = register(client)
    assert response.status_code == 302
    assert "Kiểm tra thư điện tử" in text(client.get(response.location))

    user = users(app).get_by_username("kim.ngan")
    assert user is not None and not user.active and user.role == "citizen"
    assert user.email == "kim.ngan@example.com" and user.phone == "0912345678"
    assert user.consent_at is not None and user.password_hash.startswith("$argon2id$")

    [message] = smtp.messages
    assert message["To"] == "kim.ngan@example.com"
    assert message["Subject"] == "Kích hoạt tài khoản Dịch vụ công trực tuyến Thành phố Vị Thanh"
    assert "Xin chào Võ Thị Kim Ngân," in body(message)

    activated = client.get(link_in(message))
    assert activated.status_code == 302 and activated.location.endswith("/dang-nhap")
    assert "Tài khoản của bạn đã được kích hoạt" in text(client.get(activated.location))
    assert users(app).get(user.id).active

    signed_in = login(client, "kim.ngan", "an-toan-2025")
    assert signed_in.status_code == 302
    assert "Xin chào: Võ Thị Kim Ngân" in text(client.get("/"))


def test_invalid_registration_shows_each_problem_and_keeps_what_was_typed(app, client):
    response = register(client, full_name="", username="ab", email="khong-phai-thu", phone="12345",
                        id_number="12345678901", password="99887766", confirm="khac", consent="")
    assert response.status_code == 422
    page = text(response)
    assert "Có lỗi trong thông tin bạn nhập" in page
    for message in (
        "Vui lòng nhập họ và tên",
        "Tên truy cập phải dài từ 4 đến 32 ký tự",
        "Thư điện tử không phải là địa chỉ thư điện tử hợp lệ",
        "Số điện thoại không hợp lệ",
        "Số định danh cá nhân phải gồm 12 chữ số",
        "Mật khẩu không được chỉ gồm chữ số",
        "Mật khẩu nhập lại không khớp",
        "Bạn cần đồng ý với việc xử lý dữ liệu cá nhân",
    ):
        assert message in page, message
    assert 'href="#id_number"' in page  # the summary links to the field
    assert 'value="khong-phai-thu"' in page and 'value="12345678901"' in page
    assert "99887766" not in page  # passwords are never sent back
    assert users(app).count() == 0


def test_registration_refuses_an_old_9_digit_cmnd(app, client):
    """The CMND is no longer valid since 1/1/2025 (Luật Căn cước 2023): the citizen is told to
    enter the 12-digit số định danh cá nhân instead, and no account is made."""
    response = register(client, id_number="093 195 001")
    assert response.status_code == 422
    assert ("Số định danh cá nhân: số CMND 9 chữ số không còn giá trị từ ngày 01/01/2025; "
            "vui lòng nhập số định danh cá nhân 12 chữ số") in text(response)
    assert users(app).count() == 0


def test_an_account_stored_with_an_old_cmnd_still_signs_in(app, client):
    """An account recorded before 2025 keeps its CMND: it loads and signs in (its owner is
    asked for the 12-digit number only when editing the profile)."""
    add_user(app, "ba.tu", id_number="093195001")
    assert login(client, "ba.tu").status_code == 302
    assert users(app).get_by_username("ba.tu").id_number == "093195001"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "kim.ngan", "confirm": "kim.ngan"}, "Mật khẩu không được trùng với tên truy cập"),
        ({"password": "ngan25", "confirm": "ngan25"}, "Mật khẩu phải có ít nhất 10 ký tự"),
        ({"username": "kim ngân"}, "Tên truy cập chỉ được gồm chữ cái không dấu"),
    ],
)
def test_password_and_username_rules(client, changes, message):
    response = register(client, **changes)
    assert response.status_code == 422
    assert message in text(response)


@pytest.mark.parametrize(
    ("taken", "message"),
    [
        ({"username": "KIM.NGAN"}, "Tên truy cập này đã có người sử dụng"),
        ({"email": "kim.ngan@example.com"}, "Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác"),
        ({"id_number": "093195001234"}, "Số định danh cá nhân này đã được dùng cho một tài khoản khác"),
    ],
)
def test_a_taken_username_email_or_id_number_is_named(app, client, taken, message):
    add_user(app, "kim.ngan", email="kim.ngan@example.com", id_number="093195001234")
    other = {"username": "nguoi.khac", "email": "khac@example.com", "id_number": "093195009999"}
    response = register(client, **(other | taken))
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'class="field has-error"' in page
    assert users(app).count() == 1


# -- Kích hoạt ---------------------------------------------------------------------------------


def test_an_activation_link_works_once(app, client, smtp):
    register(client)
    link = link_in(smtp.messages[0])
    client.get(link)
    again = client.get(link)
    assert again.status_code == 410
    assert "Tài khoản đã được kích hoạt" in text(again)


def test_an_expired_activation_link_says_so_and_offers_a_new_one(app, client, smtp, monkeypatch):
    register(client)
    link = link_in(smtp.messages[0])
    real = tokens.clock()
    monkeypatch.setattr(tokens, "clock", lambda: real + 48 * 3600 + 60)
    response = client.get(link)
    assert response.status_code == 410
    page = text(response)
    assert "Liên kết đã hết hạn" in page and "Gửi lại thư kích hoạt" in page
    assert not users(app).get_by_username("kim.ngan").active


def test_a_tampered_activation_link_is_invalid(client, smtp):
    register(client)
    response = client.get(link_in(smtp.messages[0])[:-3] + "abc")
    assert response.status_code == 400
    assert "Liên kết không hợp lệ" in text(response)


def test_a_reset_link_does_not_activate_through_the_activation_page(app, client):
    user = add_user(app, "kim.ngan", active=False)
    with app.test_request_context():
        token = tokens.issue(tokens.PASSWORD_RESET, user)
    assert client.get(f"/kich-hoat/{token}").status_code == 400
    assert not users(app).get(user.id).active


def test_resend_sends_a_new_link_and_answers_the_same_for_unknown_addresses(app, client, smtp):
    register(client)
    known = post(client, "/gui-lai-kich-hoat", {"email": "KIM.NGAN@example.com"})
    unknown = post(client, "/gui-lai-kich-hoat", {"email": "khong.co@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert text(known).split("<main")[1] == text(unknown).split("<main")[1]
    assert [m["To"] for m in smtp.messages] == ["kim.ngan@example.com", "kim.ngan@example.com"]
    assert client.get(link_in(smtp.messages[1])).status_code == 302
    assert users(app).get_by_username("kim.ngan").active
    post(client, "/gui-lai-kich-hoat", {"email": "kim.ngan@example.com"})
    assert len(smtp.messages) == 2  # an active account gets no activation e-mail


def test_resend_refuses_a_malformed_address(client):
    response = post(client, "/gui-lai-kich-hoat", {"email": "kim.ngan"})
    assert response.status_code == 422
    assert "Thư điện tử không phải là địa chỉ thư điện tử hợp lệ" in text(response)


# -- Đăng nhập, Thoát ------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_get_the_same_answer(client, citizen):
    wrong = login(client, "congdan", "sai-mat-khau")
    unknown = login(client, "khongco", "sai-mat-khau")
    assert wrong.status_code == unknown.status_code == 422
    assert "Tên truy cập hoặc mật khẩu không đúng" in text(wrong)
    strip = lambda r: text(r).split("<main")[1].replace("khongco", "congdan")  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_an_inactive_account_is_told_to_activate_with_a_resend_link(app, client):
    add_user(app, "chuakichhoat", active=False)
    response = login(client, "chuakichhoat")
    assert response.status_code == 422
    page = text(response)
    assert "Tài khoản chưa được kích hoạt" in page and 'href="/gui-lai-kich-hoat"' in page
    assert "Đăng nhập</a>" in page  # still anonymous: the menu offers "Đăng nhập"


def test_login_goes_to_next_and_shows_the_name_in_the_menu(client, citizen):
    response = login(client, "CongDan", next="/tai-khoan?tab=1")
    assert response.status_code == 302 and response.location == "/tai-khoan?tab=1"
    page = text(client.get("/"))
    assert "Xin chào: Trần Thị Bích Ngọc" in page and 'href="/tai-khoan"' in page
    assert "Quản lý hồ sơ" in page and "Thoát" in page
    assert ">Đăng nhập<" not in page and ">Đăng ký<" not in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_to_another_site(client, citizen, target):
    response = login(client, "congdan", next=target)
    assert response.status_code == 302 and response.location == "/"


def test_logout_makes_a_copied_cookie_useless(app, client, citizen):
    login(client, "congdan")
    cookie = client.get_cookie("session").value
    response = logout(client)
    assert response.status_code == 302 and response.location == "/"
    assert "Bạn đã thoát khỏi hệ thống." in text(client.get("/"))

    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/tai-khoan").status_code == 302  # anonymous: sent to "Đăng nhập"
    assert "Xin chào" not in text(thief.get("/"))
    assert users(app).get(citizen.id).sessions == []


def test_logout_is_a_post(client, citizen):
    login(client, "congdan")
    assert client.get("/thoat").status_code == 405
    assert "Xin chào" in text(client.get("/"))


def test_signing_in_on_an_eleventh_device_ends_the_oldest_session(app, citizen):
    devices = [app.test_client() for _ in range(11)]
    for device in devices:
        login(device, "congdan")
    assert "Xin chào" not in text(devices[0].get("/"))
    assert all("Xin chào" in text(d.get("/")) for d in devices[1:])


# -- Quên mật khẩu ---------------------------------------------------------------------------


def test_password_reset_by_email_ends_every_session(app, client, citizen, smtp):
    other_device = app.test_client()
    login(other_device, "congdan")

    known = post(client, "/quen-mat-khau", {"email": "congdan@example.com"})
    unknown = post(client, "/quen-mat-khau", {"email": "khongco@example.com"})
    assert text(known).split("<main")[1] == text(unknown).split("<main")[1]
    [message] = smtp.messages
    assert message["Subject"] == "Đặt lại mật khẩu Dịch vụ công trực tuyến Thành phố Vị Thanh"

    link = link_in(message)
    assert "Đặt lại mật khẩu" in text(client.get(link))
    refused = post(client, link, {"password": "ngan", "confirm": "ngan"})
    assert refused.status_code == 422 and "Mật khẩu mới phải có ít nhất 10 ký tự" in text(refused)

    done = post(client, link, {"password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert done.status_code == 302 and done.location.endswith("/dang-nhap")
    assert "Xin chào" not in text(other_device.get("/"))
    assert login(client, "congdan", PASSWORD).status_code == 422
    assert login(client, "congdan", "mat-khau-moi-1").status_code == 302

    used = client.get(link)
    assert used.status_code == 410 and "Liên kết đã được sử dụng" in text(used)


def test_a_reset_link_expires_after_two_hours(client, citizen, smtp, monkeypatch):
    post(client, "/quen-mat-khau", {"email": "congdan@example.com"})
    link = link_in(smtp.messages[0])
    real = tokens.clock()
    monkeypatch.setattr(tokens, "clock", lambda: real + 2 * 3600 + 60)
    response = client.get(link)
    assert response.status_code == 410 and "Liên kết đã hết hạn" in text(response)


# -- Tài khoản ("Xin chào: …") ---------------------------------------------------------------


def test_the_profile_needs_a_login(client):
    response = client.get("/tai-khoan")
    assert response.status_code == 302 and response.location == "/dang-nhap?next=/tai-khoan"


def test_profile_update(app, client, citizen, smtp):
    """With the e-mail address unchanged, no password is asked and no e-mail is sent
    (a new address: tests/web/test_account_email_change.py)."""
    login(client, "congdan")
    page = text(client.get("/tai-khoan"))
    assert 'value="Trần Thị Bích Ngọc"' in page and 'value="093195001234"' in page
    response = post(client, "/tai-khoan", {
        "full_name": "Trần Bích Ngọc", "email": "CongDan@Example.com", "phone": "0293 3870 123",
        "id_number": "093195005678",
    })
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Cập nhật thông tin thành công" in page and "Xin chào: Trần Bích Ngọc" in page
    saved = users(app).get(citizen.id)
    assert (saved.email, saved.phone, saved.id_number) == ("congdan@example.com", "02933870123", "093195005678")
    assert smtp.messages == []


def test_profile_refuses_invalid_or_taken_values(app, client, citizen):
    add_user(app, "nguoikhac", email="khac@example.com")
    login(client, "congdan")
    response = post(client, "/tai-khoan", {"full_name": "", "email": "khac@example.com", "phone": "", "id_number": "1"})
    assert response.status_code == 422
    page = text(response)
    assert "Vui lòng nhập họ và tên" in page and "Vui lòng nhập số điện thoại" in page
    assert "Số định danh cá nhân phải gồm 12 chữ số" in page
    response = post(client, "/tai-khoan", {
        "full_name": "Trần Thị Bích Ngọc", "email": "khac@example.com", "phone": "0912345678", "id_number": "093195001234",
        "current_password": PASSWORD,
    })
    assert response.status_code == 422
    assert "Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác" in text(response)
    assert users(app).get(citizen.id).email == "congdan@example.com"


def test_password_change_asks_for_the_current_one_and_ends_other_sessions(app, client, citizen):
    other_device = app.test_client()
    login(other_device, "congdan")
    login(client, "congdan")
    wrong = post(client, "/tai-khoan/mat-khau",
                 {"pw-current_password": "sai", "pw-password": "mat-khau-moi-1", "pw-confirm": "mat-khau-moi-1"},
                 form_page="/tai-khoan")
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in text(wrong)

    done = post(client, "/tai-khoan/mat-khau",
                {"pw-current_password": PASSWORD, "pw-password": "mat-khau-moi-1", "pw-confirm": "mat-khau-moi-1"},
                form_page="/tai-khoan")
    assert done.status_code == 302
    assert "Cập nhật thông tin thành công" in text(client.get("/tai-khoan"))
    assert "Xin chào" not in text(other_device.get("/"))
    logout(client)
    assert login(client, "congdan", "mat-khau-moi-1").status_code == 302


def test_a_password_change_voids_links_sent_before(app, client, citizen, smtp):
    post(client, "/quen-mat-khau", {"email": "congdan@example.com"})
    link = link_in(smtp.messages[0])
    login(client, "congdan")
    post(client, "/tai-khoan/mat-khau",
         {"pw-current_password": PASSWORD, "pw-password": "mat-khau-moi-1", "pw-confirm": "mat-khau-moi-1"},
         form_page="/tai-khoan")
    assert client.get(link).status_code == 410


def test_pages_render_with_a_csrf_token(client):
    for path in ("/dang-ky", "/dang-nhap", "/gui-lai-kich-hoat", "/quen-mat-khau"):
        assert csrf_token(client, path)
