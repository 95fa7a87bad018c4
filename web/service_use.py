"""How much each service is used: its dossiers sent to the one-stop desk, for the order of
the home page and the field pages (the most used first).

Counting asks the repository for one total per service (engine.stats.sent_per_service),
which on 50,000 dossiers is no longer free, so the counts are kept for a window of
``LIFETIME`` seconds of ``web.page_cache.now()`` and for one catalogue: at most one count a
window per process, whatever the traffic. The pages ordered by them are kept in
``web.page_cache`` for the same windows (``cached_page(lifetime=LIFETIME)``), so a changed
order shows at the next window without anything to invalidate.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping

from flask import Flask, current_app

from engine.catalog import Catalog, Service
from engine.stats import sent_per_service
from engine.text import fold
from web import page_cache, resources

LIFETIME = 60.0  # seconds


class UseCounts:
    """The counts of one catalogue for the current window, counted when first asked."""

    def __init__(self, lifetime: float = LIFETIME) -> None:
        self.lifetime = lifetime
        self._kept: tuple[Catalog, int, Mapping[str, int]] | None = None
        self._lock = threading.Lock()  # one count at a time: the others wait for it

    def counts(self, catalog: Catalog) -> Mapping[str, int]:
        window = math.floor(page_cache.now() / self.lifetime)
        with self._lock:
            kept = self._kept
            if kept is None or kept[0] is not catalog or kept[1] != window:
                counted = sent_per_service(resources.dossiers(), [s.slug for s in catalog],
                                           resources.workflow().at_desk)
                kept = self._kept = (catalog, window, counted)
            return kept[2]


def init_app(app: Flask) -> None:
    app.extensions["service_use"] = UseCounts()


def most_used_first(services: Iterable[Service]) -> list[Service]:
    """``services`` by dossiers sent, most first; equal counts by name."""
    counts = current_app.extensions["service_use"].counts(resources.catalog())
    return sorted(services, key=lambda s: (-counts.get(s.slug, 0), fold(s.info.name)))
