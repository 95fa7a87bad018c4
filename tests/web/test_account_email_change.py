"""Changing the e-mail address on the profile page ("Xin chào: …"): it needs the current
password, and takes effect only once the link sent to the new address is followed; the
old address is told of the request. Otherwise a stolen session could redirect the
password-reset mail ("Quên mật khẩu") to another inbox."""

from __future__ import annotations

import dataclasses

import pytest

from tests.web.helpers import PASSWORD, add_user, body, link_in, login, post, text
from web import create_app, tokens
from web import resources

NEW = "ngoc.tran@example.com"
OLD = "congdan@example.com"
PENDING = "Địa chỉ thư điện tử mới đang chờ xác nhận"


def users(app):
    return resources.portal(app).users


def profile_form(**changes):
    """The profile as ``congdan`` (tests.web.conftest.citizen) posts it, with ``changes``."""
    return {
        "full_name": "Trần Thị Bích Ngọc", "email": OLD, "phone": "0912345678", "id_number": "093195001234",
    } | changes


def ask_for(client, email=NEW, password=PASSWORD, **changes):
    return post(client, "/tai-khoan", profile_form(email=email, current_password=password, **changes))


def mail_to(smtp, address):
    found = [m for m in smtp.messages if m["To"] == address]
    assert len(found) == 1, [m["To"] for m in smtp.messages]
    return found[0]


@pytest.fixture
def signed_in(client, citizen):
    assert login(client, "congdan").status_code == 302
    return client


def test_a_new_address_gets_a_link_and_the_old_one_a_notice(app, signed_in, citizen, smtp):
    response = ask_for(signed_in, "Ngoc.Tran@Example.com", full_name="Trần Bích Ngọc")
    assert response.status_code == 302 and response.location == "/tai-khoan"
    page = text(signed_in.get(response.location))
    assert ("Cập nhật thông tin thành công. Địa chỉ thư điện tử chưa thay đổi: hãy mở liên kết xác nhận vừa được "
            "gửi đến ngoc.tran@example.com") in page
    assert f"{PENDING}: {NEW}." in page and f"vẫn được gửi đến {OLD}" in page
    assert 'value="congdan@example.com"' in page  # the field still shows the address in use
    assert "Xin chào: Trần Bích Ngọc" in page  # the other fields are saved at once

    saved = users(app).get(citizen.id)
    assert saved.email == OLD and saved.pending_email == NEW
    assert sorted(rcpts[0] for _sender, rcpts in smtp.envelopes) == sorted([NEW, OLD])

    link = mail_to(smtp, NEW)
    assert link["Subject"] == "Xác nhận thư điện tử mới tài khoản Dịch vụ công trực tuyến Thành phố Vị Thanh"
    assert link_in(link).startswith("/tai-khoan/xac-nhan-thu/")
    assert "congdan" in body(link) and "Trần" not in body(link)  # no personal data to an unproven address

    notice = mail_to(smtp, OLD)
    assert notice["Subject"] == "Yêu cầu đổi địa chỉ thư điện tử tài khoản Dịch vụ công trực tuyến Thành phố Vị Thanh"
    notice_text = body(notice)
    assert "Xin chào Trần Bích Ngọc," in notice_text and "n•••@example.com" in notice_text
    assert "http" not in notice_text and "/tai-khoan/xac-nhan-thu/" not in notice_text
    assert "093195001234" not in notice_text and NEW not in notice_text

    # Until the link is followed, a forgotten password is still sent to the old address.
    post(signed_in, "/quen-mat-khau", {"email": NEW})
    post(signed_in, "/quen-mat-khau", {"email": OLD})
    assert [m["To"] for m in smtp.messages[2:]] == [OLD]


def test_following_the_link_changes_the_address_once(app, signed_in, citizen, smtp):
    ask_for(signed_in)
    link = link_in(mail_to(smtp, NEW))
    response = signed_in.get(link)
    assert response.status_code == 302 and response.location == "/tai-khoan"
    page = text(signed_in.get(response.location))
    assert f"Địa chỉ thư điện tử của tài khoản đã được đổi thành {NEW}." in page
    assert f'value="{NEW}"' in page and PENDING not in page
    saved = users(app).get(citizen.id)
    assert (saved.email, saved.pending_email) == (NEW, None)

    again = signed_in.get(link)
    assert again.status_code == 410 and "Liên kết đã được sử dụng" in text(again)

    # "Quên mật khẩu" now goes to the new address, and only there.
    smtp.messages.clear()
    post(signed_in, "/quen-mat-khau", {"email": OLD})
    post(signed_in, "/quen-mat-khau", {"email": NEW})
    [reset] = smtp.messages
    assert reset["To"] == NEW and "/dat-lai-mat-khau/" in link_in(reset)


def test_the_link_works_without_being_signed_in(app, signed_in, citizen, smtp):
    ask_for(signed_in)
    other_device = app.test_client()
    response = other_device.get(link_in(mail_to(smtp, NEW)))
    assert response.status_code == 302 and response.location == "/dang-nhap"
    assert f"đã được đổi thành {NEW}" in text(other_device.get(response.location))
    assert users(app).get(citizen.id).email == NEW


def test_the_change_voids_reset_links_sent_to_the_old_address(app, signed_in, citizen, smtp):
    post(signed_in, "/quen-mat-khau", {"email": OLD})
    reset_link = link_in(smtp.messages[0])
    ask_for(signed_in)
    signed_in.get(link_in(mail_to(smtp, NEW)))
    assert signed_in.get(reset_link).status_code == 410


def test_the_link_expires_after_48_hours(app, signed_in, citizen, smtp, monkeypatch):
    ask_for(signed_in)
    link = link_in(mail_to(smtp, NEW))
    real = tokens.clock()
    monkeypatch.setattr(tokens, "clock", lambda: real + 48 * 3600 + 60)
    response = signed_in.get(link)
    assert response.status_code == 410
    page = text(response)
    assert "Liên kết đã hết hạn" in page and "chỉ có hiệu lực trong 48 giờ" in page
    assert 'href="/tai-khoan"' in page
    assert users(app).get(citizen.id).email == OLD
    assert PENDING not in text(signed_in.get("/tai-khoan"))  # no longer shown as waiting


def test_a_tampered_or_foreign_link_is_invalid(app, signed_in, citizen, smtp):
    ask_for(signed_in)
    link = link_in(mail_to(smtp, NEW))
    tampered = signed_in.get(link[:-3] + "abc")
    assert tampered.status_code == 400 and "Liên kết không hợp lệ" in text(tampered)
    with app.test_request_context():
        reset_token = tokens.issue(tokens.PASSWORD_RESET, users(app).get(citizen.id))
    assert signed_in.get(f"/tai-khoan/xac-nhan-thu/{reset_token}").status_code == 400
    assert users(app).get(citizen.id).email == OLD


def test_a_newer_request_voids_the_older_link(app, signed_in, citizen, smtp):
    ask_for(signed_in, "sai.chinh.ta@example.com")
    typo_link = link_in(mail_to(smtp, "sai.chinh.ta@example.com"))
    ask_for(signed_in)
    assert signed_in.get(typo_link).status_code == 410
    assert users(app).get(citizen.id).email == OLD
    assert signed_in.get(link_in(mail_to(smtp, NEW))).status_code == 302
    assert users(app).get(citizen.id).email == NEW


def test_a_password_change_cancels_a_pending_change(app, signed_in, citizen, smtp):
    ask_for(signed_in)
    post(signed_in, "/tai-khoan/mat-khau",
         {"pw-current_password": PASSWORD, "pw-password": "mat-khau-moi-1", "pw-confirm": "mat-khau-moi-1"},
         form_page="/tai-khoan")
    assert PENDING not in text(signed_in.get("/tai-khoan"))
    assert signed_in.get(link_in(mail_to(smtp, NEW))).status_code == 410
    assert users(app).get(citizen.id).email == OLD


@pytest.mark.parametrize(
    ("password", "message"),
    [("sai-mat-khau", "Mật khẩu hiện tại không đúng"),
     ("", "Vui lòng nhập mật khẩu hiện tại để đổi địa chỉ thư điện tử")],
)
def test_a_wrong_or_missing_password_changes_nothing(app, signed_in, citizen, smtp, password, message):
    response = ask_for(signed_in, password=password, full_name="Trần Bích Ngọc", phone="0293 3870 123")
    assert response.status_code == 422
    page = text(response)
    assert message in page and 'href="#current_password"' in page
    assert f'value="{NEW}"' in page and 'value="Trần Bích Ngọc"' in page and 'value="02933870123"' in page
    assert "sai-mat-khau" not in page  # a password is never sent back
    saved = users(app).get(citizen.id)
    assert (saved.email, saved.pending_email, saved.full_name, saved.phone) == (OLD, None, "Trần Thị Bích Ngọc",
                                                                               "0912345678")
    assert smtp.messages == []


def test_an_address_of_another_account_is_refused(app, signed_in, citizen, smtp):
    add_user(app, "nguoikhac", email=NEW)
    response = ask_for(signed_in, NEW.upper())
    assert response.status_code == 422
    assert "Địa chỉ thư điện tử này đã được dùng cho một tài khoản khác" in text(response)
    assert users(app).get(citizen.id).pending_email is None
    assert smtp.messages == []


def test_an_address_taken_before_the_link_is_followed_changes_nothing(app, signed_in, citizen, smtp):
    ask_for(signed_in)
    link = link_in(mail_to(smtp, NEW))
    other = add_user(app, "nguoikhac", email=NEW)
    response = signed_in.get(link)
    assert response.status_code == 409
    page = text(response)
    assert "Không thể đổi địa chỉ thư điện tử" in page
    assert f"Địa chỉ {NEW} vừa được dùng cho một tài khoản khác" in page
    assert users(app).get(citizen.id).email == OLD
    assert users(app).get_by_email(NEW).id == other.id


def test_the_profile_form_asks_the_password_only_for_a_new_address(signed_in, citizen):
    page = text(signed_in.get("/tai-khoan"))
    assert 'name="current_password"' in page and "Chỉ cần nhập khi đổi địa chỉ thư điện tử." in page
    assert 'name="pw-current_password"' in page  # the password change keeps its own field


def test_the_change_needs_the_csrf_token(app, signed_in, citizen, smtp):
    response = signed_in.post("/tai-khoan", data=profile_form(email=NEW, current_password=PASSWORD))
    assert response.status_code == 400 and "Phiên làm việc đã hết hạn" in text(response)
    assert users(app).get(citizen.id).pending_email is None
    assert smtp.messages == []


def test_the_change_in_english(app, signed_in, citizen, smtp):
    signed_in.set_cookie("lang", "en")
    page = text(ask_for(signed_in, password="sai"))
    assert "The current password is incorrect" in page and "Only needed to change the e-mail address." in page
    page = text(signed_in.get(ask_for(signed_in).location))
    assert f"open the confirmation link just sent to {NEW}" in page
    assert f"New e-mail address waiting for confirmation: {NEW}" in page


def test_requests_for_a_new_address_are_rate_limited(tmp_path, catalog, smtp):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                      "PASSWORD_PROFILE": "CHEAPEST", "MAIL_LIMIT_ADDRESS": "2 per hour"})
    mailer = resources.portal(app).mailer
    mailer.settings = dataclasses.replace(mailer.settings, host="127.0.0.1", port=smtp.port, timeout=5)
    add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    client = app.test_client()
    login(client, "congdan")
    # per new address, and per account (the old address gets a notice each time)
    codes = [ask_for(client, f"moi{i}@example.com").status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert "Quá nhiều yêu cầu" in text(ask_for(client, "moi9@example.com"))
    # editing the other fields sends no e-mail and is not limited
    assert post(client, "/tai-khoan", profile_form(full_name="Trần Bích Ngọc")).status_code == 302
    assert len(smtp.messages) == 4
