"""Sending e-mail: queued on disk first, delivered by SMTP to a real local server (aiosmtpd),
kept and retried while the server is down, never sent twice."""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time

import pytest
from click.testing import CliRunner

from tests.web.helpers import SmtpServer, body, free_port
from web.cli import main as cli
from operations.mail import Mailer, MailSettings
from web.mail import send_mail
from web import resources

SUBJECT = "Kích hoạt tài khoản Dịch vụ công trực tuyến Thành phố Vị Thanh"
TEXT = "Xin chào Đặng Thị Ánh,\n\nhttp://localhost/kich-hoat/abc\n"


def mailer_for(tmp_path, port: int, **settings) -> Mailer:
    return Mailer(tmp_path, MailSettings(**{"host": "127.0.0.1", "port": port, "timeout": 5, **settings}))


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def server():
    server = SmtpServer().start()
    yield server
    server.stop()


def test_a_message_is_delivered_in_utf8_with_a_vietnamese_subject(tmp_path, server):
    mailer = mailer_for(tmp_path, server.port, sender="Cổng Dịch vụ công <khong-tra-loi@vithanh.example>")
    mailer.send("an@example.com", SUBJECT, TEXT, html="<p>Xin chào <b>Đặng Thị Ánh</b></p>")
    [message] = server.messages
    assert server.envelopes == [("khong-tra-loi@vithanh.example", ["an@example.com"])]
    assert message["Subject"] == SUBJECT
    assert message["From"].addresses[0].display_name == "Cổng Dịch vụ công"
    assert body(message) == TEXT
    assert message.get_body(preferencelist=("html",)).get_content().strip() == "<p>Xin chào <b>Đặng Thị Ánh</b></p>"
    assert message["Message-ID"].endswith("@vithanh.example>") and message["Date"]
    assert mailer.pending() == [] and list(mailer.sending.iterdir()) == []


@pytest.mark.parametrize("subject", [
    "Xác nhận địa chỉ thư điện tử mới cho tài khoản Dịch vụ công trực tuyến Thành phố Vị Thanh",
    "Hồ sơ Đăng ký thay đổi nội dung đăng ký hộ kinh doanh của bạn cần bổ sung giấy tờ - "
    "Dịch vụ công trực tuyến Thành phố Vị Thanh",
    "Thư  có  hai  dấu  cách " * 6,
])
def test_a_long_subject_arrives_with_every_space(tmp_path, server, subject):
    mailer_for(tmp_path, server.port).send("an@example.com", subject, TEXT)
    [message] = server.messages
    assert message["Subject"] == subject


def test_a_message_waits_in_the_queue_while_the_server_is_down_then_goes_once(tmp_path):
    port = free_port()  # nothing listens there yet
    mailer = mailer_for(tmp_path, port, retry_delay=3600)  # no background retry in this test
    mailer.send("an@example.com", SUBJECT, TEXT)
    [queued] = mailer.pending()
    assert b"an@example.com" in queued.read_bytes()

    server = SmtpServer(port).start()
    try:
        assert mailer.retry() == 1
        assert mailer.retry() == 0
        assert [body(m) for m in server.messages] == [TEXT]
        assert mailer.pending() == []
    finally:
        server.stop()


def test_the_background_thread_retries_with_backoff(tmp_path):
    port = free_port()
    mailer = mailer_for(tmp_path, port, retry_delay=0.05, retry_max_delay=0.2)
    mailer.send("an@example.com", SUBJECT, TEXT)
    assert len(mailer.pending()) == 1
    time.sleep(0.3)  # a few failed retries
    # Queued, or claimed by a retry in progress at this very moment: never lost.
    assert len(mailer.pending()) + len(list(mailer.sending.glob("*.eml.*"))) == 1
    server = SmtpServer(port).start()
    try:
        assert wait_for(lambda: len(server.messages) == 1)
        assert wait_for(lambda: mailer._worker is None)  # the queue is empty: the thread ends
        assert len(server.messages) == 1 and mailer.pending() == []
    finally:
        server.stop()


def test_while_the_server_is_silent_a_request_waits_for_it_once_only(tmp_path):
    silent = socket.socket()  # accepts connections, never says a word: each try times out
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    mailer = mailer_for(tmp_path, silent.getsockname()[1], timeout=0.5, retry_delay=3600)
    tried_in = []  # the thread of each delivery attempt

    def deliver(path, original=mailer._deliver):
        tried_in.append(threading.current_thread())
        return original(path)

    mailer._deliver = deliver
    request = threading.current_thread()
    mailer.send("mot@example.com", "Thư một", "một")  # tried now, timed out, kept: the thread takes over
    for i in range(3):
        mailer.send(f"an{i}@example.com", f"Thư {i}", "nội dung")
    assert tried_in.count(request) == 1, "later sends only queue and wake the background thread"
    assert len(mailer.pending()) + len(list(mailer.sending.glob("*.eml.*"))) == 4
    silent.close()
    server = SmtpServer().start()
    try:
        mailer.settings = MailSettings(host="127.0.0.1", port=server.port, timeout=5)
        mailer.start_worker(immediately=True)  # as the next e-mail would
        assert wait_for(lambda: len(server.messages) == 4, seconds=10)
        assert sorted(m["Subject"] for m in server.messages) == ["Thư 0", "Thư 1", "Thư 2", "Thư một"]
    finally:
        server.stop()


def test_the_next_send_delivers_the_messages_left_before(tmp_path):
    port = free_port()
    mailer = mailer_for(tmp_path, port, retry_delay=3600)
    mailer.send("mot@example.com", "Thư một", "một")
    server = SmtpServer(port).start()
    try:
        mailer.send("hai@example.com", "Thư hai", "hai")
        assert wait_for(lambda: len(server.messages) == 2)
        assert sorted(m["Subject"] for m in server.messages) == ["Thư hai", "Thư một"]
        assert mailer.pending() == []
    finally:
        server.stop()


def test_a_message_claimed_by_a_process_that_died_is_sent(tmp_path, server):
    mailer = mailer_for(tmp_path, free_port(), retry_delay=3600)
    mailer.send("an@example.com", SUBJECT, TEXT)  # fails: nobody listens on that port
    [queued] = mailer.pending()
    dead = multiprocessing.get_context("spawn").Process(target=int)
    dead.start()
    dead.join()
    queued.rename(mailer.sending / f"{queued.name}.{dead.pid}")  # it died while delivering
    mailer.settings = MailSettings(host="127.0.0.1", port=server.port)
    assert mailer.retry() == 1
    assert len(server.messages) == 1 and list(mailer.sending.iterdir()) == []


def test_two_mailers_retrying_the_same_queue_send_each_message_once(tmp_path, server, monkeypatch):
    # Only the two retry() calls race here: no background thread (woken by each send, it
    # could be retrying with the old settings when they change, and keep a message for later).
    monkeypatch.setattr(Mailer, "start_worker", lambda self, immediately: None)
    down = free_port()
    first, second = mailer_for(tmp_path, down, retry_delay=3600), mailer_for(tmp_path, down, retry_delay=3600)
    for i in range(10):
        first.send(f"an{i}@example.com", f"Thư {i}", "nội dung")
    assert len(first.pending()) == 10
    for mailer in (first, second):
        mailer.settings = MailSettings(host="127.0.0.1", port=server.port)

    threads = [threading.Thread(target=m.retry) for m in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(m["Subject"] for m in server.messages) == sorted(f"Thư {i}" for i in range(10))


def test_without_a_server_messages_go_to_the_outbox_and_the_console(tmp_path, capsys):
    mailer = Mailer(tmp_path, MailSettings())
    mailer.send("an@example.com", SUBJECT, TEXT)
    [saved] = (tmp_path / "outbox").glob("*.eml")
    assert b"Subject: =?utf-8?" in saved.read_bytes()
    printed = capsys.readouterr().out
    assert "http://localhost/kich-hoat/abc" in printed and SUBJECT in printed and str(saved) in printed
    assert mailer.pending() == []


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
    monkeypatch.setenv("DVC_MAIL_SECURITY", "tls")
    with pytest.raises(ValueError, match="DVC_MAIL_SECURITY"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog})


def test_the_retry_command(monkeypatch, tmp_path):
    port = free_port()
    mailer_for(tmp_path, port, retry_delay=3600).send("an@example.com", SUBJECT, TEXT)
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
        assert len(server.messages) == 1
    finally:
        server.stop()
