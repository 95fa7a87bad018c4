"""``/healthz`` and ``/readyz`` (web/health.py) as a load balancer or Kubernetes sees them:
ready on TinyDB and on PostgreSQL, 503 naming the failed check when a store folder
cannot be written or PostgreSQL cannot be reached, and never a path, a URL or a trace."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import free_port
from web import create_app, resources

CHECKS = {"database", "dossiers", "users", "mail_queue", "catalog"}


def test_healthz_answers_without_a_session_or_a_store(app, client, tmp_path):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "ok\n"
    assert "Set-Cookie" not in answer.headers and answer.headers["Cache-Control"] == "no-store"
    with _folder_gone(tmp_path / "store"):
        assert client.get("/healthz").status_code == 200  # alive, though not ready
        assert client.get("/readyz").status_code == 503


def test_readyz_on_tinydb_names_every_check(app, client, catalog):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "ready" and set(body["checks"]) == CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["backend"] == "tinydb"
    assert body["checks"]["catalog"]["services"] == len(catalog.latest())
    assert body["checks"]["mail_queue"]["depth"] == 0
    assert "Set-Cookie" not in answer.headers


def test_readyz_reports_the_mail_queue_depth(app, client):
    mailer = resources.portal(app).mailer
    (mailer.outbox.queue / "00000000000000000001-abcd.eml").write_bytes(b"Subject: waiting\n\nqueued\n")
    assert client.get("/readyz").get_json()["checks"]["mail_queue"] == {"ok": True, "depth": 1}


def test_readyz_is_never_rate_limited(app, client):
    app.config["LOGIN_LIMIT_IP"] = "1 per minute"
    assert [client.get("/readyz").status_code for _ in range(5)] == [200] * 5


def test_readyz_answers_503_when_the_store_folder_cannot_be_written(app, client, tmp_path):
    with _read_only(tmp_path / "store"):
        answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.get_json()
    assert body["status"] == "unavailable" and body["failed"] == ["database"]
    assert body["checks"]["database"]["ok"] is False and body["checks"]["database"]["error"] in ("EACCES", "EPERM")
    assert body["checks"]["dossiers"]["ok"] is True  # still readable
    page = answer.get_data(as_text=True)
    assert str(tmp_path) not in page and "Traceback" not in page
    assert client.get("/readyz").status_code == 200  # writable again


def test_readyz_answers_503_when_the_store_folder_is_gone(app, client, tmp_path):
    with _folder_gone(tmp_path / "users"):
        body = client.get("/readyz").get_json()
    assert set(body["failed"]) == {"database", "users"}
    assert body["checks"]["database"]["error"] == "ENOTDIR"


# -- PostgreSQL ------------------------------------------------------------------------------

@pytest.fixture
def schema():
    with fresh_schema() as name:
        yield name


def _postgres_app(catalog, tmp_path, url):
    return create_app({
        "TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST",
        "DATABASE_URL": url, "READY_TIMEOUT": 1.0,
    })


def test_readyz_on_postgresql(catalog, tmp_path, schema):
    app = _postgres_app(catalog, tmp_path, f"{POSTGRES_URL}?schema={schema}")
    try:
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["checks"]["database"] == {"ok": True, "backend": "postgresql"}
    finally:
        resources.portal(app).close()


def test_readyz_answers_503_when_postgresql_cannot_be_reached(catalog, tmp_path, schema):
    """The server goes away after start-up: its port closes (a proxy in front of it stops)."""
    with _tcp_proxy(5432) as proxy:
        url = POSTGRES_URL.replace(":5432", f":{proxy.port}") + f"?schema={schema}"
        assert f":{proxy.port}" in url
        app = _postgres_app(catalog, tmp_path, url)
        client = app.test_client()
        try:
            assert client.get("/readyz").status_code == 200
            proxy.stop()
            answer = client.get("/readyz")
            assert answer.status_code == 503, answer.get_json()
            body = answer.get_json()
            # the outbox lives in the database too
            assert "database" in body["failed"] and set(body["failed"]) <= {"database", "dossiers", "users", "mail_queue"}
            assert body["checks"]["catalog"]["ok"] and not body["checks"]["mail_queue"]["ok"]
            page = answer.get_data(as_text=True)
            assert str(proxy.port) not in page and "postgresql" not in page.replace('"postgresql"', "")
            assert client.get("/healthz").status_code == 200
        finally:
            resources.portal(app).close()


# -- helpers ---------------------------------------------------------------------------------

@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """``folder`` cannot be written to, even by root (the tests may run as root): made
    immutable with chattr there, read-only by mode otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        undo = ["chattr", "-i", str(folder)]
    else:
        folder.chmod(0o555)
        undo = None
    try:
        with pytest.raises(OSError):
            (folder / "probe").write_bytes(b"")  # really read-only: the test cannot pass for nothing
        yield
    finally:
        if undo:
            subprocess.run(undo, check=True)
        else:
            folder.chmod(0o755)


@contextlib.contextmanager
def _folder_gone(folder: Path) -> Iterator[None]:
    """A file where the folder was (a volume that is no longer mounted, say)."""
    away = folder.with_name(folder.name + ".away")
    folder.rename(away)
    folder.write_text("")
    try:
        yield
    finally:
        folder.unlink()
        away.rename(folder)


class _Proxy:
    """Forwards TCP connections from a local port to ``127.0.0.1:upstream`` until stopped."""

    def __init__(self, upstream: int) -> None:
        self.upstream, self.port = upstream, free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # stopped
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (a close alone would not, on Linux)
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


@contextlib.contextmanager
def _tcp_proxy(upstream: int) -> Iterator[_Proxy]:
    proxy = _Proxy(upstream)
    try:
        yield proxy
    finally:
        proxy.stop()
