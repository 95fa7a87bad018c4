"""The registry of issued documents, in the instance folder (storage.documents) or in PostgreSQL
(storage.postgres_documents): recorded once by hash, found by any process or node, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from engine.clock import VIETNAM
from engine.documents import CODE_ALPHABET, CodeTaken, DocumentNotFound, IssuedDocument, grouped_code, normalize_code
from storage.documents import TinyDBDocumentRegistry
from storage.postgres_documents import PostgresDocumentRegistry
from storage.postgres import Database
from storage.postgres_documents import MIGRATIONS
from tests.storage.conftest import POSTGRES_URL
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


# -- verification codes (the code printed beside the QR code) ---------------------------------

def test_a_reserved_code_is_found_from_another_node_once_its_document_is_recorded(registries):
    first, second = registries(), registries()
    code = first.reserve_code()
    assert len(code) == 12 and set(code) <= set(CODE_ALPHABET)
    assert second.by_code(code) is None  # reserved, printed, not yet signed and recorded
    receipt = document(code=code)
    first.add(receipt)
    assert second.by_code(code) == receipt
    assert second.by_code(grouped_code(code).lower()) == receipt  # as typed: any case, with dashes
    assert second.get(receipt.sha256).code == code
    first.revoke(receipt.sha256, "Cấp nhầm", ISSUED)
    assert second.by_code(code).revoked


def test_no_two_documents_share_a_code(registries):
    first, second = registries(), registries()
    codes = {first.reserve_code() for _ in range(20)} | {second.reserve_code() for _ in range(20)}
    assert len(codes) == 40
    code = codes.pop()
    first.add(document(b"one", code=code))
    with pytest.raises(CodeTaken):
        second.add(document(b"two", code=code))
    assert second.by_code(code).sha256 == document(b"one").sha256
    assert second.get(document(b"two").sha256) is None


@pytest.mark.parametrize("crafted", ["H7QD-3MKP-W9T", "H7QD3MKPW9TA0", "0OIL5S0OIL5S", "../../etc/passwd",
                                     "'; DROP TABLE issued_documents; --", "Ｈ7QD3MKPW9TA", "x" * 5000])
def test_crafted_codes_find_nothing(registries, crafted):
    registry = registries()
    assert registry.by_code(crafted) is None
    assert registry.by_code("") is None
    with pytest.raises(ValueError):
        registry.add(document(code=crafted))
    assert registry.get(document().sha256) is None


def test_codes_are_read_as_typed():
    assert normalize_code(" h7qd-3mkp-w9ta ") == "H7QD3MKPW9TA"
    assert normalize_code("H7QD 3MKP W9TA") == "H7QD3MKPW9TA"
    assert normalize_code("H7QD-3MKP-W9T") is None and normalize_code(None) is None
    assert grouped_code("H7QD3MKPW9TA") == "H7QD-3MKP-W9TA"


def test_documents_recorded_before_codes_keep_their_record_after_the_migration(pg_schema):
    """A registry made at migration 1 (no codes): its documents are found after the upgrade, without a code."""
    db = Database(f"{POSTGRES_URL}?schema={pg_schema}", max_size=2)
    try:
        db.migrate("documents", MIGRATIONS[:1])
        old = document(b"old")
        with db.connection() as conn:
            conn.execute(db.sql("INSERT INTO {schema}.issued_documents (sha256, kind, title, dossier_id, agency,"
                                " agency_name, issued_at, signed) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"),
                         [old.sha256, old.kind, old.title, old.dossier_id, old.agency, old.agency_name,
                          old.issued_at, old.signed])
        registry = PostgresDocumentRegistry(db)
        assert registry.get(old.sha256) == old and old.code == ""
        code = registry.reserve_code()
        registry.add(document(b"new", code=code))
        assert registry.by_code(code).sha256 == document(b"new").sha256
    finally:
        db.close()


def test_every_record_is_listed_with_its_code_and_revocation(registries):
    registry = registries()
    assert list(registry.every()) == []
    code = registry.reserve_code()
    coded = document(code=code)
    registry.add(coded)
    registry.add(document(b"%PDF ban in", kind="ban-in"))
    revoked = registry.revoke(document(b"%PDF ban in").sha256, "In nhầm", ISSUED + dt.timedelta(days=1))
    assert sorted(registries().every(), key=lambda d: d.sha256) == sorted([coded, revoked], key=lambda d: d.sha256)

