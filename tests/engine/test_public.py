"""The public status lookup shows existence and status, never content."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from engine import lifecycle as lc
from engine.dossier import Actor, Role, Status
from engine.public import by_receipt, lookup, mask_name
from engine.receipts import new_receipt_number
from storage.tinydb_store import TinyDBStore

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
CITIZEN = Actor(id="u1", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
CLERK = Actor(id="c1", name="Trần Thị Lan", role=Role.CLERK, agencies=frozenset({"ubnd-phuong-vi-thanh"}))


@pytest.mark.parametrize("name,masked", [
    ("Nguyễn Thị Thanh Tâm", "Nguyễn T** T**** T**"),
    ("Lê Văn An", "Lê V** A*"),
    ("Đặng Ư", "Đặng Ư"),
    ("", ""),
])
def test_names_are_masked(name, masked):
    assert mask_name(name) == masked


@pytest.fixture
def repo(tmp_path, household):
    store = TinyDBStore(tmp_path / "store", shards=4)
    draft = store.add(lc.create(household, CITIZEN, copy.deepcopy(household.sample), [], NOW, "093186004527"))
    submitted = lc.submit(lc.confirm(draft, CITIZEN, NOW), household, CITIZEN, NOW)
    accepted = store.update(lc.accept(store.update(submitted), household, CLERK, NOW, new_receipt_number))
    store.add(lc.create(household, CITIZEN, copy.deepcopy(household.sample), [], NOW, "093186004527"))  # a draft
    store.accepted = accepted
    return store


def test_by_receipt_number_in_any_spelling(repo):
    number = repo.accepted.receipt_number
    for typed in (number, number.lower(), number.replace("-", ""), f"  {number}  "):
        [found] = lookup(repo, typed)
        assert found.receipt_number == number and found.status == Status.PROCESSING
    assert by_receipt(repo, number).appointment_date == dt.date(2026, 11, 30)


def test_by_id_number_shows_only_what_was_sent_to_the_desk(repo):
    found = lookup(repo, "093 186 004 527")
    assert [f.status for f in found] == [Status.PROCESSING]


def test_nothing_personal_is_in_the_result(repo):
    [found] = lookup(repo, repo.accepted.receipt_number)
    text = repr(found)
    assert "Nguyễn T** T**** T**" in text
    for secret in ("093186004527", "Thanh Tâm", "Trần Hưng Đạo", "Quán cơm", "Trần Thị Lan"):
        assert secret not in text
    assert [e.action for e in found.log] == ["Nộp hồ sơ đến Bộ phận một cửa", "Tiếp nhận hồ sơ"]


def test_unknown_and_malformed_numbers_give_the_same_empty_answer(repo):
    wrong_check = repo.accepted.receipt_number[:-1] + ("0" if repo.accepted.receipt_number[-1] != "0" else "1")
    for query in ("2611-AAAA-BBBB-CCCC", wrong_check, "012345678901", "abc", "", "<script>"):
        assert lookup(repo, query) == []
