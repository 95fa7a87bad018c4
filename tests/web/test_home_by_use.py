"""The home page by field, each field's most used services first, and a long field cut short."""

from __future__ import annotations

import re

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from engine.clock import system_clock
from engine.dossier import Status
from tests.web.helpers import login, text
from engine.text import fold
from web import page_cache, resources, service_use, services

CIVIL = "Hộ tịch"
CIVIL_URL = "/linh-vuc/H%E1%BB%99%20t%E1%BB%8Bch"


def send(app, citizen, catalog, slug: str, count: int, status: Status = Status.SUBMITTED) -> None:
    """``count`` dossiers of ``slug`` in ``status`` (sent to the desk unless a draft)."""
    service = catalog[slug]
    now = system_clock()
    with app.test_request_context():
        ticked = [d.id for d in service.documents if d.mandatory]
        made = [lifecycle.create(service, to_actor(citizen), service.sample, ticked, now) for _ in range(count)]
    if status is not Status.DRAFT:
        made = [d.model_copy(update={"status": status, "submitted_at": now}) for d in made]
    resources.portal(app).dossiers.bulk_add(made)


def civil_order(page: str) -> list[str]:
    """The services listed in the "Hộ tịch" section, by slug, in the page's order."""
    section = page.split(f">{CIVIL}</a></h2>", 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="/dich-vu/([^"]+)"', section)


@pytest.fixture
def used(app, citizen, catalog):
    send(app, citizen, catalog, "dang-ky-khai-tu", 3)
    send(app, citizen, catalog, "xac-nhan-tinh-trang-hon-nhan", 1)
    send(app, citizen, catalog, "xac-nhan-tinh-trang-hon-nhan", 1, Status.DONE)  # still sent
    send(app, citizen, catalog, "dang-ky-khai-sinh", 1, Status.REJECTED)
    send(app, citizen, catalog, "dang-ky-ket-hon", 5, Status.DRAFT)  # never sent: not counted


USED = ["dang-ky-khai-tu", "xac-nhan-tinh-trang-hon-nhan", "dang-ky-khai-sinh"]


@pytest.fixture
def most_used(catalog):
    """The three used, then the field's unused services by name (without diacritics)."""
    unused = sorted((s for s in catalog if s.info.field == CIVIL and s.slug not in USED), key=lambda s: fold(s.info.name))
    return USED + [s.slug for s in unused]


def test_a_fields_services_are_listed_most_used_first(client, used, most_used, monkeypatch):
    monkeypatch.setattr(services, "FIELD_SHOWN", len(most_used))  # the whole field
    assert civil_order(text(client.get("/"))) == most_used


def test_the_field_page_lists_them_in_the_same_order(client, used, most_used):
    page = text(client.get(CIVIL_URL)).split('id="main"')[1]
    assert re.findall(r'href="/dich-vu/([^"]+)"', page) == most_used


def test_a_long_field_shows_its_first_services_and_links_to_the_rest(client, used, most_used, monkeypatch):
    monkeypatch.setattr(services, "FIELD_SHOWN", 3)
    page = text(client.get("/"))
    assert civil_order(page) == USED
    section = page.split(f">{CIVIL}</a></h2>", 1)[1].split("</section>", 1)[0]
    assert f"Xem tất cả {len(most_used)} thủ tục" in section and f'href="{CIVIL_URL}"' in section


def test_a_field_no_longer_than_the_limit_is_shown_whole(client, most_used, monkeypatch):
    monkeypatch.setattr(services, "FIELD_SHOWN", len(most_used))
    page = text(client.get("/"))
    assert len(civil_order(page)) == len(most_used)
    section = page.split(f">{CIVIL}</a></h2>", 1)[1].split("</section>", 1)[0]
    assert "Xem tất cả" not in section


def test_the_kept_home_page_follows_the_use_within_a_minute(app, citizen, catalog, client, monkeypatch):
    clock = [service_use.LIFETIME * 20_000]  # the start of a window
    monkeypatch.setattr(page_cache, "now", lambda: clock[0])
    before = civil_order(text(client.get("/")))
    assert before[0] != "xac-nhan-tinh-trang-hon-nhan"  # nothing used yet: by name
    send(app, citizen, catalog, "xac-nhan-tinh-trang-hon-nhan", 2)
    clock[0] += service_use.LIFETIME / 2
    assert civil_order(text(client.get("/"))) == before, "kept for the rest of the window"
    clock[0] += service_use.LIFETIME / 2
    assert civil_order(text(client.get("/")))[0] == "xac-nhan-tinh-trang-hon-nhan"


def test_use_is_counted_at_most_once_a_window_whoever_asks(app, client, citizen, monkeypatch):
    clock = [service_use.LIFETIME * 30_000]
    monkeypatch.setattr(page_cache, "now", lambda: clock[0])
    counted = []
    real = service_use.sent_per_service
    monkeypatch.setattr(service_use, "sent_per_service", lambda *a: counted.append(1) or real(*a))
    client.get("/")
    client.get("/linh-vuc/Hộ tịch")
    other = app.test_client()
    login(other, citizen.username)  # not served from the page cache: the view runs
    other.get("/")
    other.get("/?q=khai+sinh")
    assert len(counted) == 1
    clock[0] += service_use.LIFETIME
    other.get("/")
    assert len(counted) == 2
