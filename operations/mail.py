"""Sending e-mail (no Flask here: the portal, the command line and tests share it): every message is written to a queue on disk first, then delivered.

    instance/mail/queue/     messages waiting (each an .eml file, written atomically)
    instance/mail/sending/   a message being delivered, claimed by renaming it here
                             with the claiming process id appended
    instance/outbox/         with no SMTP server configured: where "delivered" messages go

A message leaves the queue only by being claimed (a rename, so one process or thread
wins) and is deleted once the server accepted it, so it is never sent twice; when the
server is down or refuses, it goes back to the queue and is retried: on the next send,
by a background thread that waits longer after each failure, and by
``dichvucong mail retry``. A claim whose process died is put back in the queue (the one
case where a message may go twice: a process killed between the server's acceptance
and the deletion).

With no MAIL_HOST (``make run``), "delivering" writes the message to instance/outbox/
and prints its text, activation link included, on the console.
"""

from __future__ import annotations

import email.policy
import logging
import os
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

from storage.atomic import fsync_dir, write_atomic

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
    timeout: float = 10.0  # seconds for one SMTP conversation: a request waits for the first try
    retry_delay: float = 30.0  # seconds before the first retry; doubled after each failure
    retry_max_delay: float = 900.0

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
        values = {field: config[key] for field, key in keys.items() if config.get(key) not in (None, "")}
        if "port" in values:
            values["port"] = int(values["port"])
        return cls(**values)


def build_message(sender: str, to: str, subject: str, text: str, html: str | None = None) -> bytes:
    message = EmailMessage()
    # Python 3.11's header folder drops the space where it breaks the RFC 2047 encoded
    # words of a long Vietnamese subject ("thư điện tửmới"). email.header splits inside
    # the encoded words and keeps every space; its lines are short enough that the SMTP
    # policy writes them as they are.
    message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode(linesep="\n"))
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message.set_content(text, charset="utf-8")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message.as_bytes(policy=email.policy.SMTP)


class Mailer:
    def __init__(self, instance: Path, settings: MailSettings) -> None:
        self.settings = settings
        self.queue = instance / "mail" / "queue"
        self.sending = instance / "mail" / "sending"
        self.outbox = instance / "outbox"
        for folder in (self.queue, self.sending):
            folder.mkdir(parents=True, exist_ok=True)
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self._wake = threading.Event()
        self.failures = 0  # failed delivery attempts of this process (web.metrics)

    def send(self, to: str, subject: str, text: str, html: str | None = None) -> None:
        """Queue the message, then try to deliver it now; it stays queued if that fails.

        While the background thread holds undelivered messages (the server failed, and
        it is retrying), the message is only queued and the thread woken: a request
        does not wait for a server that is down or silent (up to ``timeout`` each)."""
        raw = build_message(self.settings.sender, to, subject, text, html)
        path = self.queue / f"{time.time_ns():020d}-{token_hex(4)}.eml"  # names sort by age
        write_atomic(path, raw)
        if self._worker is not None:
            self.start_worker(immediately=True)
            return
        if self._deliver(path) is False:
            self.start_worker(immediately=False)
        elif self.pending():
            self.start_worker(immediately=True)  # the server answers again: send the older ones

    def retry(self) -> int:
        """Deliver every queued message now, oldest first; stops at the first failure.
        Returns how many were delivered."""
        self._release_dead_claims()
        delivered = 0
        for path in self.pending():
            outcome = self._deliver(path)
            if outcome is False:
                break
            delivered += bool(outcome)
        return delivered

    def pending(self) -> list[Path]:
        return sorted(self.queue.glob("*.eml"))

    def depth(self) -> int:
        """How many messages wait in the queue (every process's: the queue is on disk)."""
        return len(self.pending())

    # -- one delivery --------------------------------------------------------------------

    def _deliver(self, path: Path) -> bool | None:
        """True when delivered, False when it failed (the message is queued again), None
        when another process or thread had claimed it."""
        claimed = self.sending / f"{path.name}.{os.getpid()}"
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            return None
        fsync_dir(self.sending)  # the claim is durable before the server sees the message
        raw = claimed.read_bytes()
        try:
            self._transport(path.name, raw)
        except Exception as error:  # down, refused, timed out; never left claimed
            log.warning("e-mail %s not delivered, kept in the queue: %r", path.name, error)
            self.failures += 1
            os.rename(claimed, path)
            return False
        claimed.unlink()
        fsync_dir(self.sending)
        return True

    def _transport(self, name: str, raw: bytes) -> None:
        if self.settings.host is None:
            self._to_outbox(name, raw)
        else:
            self._to_smtp(raw)

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

    def _to_outbox(self, name: str, raw: bytes) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        write_atomic(self.outbox / name, raw)
        message = BytesParser(policy=email.policy.default).parsebytes(raw)
        text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
        print(
            f"\n--- Thư điện tử (chưa gửi đi, lưu ở {self.outbox / name}) ---\n"
            f"Đến: {message['To']}\nTiêu đề: {message['Subject']}\n\n{text.rstrip()}\n---",
            file=sys.stdout, flush=True,
        )

    def _release_dead_claims(self) -> None:
        """Put back in the queue the messages whose claiming process died mid-delivery."""
        for claimed in self.sending.glob("*.eml.*"):
            name, _, pid = claimed.name.rpartition(".")
            if not _alive(int(pid)):
                try:
                    os.rename(claimed, self.queue / name)
                except FileNotFoundError:
                    continue  # another process released it first

    # -- background retries --------------------------------------------------------------

    def start_worker(self, *, immediately: bool) -> None:
        """Have the background thread retry the queue, now or after the current delay."""
        with self._worker_lock:
            if immediately:
                self._wake.set()
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="dichvucong-mail", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        delay = self.settings.retry_delay
        while True:
            woken = self._wake.wait(timeout=delay)
            self._wake.clear()
            try:
                self.retry()
            except Exception:  # a full disk, say: keep the thread, try again later
                log.exception("e-mail retry failed")
            with self._worker_lock:
                if not self.pending():
                    self._worker = None
                    return
            delay = self.settings.retry_delay if woken else min(delay * 2, self.settings.retry_max_delay)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
