"""The stores' files on disk: an instance folder written by an earlier version must keep
opening, and the same writes must give the same files, byte for byte.

tests/storage/data/format-1/ holds a dossier store and a user store written by
``populate`` with the code of format 1 (before both stores were built on
storage.sharded). Regenerate it only on purpose, with a new format tag::

    .venv/bin/python -m tests.storage.test_layout
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

import pytest

from engine.accounts import DuplicateUser, User
from engine.dossier import Dossier, LogEntry, Role, Status
from storage.indexes import INDEXES
from storage.tinydb_store import TinyDBStore
from storage.tinydb_users import TinyDBUserStore
from tests.storage.factories import make_dossier

GOLDEN = Path(__file__).parent / "data" / "format-1"
VN = dt.timezone(dt.timedelta(hours=7))
T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=VN)
DOSSIER_SHARDS, USER_SHARDS = 12, 3  # 12: file numbers padded to two digits


def _dossier(n: int, **fields):
    receipt = f"2503-AAAA-BBBB-{n:04d}"
    values = dict(id=f"{n:016x}", owner=f"citizen-{n % 3}", attachments={}, receipt_number=receipt)
    return make_dossier(random.Random(n), **values | fields)


def _user(n: int, **fields) -> User:
    values = dict(
        id=f"{0xabc000 + n:016x}", username=f"congdan{n:03d}", full_name="Trần Thị Ánh", email=f"cd{n}@example.com",
        id_number=f"0790000000{n:02d}", password_hash="$argon2id$placeholder", created_at=T0, token_nonce=f"nonce-{n}",
    )
    return User(**values | fields)


def populate(dossiers_path: Path, users_path: Path) -> None:
    """Every kind of write of both stores, with fixed content."""
    dossiers = TinyDBStore(dossiers_path, shards=DOSSIER_SHARDS)
    seeded = dossiers.bulk_add(_dossier(n) for n in range(1, 9))
    dossiers.add(_dossier(9, status=Status.DRAFT, receipt_number=None, applicant_id_number=None))
    dossiers.update(seeded[0].model_copy(update={"status": Status.DONE}))  # no key changes
    dossiers.update(seeded[1].model_copy(update={"owner": "citizen-9", "receipt_number": "2503-CCCC-DDDD-0002"}))
    dossiers.delete(seeded[2].id, seeded[2].version)

    users = TinyDBUserStore(users_path, shards=USER_SHARDS)
    added = [users.add(_user(n)) for n in range(1, 6)]
    users.add(_user(6, id_number=None, role=Role.CLERK, agencies=["UBND-Q1"]))
    users.update(added[0].model_copy(update={"email": "moi@example.com"}))
    users.update(added[1].model_copy(update={"active": True, "sessions": ["s1"]}))


def _files(path: Path) -> dict[str, object]:
    files = {file.name: file.read_bytes() for file in sorted(path.iterdir())}
    if "indexes.json" in files:  # its order follows string hashing (PYTHONHASHSEED)
        files["indexes.json"] = sorted(json.loads(files["indexes.json"]))
    return files


def _default(model, name: str):
    field = model.model_fields.get(name)
    return None if field is None or field.is_required() else field.get_default(call_default_factory=True)


def _without_new_nulls(written: bytes, golden: bytes) -> bytes:
    """``written`` with the fields the golden document lacks removed where they hold the
    model's default: a field added to a model since (User.pending_email, Dossier.method,
    Dossier.summary, Dossier.rating, LogEntry's hashes) is the one difference allowed. The rest, order and bytes included,
    must be as the golden file has it."""
    models = {"users": User, "dossiers": Dossier}
    try:
        (table, docs), = json.loads(written).items()
        (golden_table, known_docs), = json.loads(golden).items()
    except (ValueError, AttributeError):
        return written
    if table != golden_table or table not in models or not docs or docs.keys() != known_docs.keys():
        return written
    lines = []
    for key, fields in docs.items():
        known = known_docs[key]
        kept = {k: v for k, v in fields.items() if k in known or v != _default(models[table], k)}
        if isinstance(kept.get("log"), list) and isinstance(known.get("log"), list):
            # The same for a log entry's fields added since (its hashes, None when not sealed).
            kept["log"] = [{k: v for k, v in entry.items() if k in old or v != _default(LogEntry, k)}
                           for entry, old in zip(kept["log"], known["log"])]
        lines.append(json.dumps(key) + ":" + json.dumps(kept, ensure_ascii=False, separators=(",", ":")))
    return ("{" + json.dumps(table) + ":{\n" + ",\n".join(lines) + "\n}}").encode()


def test_the_same_writes_give_the_same_files(tmp_path):
    populate(tmp_path / "dossiers", tmp_path / "users")
    for store in ("dossiers", "users"):
        golden, written = _files(GOLDEN / store), _files(tmp_path / store)
        assert written.keys() == golden.keys()
        for name, content in written.items():
            if isinstance(content, bytes):
                content = _without_new_nulls(content, golden[name])
            assert content == golden[name], name


def test_the_layout_is_as_documented():
    assert set(_files(GOLDEN / "dossiers")) == {
        "meta.json", "indexes.json", "store.lock",
        *(f"{prefix}-{n:02d}.json" for prefix, numbers in [
            ("dossiers", [1, 4, 5, 6, 8, 10]),
            ("receipt_number", [0, 2, 6, 7, 9, 11]),
            ("owner", [0, 2, 7, 11]),
            ("applicant_id_number", [1, 5, 8, 9, 11]),
        ] for n in numbers),
    }
    assert (GOLDEN / "dossiers" / "meta.json").read_bytes() == b'{"format":1,"shards":12}'
    # A new store lists the indexes in the order it built them, which follows string hashing.
    assert sorted(json.loads((GOLDEN / "dossiers" / "indexes.json").read_bytes())) == sorted(INDEXES)
    assert set(_files(GOLDEN / "users")) == {
        "meta.json", "store.lock",
        *(f"{prefix}-{n}.json" for prefix in ("users", "email", "id_number") for n in range(3)),
        "username-0.json", "username-1.json",
    }
    assert (GOLDEN / "users" / "meta.json").read_bytes() == b'{"format":1,"shards":3}'


@pytest.fixture
def golden(tmp_path) -> Path:
    copy = tmp_path / "instance"
    shutil.copytree(GOLDEN, copy)
    return copy


def test_a_dossier_store_written_before_opens_and_takes_writes(golden):
    store = TinyDBStore(golden / "dossiers")
    assert store.count() == 8
    assert store.get(f"{3:016x}") is None
    moved = store.get(f"{2:016x}")
    assert moved.version == 2 and moved.owner == "citizen-9"
    assert store.find_by_receipt("2503-CCCC-DDDD-0002") == moved
    assert store.find_by_receipt("2503-AAAA-BBBB-0002") is None
    assert [d.id for d in store.list_by_owner("citizen-1")] == [
        d.id for d in sorted((_dossier(n) for n in (1, 4, 7)), key=lambda d: (d.created_at, d.id), reverse=True)
    ]
    assert store.list_by_id_number(_dossier(5).applicant_id_number) == [store.get(f"{5:016x}")]
    assert len(store.query()) == 8
    store.update(moved.model_copy(update={"receipt_number": "2503-EEEE-FFFF-0002"}))
    store.add(_dossier(10))
    reopened = TinyDBStore(golden / "dossiers")
    assert reopened.find_by_receipt("2503-EEEE-FFFF-0002").version == 3
    assert reopened.find_by_receipt("2503-AAAA-BBBB-0010").id == f"{10:016x}"
    with pytest.raises(ValueError, match="12 shards"):
        TinyDBStore(golden / "dossiers", shards=256)


def test_a_user_store_written_before_opens_and_takes_writes(golden):
    users = TinyDBUserStore(golden / "users")
    assert users.count() == 6
    first = users.get_by_email("moi@example.com")
    assert first.id == _user(1).id and first.version == 2
    assert users.get_by_email("cd1@example.com") is None
    assert users.get_by_username("CONGDAN002").sessions == ["s1"]
    assert users.get_by_id_number("079000000003").username == "congdan003"
    assert [u.username for u in users.list(Role.CLERK)] == ["congdan006"]
    with pytest.raises(DuplicateUser):
        users.add(_user(7, username="congdan003"))
    users.add(_user(7, email="cd1@example.com"))  # the e-mail the update freed
    assert TinyDBUserStore(golden / "users").get_by_email("cd1@example.com").username == "congdan007"


if __name__ == "__main__":
    shutil.rmtree(GOLDEN, ignore_errors=True)
    populate(GOLDEN / "dossiers", GOLDEN / "users")
