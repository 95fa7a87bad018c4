"""The production server of ``dichvucong run``: gunicorn, with the portal as its application.

gunicorn's custom-application API (``gunicorn.app.base.BaseApplication``) takes the
settings from ``dichvucong run``'s options rather than from a configuration file:

- pre-forked worker processes (``workers``), each answering with ``threads`` threads
  (the ``gthread`` worker): a slow request (a PDF being printed, an SMTP server that
  takes its time) holds one thread, not a process;
- the app is not preloaded in the master: each worker calls ``web.create_app()``
  itself, so its mail sender thread, its PostgreSQL pool and its TinyDB files are its
  own (neither a thread nor a pool's connections survive a fork). TinyDB stays safe
  with several workers: its stores lock their files (storage/tinydb_*.py);
- the access log goes to standard output, the error log to standard error, both
  through web.access_log's filter (no ID number, no link token): the workers' app
  puts it on gunicorn's loggers, and ``serve`` on the master's;
- gunicorn believes no forwarded header itself (``forwarded_allow_ips`` empty, where
  its default trusts 127.0.0.1): which ``X-Forwarded-*`` headers count is the portal's
  one setting, ``DVC_TRUSTED_PROXIES`` (werkzeug's ProxyFix in ``web.create_app``);
- Prometheus' multiprocess mode (prometheus_client): every worker writes its metrics
  in the folder ``PROMETHEUS_MULTIPROC_DIR``, which the master sets before any worker
  starts (``metrics_folder``), and the files of a worker that has exited are marked
  dead (``child_exit``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from web import access_log

METRICS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
DEFAULT_WORKERS = 2  # this 2-core machine: a process a core ...
DEFAULT_THREADS = 4  # ... and threads for the requests that wait (storage, SMTP, printing)


def metrics_folder(instance: Path) -> tuple[Path, bool]:
    """The folder of the workers' metrics, and whether it was set here (not by the operator).

    prometheus_client reads ``PROMETHEUS_MULTIPROC_DIR`` when it is first imported, and
    the files of an earlier run would add their counts to this one's: unless the
    operator set the variable (a systemd unit's ``RuntimeDirectory``, fresh at each
    start), it becomes ``instance/metrics/``, emptied here."""
    if os.environ.get(METRICS_VARIABLE):
        folder = Path(os.environ[METRICS_VARIABLE])
        folder.mkdir(parents=True, exist_ok=True)
        return folder, False
    folder = instance / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[METRICS_VARIABLE] = str(folder)
    return folder, True


def _child_exit(server, worker) -> None:
    """gunicorn's hook, in the master, once a worker has exited: its gauges stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _worker_exit(server, worker) -> None:
    """gunicorn's hook, in the worker as it stops: the database connections are closed
    rather than dropped (PostgreSQL logs a dropped one)."""
    from web import resources

    app = getattr(worker, "wsgi", None)  # None: the worker failed before loading the app
    if app is not None and "portal" in getattr(app, "extensions", {}):
        resources.portal(app).close()


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """gunicorn's settings for the portal (gunicorn.config names)."""
    return {
        "bind": bind_address(host, port),
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "preload_app": False,
        "accesslog": "-",
        "errorlog": "-",
        "forwarded_allow_ips": "",
        "proc_name": "dichvucong",
        # gunicorn 25's control socket (gunicornc) has one path per user by default, which two
        # portals on one machine (or two test servers) would share; systemd's signals serve.
        "control_socket_disable": True,
        "child_exit": _child_exit,
        "worker_exit": _worker_exit,
    }


class PortalServer(BaseApplication):
    """gunicorn with the portal; ``load`` runs in each worker (nothing is preloaded)."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self):
        from web import create_app

        return create_app()


def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in this process until it is stopped (SIGTERM or SIGINT: the workers
    finish the requests they hold first). ``PROMETHEUS_MULTIPROC_DIR`` must be set
    already (``metrics_folder``)."""
    access_log.install(access_log.SERVER_LOGGERS)
    PortalServer(options(host, port, workers, threads)).run()
