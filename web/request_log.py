"""Every request's id, and with ``LOG_FORMAT=json`` (``DVC_LOG_FORMAT``) one JSON line per
request on standard error, through the ``web.request_log`` logger::

    {"timestamp": "2026-12-02T07:15:03.482+00:00", "level": "info", "request_id": "5f0c…",
     "method": "GET", "route": "/ho-so/<dossier_id>", "status": 200, "duration_ms": 12.7}

A request's id is the incoming ``X-Request-ID`` when it is short and plain (letters,
digits, ``.``, ``_``, ``:``, ``-``; 64 at most; nothing ``web.access_log`` would mask),
else 32 random hex digits; every response carries it back in ``X-Request-ID``, with or
without the JSON log, so that a proxy's log, a citizen's report and this line meet.

The line holds nothing a citizen typed or is: the route is the URL rule's pattern
(``/kich-hoat/<token>``), never the path or the query string, which can hold an e-mailed
link's token or an ID number; ``unmatched`` when no rule matched (a 404 or 405); the
method is one of ``METHODS`` or ``OTHER``; no user name, no e-mail address, no client
address. ``web.metrics`` counts requests with the same route and method.

Without the setting, or ``LOG_FORMAT=text``, the logs stay as they were: werkzeug's or
gunicorn's request lines (masked by ``web.access_log``), and nothing here.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import sys
import time
from typing import Any

from flask import Flask, Response, g, request, request_finished, request_started

from web import access_log

log = logging.getLogger(__name__)  # a portal logger: web.access_log's filter is on it

FORMATS = ("text", "json")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def new_id(incoming: str | None) -> str:
    """The id of a request that came with ``incoming`` as its X-Request-ID header."""
    if incoming and _PLAIN_ID.fullmatch(incoming) and access_log.mask(incoming) == incoming:  # not an ID number
        return incoming
    return secrets.token_hex(16)


def request_id() -> str:
    return g.get("request_id") or "-"


def route() -> str:
    """The URL rule the request matched, as written in the code, or ``unmatched``."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def method() -> str:
    return request.method if request.method in METHODS else "OTHER"  # the client names it: keep a known few


def duration() -> float:
    """Seconds since the request started (Flask's request_started signal, before any hook)."""
    return time.perf_counter() - g.get("request_started", time.perf_counter())


def _started(_app: Flask, **_extra: Any) -> None:
    g.request_started = time.perf_counter()
    g.request_id = new_id(request.headers.get("X-Request-ID"))


def _return_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = request_id()
    return response


def _finished(app: Flask, response: Response, **_extra: Any) -> None:
    write(app, request_id(), method(), route(), response.status_code, duration())


def write(app: Flask, request_id: str, method: str, route: str, status: int, seconds: float) -> None:
    """The request's line, when the log is JSON (also for pages answered before Flask:
    web.page_cache.Front)."""
    if app.config["LOG_FORMAT"] != "json":
        return
    log.info("request", extra={"request": {
        "request_id": request_id,
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
    }})


class JsonLines(logging.Formatter):
    """A record as one JSON object on one line. Written here rather than taken from a
    library: the fields are a fixed few, and ``json.dumps`` is the whole of it."""

    def format(self, record: logging.LogRecord) -> str:
        moment = dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
        fields = {"timestamp": moment.isoformat(timespec="milliseconds"), "level": record.levelname.lower()}
        fields.update(getattr(record, "request", None) or {"message": record.getMessage()})
        return json.dumps(fields, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (gunicorn and test runners
    replace it after start-up), as logging's own last-resort handler does."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


HANDLER = StderrHandler()
HANDLER.setFormatter(JsonLines())


def init_app(app: Flask) -> None:
    app.config["LOG_FORMAT"] = (app.config.get("LOG_FORMAT") or "text").lower()
    if app.config["LOG_FORMAT"] not in FORMATS:
        raise ValueError(f"DVC_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {app.config['LOG_FORMAT']!r}")
    # Module-level receivers: blinker keeps weak references, and they must not hold the app.
    request_started.connect(_started, app)
    request_finished.connect(_finished, app)
    app.after_request(_return_id)
    if app.config["LOG_FORMAT"] == "json" and HANDLER not in log.handlers:
        log.addHandler(HANDLER)
        log.setLevel(logging.INFO)
        log.propagate = False  # else Flask's handler on "web" prints each line again, as text
