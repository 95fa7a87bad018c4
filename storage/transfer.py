"""Copying a portal from one backend to another: the move from the embedded default
(TinyDB and files in the instance folder) to PostgreSQL when a portal outgrows one
machine (``dichvucong storage copy``): accounts, dossiers, uploaded files (under their
own ids, which the dossiers name), published definitions (under their own numbers) and
withdrawals, the e-mails still waiting, the citizens' "Kho giấy tờ" and the registry of
issued documents (with their verification codes and revocations).

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
    files: int = 0
    definitions: int = 0
    messages: int = 0
    wallet_items: int = 0
    documents: int = 0


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
    files = 0
    for file_id in source.files.ids():
        target.files.put(source.files.read(file_id), file_id)
        files += 1
    versions = source.definitions.versions()
    for version in versions:
        target.definitions.add_version(version.slug, version.number,
                                       {p.name: p.read_bytes() for p in version.folder.iterdir() if p.is_file()})
    for slug in sorted(source.definitions.withdrawn()):
        target.definitions.set_withdrawn(slug)
    messages = 0
    for raw in source.outbox.messages():
        target.outbox.put(raw)
        messages += 1
    wallet_items = 0
    for item in source.wallet.every():  # their files came with the others above
        target.wallet.add(item)
        wallet_items += 1
    documents = 0
    for document in source.documents.every():  # the registry "Kiểm tra văn bản" answers from, codes and revocations too
        target.documents.add(document)
        documents += 1
    return Copied(users=len(users), dossiers=copied, files=files, definitions=len(versions), messages=messages,
                  wallet_items=wallet_items, documents=documents)
