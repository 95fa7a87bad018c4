"""``/metrics`` for Prometheus (prometheus_client), readable only from ``METRICS_FROM``.

Counted as requests come (every worker's, see below):

- ``dichvucong_http_requests_total{method, route, status}``: requests answered; ``route``
  is the URL rule (``/ho-so/<dossier_id>``, ``unmatched`` for a 404 without one), as in
  the JSON request log (web.request_log), never the path;
- ``dichvucong_http_request_duration_seconds{method, route, status_class}``: how long
  they took (a histogram; ``status_class`` is ``2xx``, ``3xx``, ``4xx`` or ``5xx``);
- ``dichvucong_pdf_render_seconds{document}``: a PDF made in a request (a dossier, a
  receipt slip, a blank or sample form), HTML and WeasyPrint together; renderers.pdf
  calls ``renderers.timing.render_listeners``, so the renderers know nothing of metrics;
- ``dichvucong_mail_delivery_failures_total``: failed delivery attempts (the server down
  or refusing; each is retried), taken from ``Mailer.failures`` after each request and at
  each scrape: one made by the background retry thread of a worker that then serves no
  request is counted at its next request.

Read when scraped, from what every process shares, and the same from whichever worker
answers:

- ``dichvucong_dossiers{status}``: dossiers in the store by status (one ``query_page``
  total per status), kept ``METRICS_CACHE_SECONDS`` (30 s) so that frequent scrapes of
  a large store stay cheap;
- ``dichvucong_mail_queue_depth``: messages waiting in the mail queue.

Several worker processes (gunicorn): when ``PROMETHEUS_MULTIPROC_DIR`` names a folder
(the server sets it, empties it at start and marks dead workers), each process writes
its counts there and ``/metrics`` adds them up with
``prometheus_client.multiprocess.MultiProcessCollector``; otherwise the process's own
registry (with its process and Python collectors) is served.

Who may read it: the addresses and networks of ``METRICS_FROM`` (``DVC_METRICS_FROM``,
comma-separated, default ``127.0.0.1,::1``); anyone else gets the portal's 404 page.
Behind a reverse proxy the address is the forwarded one only with ``DVC_TRUSTED_PROXIES``
set; without it every request comes from the proxy, so the proxy must not pass
``/metrics`` on (docs/operations.md).
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request, request_finished
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from engine.dossier import Status
from renderers import timing
from web import health, request_log, resources

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("dichvucong_http_requests", "Requests answered", ["method", "route", "status"])
DURATION = Histogram("dichvucong_http_request_duration_seconds", "Time to answer a request",
                     ["method", "route", "status_class"])
PDF_RENDER = Histogram("dichvucong_pdf_render_seconds", "Time to make a PDF (HTML and WeasyPrint)", ["document"],
                       buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
MAIL_FAILURES = Counter("dichvucong_mail_delivery_failures", "Failed e-mail delivery attempts (each is retried)")

_failures_lock = threading.Lock()


def _count_mail_failures(app: Flask) -> None:
    """Add to the counter the failures the mailer counted since the last time."""
    mailer = resources.portal(app).mailer
    state = app.extensions["metrics"]
    with _failures_lock:
        new = mailer.failures - state["failures_seen"]
        if new > 0:
            MAIL_FAILURES.inc(new)
            state["failures_seen"] = mailer.failures


def _count_request(app: Flask, response: Response, **_extra: Any) -> None:
    count(app, request_log.method(), request_log.route(), response.status_code, request_log.duration())


def count(app: Flask, method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request (also a page answered before Flask: web.page_cache.Front)."""
    REQUESTS.labels(method, route, str(status)).inc()
    DURATION.labels(method, route, f"{status // 100}xx").observe(seconds)
    _count_mail_failures(app)


def _pdf_rendered(document: str, seconds: float) -> None:
    PDF_RENDER.labels(document).observe(seconds)


class StoreCollector:
    """The figures read from the stores when scraped (the dossiers' are cached)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        counts = self._dossier_counts()
        if counts is not None:  # the store failed: no figure rather than a wrong one (/readyz says why)
            family = GaugeMetricFamily("dichvucong_dossiers", "Dossiers in the store by status", labels=["status"])
            for status, count in counts.items():
                family.add_metric([status], count)
            yield family
        try:
            depth = resources.portal(self.app).mailer.depth()
        except Exception:  # the folder or the database unreachable: no figure (/readyz says why)
            return
        yield GaugeMetricFamily("dichvucong_mail_queue_depth", "E-mail messages waiting to be delivered", value=depth)

    def _dossier_counts(self) -> dict[str, int] | None:
        state = self.app.extensions["metrics"]
        with state["lock"]:
            taken, counts = state["dossiers"]
            if counts is None or time.monotonic() - taken >= self.app.config["METRICS_CACHE_SECONDS"]:
                store = resources.portal(self.app).dossiers
                try:
                    counts = {s.value: store.query_page(statuses=[s], limit=0).total for s in Status}
                except Exception as error:  # the database down, say: the scrape still answers
                    self.app.logger.warning("dossier counts for /metrics failed: %s", type(error).__name__)
                    return None
                state["dossiers"] = (time.monotonic(), counts)
            return counts


def _allowed(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in current_app.extensions["metrics"]["from"])


@bp.get("/metrics")
def metrics() -> Response:
    if not _allowed(request.remote_addr):
        abort(404)  # the same page as any address that does not exist
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _count_mail_failures(app)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every worker's files, the dead ones' counters included
    else:
        registry.register(REGISTRY)  # this process's
    registry.register(StoreCollector(app))
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``127.0.0.1,::1,10.0.0.0/8`` as networks (a ValueError names a mistyped one)."""
    return [ipaddress.ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()]


def init_app(app: Flask) -> None:
    app.config.setdefault("METRICS_FROM", "127.0.0.1,::1")
    app.config.setdefault("METRICS_CACHE_SECONDS", 30.0)  # bench/README.md: 0.6 s (TinyDB) to 2 s (PostgreSQL) uncached
    app.extensions["metrics"] = {
        "from": _networks(app.config["METRICS_FROM"]), "lock": threading.Lock(), "dossiers": (0.0, None),
        "failures_seen": resources.portal(app).mailer.failures,
    }
    request_finished.connect(_count_request, app)  # a module-level receiver: blinker keeps weak references
    if _pdf_rendered not in timing.render_listeners:
        timing.render_listeners.append(_pdf_rendered)
    app.register_blueprint(bp)
    health.answer_before_hooks(app, bp)
