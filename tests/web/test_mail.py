"""Sending e-mail: put in an outbox inside the request, delivered afterwards by a sender
to a real local SMTP server (aiosmtpd), kept and retried while the server is down, never
sent twice. Both outboxes: the instance folder (the embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from operations.mail import Mailer, MailSettings
from storage.mail_queue import FolderOutbox
from storage.postgres import Database
from storage.postgres_mail import PostgresOutbox
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import SmtpHandler, SmtpServer, body, free_port, wait_for
from web import resources
from web.cli import main as cli
from web.mail import send_mail

SUBJECT = "Kích hoạt tài khoản Dịch vụ công trực tuyến Thành phố Vị Thanh"
TEXT = "Xin chào Đặng Thị Ánh,\n\nhttp://localhost/kich-hoat/abc\n"


@pytest.fixture(params=["folder", "postgres"])
def outboxes(request, tmp_path):
    """Makes outboxes over one shared place: the same folder, or the same PostgreSQL schema."""
    if request.param == "folder":
        yield lambda: FolderOutbox(tmp_path / "mail")
        return
    with fresh_schema() as schema:
        databases = []

        def make():
            databases.append(Database(f"{POSTGRES_URL}?schema={schema}", max_size=4))
            return PostgresOutbox(databases[-1])

        yield make
        for db in databases:
            db.close()


def mailer_for(outbox, port: int, **settings) -> Mailer:
    return Mailer(outbox, MailSettings(**{"host": "127.0.0.1", "port": port, "timeout": 5, **settings}))


@pytest.fixture
def server():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_a_message_is_delivered_in_utf8_with_a_vietnamese_subject(outboxes, server):
    mailer = mailer_for(outboxes(), server.port, sender="Cổng Dịch vụ công <khong-tra-loi@vithanh.example>")
    mailer.send("an@example.com", SUBJECT, TEXT, html="<p>Xin chào <b>Đặng Thị Ánh</b></p>")
    assert wait_for(lambda: len(server.handler.messages) == 1)  # by the background sender, after send() returned
    [message] = server.messages
    assert server.envelopes == [("khong-tra-loi@vithanh.example", ["an@example.com"])]
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "Cổng Dịch vụ công"
    assert body(message) == TEXT
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<p>Xin chào <b>Đặng Thị Ánh</b></p>"
    assert message["Message-ID"].endswith("@vithanh.example>") and message["Date"]
    assert wait_for(lambda: mailer.depth() == 0)


@pytest.mark.parametrize("subject", [
    "Xác nhận địa chỉ thư điện tử mới cho tài khoản Dịch vụ công trực tuyến Thành phố Vị Thanh",
    "Hồ sơ Đăng ký thay đổi nội dung đăng ký hộ kinh doanh của bạn cần bổ sung giấy tờ - "
    "Dịch vụ công trực tuyến Thành phố Vị Thanh",
    "Thư  có  hai  dấu  cách " * 6,
])
def test_a_long_subject_arrives_with_every_space(tmp_path, server, subject):
    mailer = mailer_for(FolderOutbox(tmp_path), server.port)
    mailer.send("an@example.com", subject, TEXT)
    assert mailer.drain()
    [message] = server.messages
    assert message["Subject"] == subject


def test_a_request_never_waits_for_the_server(outboxes):
    silent = socket.socket()  # accepts connections, never says a word: each try would time out
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        mailer = mailer_for(outboxes(), silent.getsockname()[1], timeout=3, retry_delay=3600)
        started = time.monotonic()
        for i in range(3):
            mailer.send(f"an{i}@example.com", f"Thư {i}", "nội dung")
        assert time.monotonic() - started < 2.5, "send() waited for the silent server"
        assert mailer.depth() == 3  # all kept: waiting, or held by the sender trying the first one
    finally:
        silent.close()


def test_a_message_waits_while_the_server_is_down_then_goes_once(outboxes):
    port = free_port()  # nothing listens there yet
    mailer = mailer_for(outboxes(), port, retry_delay=3600)  # the sender tries once, then waits an hour
    mailer.send("an@example.com", SUBJECT, TEXT)
    assert wait_for(lambda: mailer.failures == 1)
    assert mailer.depth() == 1

    server = SmtpServer(port).start()
    try:
        assert mailer.retry() == 1
        assert mailer.retry() == 0
        assert [body(m) for m in server.messages] == [TEXT]
        assert mailer.depth() == 0
    finally:
        server.stop()


def test_the_background_sender_retries_with_backoff(outboxes):
    port = free_port()
    mailer = mailer_for(outboxes(), port, retry_delay=0.05, retry_max_delay=0.2, poll=0.05)
    mailer.send("an@example.com", SUBJECT, TEXT)
    assert wait_for(lambda: mailer.failures >= 2)  # a few failed tries
    assert mailer.depth() == 1  # waiting, or held by a try in progress at this very moment: never lost
    server = SmtpServer(port).start()
    try:
        assert wait_for(lambda: len(server.handler.messages) == 1)
        assert wait_for(lambda: mailer._worker is None)  # the outbox is empty: the sender ends
        assert len(server.handler.messages) == 1 and mailer.depth() == 0
    finally:
        server.stop()


def test_a_message_refused_for_good_is_set_aside_and_the_others_go(outboxes):
    class Refusing(SmtpHandler):
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("khong-co"):
                return "550 5.1.1 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    server = SmtpServer(handler=Refusing()).start()
    try:
        mailer = mailer_for(outboxes(), server.port, retry_delay=3600)
        mailer.send("khong-co@example.com", "Thư một", "một")
        mailer.send("an@example.com", "Thư hai", "hai")
        assert mailer.drain()
        assert [m["Subject"] for m in server.messages] == ["Thư hai"]
        assert mailer.depth() == 0
        assert wait_for(lambda: mailer.failures == 1)  # counted by whichever sender held it
    finally:
        server.stop()


# A sender in another process: claims the oldest message and holds it, stuck in an SMTP
# conversation with a server that never answers, until it is killed.
STUCK_SENDER = """
import socket, sys
from operations.mail import Mailer, MailSettings
from storage.mail_queue import FolderOutbox
from storage.postgres import Database
from storage.postgres_mail import PostgresOutbox
kind, where, port = sys.argv[1:4]
outbox = FolderOutbox(__import__("pathlib").Path(where)) if kind == "folder" else PostgresOutbox(Database(where))
mailer = Mailer(outbox, MailSettings(host="127.0.0.1", port=int(port), timeout=600))
print("sending", flush=True)
mailer.deliver()
"""


def test_a_message_held_by_a_live_sender_is_not_sent_again_and_one_killed_mid_send_is_sent_once(tmp_path, server):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    with fresh_schema() as schema:
        places = {"folder": str(tmp_path / "mail"), "postgres": f"{POSTGRES_URL}?schema={schema}"}
        for kind, where in places.items():
            outbox = FolderOutbox(tmp_path / "mail") if kind == "folder" else PostgresOutbox(Database(where))
            mailer = mailer_for(outbox, server.port, retry_delay=3600)
            mailer.outbox.put(mailer_message("giu@example.com", f"Thư bị giữ {kind}"))
            stuck = subprocess.Popen([sys.executable, "-c", STUCK_SENDER, kind, where, str(silent.getsockname()[1])],
                                     stdout=subprocess.PIPE, text=True)
            try:
                assert stuck.stdout.readline().strip() == "sending"
                conn, _ = silent.accept()  # the other process is mid-conversation with the message
                for i in range(3):
                    mailer.send(f"an{i}@example.com", f"Thư {i} {kind}", "nội dung")
                assert mailer.drain(timeout=1) is False  # the held one is never taken from a live sender
                assert wait_for(lambda: len(server.handler.messages) >= 3)  # the background sender may be finishing
                assert sorted(m["Subject"] for m in server.messages) == sorted(f"Thư {i} {kind}" for i in range(3))
                assert wait_for(lambda: mailer.depth() == 1)  # the held one only
                stuck.kill()
                stuck.wait()
                conn.close()
                assert mailer.drain(timeout=10)  # its claim died with it: sent now, by this sender
                subjects = [m["Subject"] for m in server.messages]
                assert subjects.count(f"Thư bị giữ {kind}") == 1
            finally:
                stuck.kill()
                if kind == "postgres":
                    outbox.db.close()
            server.handler.messages.clear()
            server.handler.envelopes.clear()
    silent.close()


def mailer_message(to: str, subject: str) -> bytes:
    from operations.mail import build_message

    return build_message("DVC <dvc@example.com>", to, subject, "nội dung")


def test_a_claim_left_by_the_version_before_the_locks_is_sent(tmp_path, server):
    outbox = FolderOutbox(tmp_path / "mail")
    outbox.put(mailer_message("an@example.com", "Thư cũ"))
    [queued] = outbox.pending()
    queued.rename(outbox.sending / f"{queued.name}.4242")  # NAME.eml.PID, as claims were named before
    assert mailer_for(outbox, server.port).retry() == 1
    assert [m["Subject"] for m in server.messages] == ["Thư cũ"] and outbox.depth() == 0


def test_the_sender_service_delivers_until_stopped(outboxes, server, monkeypatch):
    monkeypatch.setattr(Mailer, "start_worker", lambda self, immediately: None)  # only the service sends
    mailer = mailer_for(outboxes(), server.port, poll=0.05)
    stop = threading.Event()
    service = threading.Thread(target=mailer.work, args=(stop,))
    service.start()
    try:
        for i in range(3):
            mailer.send(f"an{i}@example.com", f"Thư {i}", "nội dung")
        assert wait_for(lambda: len(server.messages) == 3)
    finally:
        stop.set()
        service.join(timeout=5)
    assert not service.is_alive() and mailer.depth() == 0


def test_with_the_sender_elsewhere_a_process_only_queues_and_the_service_sends(outboxes, server):
    web_worker = mailer_for(outboxes(), server.port, sends_here=False)
    for i in range(3):
        web_worker.send(f"an{i}@example.com", f"Thư {i}", "nội dung")
    time.sleep(0.3)  # a sender of its own would have sent them by now
    assert web_worker._worker is None and server.messages == [] and web_worker.depth() == 3
    service = mailer_for(outboxes(), server.port, poll=0.05)  # `dichvucong mail work`, another process
    stop = threading.Event()
    thread = threading.Thread(target=service.work, args=(stop,))
    thread.start()
    try:
        assert wait_for(lambda: len(server.messages) == 3)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert sorted(m["To"] for m in server.messages) == ["an0@example.com", "an1@example.com", "an2@example.com"]
    assert web_worker.depth() == 0


def test_two_senders_on_one_outbox_send_each_message_once(outboxes, server, monkeypatch):
    # Only the two deliver() rounds race here: no background thread.
    monkeypatch.setattr(Mailer, "start_worker", lambda self, immediately: None)
    first, second = mailer_for(outboxes(), server.port), mailer_for(outboxes(), server.port)
    for i in range(20):
        first.send(f"an{i}@example.com", f"Thư {i}", "nội dung")
    assert first.depth() == 20

    threads = [threading.Thread(target=m.deliver) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m["Subject"] for m in server.handler.messages) == sorted(f"Thư {i}" for i in range(20))
    assert first.depth() == 0


def test_without_a_server_messages_go_to_the_outbox_folder_and_the_console(tmp_path, capsys):
    mailer = Mailer(FolderOutbox(tmp_path / "mail"), MailSettings(), console=tmp_path / "outbox")
    mailer.send("an@example.com", SUBJECT, TEXT)
    assert mailer.drain()
    [saved] = (tmp_path / "outbox").glob("*.eml")
    assert b"Subject: =?utf-8?" in saved.read_bytes()
    printed = capsys.readouterr().out
    assert "http://localhost/kich-hoat/abc" in printed and SUBJECT in printed and str(saved) in printed
    assert mailer.depth() == 0


def test_send_mail_uses_the_apps_mailer(app, smtp):
    with app.app_context():
        send_mail("an@example.com", SUBJECT, TEXT)
    assert [m["To"] for m in smtp.messages] == ["an@example.com"]


def test_settings_come_from_the_environment(monkeypatch, tmp_path, catalog):
    from web import create_app

    for name, value in {"HOST": "smtp.vithanh.example", "PORT": "2525", "SECURITY": "starttls",
                        "USERNAME": "cong", "PASSWORD": "bi-mat", "FROM": "DVC <dvc@vithanh.example>"}.items():
        monkeypatch.setenv(f"DVC_MAIL_{name}", value)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
    assert resources.portal(app).mailer.settings == MailSettings(
        host="smtp.vithanh.example", port=2525, security="starttls", username="cong", password="bi-mat",
        sender="DVC <dvc@vithanh.example>",
    )
    monkeypatch.setenv("DVC_MAIL_SENDER", "0")  # `dichvucong mail work` sends
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
    assert resources.portal(app).mailer.settings.sends_here is False
    monkeypatch.setenv("DVC_MAIL_SENDER", "có lẽ")
    with pytest.raises(ValueError, match="DVC_MAIL_SENDER"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})
    monkeypatch.delenv("DVC_MAIL_SENDER")
    monkeypatch.setenv("DVC_MAIL_SECURITY", "tls")
    with pytest.raises(ValueError, match="DVC_MAIL_SECURITY"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})


def test_the_retry_command(monkeypatch, tmp_path):
    port = free_port()
    FolderOutbox(tmp_path / "mail").put(mailer_message("an@example.com", SUBJECT))
    monkeypatch.setenv("DVC_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DVC_MAIL_HOST", "127.0.0.1")
    monkeypatch.setenv("DVC_MAIL_PORT", str(port))
    still_down = CliRunner().invoke(cli, ["mail", "retry"])
    assert still_down.exit_code == 1 and "còn 1 thư" in still_down.output
    server = SmtpServer(port).start()
    try:
        result = CliRunner().invoke(cli, ["mail", "retry"])
        assert result.exit_code == 0, result.output
        assert "Đã gửi 1 thư; còn 0 thư" in result.output
        assert len(server.handler.messages) == 1
    finally:
        server.stop()


def test_the_mail_service_sends_what_a_portal_that_only_queues_left(tmp_path, server, catalog):
    """DVC_MAIL_SENDER=0 (deploy/dichvucong-mail.service): the portal queues, and
    `dichvucong mail work`, in a process of its own, sends; SIGTERM stops it."""
    from web import create_app

    settings = {"DVC_INSTANCE": str(tmp_path), "DVC_MAIL_HOST": "127.0.0.1", "DVC_MAIL_PORT": str(server.port),
                "DVC_MAIL_SENDER": "0"}
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "MAIL_HOST": "127.0.0.1",
                      "MAIL_PORT": server.port, "MAIL_SENDER": "0"})
    with app.app_context():
        send_mail("an@example.com", SUBJECT, TEXT)
    time.sleep(0.3)
    assert server.messages == [] and resources.portal(app).mailer.depth() == 1
    command = [str(Path(sys.executable).parent / "dichvucong"), "mail", "work"]
    service = subprocess.Popen(command, env={**os.environ, **settings}, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: len(server.messages) == 1, seconds=30)
        assert server.messages[0]["To"] == "an@example.com"
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=20)
    assert service.returncode == 0 and resources.portal(app).mailer.depth() == 0
