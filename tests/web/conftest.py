from __future__ import annotations

import dataclasses

import pytest

from engine.dossier import Role
from tests.web.helpers import SmtpServer, add_user
from web import create_app
from web import resources


@pytest.fixture
def app(tmp_path, catalog):
    return create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path),
        "CATALOG": catalog,  # loaded once per session (tests/conftest.py)
        "PASSWORD_PROFILE": "CHEAPEST",  # argon2's cheapest parameters: tests sign in often
    })


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def smtp(app):
    """A real SMTP server on localhost that the app sends its e-mail to; ``smtp.messages``."""
    server = SmtpServer().start()
    mailer = resources.portal(app).mailer
    mailer.settings = dataclasses.replace(mailer.settings, host="127.0.0.1", port=server.port, timeout=5)
    server.mailer = mailer
    yield server
    server.stop()


@pytest.fixture
def citizen(app):
    """An active citizen, ``congdan``, password tests.web.helpers.PASSWORD."""
    return add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")


@pytest.fixture
def clerk(app):
    return add_user(app, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK,
                    agencies=["ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"], phone=None)


@pytest.fixture
def admin(app):
    return add_user(app, "quantri", full_name="Phạm Quốc Bảo", role=Role.ADMIN, phone=None)


@pytest.fixture
def runner(app):
    """Flask's CLI runner for ``app``: ``runner.invoke(web.cli.main, [...])`` runs a command in it."""
    return app.test_cli_runner()


@pytest.fixture
def json_app(tmp_path, catalog, monkeypatch):
    """The portal with its request log as JSON lines (DVC_LOG_FORMAT=json)."""
    monkeypatch.setenv("DVC_LOG_FORMAT", "json")
    return create_app({
        "TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST",
    })
