"""web.auth, the interface other blueprints use: current_user, actor, login_required,
roles_required, and the session cookie's flags."""

from __future__ import annotations

import pytest
from flask import Blueprint, render_template_string

from engine.dossier import Actor, Role
from tests.web.helpers import add_user, login, text
from web.auth import actor, current_user, login_required, roles_required, safe_next
from web import resources


@pytest.fixture
def app(app):
    """The app with a few guarded pages, as another blueprint would write them."""
    bp = Blueprint("guarded", __name__)

    @bp.get("/thu/ho-so")
    @login_required
    def mine():
        return f"{actor().id} {current_user().username}"

    @bp.get("/thu/mot-cua")
    @roles_required(Role.CLERK, "admin")
    def desk():
        return ",".join(sorted(actor().agencies))

    @bp.get("/thu/actor")
    def bare():
        return actor().name  # no decorator: anonymous gets 401

    @bp.get("/thu/template")
    def template():
        return render_template_string("{{ current_user.full_name if current_user else 'ẩn danh' }}")

    app.register_blueprint(bp)
    return app


def test_login_required_sends_anonymous_visitors_to_login_and_back(client, citizen):
    response = client.get("/thu/ho-so?trang=2")
    assert response.status_code == 302 and response.location == "/dang-nhap?next=/thu/ho-so?trang%3D2"
    back = login(client, "congdan", next="/thu/ho-so?trang=2")
    assert back.location == "/thu/ho-so?trang=2"
    assert client.get(back.location).get_data(as_text=True) == f"{citizen.id} congdan"


def test_actor_is_the_engines_view_of_the_user(app, clerk):
    with app.test_request_context():
        from engine.accounts import to_actor

        assert to_actor(clerk) == Actor(
            id=clerk.id, name="Lê Văn Hùng", role=Role.CLERK,
            agencies=frozenset({"ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"}),
        )


def test_actor_without_a_login_is_401_in_vietnamese(client):
    response = client.get("/thu/actor")
    assert response.status_code == 401
    assert "Bạn cần đăng nhập để sử dụng chức năng này." in text(response)


def test_roles_required(app, client, citizen, clerk, admin):
    assert client.get("/thu/mot-cua").status_code == 302  # anonymous: to "Đăng nhập"
    login(client, "congdan")
    refused = client.get("/thu/mot-cua")
    assert refused.status_code == 403 and "Không có quyền truy cập" in text(refused)
    for username in ("canbo", "quantri"):
        other = app.test_client()
        login(other, username)
        assert other.get("/thu/mot-cua").status_code == 200
    assert app.test_client().get("/thu/template").get_data(as_text=True) == "ẩn danh"
    assert client.get("/thu/template").get_data(as_text=True) == "Trần Thị Bích Ngọc"


def test_session_cookie_flags(app, client, citizen):
    response = login(client, "congdan")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookies_when_asked(monkeypatch, tmp_path, catalog):
    from web import create_app

    monkeypatch.setenv("DVC_SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST"})
    add_user(app, "congdan")
    response = login(app.test_client(), "congdan")
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_deactivated_account_is_signed_out(app, client, citizen):
    login(client, "congdan")
    users = resources.portal(app).users
    users.update(users.get(citizen.id).model_copy(update={"active": False}))
    assert client.get("/thu/ho-so").status_code == 302


def test_secret_key_is_made_once_and_kept_private(tmp_path, catalog):
    from web import create_app

    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog}
    first = create_app(dict(config)).secret_key
    assert create_app(dict(config, CATALOG=catalog)).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("target", "safe"),
    [("/tai-khoan", True), ("/ho-so?id=1#x", True), ("//evil.example", False), ("/\\evil.example", False),
     ("https://evil.example/", False), ("tai-khoan", False), ("/a\nb", False), ("", False), (None, False)],
)
def test_safe_next(target, safe):
    assert safe_next(target) == (target if safe else None)
