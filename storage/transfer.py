"""Copying a portal's accounts and dossiers from one backend to another: the move from
the embedded TinyDB store to PostgreSQL when a portal outgrows one machine
(``dichvucong storage copy``).

It works through the repository interfaces only, reading dossiers a page at a time so a
large store never sits in memory at once, and writes into an empty target: a copy is
all the source or an error, never a merge. Every document is stored at version 1 in the
target (versions only guard concurrent edits of one store). The portal must be stopped
while it runs: what changes in the source during the copy may be missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAGE = 1000


class TargetNotEmpty(Exception):
    pass


@dataclass(frozen=True)
class Copied:
    users: int
    dossiers: int


def copy_all(source: Any, target: Any, on_progress: Callable[[int], None] = lambda n: None) -> Copied:
    """Copy every user, then every dossier, from ``source`` to ``target`` (both
    web.resources.Stores; the target's dossier store must have ``bulk_add``).
    TargetNotEmpty when the target holds anything; ``on_progress`` gets the number of
    dossiers copied so far after each page."""
    if target.users.count() or target.dossiers.count():
        raise TargetNotEmpty(f"{target.users.count()} users, {target.dossiers.count()} dossiers")
    users = source.users.list()
    for user in users:
        target.users.add(user)
    copied, total = 0, None
    while total is None or copied < total:
        page = source.dossiers.query_page(offset=copied, limit=PAGE)
        total = page.total
        if not page.items:
            break
        target.dossiers.bulk_add(page.items)
        copied += len(page.items)
        on_progress(copied)
    return Copied(users=len(users), dossiers=copied)
