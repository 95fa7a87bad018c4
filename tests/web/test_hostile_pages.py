"""A page number no listing has (``?trang=`` of thirty digits) shows the last page, on
either back end, and no repository is ever asked for an offset a database cannot take.

The PostgreSQL cases need the server of tests/storage/conftest.py (they fail, saying how
to start it, when it is down)."""

from __future__ import annotations

import re

import pytest

from engine import bounds
from engine.bounds import MAX_ROW
from engine.repository import check_page
from storage.postgres_store import PostgresStore
from storage.tinydb_store import TinyDBStore
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import login, text
from tests.web.test_desk import submit_one
from web import create_app, desk, resources

HUGE = "9" * 30  # far past a bigint (19 digits)
CURRENT = re.compile(r'<span aria-current="page">(\d+)</span>')


@pytest.fixture(params=["tinydb", "postgres"])
def app(request, tmp_path, catalog, monkeypatch):
    """The portal on TinyDB, then on PostgreSQL (a fresh schema)."""
    if request.param == "tinydb":
        yield create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                          "PASSWORD_PROFILE": "CHEAPEST"})
        return
    with fresh_schema() as schema:
        monkeypatch.setenv("DVC_DATABASE_URL", f"{POSTGRES_URL}?schema={schema}")
        app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                          "PASSWORD_PROFILE": "CHEAPEST"})
        assert isinstance(resources.portal(app).dossiers, PostgresStore)
        yield app
        resources.portal(app).close()  # before the schema is dropped


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def current_page(response) -> int:
    found = CURRENT.search(response.get_data(as_text=True))
    return int(found.group(1)) if found else 1


@pytest.mark.parametrize("page", [HUGE, str(2 ** 63), str(2 ** 63 // desk.PAGE_SIZE + 2), str(bounds.MAX_PAGE + 1),
                                  "9" * 5000])
def test_a_page_past_any_listing_is_the_last_page_of_the_inbox(app, clerk, citizen, household, page):
    for _ in range(3):
        submit_one(app, citizen, household)
    client = signed_in(app, clerk)
    response = client.get(f"/mot-cua/?trang={page}")
    assert response.status_code == 200, text(response)
    assert "Trần Thị Bích Ngọc" in text(response)  # the last (and only) page, not an empty one


def test_past_the_bound_the_inbox_shows_its_last_page_however_long(app, clerk, citizen, household, monkeypatch):
    """Even a listing longer than MAX_PAGE pages: any page past the bound is its last one."""
    monkeypatch.setattr(desk, "PAGE_SIZE", 1)
    monkeypatch.setattr(desk, "MAX_PAGE", 2)
    for _ in range(4):
        submit_one(app, citizen, household)
    client = signed_in(app, clerk)
    assert current_page(client.get("/mot-cua/?trang=2")) == 2
    assert current_page(client.get("/mot-cua/?trang=3")) == 4
    assert current_page(client.get(f"/mot-cua/?trang={HUGE}")) == 4


@pytest.mark.parametrize("page", [HUGE, str(2 ** 63), str(bounds.MAX_PAGE + 1), "-" + HUGE, "9" * 5000])
def test_a_page_past_any_listing_is_the_last_page_of_the_citizen_s_dossiers(app, citizen, household, page):
    submit_one(app, citizen, household)
    client = signed_in(app, citizen)
    response = client.get(f"/quan-ly-ho-so?trang={page}")
    assert response.status_code == 200, text(response)
    assert "Đăng ký thành lập hộ kinh doanh" in text(response).split('id="main"')[1]


@pytest.mark.parametrize("offset, limit", [(MAX_ROW + 1, 20), (0, MAX_ROW + 1), (10 ** 30, 20), (-1, 20), (0, -1)])
def test_check_page_refuses_what_a_database_cannot_take(offset, limit):
    with pytest.raises(ValueError):
        check_page("appointment", offset, limit)


def test_check_page_takes_the_largest_a_database_can(app):
    check_page("submitted", MAX_ROW, MAX_ROW)


@pytest.mark.parametrize("offset, limit", [(MAX_ROW + 1, 20), (0, MAX_ROW + 1), (10 ** 30, 1)])
def test_every_back_end_refuses_an_offset_past_a_bigint(app, offset, limit):
    repository = resources.portal(app).dossiers
    assert isinstance(repository, (TinyDBStore, PostgresStore))
    with pytest.raises(ValueError):
        repository.query_page(order="submitted", offset=offset, limit=limit)
    page = repository.query_page(order="submitted", offset=MAX_ROW, limit=MAX_ROW)  # the largest it takes
    assert page.items == () and page.total == 0
