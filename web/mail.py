"""E-mail from the web layer: the portal's mailer (``operations.mail.Mailer``, which holds
the queue and the delivery) and ``send_mail`` for a request."""

from __future__ import annotations

from flask import Flask

from web import resources


def init_app(app: Flask) -> None:
    mailer = resources.portal(app).mailer
    # Messages left by an earlier run (or a node that stopped): not at once, so that `mail
    # retry` reports what it sent; none when another process sends (DVC_MAIL_SENDER=0).
    if mailer.settings.sends_here and mailer.depth():
        mailer.start_worker(immediately=False)


def send_mail(to: str, subject: str, text: str, html: str | None = None) -> None:
    """Send an e-mail from a request (or an app context); see ``operations.mail``."""
    resources.portal().mailer.send(to, subject, text, html)
