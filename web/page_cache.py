"""Pages that change only when the catalogue does, rendered once per catalogue and language.

The home page, the field pages, the service pages and a service's sample dossier show
nothing but the catalogue, the settings and the visitor's language, until somebody signs
in: then the header carries their name and a sign-out form with their CSRF token. So a
page is kept whole, in this process, only as an anonymous visitor with no flashed message
gets it; anyone else (signed in, with a message waiting, or asking with a query string,
such as a search) gets it rendered as before. Nothing personal ever enters the cache, and
nothing of one visitor reaches another.

The key is the catalogue (the very object: ``web.authoring`` swaps it at the first request
after a publish or a withdrawal made by any process on the same store, and the cache then
starts afresh), the language and the path. The path alone decides the page's links (the
language switch links back to it), and only answers of 200 are kept.

Two doors lead to a kept page:

- ``cached_page``, the view decorator: a visitor with a session cookie (one who opened a
  form, say) goes through Flask, whose session tells whether they are signed in or have a
  message waiting; the page's body comes from the cache.
- ``Front``, in front of Flask (WSGI): a visitor with no session cookie at all (a first
  visit, a search engine, a link followed from elsewhere) cannot be signed in and has no
  message waiting, so the whole answer, headers included, is sent without entering Flask:
  no session, CSRF, rate-limit or template work, which was most of such a request's time
  (bench/README.md, "Web pages"). What every request gets still happens there: the
  catalogue is checked for a publish, the answer carries its own ``X-Request-ID``, the
  JSON request log and the metrics count it under its route. The headers kept are those
  Flask sent the first time, less the request's own (``X-Request-ID``; an answer that set
  a cookie is not kept).

A page that also shows something else that changes (the home page orders services by how
much they are used, counted at most once a ``lifetime``: ``cached_page(lifetime=60)``) is
kept until the end of the current window of that many seconds of ``now()``, the same
windows the count is kept for (web.service_use): both are renewed together, and a
changed order shows within a window.

The entries are bounded (``SIZE``, least recently used first out): a field page answers
for any spelling of its name (``/linh-vuc/TƯ%20PHÁP``), so the paths are not. An
OrderedDict rather than a dependency: this is the whole of it. A caching proxy (nginx's
proxy_cache, Varnish) could hold the same pages, but it would have to learn from the
portal when a publish makes them stale; here the catalogue object says so.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, make_response, request, session
from flask_babel import get_locale
from werkzeug.http import parse_cookie

from engine.catalog import Catalog
from web import authoring, i18n, metrics, request_log, resources
from web.auth import current_user

View = TypeVar("View", bound=Callable[..., Any])
SIZE = 512  # pages: each catalogue has a few dozen per language; a page is 3-40 KB
SHARED = "dvc.shared_page"  # environ key: the kept page's route and catalogue, set by cached_page
_OWN_HEADERS = frozenset({"x-request-id", "date"})  # the request's own: never kept


@dataclass(frozen=True)
class Kept:
    body: bytes
    route: str = ""  # the URL rule, for the request log and metrics
    headers: tuple[tuple[str, str], ...] | None = None  # as Flask sent them; None: not yet seen by Front
    expires: float | None = None  # a now() after which the page is rendered again; None: never


def now() -> float:
    """The clock of kept pages' lifetimes (a module function, so that tests can move it)."""
    return time.monotonic()


def window_end(lifetime: float) -> float:
    """The end of the current window of ``lifetime`` seconds of now()."""
    return (math.floor(now() / lifetime) + 1) * lifetime


class PageCache:
    """Rendered pages of one catalogue, by (language, path); least recently used out first."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._catalog: Catalog | None = None
        self._pages: OrderedDict[tuple[str, str], Kept] = OrderedDict()
        self._lock = threading.Lock()  # threaded workers share one cache

    def get(self, catalog: Catalog, key: tuple[str, str]) -> Kept | None:
        with self._lock:
            if catalog is not self._catalog:
                return None
            page = self._pages.get(key)
            if page is not None and page.expires is not None and now() >= page.expires:
                del self._pages[key]
                return None
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, catalog: Catalog, key: tuple[str, str], page: Kept) -> None:
        with self._lock:
            if catalog is not self._catalog:  # a new catalogue: the pages of the old one are stale
                self._catalog, self._pages = catalog, OrderedDict()
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def holds(self, key: tuple[str, str]) -> bool:
        """Whether a page is kept at ``key`` (perhaps of an older catalogue)."""
        return key in self._pages

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache()


def _shared() -> bool:
    """Whether this request gets the page every anonymous visitor gets."""
    return (request.method == "GET" and not request.args and current_user() is None
            and "_flashes" not in session)


def _key(language: str, environ: dict[str, Any]) -> tuple[str, str]:
    # The raw path as the server gave it (both doors see the same one), under the app's prefix.
    return language, environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")


def cached_page(view: View | None = None, *, lifetime: float | None = None) -> Any:
    """Serve the view's page from the cache when the request is an anonymous one (see above);
    with ``lifetime`` (seconds), kept only to the end of the current window of that length."""
    if view is None:
        return lambda inner: _cached(inner, lifetime)
    return _cached(view, lifetime)


def _cached(view: View, lifetime: float | None) -> View:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _shared():
            return view(*args, **kwargs)
        cache: PageCache = current_app.extensions["page_cache"]
        catalog, key = resources.catalog(), _key(str(get_locale()), request.environ)
        page = cache.get(catalog, key)
        if page is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.mimetype != "text/html":
                return response
            page = Kept(response.get_data(), request.url_rule.rule if request.url_rule else "",
                        expires=window_end(lifetime) if lifetime is not None else None)
            cache.put(catalog, key, page)
        request.environ[SHARED] = (page, catalog)  # Front may keep the whole answer
        return Response(page.body, mimetype="text/html")

    return wrapped  # type: ignore[return-value]


class Front:
    """WSGI middleware: a kept page, answered whole to a visitor with no session cookie."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def _language(self, environ: dict[str, Any]) -> str | None:
        """The visitor's language when the request can be answered here, else None."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        raw = environ.get("HTTP_COOKIE")
        if not raw:
            return i18n.DEFAULT
        cookies = parse_cookie(raw)
        if self.app.config["SESSION_COOKIE_NAME"] in cookies:
            return None  # perhaps signed in, perhaps a message waiting: Flask's session knows
        return i18n.chosen(cookies.get(i18n.COOKIE))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        language = self._language(environ)
        if language is None:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        cache: PageCache = self.app.extensions["page_cache"]
        key = _key(language, environ)
        if not cache.holds(key):  # not a kept page (/readyz, say): Flask answers, with its error pages
            return self._through(cache, key, environ, start_response)
        try:
            catalog = authoring.refresh_catalog(self.app)
        except Exception:  # the database away: Flask answers, with its error pages
            return self.wsgi_app(environ, start_response)
        page = cache.get(catalog, key)
        if page is not None and page.headers is not None:
            return self._answer(page, environ, start_response, started)
        return self._through(cache, key, environ, start_response)

    def _answer(self, page: Kept, environ: dict[str, Any], start_response: Callable[..., Any],
                started: float) -> Iterable[bytes]:
        request_id = request_log.new_id(environ.get("HTTP_X_REQUEST_ID"))
        assert page.headers is not None
        start_response("200 OK", [*page.headers, ("X-Request-ID", request_id)])
        seconds = time.perf_counter() - started
        metrics.count(self.app, "GET", page.route, 200, seconds)
        request_log.write(self.app, request_id, "GET", page.route, 200, seconds)
        return [page.body]

    def _through(self, cache: PageCache, key: tuple[str, str], environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Flask answers; a shared page is kept with the headers it was sent with."""
        sent: list[Any] = []

        def keep_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep_headers)
        shared = environ.get(SHARED)
        if shared is None or not sent or not sent[0].startswith("200 "):
            return body
        headers = sent[1]
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body
        page, catalog = shared
        kept = tuple((name, value) for name, value in headers if name.lower() not in _OWN_HEADERS)
        cache.put(catalog, key, dataclasses.replace(page, headers=kept))
        return body
