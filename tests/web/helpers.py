"""Helpers for web tests: forms with their CSRF token, signing in, users, a real SMTP server.

    from tests.web.helpers import PASSWORD, login

    def test_something(client, citizen):
        login(client, citizen.username, PASSWORD)
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import socket
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from engine.accounts import User
from engine.dossier import Role, new_id
from web import resources

PASSWORD = "mat-khau-2025"  # every test user's, unless a test says otherwise
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def text(response) -> str:
    """The page as a reader sees its text (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(client, path: str = "/dang-nhap") -> str:
    """The CSRF token of the client's session, read from a page with a form."""
    page = client.get(path).get_data(as_text=True)
    found = _CSRF.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1) or found.group(2)


def post(client, path: str, data: dict[str, Any], form_page: str | None = None, **kwargs):
    """POST a form the way a browser does after loading it: with the session's CSRF token."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def login(client, username: str, password: str = PASSWORD, next: str | None = None):
    """Sign in through "Đăng nhập"; returns the response (a redirect when it worked)."""
    data = {"username": username, "password": password}
    if next is not None:
        data["next"] = next
    return post(client, "/dang-nhap", data)


def logout(client):
    return post(client, "/thoat", {}, form_page="/dang-nhap")


def add_user(app: Flask, username: str, password: str = PASSWORD, **fields: Any) -> User:
    """Store an account directly (active citizen unless ``fields`` say otherwise)."""
    now = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    values: dict[str, Any] = dict(
        id=new_id(), username=username, full_name="Nguyễn Thị Mai", email=f"{username}@example.com",
        phone="0912345678", password_hash=resources.portal(app).passwords.hash(password), role=Role.CITIZEN,
        active=True, consent_at=now, created_at=now, activated_at=now,
    )
    return resources.portal(app).users.add(User(**values | fields))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds: float = 5.0) -> bool:
    """Whether ``condition()`` holds within ``seconds`` (asked again every 20 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class SmtpHandler:
    """aiosmtpd's handler: keeps every message the server accepts (a subclass may refuse some)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(BytesParser(policy=default_policy).parsebytes(envelope.content))
        return "250 OK"


class SmtpServer:
    """A real SMTP server (aiosmtpd) on localhost, keeping every message it accepts."""

    def __init__(self, port: int | None = None, handler: SmtpHandler | None = None,
                 hostname: str = "127.0.0.1") -> None:
        self.hostname = hostname
        self.port = port or free_port()
        self.handler = handler or SmtpHandler()
        self.mailer = None  # the portal's Mailer, when the smtp fixture attached one
        self._controller: Controller | None = None

    def _delivered(self) -> None:
        """The portal's sender delivers in the background, after the request: the messages
        it holds are waited for (delivered here if the sender is slower) before a test looks."""
        if self.mailer is None:
            return
        # Left to the portal's one sender, which delivers oldest first: a second sender here
        # could take the next message while it is busy, and the messages would arrive out
        # of order (tests read the last one). Delivered here only if it does not.
        wait_for(lambda: self.mailer.depth() == 0, seconds=10)
        assert self.mailer.drain(timeout=10), "the portal's outbox did not empty"

    @property
    def messages(self) -> list[EmailMessage]:
        self._delivered()
        return self.handler.messages

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        self._delivered()
        return self.handler.envelopes

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname=self.hostname, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def body(message: EmailMessage) -> str:
    """The plain-text part, with the wire's CRLF line ends read back as newlines."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def link_in(message: EmailMessage) -> str:
    """The path of the (only) link of a message, to follow with the test client."""
    found = re.search(r"https?://[^/\s]+(/\S+)", body(message))
    assert found, body(message)
    return found.group(1)
