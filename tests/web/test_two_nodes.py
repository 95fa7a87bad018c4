"""Two portal nodes that share nothing but PostgreSQL and Redis (issue 13): each a real
`dichvucong run` (gunicorn) with its own, empty, instance folder.

A citizen creates a dossier with an attachment on node A; the clerk on node B sees it,
opens the attachment, prints the PDF and accepts it; a version of a service published
on A is served by B; and with both nodes' mail senders running, node A is killed in the
middle of an SMTP conversation: its message is then sent by B, and every e-mail reaches
the SMTP server exactly once.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
import requests
from psycopg import sql
from pypdf import PdfReader

from engine.dossier import Role
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import SmtpHandler, SmtpServer, add_user, free_port, link_in, login, post, text, wait_for
from tests.web.test_desk import act
from tests.web.test_dossiers import SLOT, create_dossier, pdf_bytes, upload
from web import create_app, resources

REPO = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379"

pytestmark = pytest.mark.slow


class Response:
    """What the tests' helpers read of a Flask test response, from a real HTTP one."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.data = response.content

    def get_data(self, as_text: bool = False):
        return self.data.decode() if as_text else self.data


class Browser:
    """A visitor of one node over HTTP, with the test client's interface (get, post) so the
    web tests' helpers (login, create_dossier, upload, act) drive a real process."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def get(self, path: str) -> Response:
        return Response(self.session.get(self.base + path, allow_redirects=False, timeout=30))

    def post(self, path: str, data=None, content_type: str | None = None) -> Response:
        fields, files = [], []
        items = data.items(multi=True) if hasattr(data, "items") and hasattr(data, "getlist") else (data or {}).items()
        for key, value in items:
            if isinstance(value, tuple):  # (file object, name): an upload
                files.append((key, (value[1], value[0].read())))
            else:
                fields.append((key, value))
        return Response(self.session.post(self.base + path, data=fields, files=files or None, allow_redirects=False,
                                          timeout=30))


class Stalling(SmtpHandler):
    """Node A's way in: when armed, holds the next conversation at MAIL FROM forever."""

    def __init__(self, shared: SmtpHandler) -> None:
        super().__init__()
        self.messages, self.envelopes = shared.messages, shared.envelopes
        self.armed = False
        self.stalled = threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, options):
        if self.armed:
            self.armed = False
            self.stalled.set()
            await asyncio.sleep(3600)
        envelope.mail_from = address
        return "250 OK"


class Node:
    def __init__(self, name: str, folder: Path, url: str, mail_host: str, mail_port: int) -> None:
        self.port = free_port()
        folder.mkdir()
        env = {**os.environ, "DVC_INSTANCE": str(folder), "DVC_DATABASE_URL": url, "DVC_RATELIMIT_STORAGE": REDIS,
               "DVC_MAIL_HOST": mail_host, "DVC_MAIL_PORT": str(mail_port), "DVC_MAIL_TIMEOUT": "300",
               "DVC_PUBLIC_URL": f"http://127.0.0.1:{self.port}"}
        env.pop("DVC_SECRET_KEY", None)  # the nodes agree on the key kept in the database
        self.env = env
        self.log = open(folder.parent / f"{name}.log", "wb")
        self.process = subprocess.Popen(  # the portal as deployed: gunicorn, through `dichvucong run`
            [str(Path(sys.executable).parent / "dichvucong"), "run", "--port", str(self.port), "--workers", "1",
             "--threads", "4"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the node stopped at start-up"
            try:
                if requests.get(self.base + "/", timeout=30).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        raise AssertionError("the node did not answer within 60 s")

    def kill(self) -> None:
        """kill -9 of the whole node: gunicorn's master and its worker."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(Path(sys.executable).parent / "dichvucong"), *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, timeout=120)


@pytest.fixture
def schema():
    with fresh_schema() as name:
        yield name


def outbox_rows(schema: str) -> int:
    with psycopg.connect(POSTGRES_URL) as conn:
        return conn.execute(sql.SQL("SELECT count(*) FROM {}.mail_outbox").format(sql.Identifier(schema))).fetchone()[0]


def test_two_nodes_share_everything_through_postgresql(tmp_path, catalog, household, schema):
    url = f"{POSTGRES_URL}?schema={schema}"
    shared = SmtpHandler()
    stalling = Stalling(shared)
    smtp_b = SmtpServer(handler=shared).start()
    smtp_a = SmtpServer(handler=stalling, hostname="127.0.0.2").start()  # node A's way in: another address

    # The accounts, made once in the shared database.
    setup = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "setup"), "CATALOG": catalog,
                        "DATABASE_URL": url, "PASSWORD_PROFILE": "CHEAPEST"})
    citizen = add_user(setup, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    clerk = add_user(setup, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK,
                     agencies=["ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"], phone=None)
    resources.portal(setup).close()

    a = Node("a", tmp_path / "node-a", url, "127.0.0.2", smtp_a.port)
    b = Node("b", tmp_path / "node-b", url, "127.0.0.1", smtp_b.port)
    try:
        a.wait_ready()
        b.wait_ready()

        # -- a dossier with an attachment, made on A ------------------------------------------
        on_a = Browser(a.base)
        assert login(on_a, citizen.username).status_code == 302
        dossier_id = create_dossier(on_a, household)
        scan = pdf_bytes()
        assert upload(on_a, dossier_id, household, {SLOT: (scan, "CCCD.pdf")}).status_code == 302
        confirmation = wait_for_message(shared, citizen.email, "Xác nhận")
        on_a.get(link_in(confirmation))
        assert post(on_a, f"/ho-so/{dossier_id}/nop", {}).status_code == 302

        # -- the clerk on B sees it, opens the attachment, prints it and accepts it ------------------
        on_b = Browser(b.base)
        assert login(on_b, clerk.username).status_code == 302
        assert dossier_id in text(on_b.get("/mot-cua/"))
        attachment = on_b.get(f"/ho-so/{dossier_id}/tep/{SLOT}")
        assert attachment.status_code == 200 and attachment.data == scan
        printed = on_b.get(f"/mot-cua/ho-so/{dossier_id}/ban-in.pdf")
        assert printed.status_code == 200
        assert f"Hồ sơ {dossier_id}" in PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()
        assert act(on_b, dossier_id, "tiep-nhan").status_code in (302, 303)

        # -- a version published on A is served by B on its next request -------------------------
        folder = tmp_path / "published"
        shutil.copytree(household.folder, folder)
        info = json.loads((folder / "service.json").read_text())
        info["name"] = info["name"] + " (phiên bản mới)"
        (folder / "service.json").write_text(json.dumps(info, ensure_ascii=False))
        published = a.cli("schemas", "publish", str(folder), "--slug", household.slug)
        assert published.returncode == 0, published.stdout + published.stderr
        assert "(phiên bản mới)" in text(on_b.get(f"/dich-vu/{household.slug}"))
        assert not any((tmp_path / "node-b").rglob("store")), "node B keeps no store of its own"

        # -- mail: A is killed mid-send; B sends its message, and nothing goes twice -------------
        citizen_on_b = Browser(b.base)
        assert login(citizen_on_b, citizen.username).status_code == 302
        assert wait_for_quiet(schema)
        before = confirmations(shared)
        stalling.armed = True
        create_dossier(on_a, household)  # A's sender takes its confirmation e-mail, and is held...
        assert stalling.stalled.wait(30), "node A never started the SMTP conversation"
        for _ in range(3):  # ...while B's sender sends what both nodes queue
            create_dossier(on_a, household)
            create_dossier(citizen_on_b, household)
        assert wait_for(lambda: confirmations(shared) - before == 6, 30), "B did not send the other e-mails"
        # B deletes a message's row when its SMTP conversation has ended, a moment after the
        # server counted it: then only the one A holds is left, never taken from a live sender.
        assert wait_for(lambda: outbox_rows(schema) == 1, 10)
        assert confirmations(shared) - before == 6
        a.kill()
        assert wait_for(lambda: outbox_rows(schema) == 0, 60), "A's e-mail was left in the outbox"
        assert confirmations(shared) - before == 7  # A's held message, sent by B, once
        ids = Counter(str(m["Message-ID"]) for m in shared.messages)
        assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    finally:
        a.kill()
        b.kill()
        smtp_b.stop()
        smtp_a.stop()


def confirmations(handler: SmtpHandler) -> int:
    return sum(1 for m in handler.messages if "Xác nhận" in str(m["Subject"]))


def wait_for_quiet(schema: str) -> bool:
    return wait_for(lambda: outbox_rows(schema) == 0, 30)


def wait_for_message(handler: SmtpHandler, to: str, subject: str):
    def found():
        return [m for m in handler.messages if to in str(m["To"]) and subject in str(m["Subject"])]

    if wait_for(found, 30):
        return found()[-1]
    raise AssertionError(f"no e-mail {subject!r} to {to}: {[str(m['Subject']) for m in handler.messages]}")
