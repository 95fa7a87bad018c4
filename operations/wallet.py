""""Kho giấy tờ của tôi": keeping a citizen's documents, and attaching one to a dossier.

What the wallet is and why its items are copies: engine.wallet. Here the use cases:
:func:`keep_upload` (a file posted to the wallet's page or ticked "Lưu vào Kho" beside a
dossier's upload: checked by content, cleaned and stored, as any upload), :func:`keep_file`
(a copy of a dossier's attachment or result, which was checked when it came in),
:func:`as_upload` (an item's bytes as the upload of a document slot, which then goes through
the slot's own checks of kind and size), :func:`delete`. Every function takes the signed-in
citizen and reaches only their items: another owner's item id is :class:`NotInWallet`, the
same as an unknown one.
"""

from __future__ import annotations

import unicodedata

from engine.accounts import User
from engine.dossier import Attachment
from engine.wallet import ACCEPT, MAX_ITEM_MB, MAX_LABEL, WalletFull, WalletItem, check_room, new_item_id
from operations.files import Upload, keep
from operations.portal import Portal

__all__ = ["NotInWallet", "WalletFull", "as_upload", "delete", "items", "keep_file", "keep_upload"]


class NotInWallet(LookupError):
    """No such item in this citizen's wallet (unknown, deleted, or another citizen's)."""


def _wallet(portal: Portal):
    if portal.wallet is None:
        raise RuntimeError("this portal has no wallet store")
    return portal.wallet


def label_of(text: str, fallback: str) -> str:
    """The citizen's name for an item: one line, no hidden characters, at most MAX_LABEL characters."""
    visible = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text or "")
    label = " ".join(unicodedata.normalize("NFC", visible).split())
    if len(label) > MAX_LABEL:  # a document's name can be 300 characters: cut at a word, marked
        label = label[:MAX_LABEL - 1].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"
    return label or fallback


def items(portal: Portal, user: User) -> list[WalletItem]:
    return _wallet(portal).items(user.id)


def _add(portal: Portal, user: User, kept: Attachment, label: str, document_name: str) -> WalletItem:
    item = WalletItem(id=new_item_id(), owner=user.id, label=label_of(label, kept.filename), filename=kept.filename,
                      media_type=kept.media_type, size=kept.size, sha256=kept.sha256, file_id=kept.file_id,
                      kept_at=portal.now(), document_name=document_name)
    try:
        _wallet(portal).add(item)
    except BaseException:  # full, or the store failed: the file kept for it goes too
        portal.files.delete(kept.file_id)
        raise
    return item


def keep_upload(portal: Portal, user: User, upload: Upload, label: str, document_name: str = "") -> WalletItem:
    """A posted file kept in the wallet (engine.uploads.UploadRefused: not a PDF, JPG or PNG
    by its content, or over MAX_ITEM_MB; WalletFull: no room)."""
    _room_for(portal, user, len(upload.data))  # before the file is cleaned and stored
    return _add(portal, user, keep(portal, upload, ACCEPT, MAX_ITEM_MB), label, document_name)


def keep_file(portal: Portal, user: User, attached: Attachment, label: str, document_name: str = "") -> WalletItem:
    """A copy of one of the citizen's dossier files (an attachment, a result) in the wallet.
    The caller has checked the dossier is theirs. The bytes are copied as they are: they were
    checked when uploaded, and a signed result must stay byte for byte what was signed."""
    if attached.size > MAX_ITEM_MB * 1024 * 1024:
        raise WalletFull()
    _room_for(portal, user, attached.size)
    data = portal.files.read(attached.file_id)
    copy = attached.model_copy(update={"file_id": portal.files.put(data), "uploaded_at": portal.now()})
    return _add(portal, user, copy, label, document_name)


def _room_for(portal: Portal, user: User, size: int) -> None:
    """WalletFull now, before any work, when the wallet plainly has no room (the store checks
    again under its lock when the item is added)."""
    check_room(_wallet(portal).items(user.id), min(size, MAX_ITEM_MB * 1024 * 1024))


def get(portal: Portal, user: User, item_id: str) -> WalletItem:
    item = _wallet(portal).get(user.id, item_id)
    if item is None:
        raise NotInWallet(item_id)
    return item


def as_upload(portal: Portal, user: User, item_id: str) -> Upload:
    """The item's bytes, to fill a dossier's document slot (operations.dossiers.update checks
    them against the slot's kinds and size, and stores a copy of its own)."""
    item = get(portal, user, item_id)
    try:
        data = portal.files.read(item.file_id)
    except KeyError:
        raise NotInWallet(item_id) from None
    return Upload(item.filename, data, cleaned=True)


def delete(portal: Portal, user: User, item_id: str) -> WalletItem:
    """Remove the item and its file. Dossiers it was attached to keep their own copies."""
    removed = _wallet(portal).delete(user.id, item_id)
    if removed is None:
        raise NotInWallet(item_id)
    portal.files.delete(removed.file_id)
    return removed
