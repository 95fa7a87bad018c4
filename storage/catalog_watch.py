"""Told of a publish instead of asking at every request: LISTEN/NOTIFY on the catalogue.

Every node must serve a publish made on any other at its next request, so each request
used to read ``catalog_state.revision`` (one round trip through the pool, 0.2-0.3 ms: as
much as answering a kept page, bench/README.md). A publish, a version copied in and a
withdrawal now also ``NOTIFY`` the channel ``CHANNEL`` in their transaction, with the
schema as payload (tests and cities may share a database); PostgreSQL delivers it when
that transaction commits. Each process keeps one connection of its own that LISTENs,
and a request reads the revision again only when a notice came since its last read.

Nothing is trusted that the listener cannot vouch for: until it is listening, after its
connection fails (then it reconnects, a second later and on), and when it has not heard
back from the server for ``CHECK_SECONDS`` (it sends ``SELECT 1`` whenever it has been
quiet that long), every request reads the revision as before. The process that publishes
reads at its next request in any case (``changed``). Another node learns of a publish
when the notice reaches it, as the publishing transaction commits: within a millisecond
or so on one network, before any request that follows the publisher's answer (a browser
or a script reading it goes through the network again). A request that arrives at
another node in that same millisecond can still get the catalogue of before.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import psycopg

CHANNEL = "dichvucong_catalog"
CHECK_SECONDS = 5.0  # how long the listener may go without hearing from the server
RETRY_SECONDS = 1.0


def notify(conn: psycopg.Connection, schema: str) -> None:
    """In the publishing transaction: tell every listening node (on commit)."""
    conn.execute("SELECT pg_notify(%s, %s)", [CHANNEL, schema])


class CatalogWatch:
    """The revision of one schema's catalogue, read from the database only when needed.

    ``read`` is the query (through the pool). Start-up is lazy: the first ``revision()``
    of a process starts its listener (a fork has none: gunicorn's workers each start
    their own)."""

    def __init__(self, conninfo: str, schema: str, read: Callable[[], int]) -> None:
        self._conninfo = conninfo
        self._schema = schema
        self._read = read
        self._lock = threading.Lock()
        self._notices = 0  # bumped for each notice, at each (re)connection and by changed()
        self._trusted_until = 0.0  # monotonic: the listener heard from the server this recently
        self._seen: tuple[int, int] | None = None  # (notices, revision) of the last read
        self._pid: int | None = None
        self._stop = threading.Event()
        self._closed = False  # closed: no listener is started again, every request reads
        self._thread: threading.Thread | None = None

    def revision(self) -> int:
        self._start()
        notices, trusted = self._notices, time.monotonic() < self._trusted_until
        seen = self._seen
        if trusted and seen is not None and seen[0] == notices:
            return seen[1]
        # Read after taking the count: a notice that comes during the read bumps it, so the
        # next request reads again (the worst is one read too many, never a stale answer).
        revision = self._read()
        self._seen = (notices, revision)
        return revision

    def changed(self) -> None:
        """This process changed the catalogue: its next ``revision()`` reads (its own
        listener may hear of it a moment later)."""
        self._notices += 1

    def close(self) -> None:
        self._closed = True
        self._stop.set()

    # -- the listener thread -------------------------------------------------------------

    def _start(self) -> None:
        if self._pid == os.getpid() or self._closed:
            return
        with self._lock:
            if self._pid == os.getpid() or self._closed:
                return
            self._pid, self._stop, self._trusted_until = os.getpid(), threading.Event(), 0.0
            self._thread = threading.Thread(target=self._listen, name=f"catalog-watch-{self._schema}", daemon=True)
            self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True,
                                     application_name=f"dichvucong-catalog-watch-{self._schema}") as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._notices += 1  # whatever was published before LISTEN: read once more
                    checked = time.monotonic()
                    self._trusted_until = checked + CHECK_SECONDS
                    while not self._stop.is_set():
                        # Short waits, so that close() is obeyed within half a second.
                        for notice in conn.notifies(timeout=0.5, stop_after=1):
                            if notice.payload == self._schema:
                                self._notices += 1
                        if time.monotonic() - checked >= CHECK_SECONDS / 2:
                            conn.execute("SELECT 1")  # still there: trusted for a while longer
                            checked = time.monotonic()
                            self._trusted_until = checked + CHECK_SECONDS
            except psycopg.Error:
                pass  # the server restarted, the network failed: every request reads meanwhile
            self._trusted_until = 0.0
            self._stop.wait(RETRY_SECONDS)
