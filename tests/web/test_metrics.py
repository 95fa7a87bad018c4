"""``/metrics`` (web/metrics.py) as Prometheus scrapes it: request counts and times per
route, dossiers by status, the mail queue, PDF times; every worker's counts added up in
multiprocess mode; and nobody but the configured addresses may read it."""

from __future__ import annotations

import time

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from engine import lifecycle
from engine.accounts import to_actor
from renderers import pdf
from tests.web.helpers import free_port
from web import create_app, resources

ROOT = Path(__file__).resolve().parents[2]


def scrape(client, **environ) -> dict[tuple[str, frozenset], float]:
    answer = client.get("/metrics", environ_base=environ)
    assert answer.status_code == 200 and answer.mimetype == "text/plain"
    return samples(answer.get_data(as_text=True))


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples
    }


def value(found, name: str, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def route_total(found, route: str) -> float:
    return sum(count for (name, labels), count in found.items()
               if name == "dichvucong_http_requests_total" and ("route", route) in labels)


def test_requests_are_counted_by_route_method_and_status(app, client):
    before = scrape(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/ho-so/0123456789abcdef/ban-in.pdf")  # not signed in
    client.get("/khong-co-trang-nay")
    after = scrape(client)
    delta = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert delta("dichvucong_http_requests_total", method="GET", route="/healthz", status="200") == 3
    assert delta("dichvucong_http_requests_total", method="GET", route="unmatched", status="404") == 1
    printed = "/ho-so/<dossier_id>/ban-in.pdf"  # counted under the rule's pattern, whatever the answer
    assert route_total(after, printed) - route_total(before, printed) == 1
    assert delta("dichvucong_http_request_duration_seconds_count", method="GET", route="/healthz",
                 status_class="2xx") == 3
    assert not any("0123456789abcdef" in str(labels) for _, labels in after)


def test_the_dossier_gauge_follows_the_store(app, client, citizen, household):
    app.config["METRICS_CACHE_SECONDS"] = 0
    assert value(scrape(client), "dichvucong_dossiers", status="draft") == 0
    store, me, now = resources.portal(app).dossiers, to_actor(citizen), resources.portal(app).now()
    made = [store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), ["giay-de-nghi"], now,
                                       citizen.id_number)) for _ in range(3)]
    store.update(lifecycle.confirm(made[0], me, now))
    found = scrape(client)
    assert value(found, "dichvucong_dossiers", status="draft") == 2
    assert value(found, "dichvucong_dossiers", status="confirmed") == 1
    assert value(found, "dichvucong_dossiers", status="submitted") == 0


def test_the_dossier_counts_are_kept_for_the_cache_time(app, client, citizen, household):
    app.config["METRICS_CACHE_SECONDS"] = 3600
    assert value(scrape(client), "dichvucong_dossiers", status="draft") == 0
    store, me, now = resources.portal(app).dossiers, to_actor(citizen), resources.portal(app).now()
    store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), ["giay-de-nghi"], now,
                               citizen.id_number))
    assert value(scrape(client), "dichvucong_dossiers", status="draft") == 0  # not read again yet
    app.config["METRICS_CACHE_SECONDS"] = 0
    assert value(scrape(client), "dichvucong_dossiers", status="draft") == 1


def test_the_mail_queue_and_its_failed_deliveries(app, client):
    mailer = resources.portal(app).mailer
    mailer.settings = mailer.settings.__class__(host="127.0.0.1", port=free_port(), timeout=2, retry_delay=3600)
    before = scrape(client)
    with app.app_context():
        mailer.send("ngoc.tran@example.com", "Kích hoạt tài khoản", "...")  # the server is not there
    deadline = time.monotonic() + 10
    while mailer.failures < 1 and time.monotonic() < deadline:  # tried by the sender, after the request
        time.sleep(0.02)
    after = scrape(client)
    assert value(after, "dichvucong_mail_queue_depth") == 1
    assert (value(after, "dichvucong_mail_delivery_failures_total")
            - value(before, "dichvucong_mail_delivery_failures_total")) == 1


def test_pdf_render_time_is_observed(app, client, household):
    name = "dichvucong_pdf_render_seconds_count"
    before = value(scrape(client), name, document="blank")
    pdf.render_blank_pdf(household)
    after = scrape(client)
    assert value(after, name, document="blank") - before == 1
    assert value(after, "dichvucong_pdf_render_seconds_sum", document="blank") > 0


def test_only_the_configured_addresses_may_read_the_metrics(app, client, tmp_path, catalog):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    refused = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert refused.status_code == 404 and "dichvucong_" not in refused.get_data(as_text=True)
    assert "Không tìm thấy trang" in refused.get_data(as_text=True)  # the portal's own 404 page

    other = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other"), "CATALOG": catalog,
                        "METRICS_FROM": "10.0.0.0/8, 192.0.2.7"})
    browser = other.test_client()
    assert browser.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert browser.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert browser.get("/metrics").status_code == 404  # 127.0.0.1 is not in the list any more


def test_a_mistyped_metrics_setting_stops_start_up(tmp_path, catalog, monkeypatch):
    monkeypatch.setenv("DVC_METRICS_FROM", "127.0.0.1,10.0.0.300")
    with pytest.raises(ValueError, match="10.0.0.300"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})


# -- several worker processes (gunicorn) -----------------------------------------------------------

# Like gunicorn without --preload: the code imported once, then each forked worker makes its
# app and serves; here two workers serve and exit, then a third answers the scrape.
SERVER = """
import os, sys
from engine.catalog import Catalog
from web import create_app

catalog = Catalog.load()  # once, before the fork: every app shares it

def worker(requests):
    client = create_app({"TESTING": True, "CATALOG": catalog}).test_client()
    for _ in range(requests):
        assert client.get("/healthz").status_code == 200

children = []
for requests in (3, 4):
    pid = os.fork()
    if pid == 0:
        try:
            worker(requests)
        finally:
            os._exit(0 if sys.exc_info()[0] is None else 1)
    children.append(pid)
assert all(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 for pid in children)
print(create_app({"TESTING": True, "CATALOG": catalog}).test_client().get("/metrics").get_data(as_text=True))
"""


def test_in_multiprocess_mode_the_metrics_add_up_every_worker(tmp_path):
    """Two worker processes serve requests and exit; a third, scraped, reports them all."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder), "DVC_INSTANCE": str(tmp_path / "instance"),
           "PYTHONPATH": str(ROOT)}
    scraped = subprocess.run([sys.executable, "-c", SERVER], env=env, cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
    assert scraped.returncode == 0, scraped.stderr
    assert len(list(folder.glob("counter_*.db"))) >= 2  # each worker wrote its own file
    found = samples(scraped.stdout)
    assert value(found, "dichvucong_http_requests_total", method="GET", route="/healthz", status="200") == 7
    assert value(found, "dichvucong_http_request_duration_seconds_count", method="GET", route="/healthz",
                 status_class="2xx") == 7
    assert value(found, "dichvucong_dossiers", status="draft") == 0  # read from the store when scraped
    assert ("dichvucong_mail_queue_depth", frozenset()) in found
    assert not any(name.startswith("process_") for name, _ in found)  # no single process's own figures
