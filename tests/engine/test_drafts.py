""""Lưu nháp": a dossier kept without the form's checks, refused until "Lưu lại" passes them."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from engine import lifecycle as lc
from engine.dossier import Actor, Role, Status

NOW = dt.datetime(2026, 11, 25, 9, 0)
CITIZEN = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)


def half_filled(household) -> dict:
    """The sample without the owner's name, a birth date typed the wrong way and the capital in words."""
    data = copy.deepcopy(household.sample)
    del data["owner"]["fullName"]
    data["owner"]["birthDate"] = "14/3/1986"
    data["capital"] = "một trăm năm mươi triệu"
    return data


def test_a_draft_keeps_what_the_checks_would_refuse(household):
    draft = lc.save_draft(household, CITIZEN, half_filled(household), [], NOW, applicant_id_number="093186004527")
    assert draft.status == Status.DRAFT and draft.incomplete
    assert draft.data["owner"]["birthDate"] == "14/3/1986" and draft.data["capital"] == "một trăm năm mươi triệu"
    assert "fullName" not in draft.data["owner"]
    assert [(e.action, e.note) for e in draft.log] == [("create", "Lưu nháp")]
    with pytest.raises(lc.Incomplete):  # what "Lưu lại" would say of the same data
        lc.create(household, CITIZEN, half_filled(household), [], NOW)


def test_a_draft_still_refuses_documents_of_another_service(household):
    with pytest.raises(lc.InvalidTransition):
        lc.save_draft(household, CITIZEN, {}, ["giay-khai-sinh"], NOW)


def test_save_lai_runs_the_full_check_and_clears_the_mark(household):
    draft = lc.save_draft(household, CITIZEN, half_filled(household), [], NOW)
    with pytest.raises(lc.Incomplete) as refused:
        lc.edit(draft, household, CITIZEN, draft.data, ["giay-de-nghi"], NOW)
    assert {e.path for e in refused.value.errors} >= {"/owner/fullName", "/owner/birthDate", "/capital"}
    done = lc.edit(draft, household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW)
    assert not done.incomplete and done.status == Status.DRAFT


def test_neither_confirmation_nor_submission_takes_an_incomplete_dossier(household):
    complete = lc.create(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW)
    redrafted = lc.save_draft(household, CITIZEN, half_filled(household), ["giay-de-nghi"], NOW, dossier=complete)
    with pytest.raises(lc.Incomplete):
        lc.confirm(redrafted, CITIZEN, NOW)
    confirmed = lc.confirm(complete, CITIZEN, NOW)
    # Even with data that would pass: a draft is checked at "Lưu lại", not at submission.
    as_draft = lc.save_draft(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW,
                             dossier=confirmed)
    with pytest.raises(lc.Incomplete):
        lc.submit(as_draft, household, CITIZEN, NOW)
    broken = lc.save_draft(household, CITIZEN, half_filled(household), ["giay-de-nghi"], NOW, dossier=confirmed)
    with pytest.raises(lc.Incomplete) as refused:
        lc.submit(broken, household, CITIZEN, NOW)
    assert refused.value.errors
    assert lc.submit(confirmed, household, CITIZEN, NOW).status == Status.SUBMITTED
