"""Forms kept aside when their session ended before they were posted (web.rescue), given back once.

A citizen whose session ends while typing a dossier form posts it anyway; the portal keeps
the posted text fields under a random one-time token and gives them back after sign-in,
to the same citizen for the same form, once (web.rescue says when and why). Here are the
rules every store of them follows, and the protocol (:class:`RescuedForms`) of the two
stores: files in the instance folder (``storage.rescue``, the embedded default) and a
PostgreSQL table (``storage.postgres_rescue``), so that with ``DVC_DATABASE_URL`` set a
post kept by one node is given back by any other.

- A kept post is claimed exactly once: two takes at once (two tabs, two nodes) give the
  fields to one of them only.
- A take names the owner and the form: another citizen, or another form, gets nothing and
  leaves the kept post where it is.
- Kept at most :data:`KEEP_SECONDS`; at most :data:`MAX_KEPT` at once, the oldest dropped
  first; at most :data:`MAX_CHARS` characters of names and values.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from typing import Protocol

MAX_CHARS = 200_000  # characters of all the posted names and values together
KEEP_SECONDS = 24 * 3600
MAX_KEPT = 500  # kept posts, of all citizens together: the oldest go first

Fields = list[tuple[str, str]]  # the posted text fields, in their order, a name possibly repeated

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    """A random one-time token (32 URL-safe characters: 192 bits)."""
    return secrets.token_urlsafe(24)


def is_token(value: object) -> bool:
    """Whether ``value`` has a token's shape (so it names a file or a row, nothing else)."""
    return isinstance(value, str) and _TOKEN.fullmatch(value) is not None


def keepable(fields: Sequence[tuple[str, str]]) -> bool:
    """Whether these posted fields may be kept: within :data:`MAX_CHARS`, and no NUL character
    (which no store keeps, and which the portal refuses in any post anyway)."""
    total = 0
    for name, value in fields:
        if not isinstance(name, str) or not isinstance(value, str) or "\x00" in name or "\x00" in value:
            return False
        total += len(name) + len(value)
    return total <= MAX_CHARS


def expired(kept_at: dt.datetime, now: dt.datetime) -> bool:
    return (now - kept_at).total_seconds() >= KEEP_SECONDS


def oldest_beyond(kept: Sequence[tuple[dt.datetime, str]], now: dt.datetime) -> list[str]:
    """Of the kept posts ``(kept_at, token)``, the tokens to drop before keeping one more: the
    expired ones, and the oldest beyond ``MAX_KEPT - 1``."""
    newest_first = sorted(kept, reverse=True)
    room = max(MAX_KEPT - 1, 0)
    return [token for i, (kept_at, token) in enumerate(newest_first) if i >= room or expired(kept_at, now)]


class RescuedForms(Protocol):
    def keep(self, token: str, owner_id: str, form_key: str, fields: Fields, now: dt.datetime) -> None:
        """Keep ``fields`` under the new ``token`` (engine.rescue.new_token) for ``owner_id``'s
        form ``form_key``, dropping the expired and the oldest beyond :data:`MAX_KEPT` first.
        ValueError when the token or the fields are not keepable."""

    def take(self, token: str, owner_id: str, form_key: str, now: dt.datetime) -> Fields | None:
        """The fields kept under ``token`` for this owner and form, removed; None when there are
        none (unknown, already taken, expired, another owner's or another form's, which stay)."""
