"""The e-mail outbox: what the mailer (``operations.mail``) needs of the place its messages wait.

A message is put in the outbox inside the request, and delivered later by a sender
(a background thread in each process, or ``dichvucong mail work``). A sender *claims*
the next message due, hands it to the transport while the claim is held, and removes it
once the server accepted it: two senders never hold the same message, and a sender that
dies mid-send loses its claim (a released lock), so another sends the message instead.

Two outboxes: a folder of the instance (``storage.mail_queue``, the embedded default)
and a PostgreSQL table (``storage.postgres_mail``), shared by every node.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Protocol


class Refused(Exception):
    """The server refused the message for good (a 5xx answer): retrying cannot help.
    The outbox sets it aside for the operator instead of retrying it forever."""


class Delivery(enum.Enum):
    SENT = "sent"  # the server accepted it; it left the outbox
    FAILED = "failed"  # down, timed out, a 4xx answer: it stays, to be retried
    REFUSED = "refused"  # the server refused it for good: set aside
    NONE = "none"  # nothing due that no other sender holds


Transport = Callable[[bytes], None]  # delivers the raw message or raises (Refused: for good)
Backoff = Callable[[int], float]  # failed attempts so far -> seconds before the next one


class Outbox(Protocol):
    def put(self, raw: bytes) -> None:
        """Keep ``raw`` (a whole RFC 5322 message) until it is delivered."""

    def deliver_next(self, transport: Transport, backoff: Backoff, *, force: bool = False) -> Delivery:
        """Claim the oldest message due (``force``: also one waiting out its backoff) that
        no other sender holds, and deliver it while the claim is held."""

    def depth(self) -> int:
        """Messages waiting or being sent (not those set aside)."""
