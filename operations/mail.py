"""Sending e-mail (no Flask here: the portal, the command line and tests share it).

A request only puts the message in the outbox (``engine.outbox``: a folder of the
instance, or a PostgreSQL table every node shares) and wakes this process's sender, a
background thread that delivers what is due, oldest first, and ends when the outbox is
empty; it is started again by the next message, and at start-up when messages are
left. A request never waits for the mail server. When the server is down, the sender
waits before the next round (``retry_delay``, doubled after each failure up to
``retry_max_delay``, or until a new message wakes it); ``dichvucong mail retry`` tries
everything now, ``dichvucong mail work`` runs a sender in the foreground (a separate
service; with ``DVC_MAIL_SENDER=0`` the web workers then only queue, and mail is out of
them altogether).

A message leaves the outbox only when the server accepted it, and only one sender holds
it at a time: see the outbox modules for how a sender that died mid-send loses its claim.

With no MAIL_HOST (``make run``), "delivering" writes the message to instance/outbox/
and prints its text, activation link included, on the console.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.header import Header
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path
from secrets import token_hex
from typing import Any

from engine.outbox import Delivery, Outbox, Refused
from storage.atomic import write_atomic

log = logging.getLogger(__name__)

SECURITY_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class MailSettings:
    host: str | None = None  # None: write to the outbox folder and the console
    port: int | None = None  # None: the usual port for ``security``
    security: str = "none"  # none | starttls | ssl
    username: str | None = None
    password: str | None = None
    sender: str = "Dịch vụ công trực tuyến <khong-tra-loi@localhost>"
    timeout: float = 10.0  # seconds for one SMTP conversation (in the sender, never in a request)
    retry_delay: float = 30.0  # seconds before the first retry; doubled after each failure
    retry_max_delay: float = 900.0
    poll: float = 2.0  # seconds between looks at messages another sender holds or that wait out a backoff
    # False (DVC_MAIL_SENDER=0): this process only queues, and `dichvucong mail work`, run as
    # a service of its own, sends: no web worker spends its CPU on a burst of e-mail.
    sends_here: bool = True

    def __post_init__(self) -> None:
        if self.security not in SECURITY_PORTS:
            raise ValueError(f"DVC_MAIL_SECURITY must be one of {', '.join(SECURITY_PORTS)}, not {self.security!r}")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MailSettings:
        keys = {
            "host": "MAIL_HOST", "port": "MAIL_PORT", "security": "MAIL_SECURITY", "username": "MAIL_USERNAME",
            "password": "MAIL_PASSWORD", "sender": "MAIL_FROM", "timeout": "MAIL_TIMEOUT",
            "retry_delay": "MAIL_RETRY_DELAY", "retry_max_delay": "MAIL_RETRY_MAX_DELAY",
        }
        values: dict[str, Any] = {field: config[key] for field, key in keys.items()
                                  if config.get(key) not in (None, "")}
        if config.get("MAIL_SENDER") not in (None, ""):
            values["sends_here"] = _switch("DVC_MAIL_SENDER", config["MAIL_SENDER"])
        if "port" in values:
            values["port"] = int(values["port"])
        for seconds in ("timeout", "retry_delay", "retry_max_delay"):  # from DVC_* settings, a string
            if seconds in values:
                values[seconds] = float(values[seconds])
        return cls(**values)


def _switch(name: str, value: Any) -> bool:
    """An on/off setting: a bool, or "1" / "0" from the environment (as DVC_SECURE_COOKIES)."""
    if isinstance(value, bool):
        return value
    if str(value).strip() not in ("1", "0"):
        raise ValueError(f"{name} must be 1 or 0, not {value!r}")
    return str(value).strip() == "1"


def build_message(sender: str, to: str, subject: str, text: str, html: str | None = None) -> bytes:
    message = EmailMessage()
    # Python 3.11's header folder drops the space where it breaks the RFC 2047 encoded
    # words of a long Vietnamese subject ("thư điện tửmới"). email.header splits inside
    # the encoded words and keeps every space; its lines are short enough that the SMTP
    # policy writes them as they are.
    message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))
    # The other headers are also given already encoded (ASCII, short): the policy then writes
    # them as they are, where it would parse and refold each (a third of a dossier POST's
    # time, profiled, went to folding the e-mail's headers).
    name, address = parseaddr(sender)
    display = Header(name, "utf-8", header_name="From").encode(linesep="\n") if name else ""
    message.set_raw("From", f"{display}\n <{address}>" if display else address)  # each line short
    if to.isascii():
        message.set_raw("To", to)
    else:  # an internationalised address: the policy encodes it
        message["To"] = to
    message.set_raw("Date", formatdate(localtime=True))
    message.set_raw("Message-ID", make_msgid(domain=address.rpartition("@")[2] or None))
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message.as_bytes(policy=email.policy.SMTP)


class Mailer:
    def __init__(self, outbox: Outbox, settings: MailSettings, console: Path | None = None) -> None:
        self.outbox = outbox
        self.settings = settings
        self.console = console  # where messages go with no MAIL_HOST (instance/outbox)
        self.failures = 0  # failed delivery attempts of this process (the metrics)
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self._wake = threading.Event()

    def send(self, to: str, subject: str, text: str, html: str | None = None) -> None:
        """Put the message in the outbox and wake this process's sender (unless another
        process sends: ``sends_here``); never waits for the server."""
        self.outbox.put(build_message(self.settings.sender, to, subject, text, html))
        if self.settings.sends_here:
            self.start_worker(immediately=True)

    def depth(self) -> int:
        """Messages waiting or being sent, by any sender."""
        return self.outbox.depth()

    def deliver(self, *, force: bool = False) -> int:
        """One round in the caller's thread: deliver what is due, oldest first, until
        nothing is left that no other sender holds or an attempt fails; ``force``: also
        the messages waiting out a backoff. Returns how many were delivered."""
        delivered = 0
        while True:
            outcome = self.outbox.deliver_next(self._transport, self._backoff, force=force)
            if outcome is Delivery.SENT:
                delivered += 1
            elif outcome is Delivery.REFUSED:
                self.failures += 1
            elif outcome is Delivery.FAILED:
                self.failures += 1
                return delivered
            else:
                return delivered

    def retry(self) -> int:
        """Deliver every message now, backoffs or not (``dichvucong mail retry``)."""
        return self.deliver(force=True)

    def drain(self, timeout: float = 10.0) -> bool:
        """Deliver until the outbox is empty (False if it is not within ``timeout``):
        for tests, and for a sender that stops."""
        deadline = time.monotonic() + timeout
        while True:
            self.deliver()
            if self.depth() == 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def _backoff(self, attempts: int) -> float:
        s = self.settings
        return min(s.retry_delay * 2 ** (attempts - 1), s.retry_max_delay)

    # -- one delivery --------------------------------------------------------------------

    def _transport(self, raw: bytes) -> None:
        try:
            if self.settings.host is None:
                self._to_outbox(raw)
            else:
                self._to_smtp(raw)
        except smtplib.SMTPRecipientsRefused as error:
            if all(500 <= code < 600 for code, _ in error.recipients.values()):
                log.warning("e-mail refused for good by the server, set aside: %s", _codes(error))
                raise Refused(_codes(error)) from None
            raise
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                log.warning("e-mail refused for good by the server, set aside: %s", error.smtp_code)
                raise Refused(str(error.smtp_code)) from None
            log.warning("e-mail not delivered, kept in the outbox: %s", error.smtp_code)
            raise
        except Exception as error:  # down, timed out: kept, retried
            log.warning("e-mail not delivered, kept in the outbox: %r", error)
            raise

    def _to_smtp(self, raw: bytes) -> None:
        s = self.settings
        headers = BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=True)
        sender = parseaddr(str(headers["From"]))[1]
        recipients = [address for _name, address in getaddresses([str(v) for v in headers.get_all("To", [])])]
        port = s.port or SECURITY_PORTS[s.security]
        context = ssl.create_default_context()
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, port, timeout=s.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, port, timeout=s.timeout)
        with smtp:
            if s.security == "starttls":
                smtp.starttls(context=context)
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.sendmail(sender, recipients, raw)

    def _to_outbox(self, raw: bytes) -> None:
        folder = self.console or Path("outbox")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{time.time_ns():020d}-{token_hex(4)}.eml"
        write_atomic(path, raw)
        message = BytesParser(policy=email.policy.default).parsebytes(raw)
        text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
        print(
            f"\n--- Thư điện tử (chưa gửi đi, lưu ở {path}) ---\n"
            f"Đến: {message['To']}\nTiêu đề: {message['Subject']}\n\n{text.rstrip()}\n---",
            file=sys.stdout, flush=True,
        )

    # -- the sender ----------------------------------------------------------------------

    def start_worker(self, *, immediately: bool) -> None:
        """Have this process's sender deliver the outbox, now or after the current delay."""
        with self._worker_lock:
            if immediately:
                self._wake.set()
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, args=(immediately,), name="dichvucong-mail",
                                                daemon=True)
                self._worker.start()

    def work(self, stop: threading.Event | None = None) -> None:
        """Run a sender in this thread until ``stop`` is set (``dichvucong mail work``)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            failed = self._round()
            stop.wait(self.settings.retry_delay if failed else self.settings.poll)

    def _round(self) -> bool:
        """One round of deliveries; True when it ended on a failure."""
        before = self.failures
        try:
            self.deliver()
        except Exception:  # a full disk, the database gone: keep the sender, try again later
            log.exception("e-mail delivery round failed")
            return True
        return self.failures > before

    def _work(self, immediately: bool) -> None:
        delay = self.settings.retry_delay
        wait = 0.0 if immediately else delay
        while True:
            woken = self._wake.wait(timeout=wait)
            self._wake.clear()
            failed = self._round()
            with self._worker_lock:
                try:
                    empty = self.depth() == 0
                except Exception:
                    empty = False
                if empty and not self._wake.is_set():
                    self._worker = None
                    return
            if failed:
                delay = self.settings.retry_delay if woken else min(delay * 2, self.settings.retry_max_delay)
                wait = delay
            else:
                delay = self.settings.retry_delay
                wait = self.settings.poll  # held by another sender, or waiting out its backoff


def _codes(error: smtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(str(code) for code, _ in error.recipients.values())
