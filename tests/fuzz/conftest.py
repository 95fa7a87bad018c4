"""The fuzz suite's portals (TinyDB and PostgreSQL) and its sender, which counts every
request and fails the test on any answer of 500 or more (tests/conftest.py prints the count).

``FUZZ_EXAMPLES`` (tests/fuzz/counter.py) is how many hypothesis examples each test
draws; ``make fuzz`` runs the same tests with far more.
"""

from __future__ import annotations

import pytest

from engine.dossier import Role
from tests.fuzz.counter import SENT
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import add_user, login
from web import create_app, resources


class Sender:
    """Sends a request, counts it, and fails the test on any answer of 500 or more."""

    def __init__(self, client, backend: str) -> None:
        self.client, self.backend = client, backend

    def __call__(self, method: str, path: str, **kwargs):
        SENT[self.backend] += 1
        response = self.client.open(path, method=method, **kwargs)
        assert response.status_code < 500, (
            f"{method} {path} answered {response.status_code}:\n{response.get_data(as_text=True)[:2000]}")
        return response


@pytest.fixture(params=["tinydb", "postgres"])
def backend(request):
    return request.param


# Limits high enough that the fuzzer reaches the views, not the 429 page. (Not
# RATELIMIT_ENABLED=False: Flask-Limiter's limiter is one per process, so that would
# switch the limits off for every other test of the worker too.)
UNLIMITED = {name: "100000 per minute" for name in (
    "LOGIN_LIMIT_IP", "LOGIN_LIMIT_USERNAME", "REGISTER_LIMIT_IP", "MAIL_LIMIT_IP", "MAIL_LIMIT_ADDRESS",
    "LOOKUP_LIMIT_IP")}


@pytest.fixture
def app(backend, tmp_path, catalog, monkeypatch):
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST",
              **UNLIMITED}
    if backend == "tinydb":
        yield create_app(config)
        return
    with fresh_schema() as schema:
        monkeypatch.setenv("DVC_DATABASE_URL", f"{POSTGRES_URL}?schema={schema}")
        app = create_app(config)
        yield app
        resources.portal(app).close()


def signed_in(app, backend, username, **fields):
    user = add_user(app, username, **fields)
    client = app.test_client()
    assert login(client, username).status_code == 302
    return user, Sender(client, backend)


@pytest.fixture
def citizen(app, backend):
    return signed_in(app, backend, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")


@pytest.fixture
def clerk(app, backend):
    return signed_in(app, backend, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK, phone=None,
                     agencies=["ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"])


@pytest.fixture
def admin(app, backend):
    return signed_in(app, backend, "quantri", full_name="Phạm Quốc Bảo", role=Role.ADMIN, phone=None)


@pytest.fixture
def anonymous(app, backend):
    return Sender(app.test_client(), backend)
