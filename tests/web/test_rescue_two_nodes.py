"""A form posted after its session ended (web.rescue) on one node comes back on another
(issues 13 and 15): two portals with instance folders of their own share one PostgreSQL
schema, as two nodes behind a load balancer do; the kept post is in the database, not in
either folder.

Needs the PostgreSQL of tests/storage/conftest.py (fails, saying how to start it, when down)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import psycopg
import pytest
from psycopg import sql

from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import add_user, login, text
from tests.web.test_drafts import START, half_filled
from tests.web.test_dossiers import CREATE, dossier_form
from web import create_app, resources


@pytest.fixture
def nodes(tmp_path, catalog):
    clock = {"now": START}
    with fresh_schema() as schema:
        url = f"{POSTGRES_URL}?schema={schema}"
        apps = [create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / name), "CATALOG": catalog,
                            "DATABASE_URL": url, "PASSWORD_PROFILE": "CHEAPEST", "CLOCK": lambda: clock["now"]})
                for name in ("node-a", "node-b")]
        try:
            yield apps, clock, schema
        finally:
            for app in apps:
                resources.portal(app).close()  # before the schema is dropped


def kept_rows(schema: str) -> int:
    with psycopg.connect(POSTGRES_URL) as conn:
        query = sql.SQL("SELECT count(*) FROM {}.rescued_forms").format(sql.Identifier(schema))
        return conn.execute(query).fetchone()[0]


def test_two_nodes_a_post_kept_on_a_is_given_back_on_b_once(nodes, tmp_path):
    (a, b), clock, schema = nodes
    citizen = add_user(a, "congdan", full_name="Trần Thị Bích Ngọc")
    on_a = a.test_client()
    assert login(on_a, citizen.username).status_code == 302
    fields = half_filled(on_a)

    clock["now"] = START + dt.timedelta(hours=12, minutes=1)  # the session has ended meanwhile
    posted = on_a.post(CREATE, data=fields)
    assert posted.status_code == 303
    target = unquote(re.search(r"next=([^&]+)", posted.headers["Location"]).group(1))
    assert target.startswith(CREATE + "?khoi-phuc=")
    assert kept_rows(schema) == 1
    assert not any((tmp_path / "node-a" / "rescued-forms").glob("*")), "nothing kept on node A's disk"

    on_b = b.test_client()  # the sign-in reaches the other node
    assert login(on_b, citizen.username, next=target).headers["Location"] == target
    restored = on_b.get(target)
    form = dossier_form(restored.get_data(as_text=True))
    assert 'value="14/3/1986"' in form and 'value="một trăm triệu"' in form
    assert "được khôi phục" in text(restored)
    assert kept_rows(schema) == 0

    again_on_b = dossier_form(on_b.get(target).get_data(as_text=True))
    assert login(on_a, citizen.username, next=target).status_code == 302
    again_on_a = dossier_form(on_a.get(target).get_data(as_text=True))
    assert 'value="14/3/1986"' not in again_on_b and 'value="14/3/1986"' not in again_on_a, "given back once"


def test_two_nodes_another_citizen_signing_in_on_b_gets_nothing_and_the_owner_still_does(nodes):
    (a, b), clock, schema = nodes
    citizen = add_user(a, "congdan")
    other = add_user(a, "nguoikhac")
    on_a = a.test_client()
    assert login(on_a, citizen.username).status_code == 302
    fields = half_filled(on_a)
    clock["now"] = START + dt.timedelta(hours=13)
    target = unquote(re.search(r"next=([^&]+)", on_a.post(CREATE, data=fields).headers["Location"]).group(1))

    stranger = b.test_client()
    assert login(stranger, other.username).status_code == 302
    assert 'value="14/3/1986"' not in dossier_form(stranger.get(target).get_data(as_text=True))
    assert kept_rows(schema) == 1

    owner = b.test_client()
    assert login(owner, citizen.username).status_code == 302
    assert 'value="14/3/1986"' in dossier_form(owner.get(target).get_data(as_text=True))
