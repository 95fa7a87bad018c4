"""Every transition of a dossier, and every refusal, with what the log records."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pytest

from engine import lifecycle as lc
from engine.dossier import Actor, Attachment, Role, Status
from engine.receipts import is_valid, new_receipt_number

NOW = dt.datetime(2026, 11, 25, 9, 0)
CITIZEN = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
OTHER_CITIZEN = Actor(id="u-hung", name="Lê Văn Hùng", role=Role.CITIZEN)
CLERK = Actor(id="c-lan", name="Trần Thị Lan", role=Role.CLERK, agencies=frozenset({"ubnd-phuong-vi-thanh"}))
OTHER_CLERK = Actor(id="c-minh", name="Phạm Văn Minh", role=Role.CLERK, agencies=frozenset({"cong-an-phuong-vi-thanh"}))
ADMIN = Actor(id="a-1", name="Quản trị", role=Role.ADMIN)


def at(days=0, hours=0):
    return NOW + dt.timedelta(days=days, hours=hours)


@pytest.fixture
def draft(household):
    return lc.create(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW, "093186004527")


@pytest.fixture
def submitted(household, draft):
    confirmed = lc.confirm(draft, CITIZEN, at(hours=1))
    return lc.submit(confirmed, household, CITIZEN, at(hours=2))


@pytest.fixture
def accepted(household, submitted):
    return lc.accept(submitted, household, CLERK, at(hours=3), new_receipt_number)


def actions(dossier):
    return [(e.action, e.status_from, e.status_to) for e in dossier.log]


# -- citizen ---------------------------------------------------------------------------

def test_create_makes_a_draft_with_one_log_entry(draft, household):
    assert draft.status == Status.DRAFT
    assert draft.owner == CITIZEN.id and draft.agency == "ubnd-phuong-vi-thanh"
    assert draft.service == household.slug
    assert draft.applicant_name == "Nguyễn Thị Thanh Tâm" and draft.applicant_id_number == "093186004527"
    assert [(e.action, e.actor, e.role, e.at) for e in draft.log] == [("create", "u-tam", Role.CITIZEN, NOW)]


def test_create_refuses_invalid_data_with_the_errors(household):
    data = copy.deepcopy(household.sample)
    del data["owner"]["fullName"]
    with pytest.raises(lc.Incomplete) as exc:
        lc.create(household, CITIZEN, data, [], NOW)
    assert [e.path for e in exc.value.errors] == ["/owner/fullName"]


def test_create_refuses_a_document_outside_the_service(household):
    with pytest.raises(lc.InvalidTransition):
        lc.create(household, CITIZEN, household.sample, ["giay-khai-sinh"], NOW)


def test_only_citizens_create(household):
    with pytest.raises(lc.Forbidden):
        lc.create(household, CLERK, household.sample, [], NOW)


def test_level_two_services_take_no_online_dossier(catalog):
    offline = next(s for s in catalog if not s.online)
    with pytest.raises(lc.InvalidTransition):
        lc.create(offline, CITIZEN, offline.sample, [], NOW)


def test_confirm_then_submit(submitted):
    assert submitted.status == Status.SUBMITTED
    assert submitted.confirmed_at == at(hours=1) and submitted.submitted_at == at(hours=2)
    assert actions(submitted)[1:] == [
        ("confirm", Status.DRAFT, Status.CONFIRMED),
        ("submit", Status.CONFIRMED, Status.SUBMITTED),
    ]


def test_confirm_link_followed_twice_changes_nothing(draft):
    once = lc.confirm(draft, CITIZEN, at(hours=1))
    assert lc.confirm(once, CITIZEN, at(hours=5)) is once


def test_an_unconfirmed_dossier_cannot_be_submitted(draft, household):
    with pytest.raises(lc.InvalidTransition, match="xác nhận"):
        lc.submit(draft, household, CITIZEN, NOW)


def test_submitting_twice_is_refused(submitted, household):
    with pytest.raises(lc.InvalidTransition):
        lc.submit(submitted, household, CITIZEN, at(hours=3))


def test_missing_required_upload_blocks_submission(draft, household):
    slot = next(d for d in household.documents if d.upload)
    strict_slot = dataclasses.replace(slot, upload=dataclasses.replace(slot.upload, required=True))
    service = dataclasses.replace(household, documents=tuple(strict_slot if d is slot else d for d in household.documents))
    confirmed = lc.confirm(draft, CITIZEN, NOW)
    with pytest.raises(lc.Incomplete) as exc:
        lc.submit(confirmed, service, CITIZEN, NOW)
    assert exc.value.missing_documents == [slot.name]
    file = Attachment(file_id="f1", filename="cccd.pdf", media_type="application/pdf", size=1000,
                      sha256="0" * 64, uploaded_at=NOW)
    with_file = lc.attach(confirmed, service, CITIZEN, slot.id, file, NOW)
    assert lc.submit(with_file, service, CITIZEN, NOW).status == Status.SUBMITTED


def test_edit_keeps_the_status_and_logs(draft, household):
    data = copy.deepcopy(household.sample)
    data["capital"] = 200000000
    edited = lc.edit(draft, household, CITIZEN, data, [], at(hours=1))
    assert edited.data["capital"] == 200000000 and edited.status == Status.DRAFT
    assert draft.data["capital"] == 150000000, "the original is not changed"
    assert actions(edited)[-1] == ("edit", Status.DRAFT, Status.DRAFT)


def test_a_submitted_dossier_cannot_be_edited_or_deleted(submitted, household):
    with pytest.raises(lc.InvalidTransition):
        lc.edit(submitted, household, CITIZEN, household.sample, [], NOW)
    with pytest.raises(lc.InvalidTransition):
        lc.delete(submitted, CITIZEN)


def test_another_citizen_gets_not_found_for_everything(draft, household):
    for attempt in (
        lambda: lc.edit(draft, household, OTHER_CITIZEN, household.sample, [], NOW),
        lambda: lc.confirm(draft, OTHER_CITIZEN, NOW),
        lambda: lc.submit(draft, household, OTHER_CITIZEN, NOW),
        lambda: lc.delete(draft, OTHER_CITIZEN),
        lambda: lc.ensure_visible(draft, OTHER_CITIZEN),
        lambda: lc.accept(draft, household, OTHER_CITIZEN, NOW, new_receipt_number),
    ):
        with pytest.raises(lc.NotFound):
            attempt()


def test_the_desk_does_not_see_drafts(draft):
    assert not lc.can_view(draft, CLERK)
    assert not lc.can_view(draft, ADMIN)


# -- one-stop desk ---------------------------------------------------------------------

def test_accept_assigns_receipt_and_appointment_in_working_days(accepted):
    assert accepted.status == Status.PROCESSING
    assert is_valid(accepted.receipt_number)
    assert accepted.appointment_date == dt.date(2026, 11, 30)  # Wed + 3 working days
    entry = accepted.log[-1]
    assert (entry.action, entry.actor, entry.role) == ("accept", "c-lan", Role.CLERK)
    assert accepted.receipt_number in entry.note and "30/11/2026" in entry.note


def test_accept_across_tet(household, submitted):
    accepted = lc.accept(submitted, household, CLERK, dt.datetime(2026, 2, 12, 10), new_receipt_number)
    assert accepted.appointment_date == dt.date(2026, 2, 24)


def with_days(service, days):
    return dataclasses.replace(service, info=service.info.model_copy(update={"processing_days": days}))


@pytest.mark.parametrize("accepted_at,days,due", [
    (dt.datetime(2026, 11, 30, 14, 59), 1, dt.date(2026, 12, 1)),  # Monday before 15:00: Tuesday
    (dt.datetime(2026, 11, 30, 15, 0), 1, dt.date(2026, 12, 1)),  # at 15:00, not after it
    (dt.datetime(2026, 11, 30, 15, 30), 1, dt.date(2026, 12, 2)),  # Monday after 15:00: Wednesday
    (dt.datetime(2026, 11, 30, 8, 30, tzinfo=dt.UTC), 1, dt.date(2026, 12, 2)),  # 15:30 in Vietnam
    (dt.datetime(2026, 11, 27, 14, 59), 1, dt.date(2026, 11, 30)),  # Friday before 15:00: Monday
    (dt.datetime(2026, 11, 27, 15, 30), 1, dt.date(2026, 12, 1)),  # Friday after 15:00: from Monday, so Tuesday
    (dt.datetime(2026, 11, 30, 15, 30), 0, dt.date(2026, 12, 1)),  # same-day service: the next working day
    (dt.datetime(2026, 11, 28, 16, 0), 1, dt.date(2026, 11, 30)),  # a Saturday, any hour: Monday is day 1
    (dt.datetime(2026, 1, 9, 15, 30), 1, dt.date(2026, 1, 12)),  # from Saturday 10/1/2026, a day worked
])
def test_a_dossier_accepted_after_15_00_counts_from_the_next_working_day(household, submitted, accepted_at,
                                                                         days, due):
    accepted = lc.accept(submitted, with_days(household, days), CLERK, accepted_at, new_receipt_number)
    assert accepted.appointment_date == due
    assert f"{due:%d/%m/%Y}" in accepted.log[-1].note


def test_accepting_twice_is_refused(accepted, household):
    with pytest.raises(lc.InvalidTransition):
        lc.accept(accepted, household, CLERK, at(hours=4), new_receipt_number)


def test_a_clerk_of_another_agency_gets_not_found(submitted, household):
    with pytest.raises(lc.NotFound):
        lc.accept(submitted, household, OTHER_CLERK, NOW, new_receipt_number)
    with pytest.raises(lc.NotFound):
        lc.ensure_visible(submitted, OTHER_CLERK)


def test_a_citizen_calling_a_desk_action_on_their_own_dossier_is_forbidden(submitted, household):
    for attempt in (
        lambda: lc.accept(submitted, household, CITIZEN, NOW, new_receipt_number),
        lambda: lc.reject(submitted, CITIZEN, "x", NOW),
        lambda: lc.request_supplement(submitted, CITIZEN, "x", NOW),
    ):
        with pytest.raises(lc.Forbidden):
            attempt()


def test_supplement_before_acceptance_goes_back_to_the_inbox(submitted, household):
    asked = lc.request_supplement(submitted, CLERK, "Bổ sung bản sao CCCD của chồng", at(hours=3))
    assert asked.status == Status.SUPPLEMENT and asked.log[-1].note == "Bổ sung bản sao CCCD của chồng"
    edited = lc.edit(asked, household, CITIZEN, household.sample, [], at(days=1))
    again = lc.submit(edited, household, CITIZEN, at(days=1, hours=1))
    assert again.status == Status.SUBMITTED
    assert actions(again)[-1] == ("resubmit", Status.SUPPLEMENT, Status.SUBMITTED)


def test_supplement_after_acceptance_stops_the_clock(accepted, household):
    # Accepted Wed 25/11, due Mon 30/11. Asked on Thu 26/11: 2 working days left (27, 30).
    asked = lc.request_supplement(accepted, CLERK, "Thiếu văn bản ủy quyền", dt.datetime(2026, 11, 26, 10))
    assert asked.paused_working_days == 2
    # Resubmitted a week later, Thu 3/12: due 2 working days later, Mon 7/12.
    back = lc.submit(asked, household, CITIZEN, dt.datetime(2026, 12, 3, 8))
    assert back.status == Status.PROCESSING
    assert back.appointment_date == dt.date(2026, 12, 7)
    assert back.receipt_number == accepted.receipt_number


def test_supplement_needs_a_note(accepted):
    with pytest.raises(lc.InvalidTransition):
        lc.request_supplement(accepted, CLERK, "  ", NOW)


def test_reject_with_reason(accepted):
    rejected = lc.reject(accepted, CLERK, "Ngành nghề thuộc danh mục cấm kinh doanh", at(days=1))
    assert rejected.status == Status.REJECTED
    assert rejected.log[-1].note == "Ngành nghề thuộc danh mục cấm kinh doanh"
    with pytest.raises(lc.InvalidTransition):
        lc.reject(accepted, CLERK, "", at(days=1))


def test_result_then_hand_over(accepted):
    done = lc.record_result(accepted, CLERK, "Đã cấp Giấy chứng nhận số 57D8000123", at(days=2))
    assert done.status == Status.DONE and done.result_note.startswith("Đã cấp")
    returned = lc.hand_over(done, CLERK, at(days=3))
    assert returned.status == Status.RETURNED and returned.returned_at == at(days=3)
    assert [a for a, *_ in actions(returned)] == [
        "create", "confirm", "submit", "accept", "record_result", "hand_over"
    ]
    with pytest.raises(lc.InvalidTransition):
        lc.hand_over(returned, CLERK, at(days=4))


def test_result_needs_acceptance_first(submitted):
    with pytest.raises(lc.InvalidTransition):
        lc.record_result(submitted, CLERK, "", NOW)


def test_reschedule_only_when_due_and_to_a_later_working_day(accepted):
    # Due Mon 30/11. On Wed 25/11 it is too early.
    with pytest.raises(lc.InvalidTransition, match="chưa đến hạn"):
        lc.reschedule(accepted, CLERK, dt.date(2026, 12, 3), "Cần xác minh", NOW)
    late = dt.datetime(2026, 12, 1, 9)
    assert lc.is_overdue(accepted, late.date())
    with pytest.raises(lc.InvalidTransition):
        lc.reschedule(accepted, CLERK, dt.date(2026, 12, 5), "Cần xác minh", late)  # a Saturday
    moved = lc.reschedule(accepted, CLERK, dt.date(2026, 12, 4), "Cần xác minh địa điểm kinh doanh.", late)
    assert moved.appointment_date == dt.date(2026, 12, 4)
    assert moved.log[-1].action == "reschedule"
    assert "04/12/2026" in moved.log[-1].note and "30/11/2026" in moved.log[-1].note


def test_admin_may_act_for_any_agency(submitted, household):
    assert lc.accept(submitted, household, ADMIN, NOW, new_receipt_number).status == Status.PROCESSING


def test_every_action_has_a_vietnamese_label(accepted):
    for entry in lc.reject(accepted, CLERK, "x", NOW).log:
        assert entry.action in lc.ACTION_LABELS
