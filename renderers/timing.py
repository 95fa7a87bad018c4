"""Who is told how long each PDF took: a module of its own, without WeasyPrint, so that the
web layer's metrics (web.metrics) can listen without importing the printer (0.3-0.5 s of
start-up) before the first print."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Told (document kind, seconds) after each PDF made by a renderers.pdf render_*_pdf function.
render_listeners: list[Callable[[str, float], None]] = []


@contextmanager
def timed(document: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    for listener in render_listeners:
        listener(document, seconds)
