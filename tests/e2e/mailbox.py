"""Reading the portal's e-mail from tests.web.helpers.SmtpServer, and a small real PDF."""

from __future__ import annotations

import io
import re
import time

from tests.web.helpers import SmtpServer, body


def wait_for_mail(smtp: SmtpServer, to: str, subject: str, count: int = 1, timeout: float = 10.0):
    """The ``count``-th message to ``to`` whose subject contains ``subject`` (waits for it)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in smtp.messages if to in str(m["To"]) and subject in str(m["Subject"])]
        if len(found) >= count:
            return found[count - 1]
        if time.monotonic() > deadline:
            subjects = [str(m["Subject"]) for m in smtp.messages]
            raise AssertionError(f"no e-mail to {to} about {subject!r} (received: {subjects})")
        time.sleep(0.05)


def link_in(message) -> str:
    """The (only) absolute link of a message, to open in the browser."""
    found = re.search(r"https?://\S+", body(message))
    assert found, body(message)
    return found.group(0)


def small_pdf() -> bytes:
    """A one-page PDF that pypdf (engine/uploads.py) reads back."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "CCCD - Tran Van An"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
