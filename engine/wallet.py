""""Kho giấy tờ của tôi": the documents a citizen keeps to attach to later dossiers.

A citizen keeps a scan (the ID card, a household registration paper, a land certificate)
once, from the wallet's page or while attaching it to a dossier, and later picks it for a
document slot of a new dossier instead of uploading it again, as the national portal's
electronic data store ("Kho dữ liệu điện tử của tổ chức, cá nhân") lets them. Only the
citizen sees their wallet: every read and delete names the owner, and an item of another
owner is answered exactly like one that does not exist.

An item is a copy. Keeping a dossier's attachment copies its bytes under a new file id,
and picking an item for a dossier copies them again, checked by content against the slot
as a fresh upload is (operations.wallet). So deleting an item never touches a dossier, and
deleting a dossier never empties the wallet; files stay write-once, with no reference
counts to keep right across two stores. The price is the space of the copies, bounded by
:data:`MAX_ITEMS` and :data:`MAX_TOTAL_MB` per citizen.

Two stores implement :class:`Wallet`: TinyDB files in the instance folder
(``storage.wallet``) and a PostgreSQL table (``storage.postgres_wallet``).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from engine.uploads import MEDIA_TYPES

MAX_ITEMS = 30  # per citizen
MAX_TOTAL_MB = 100  # per citizen, all items together
MAX_ITEM_MB = 10  # one item: the largest document slot of the catalogue
MAX_LABEL = 120  # characters of the name the citizen gives an item
ACCEPT = ("pdf", "jpeg", "png")  # what the wallet keeps: every kind a document slot takes

_ITEM_ID = re.compile(r"[0-9a-f]{16}")
_KINDS = {media_type: kind for kind, media_type in MEDIA_TYPES.items()}


class WalletFull(Exception):
    """Keeping one more item would pass :data:`MAX_ITEMS` or :data:`MAX_TOTAL_MB`."""


@dataclass(frozen=True)
class WalletItem:
    id: str  # 16 hex digits (new_item_id)
    owner: str  # the citizen's account id
    label: str  # the citizen's name for it ("Căn cước công dân"), shown in lists and pickers
    filename: str  # the kept file's name (operations.files.safe_filename)
    media_type: str  # engine.uploads.MEDIA_TYPES
    size: int  # bytes
    sha256: str
    file_id: str  # in the portal's file store: this item's own copy
    kept_at: dt.datetime
    document_name: str = ""  # the document slot it was kept from ("Bản chụp Căn cước"): put first for that slot

    @property
    def kind(self) -> str:
        """"pdf", "jpeg" or "png"."""
        return _KINDS.get(self.media_type, "")

    def fits(self, accept: tuple[str, ...] | list[str], max_size_mb: float) -> bool:
        """Whether this item could fill a slot taking ``accept`` kinds up to ``max_size_mb``."""
        return self.kind in accept and self.size <= max_size_mb * 1024 * 1024


def new_item_id() -> str:
    return secrets.token_hex(8)


def is_item_id(value: object) -> bool:
    return isinstance(value, str) and _ITEM_ID.fullmatch(value) is not None


def check_room(kept: list[WalletItem], size: int) -> None:
    """Refuses (WalletFull) one more item of ``size`` bytes beside ``kept``. The stores call
    it under their write lock, so two keeps at once cannot both pass it."""
    if len(kept) >= MAX_ITEMS or sum(i.size for i in kept) + size > MAX_TOTAL_MB * 1024 * 1024:
        raise WalletFull()


def for_slot(items: list[WalletItem], accept: tuple[str, ...] | list[str], max_size_mb: float,
             document_name: str) -> list[WalletItem]:
    """The items that could fill a document slot, those kept from a slot of the same name first,
    then the newest first."""
    fitting = [i for i in items if i.fits(accept, max_size_mb)]
    return sorted(fitting, key=lambda i: (i.document_name != document_name, -i.kept_at.timestamp()))


class Wallet(Protocol):
    def items(self, owner: str) -> list[WalletItem]:
        """The owner's items, newest first."""

    def get(self, owner: str, item_id: str) -> WalletItem | None:
        """The owner's item; None for an unknown id or another owner's item."""

    def add(self, item: WalletItem) -> None:
        """Keep ``item`` (its file already stored); WalletFull if the owner has no room."""

    def delete(self, owner: str, item_id: str) -> WalletItem | None:
        """Remove the owner's item and return it (its file is the caller's to delete); None if none."""

    def every(self) -> Iterator[WalletItem]:
        """All items of all owners (a backup's count, a copy between stores)."""
