""""Kho giấy tờ của tôi" in the instance folder (storage.wallet) or in PostgreSQL
(storage.postgres_wallet): each citizen's items apart, limits kept under concurrent keeps."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from engine import wallet as rules
from engine.clock import VIETNAM
from engine.wallet import WalletFull, WalletItem, for_slot, new_item_id
from storage.postgres_wallet import PostgresWallet
from storage.wallet import TinyDBWallet
from tests.storage.shared_places import BACKENDS, place

KEPT = dt.datetime(2026, 12, 1, 8, 0, tzinfo=VIETNAM)
NGOC, AN = "0123456789abcdef", "fedcba9876543210"


@pytest.fixture(params=BACKENDS)
def wallets(request, tmp_path):
    with place(request.param, tmp_path, lambda root: TinyDBWallet(root / "wallet"),
               lambda db, _node: PostgresWallet(db)) as make:
        yield make


def item(owner: str = NGOC, size: int = 1000, minutes: int = 0, **changes) -> WalletItem:
    fields = dict(id=new_item_id(), owner=owner, label="Căn cước", filename="cccd.jpg", media_type="image/jpeg",
                  size=size, sha256="0" * 64, file_id="a" * 32, kept_at=KEPT + dt.timedelta(minutes=minutes))
    return WalletItem(**{**fields, **changes})


def test_an_owner_sees_only_their_items_newest_first_from_any_node(wallets):
    first, second = wallets(), wallets()
    older, newer, other = item(minutes=0), item(minutes=5, label="Sổ đỏ"), item(owner=AN)
    for kept in (older, newer, other):
        first.add(kept)
    assert second.items(NGOC) == [newer, older]
    assert second.get(NGOC, older.id) == older and second.get(AN, older.id) is None
    assert second.delete(AN, older.id) is None, "another owner cannot delete it"
    assert second.delete(NGOC, older.id) == older and first.items(NGOC) == [newer]
    assert second.get(NGOC, "../../etc") is None and first.items("not-an-id") == []
    assert sorted(i.id for i in first.every()) == sorted([newer.id, other.id])


def test_the_limits_hold_when_two_keeps_race(wallets, monkeypatch):
    monkeypatch.setattr(rules, "MAX_ITEMS", 3)
    wallet = wallets()
    wallet.add(item())
    results: list[str] = []
    start = threading.Barrier(6)

    def keep(store):
        start.wait()
        try:
            store.add(item())
            results.append("kept")
        except WalletFull:
            results.append("full")

    threads = [threading.Thread(target=keep, args=(wallets(),)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["full"] * 4 + ["kept"] * 2 and len(wallet.items(NGOC)) == 3


def test_the_total_size_is_bounded(wallets):
    wallet = wallets()
    wallet.add(item(size=rules.MAX_TOTAL_MB * 1024 * 1024 - 10))
    with pytest.raises(WalletFull):
        wallet.add(item(size=11))
    wallet.add(item(size=10))


def test_a_slot_is_offered_the_items_that_fit_those_of_its_document_first():
    photo = item(minutes=1, document_name="Bản chụp Căn cước")
    scan = item(minutes=9, media_type="application/pdf", filename="a.pdf")
    big = item(minutes=5, size=6 * 1024 * 1024)
    assert for_slot([photo, scan, big], ["jpeg", "pdf"], 5, "Bản chụp Căn cước") == [photo, scan]
    assert for_slot([photo, scan, big], ["pdf"], 10, "Bản chụp Căn cước") == [scan]
    assert for_slot([photo, scan, big], ["jpeg", "pdf"], 10, "Khác") == [scan, big, photo]
