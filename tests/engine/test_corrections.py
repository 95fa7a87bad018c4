"""Return for correction, field by field: the desk marks, the citizen may change only those."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from engine import corrections
from engine import lifecycle as lc
from engine.dossier import Actor, Attachment, Role, Status
from engine.receipts import new_receipt_number

NOW = dt.datetime(2026, 11, 25, 9, 0)
CITIZEN = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
CLERK = Actor(id="c-lan", name="Trần Thị Lan", role=Role.CLERK, agencies=frozenset({"ubnd-phuong-vi-thanh"}))
FILE = Attachment(file_id="f1", filename="uy-quyen.pdf", media_type="application/pdf", size=10, sha256="0" * 64,
                  uploaded_at=NOW)


def at(hours):
    return NOW + dt.timedelta(hours=hours)


@pytest.fixture
def accepted(household):
    draft = lc.create(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW, "093186004527")
    submitted = lc.submit(lc.confirm(draft, CITIZEN, at(1)), household, CITIZEN, at(2))
    return lc.accept(submitted, household, CLERK, at(3), new_receipt_number)


@pytest.fixture
def returned(accepted, household):
    marks = corrections.marks(household, ["/owner/phone", "doc:uy-quyen-nop-ho-so"],
                              {"/owner/phone": "Số điện thoại thiếu một chữ số"})
    return lc.request_supplement(accepted, CLERK, "Sửa các mục được đánh dấu", at(4), corrections=marks)


def test_the_desk_may_mark_each_leaf_field_and_each_document(household):
    offered = dict(corrections.choices(household))
    assert offered["/owner/fullName"] == "Thông tin về chủ hộ kinh doanh › Họ, chữ đệm và tên"
    assert offered["/business/address"] == "Thông tin hộ kinh doanh › Địa chỉ trụ sở hộ kinh doanh"
    assert "/owner" not in offered and "/business/address/ward" not in offered  # sections opened, addresses whole
    assert "doc:giay-de-nghi" in offered


def test_a_key_outside_the_service_is_refused(household):
    with pytest.raises(ValueError):
        corrections.marks(household, ["/owner/nickname"], {})


def test_the_log_entry_lists_the_marks_and_the_dossier_keeps_them(returned):
    entry = returned.log[-1]
    assert entry.action == "request_supplement" and returned.status == Status.SUPPLEMENT
    assert entry.note == ("Sửa các mục được đánh dấu\nCác mục cần sửa: Thông tin về chủ hộ kinh doanh › Số điện thoại "
                          "(Số điện thoại thiếu một chữ số); Văn bản ủy quyền cho người đi nộp hồ sơ, hoặc hợp đồng "
                          "cung cấp dịch vụ kèm giấy giới thiệu của tổ chức cung cấp dịch vụ")
    assert corrections.general_note(entry.note, returned.corrections) == "Sửa các mục được đánh dấu"
    assert [(c.pointer, c.document) for c in returned.corrections] == [("/owner/phone", ""),
                                                                       ("", "uy-quyen-nop-ho-so")]


def test_only_the_marked_field_changes_whatever_the_post_says(returned, household):
    crafted = copy.deepcopy(returned.data)
    crafted["owner"]["phone"] = "0939512487"
    crafted["owner"]["fullName"] = "Người Khác"  # not marked: a crafted POST
    crafted["capital"] = 1
    edited = lc.edit(returned, household, CITIZEN, crafted, ["giay-de-nghi", "van-ban-uy-quyen-chu-ho"], at(5))
    assert edited.data["owner"]["phone"] == "0939512487"
    assert edited.data["owner"]["fullName"] == "Nguyễn Thị Thanh Tâm"
    assert edited.data["capital"] == 150000000
    assert edited.checklist == ["giay-de-nghi"]  # an unmarked document's tick stays as it was


def test_a_draft_saved_while_returned_changes_only_the_marked_field_too(returned, household):
    crafted = copy.deepcopy(returned.data)
    crafted["owner"]["phone"] = "0939512487"
    crafted["owner"]["fullName"] = "Người Khác"  # not marked
    saved = lc.save_draft(household, CITIZEN, crafted, ["giay-de-nghi"], at(5), dossier=returned)
    assert saved.data["owner"]["phone"] == "0939512487" and saved.incomplete
    assert saved.data["owner"]["fullName"] == "Nguyễn Thị Thanh Tâm"


def test_an_unmarked_field_left_out_of_the_post_is_kept(returned, household):
    posted = {"owner": {"phone": "0939512487"}}  # disabled controls are not posted
    edited = lc.edit(returned, household, CITIZEN, posted, [], at(5))
    assert edited.data["business"] == returned.data["business"]
    assert edited.data["owner"]["fullName"] == "Nguyễn Thị Thanh Tâm"


def test_only_a_marked_document_may_be_uploaded(returned, household):
    with pytest.raises(lc.InvalidTransition, match="không yêu cầu bổ sung"):
        lc.attach(returned, household, CITIZEN, "van-ban-uy-quyen-chu-ho", FILE, at(5))
    attached = lc.attach(returned, household, CITIZEN, "uy-quyen-nop-ho-so", FILE, at(5))
    assert "uy-quyen-nop-ho-so" in attached.attachments


def test_without_marks_the_whole_form_stays_editable(accepted, household):
    asked = lc.request_supplement(accepted, CLERK, "Bổ sung văn bản ủy quyền", at(4))
    assert asked.log[-1].note == "Bổ sung văn bản ủy quyền" and asked.corrections == []
    data = copy.deepcopy(asked.data)
    data["owner"]["fullName"] = "Nguyễn Thị Thanh Tâm B"
    assert lc.edit(asked, household, CITIZEN, data, [], at(5)).data["owner"]["fullName"] == "Nguyễn Thị Thanh Tâm B"


def test_resubmission_clears_the_marks_and_the_log_keeps_them(returned, household):
    sent = lc.submit(returned, household, CITIZEN, at(6))
    assert sent.status == Status.PROCESSING and sent.corrections == []
    assert "Các mục cần sửa" in next(e.note for e in sent.log if e.action == "request_supplement")
    data = copy.deepcopy(sent.data)
    data["owner"]["fullName"] = "Nguyễn Văn Xuân"
    asked = lc.request_supplement(sent, CLERK, "Lần hai", at(7))
    assert lc.edit(asked, household, CITIZEN, data, [], at(8)).data["owner"]["fullName"] == "Nguyễn Văn Xuân"
