"""The processing log's hash chain: a dossier's log verifies clean as the lifecycle wrote
it, and an edited, deleted, reordered or foreign entry, or data changed without an entry,
is found and named."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from engine import lifecycle as lc
from engine import log_chain
from engine.dossier import Actor, Dossier, Role
from engine.receipts import new_receipt_number

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
CITIZEN = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
CLERK = Actor(id="c-lan", name="Trần Thị Lan", role=Role.CLERK, agencies=frozenset({"ubnd-phuong-vi-thanh"}))


def at(hours: int) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


@pytest.fixture
def walked(household) -> Dossier:
    """Created, edited, confirmed, submitted, accepted, sent back for a supplement, resubmitted."""
    dossier = lc.create(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW)
    dossier = lc.edit(dossier, household, CITIZEN, copy.deepcopy(household.sample), [], at(1))
    dossier = lc.confirm(dossier, CITIZEN, at(2))
    dossier = lc.submit(dossier, household, CITIZEN, at(3))
    dossier = lc.accept(dossier, household, CLERK, at(4), new_receipt_number)
    dossier = lc.request_supplement(dossier, CLERK, "Thiếu bản sao sổ hộ khẩu", at(5))
    return lc.submit(dossier, household, CITIZEN, at(6))


def stored(dossier: Dossier) -> Dossier:
    """The dossier as a store gives it back (through its JSON)."""
    return Dossier.from_json_text(dossier.model_dump_json())


def with_log(dossier: Dossier, log) -> Dossier:
    return dossier.model_copy(update={"log": list(log)})


def kinds(findings) -> list[tuple[str, int | None]]:
    return [(f.kind, f.position) for f in findings]


def test_every_entry_is_chained_to_the_one_before(walked):
    assert len(walked.log) == 7
    assert walked.log[0].prev_hash == log_chain.genesis(walked.id)
    for before, after in zip(walked.log, walked.log[1:]):
        assert after.prev_hash == before.hash
    assert walked.log[-1].data_hash == log_chain.data_hash(walked)
    assert log_chain.last_hash(walked) == walked.log[-1].hash and len(walked.log[-1].hash) == 64


def test_a_log_as_written_verifies_clean_after_storage(walked):
    assert log_chain.verify(walked) == []
    assert log_chain.verify(stored(walked)) == []


def test_the_summary_and_a_rating_are_sealed_with_the_data(walked, household):
    done = lc.hand_over(lc.record_result(walked, CLERK, "Đã cấp Giấy chứng nhận", at(7)), CLERK, at(8))
    rated = lc.rate(done, CITIZEN, 5, "Nhanh, đúng hẹn", at(9))
    assert rated.summary and rated.rating is not None
    assert log_chain.verify(stored(rated)) == []
    changed = stored(rated).model_copy(update={"rating": rated.rating.model_copy(update={"score": 1})})
    assert log_chain.verify(changed), "a rating changed after it was given is found"


def test_an_edited_note_is_found(walked):
    log = list(walked.log)
    log[5] = log[5].model_copy(update={"note": "Hồ sơ đầy đủ"})
    findings = log_chain.verify(with_log(walked, log))
    assert kinds(findings) == [("changed", 6)]
    assert findings[0].action == "request_supplement"
    assert findings[0].message == "mục thứ 6 (Yêu cầu bổ sung hồ sơ) đã bị sửa: mã băm không khớp với nội dung"
    assert findings[0].tampered


def test_an_edited_entry_whose_hash_was_recomputed_breaks_the_next_link(walked):
    log = list(walked.log)
    edited = log[1].model_copy(update={"actor_name": "Người khác", "hash": None})
    log[1] = edited.model_copy(update={"hash": log_chain.entry_hash(edited)})
    findings = log_chain.verify(with_log(walked, log))
    assert kinds(findings) == [("removed", 3)]
    assert "mục ghi ngay trước mục thứ 3 (Xác nhận hồ sơ qua thư điện tử)" in findings[0].message


def test_a_deleted_entry_is_found(walked):
    log = list(walked.log)
    del log[2]  # the confirmation
    findings = log_chain.verify(with_log(walked, log))
    assert kinds(findings) == [("removed", 3)]
    assert findings[0].message.startswith("mục ghi ngay trước mục thứ 3 (Nộp hồ sơ đến Bộ phận một cửa) không còn trong nhật ký")


def test_a_deleted_first_entry_is_found(walked):
    findings = log_chain.verify(with_log(walked, walked.log[1:]))
    assert kinds(findings) == [("removed", 1)]


def test_a_deleted_last_entry_leaves_the_data_unmatched(walked):
    findings = log_chain.verify(with_log(walked, walked.log[:-1]))
    assert kinds(findings) == [("data", None)]
    assert "dữ liệu hồ sơ đã thay đổi sau mục cuối của nhật ký (mục thứ 6 (Yêu cầu bổ sung hồ sơ))" \
        in findings[0].message


def test_swapped_entries_are_found_as_reordered(walked):
    log = list(walked.log)
    log[1], log[2] = log[2], log[1]
    findings = log_chain.verify(with_log(walked, log))
    assert kinds(findings) == [("reordered", 2)]
    assert findings[0].message == ("các mục bị đổi thứ tự so với lúc ghi: mục thứ 2 (Xác nhận hồ sơ qua thư điện tử), "
                                   "mục thứ 3 (Cập nhật hồ sơ)")


def test_data_changed_without_an_entry_is_found(walked):
    changed = walked.model_copy(deep=True)
    changed.data["owner"]["fullName"] = "Trần Văn Giả"
    assert kinds(log_chain.verify(changed)) == [("data", None)]
    moved = walked.model_copy(update={"appointment_date": dt.date(2027, 1, 4)})
    assert kinds(log_chain.verify(moved)) == [("data", None)]


def test_the_storage_version_is_not_data(walked):
    assert log_chain.verify(walked.model_copy(update={"version": 9})) == []


def test_an_entry_moved_from_another_dossier_does_not_fit(household, walked):
    other = lc.create(household, CITIZEN, copy.deepcopy(household.sample), [], NOW)
    findings = log_chain.verify(with_log(walked, [other.log[0], *walked.log[1:]]))
    assert ("removed", 2) in kinds(findings)  # the second entry's predecessor is not this first entry


def test_an_unsealed_entry_added_after_sealed_ones_is_found(walked):
    forged = walked.log[3].model_copy(update={"prev_hash": None, "data_hash": None, "hash": None})
    findings = log_chain.verify(with_log(walked, [*walked.log, forged]))
    assert ("inserted", 8) in kinds(findings)


def unsealed(dossier: Dossier) -> Dossier:
    """The dossier as stored before the chain existed: entries without hashes."""
    raw = dossier.to_json()
    for entry in raw["log"]:
        for key in ("prev_hash", "data_hash", "hash"):
            del entry[key]
    return Dossier.from_json(raw)


def test_an_old_log_is_reported_once_as_not_sealed_and_sealing_it_verifies_clean(walked):
    old = unsealed(walked)
    findings = log_chain.verify(old)
    assert kinds(findings) == [("unsealed", None)]
    assert "chưa được niêm phong" in findings[0].message and not findings[0].tampered

    sealed = log_chain.seal_unsealed(old, at(7))
    assert sealed is not None and len(sealed.log) == 8
    assert sealed.log[-1].action == log_chain.SEAL_ACTION and log_chain.label(sealed.log[-1].action) \
        == "Niêm phong nhật ký xử lý"
    assert sealed.status == old.status and sealed.updated_at == old.updated_at
    assert log_chain.verify(stored(sealed)) == []
    assert log_chain.seal_unsealed(sealed, at(8)) is None  # once


def test_the_seal_protects_the_old_entries_before_it(walked):
    sealed = log_chain.seal_unsealed(unsealed(walked), at(7))
    log = list(sealed.log)
    log[2] = log[2].model_copy(update={"note": "sửa"})
    findings = log_chain.verify(with_log(sealed, log))
    assert kinds(findings) == [("removed", 8)]
    assert "các mục chưa niêm phong trước mục thứ 8 (Niêm phong nhật ký xử lý)" in findings[0].message


def test_an_old_dossier_acted_on_again_is_chained_from_its_old_entries(walked):
    old = unsealed(walked)
    accepted = lc.record_result(old, CLERK, "Đã cấp giấy chứng nhận", at(8))
    assert log_chain.verify(accepted) == []
    log = list(accepted.log)
    del log[0]
    assert kinds(log_chain.verify(with_log(accepted, log))) == [("removed", 7)]


def test_the_anchor_kept_elsewhere_finds_a_removed_last_entry(walked):
    assert log_chain.verify(walked, anchor=walked.log[-1].hash) == []
    shortened = with_log(walked, walked.log[:-1])
    assert ("anchor", None) in kinds(log_chain.verify(shortened, anchor=walked.log[-1].hash))


def test_the_seal_entry_is_not_public(walked):
    from engine.public import public_view

    sealed = log_chain.seal_unsealed(unsealed(walked), at(7))
    assert "Niêm phong nhật ký xử lý" not in [e.action for e in public_view(sealed).log]


def test_grouped_prefix():
    assert log_chain.grouped("0123456789abcdef" * 4) == "0123 4567 89ab cdef"
