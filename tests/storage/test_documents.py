"""The registry of issued documents, in the instance folder (storage.documents) or in PostgreSQL
(storage.postgres_documents): recorded once by hash, found by any process or node, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from engine.clock import VIETNAM
from engine.documents import DocumentNotFound, IssuedDocument
from storage.documents import TinyDBDocumentRegistry
from storage.postgres_documents import PostgresDocumentRegistry
from tests.storage.shared_places import BACKENDS, place

ISSUED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=VIETNAM)


@pytest.fixture(params=BACKENDS)
def registries(request, tmp_path):
    with place(request.param, tmp_path, lambda root: TinyDBDocumentRegistry(root / "documents"),
               lambda db, _node: PostgresDocumentRegistry(db)) as make:
        yield make


def document(content: bytes = b"%PDF-1.7 bien nhan", **changes) -> IssuedDocument:
    fields = dict(sha256=hashlib.sha256(content).hexdigest(), kind="bien-nhan",
                  title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả", dossier_id="0123456789abcdef",
                  agency="ubnd-phuong-vi-thanh", agency_name="Ủy ban nhân dân phường Vị Thanh", issued_at=ISSUED,
                  signed=True)
    return IssuedDocument(**{**fields, **changes})


def test_a_recorded_document_is_found_by_its_hash_from_another_node(registries):
    first, second = registries(), registries()
    receipt = document()
    first.add(receipt)
    found = second.get(receipt.sha256)
    assert found == receipt and not found.revoked
    assert found.issued_at == ISSUED
    assert second.get(document(b"other").sha256) is None


def test_the_same_bytes_issued_again_keep_the_first_record(registries):
    registry = registries()
    registry.add(document())
    registry.add(document(issued_at=ISSUED + dt.timedelta(days=1), kind="ban-in"))
    assert registry.get(document().sha256).kind == "bien-nhan"


def test_revoking_keeps_the_record_with_reason_and_time(registries):
    first, second = registries(), registries()
    first.add(document())
    at = ISSUED + dt.timedelta(days=2)
    revoked = first.revoke(document().sha256, "Cấp nhầm", at)
    assert revoked.revoked and revoked.revoked_reason == "Cấp nhầm"
    found = second.get(document().sha256)
    assert found.revoked_at == at and found.revoked_reason == "Cấp nhầm" and found.title == document().title
    with pytest.raises(DocumentNotFound):
        second.revoke(document(b"never issued").sha256, "x", at)


@pytest.mark.parametrize("crafted", ["../../etc/passwd", "", "A" * 64, "'; DROP TABLE issued_documents; --"])
def test_crafted_hashes_find_nothing(registries, crafted):
    registry = registries()
    assert registry.get(crafted) is None
    with pytest.raises(DocumentNotFound):
        registry.revoke(crafted, "x", ISSUED)
    with pytest.raises(ValueError):
        registry.add(document(sha256=crafted))
