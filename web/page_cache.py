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

The entries are bounded (``SIZE``, least recently used first out): a field page answers
for any spelling of its name (``/linh-vuc/TƯ%20PHÁP``), so the paths are not. An
OrderedDict rather than a dependency: this is the whole of it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, make_response, request, session
from flask_babel import get_locale

from engine.catalog import Catalog
from web import resources
from web.auth import current_user

View = TypeVar("View", bound=Callable[..., Any])
SIZE = 512  # pages: each catalogue has a few dozen per language; a page is 3-40 KB


class PageCache:
    """Rendered pages of one catalogue, by (language, path); least recently used out first."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._catalog: Catalog | None = None
        self._pages: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()  # threaded workers share one cache

    def get(self, catalog: Catalog, key: tuple[str, str]) -> bytes | None:
        with self._lock:
            if catalog is not self._catalog:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, catalog: Catalog, key: tuple[str, str], page: bytes) -> None:
        with self._lock:
            if catalog is not self._catalog:  # a new catalogue: the pages of the old one are stale
                self._catalog, self._pages = catalog, OrderedDict()
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    app.extensions["page_cache"] = PageCache()


def _shared() -> bool:
    """Whether this request gets the page every anonymous visitor gets."""
    return (request.method == "GET" and not request.args and current_user() is None
            and "_flashes" not in session)


def cached_page(view: View) -> View:
    """Serve the view's page from the cache when the request is an anonymous one (see above)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _shared():
            return view(*args, **kwargs)
        cache: PageCache = current_app.extensions["page_cache"]
        catalog, key = resources.catalog(), (str(get_locale()), request.path)
        page = cache.get(catalog, key)
        if page is None:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.mimetype != "text/html":
                return response
            page = response.get_data()
            cache.put(catalog, key, page)
        return Response(page, mimetype="text/html")

    return wrapped  # type: ignore[return-value]
