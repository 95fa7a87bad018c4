"""Checking and sealing the processing logs of a store (``dichvucong log verify``, ``log seal``).

The dossiers are read a page at a time (the repository's ``query_page``), so a store of a
million dossiers is never in memory at once. Where the store keeps each log's last hash
apart from the dossiers (PostgreSQL's insert-only ``dossier_log``, ``log_anchor``), the
chain's last hash is compared with it too (engine.log_chain.verify).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from engine import log_chain
from engine.dossier import Dossier
from engine.log_chain import Finding
from engine.repository import ConflictError, DossierRepository

PAGE = 500


@dataclass(frozen=True)
class Checked:
    dossier_id: str
    findings: list[Finding]


def dossiers(repository: DossierRepository, ids: Iterable[str] = ()) -> Iterator[Dossier | str]:
    """The dossiers named by ``ids`` (an id not found is yielded as the id itself), or
    every dossier of the store when none are named, a page at a time."""
    wanted = list(dict.fromkeys(ids))
    if wanted:
        for dossier_id in wanted:
            yield repository.get(dossier_id) or dossier_id
        return
    offset = 0
    while True:
        page = repository.query_page(offset=offset, limit=PAGE)
        yield from page.items
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return


def check(repository: DossierRepository, dossier: Dossier) -> list[Finding]:
    anchor_of = getattr(repository, "log_anchor", None)
    anchor = anchor_of(dossier.id) if anchor_of is not None else None
    return log_chain.verify(dossier, anchor=anchor)


def seal(repository: DossierRepository, dossier: Dossier, now: dt.datetime) -> Dossier | None:
    """Seal an old dossier's log (once) and store it; None when it needs no seal. A dossier
    changed meanwhile is read again."""
    for _ in range(3):
        sealed = log_chain.seal_unsealed(dossier, now)
        if sealed is None:
            return None
        try:
            return repository.update(sealed)
        except ConflictError:
            fresh = repository.get(dossier.id)
            if fresh is None:
                return None
            dossier = fresh
    raise ConflictError(dossier.id)
