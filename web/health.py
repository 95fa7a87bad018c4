"""``/healthz`` and ``/readyz``: what a load balancer or a Kubernetes probe asks.

``/healthz`` (liveness) says the process answers: 200 and ``ok``, and nothing is read,
so a slow disk or a database being restarted never gets a healthy process killed.

``/readyz`` (readiness) says whether a request would be served: it runs ``CHECKS`` and
answers 200 with a small JSON body naming each one when all pass, 503 naming the ones
that failed otherwise (by the exception's kind or errno name only: no message, which
may hold a host name or a path, no stack trace, no personal data)::

    {"status": "ready", "checks": {"database": {"ok": true, "backend": "tinydb"},
     "dossiers": {"ok": true}, "users": {"ok": true}, "mail_queue": {"ok": true, "depth": 0},
     "catalog": {"ok": true, "services": 13}}}

Each check runs in a thread of its own and the answer waits ``READY_TIMEOUT`` seconds
at most: a probe must answer within its own timeout whatever hangs (a PostgreSQL pool
waits up to 30 s for a connection, a lost network disk longer). A check still running
from an earlier probe is not started again but reported as ``timeout``, so a hung
database costs one waiting thread per check, not one per probe.

Both, and ``/metrics`` (web.metrics), are answered before the app's other request hooks
(the catalogue refresh, the signed-in user, rate limits, CSRF): a probe carries no
session, is never rate limited and touches nothing it does not check.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from operations.portal import Portal
from web import resources

bp = Blueprint("health", __name__)
_lock = threading.Lock()  # one probe at a time starts the checks

_NO_ID = "0" * 16  # an id no dossier or user has (ids are random hex): a read that finds nothing


def _ping_postgres(store: Any) -> None:
    with store.db.connection() as conn:
        conn.execute("SELECT 1")


def _probe_folder(folder: Path) -> None:
    """Raises OSError unless ``folder`` can be listed and written (a file made and removed)."""
    with os.scandir(folder) as entries:
        next(entries, None)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
        pass


# A store's class (by its dotted name: the PostgreSQL stores, and psycopg, are imported only by
# a portal that uses them) -> its backend's name and how to check what it is kept in. A
# backend added to web.resources.BACKENDS adds its stores here; until then /readyz says it
# has no check for them rather than calling them ready.
BACKENDS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "storage.tinydb_store.TinyDBStore": ("tinydb", lambda store: _probe_folder(store.path)),
    "storage.tinydb_users.TinyDBUserStore": ("tinydb", lambda store: _probe_folder(store.path)),
    "storage.postgres_store.PostgresStore": ("postgresql", _ping_postgres),
    "storage.postgres_users.PostgresUserStore": ("postgresql", _ping_postgres),
}


def _class_name(store: Any) -> str:
    return f"{type(store).__module__}.{type(store).__qualname__}"


class NoCheck(Exception):
    """A store of a backend ``BACKENDS`` does not list."""


def _database(portal: Portal) -> dict[str, Any]:
    """PostgreSQL: ``SELECT 1`` through the stores' pool (once when they share it);
    TinyDB: both store folders readable and writable."""
    names, checked = set(), set()
    for store in (portal.dossiers, portal.users):
        if _class_name(store) not in BACKENDS:
            raise NoCheck()
        name, check = BACKENDS[_class_name(store)]
        names.add(name)
        where = id(getattr(store, "db", store))
        if where not in checked:
            check(store)
            checked.add(where)
    return {"backend": "+".join(sorted(names))}


def _dossiers(portal: Portal) -> dict[str, Any]:
    portal.dossiers.get(_NO_ID)  # the table or shard is there and readable
    return {}


def _users(portal: Portal) -> dict[str, Any]:
    portal.users.get(_NO_ID)
    return {}


def _mail_queue(portal: Portal) -> dict[str, Any]:
    queue = getattr(portal.mailer.outbox, "queue", None)  # the folder outbox; a table is the database check's
    if queue is not None:
        _probe_folder(queue)  # a page that sends e-mail writes it here first
    return {"depth": portal.mailer.depth()}


class EmptyCatalog(Exception):
    pass


def _catalog(portal: Portal) -> dict[str, Any]:
    services = len(portal.catalog.latest())
    if not services:
        raise EmptyCatalog()
    return {"services": services}


# name in the answer -> the check: returns facts to report, raises when not ready.
CHECKS: dict[str, Callable[[Portal], dict[str, Any]]] = {
    "database": _database,
    "dossiers": _dossiers,
    "users": _users,
    "mail_queue": _mail_queue,
    "catalog": _catalog,
}


def _in_thread(check: Callable[[Portal], dict[str, Any]], portal: Portal) -> Future:
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(check(portal))
        except BaseException as error:  # reported as the probe's answer, never raised
            future.set_exception(error)

    threading.Thread(target=run, name="dichvucong-readyz", daemon=True).start()
    return future


def _reason(error: BaseException) -> str:
    """What kind of failure, never its text (a libpq message names hosts, an OSError paths)."""
    if isinstance(error, OSError) and error.errno in errno.errorcode:
        return errno.errorcode[error.errno]
    return type(error).__name__


def readiness(app: Flask) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Whether every check passed, and each check's result."""
    portal = resources.portal(app)
    running: dict[str, Future] = app.extensions.setdefault("readiness", {})
    with _lock:
        for name, check in CHECKS.items():
            if name not in running or running[name].done():
                running[name] = _in_thread(check, portal)
        futures = dict(running)
    wait(futures.values(), timeout=app.config["READY_TIMEOUT"])
    results: dict[str, dict[str, Any]] = {}
    for name, future in futures.items():
        if not future.done():
            results[name] = {"ok": False, "error": "timeout"}
        elif future.exception() is not None:
            results[name] = {"ok": False, "error": _reason(future.exception())}
        else:
            results[name] = {"ok": True, **future.result()}
    return all(r["ok"] for r in results.values()), results


@bp.get("/healthz")
def healthz() -> Response:
    response = Response("ok\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/readyz")
def readyz() -> Response:
    ready, checks = readiness(current_app._get_current_object())  # type: ignore[attr-defined]
    failed = [name for name, result in checks.items() if not result["ok"]]
    if failed:
        current_app.logger.warning(
            "not ready: %s", ", ".join(f"{name} ({checks[name]['error']})" for name in failed)
        )
        body = {"status": "unavailable", "failed": failed, "checks": checks}
    else:
        body = {"status": "ready", "checks": checks}
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def answer_before_hooks(app: Flask, blueprint: Blueprint) -> None:
    """Have ``blueprint``'s views answer before the app's own before-request hooks run.

    A before-request function that returns a response ends the request's handling
    (Flask's documented behaviour); this one goes first and calls the view itself.
    The after-request hooks (security headers, the request id) still run."""
    own: set[str] = app.extensions.setdefault("answered_before_hooks", set())
    if not own:
        def answer() -> Any:
            if request.blueprint in own and request.endpoint in app.view_functions:
                return app.view_functions[request.endpoint](**(request.view_args or {}))
            return None

        app.before_request_funcs.setdefault(None, []).insert(0, answer)
    own.add(blueprint.name)


def init_app(app: Flask) -> None:
    app.config.setdefault("READY_TIMEOUT", 2.0)  # seconds; keep it under the probe's own timeout
    app.register_blueprint(bp)
    answer_before_hooks(app, bp)
