"""The satisfaction rating (lifecycle.rate) and the figures per service and month."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from engine import lifecycle as lc
from engine.dossier import Dossier, Rating, Status
from engine.receipts import new_receipt_number
from engine.facts import facts_from_json, facts_of
from engine.stats import MonthFigures, monthly_figures, months_until
from tests.engine.test_lifecycle import CITIZEN, CLERK, NOW, OTHER_CITIZEN

VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def accepted(household):
    draft = lc.create(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW, "093186004527")
    submitted = lc.submit(lc.confirm(draft, CITIZEN, NOW), household, CITIZEN, NOW)
    return lc.accept(submitted, household, CLERK, NOW, new_receipt_number)


@pytest.fixture
def done(accepted):
    return lc.record_result(accepted, CLERK, "Đã cấp", NOW + dt.timedelta(days=2))


def test_the_owner_rates_once_after_the_result(done):
    later = NOW + dt.timedelta(days=3)
    rated = lc.rate(done, CITIZEN, 5, "  Nhanh gọn  ", later)
    assert rated.rating == Rating(score=5, comment="Nhanh gọn", at=later)
    assert rated.status == Status.DONE
    assert (rated.log[-1].action, rated.log[-1].note) == ("rate", "5/5 — Rất hài lòng")
    with pytest.raises(lc.InvalidTransition, match="đã được đánh giá"):
        lc.rate(rated, CITIZEN, 1, "", later)


def test_a_returned_result_can_be_rated_too(done):
    returned = lc.hand_over(done, CLERK, NOW + dt.timedelta(days=3))
    assert lc.rate(returned, CITIZEN, 3, "", NOW + dt.timedelta(days=4)).rating.score == 3


def test_no_rating_before_the_result_nor_by_anyone_else(accepted, done):
    with pytest.raises(lc.InvalidTransition, match="đã có kết quả"):
        lc.rate(accepted, CITIZEN, 4, "", NOW)
    with pytest.raises(lc.NotFound):
        lc.rate(done, OTHER_CITIZEN, 4, "", NOW)
    with pytest.raises(lc.Forbidden):
        lc.rate(done, CLERK, 4, "", NOW)


@pytest.mark.parametrize("score, comment, message", [(None, "", "Cần chọn"), (0, "", "Cần chọn"),
                                                     (6, "", "Cần chọn"), (4, "x" * 1001, "không quá 1000")])
def test_a_rating_needs_a_point_of_the_scale_and_a_bounded_comment(done, score, comment, message):
    with pytest.raises(lc.InvalidTransition, match=message):
        lc.rate(done, CITIZEN, score, comment, NOW)


# -- figures per month ---------------------------------------------------------------------------

def _at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=VN)


def dossier(status: Status, submitted: str, appointment: str | None = None, completed: str | None = None,
            rating: tuple[int, str] | None = None, service: str = "a", method: str = "truc-tuyen") -> Dossier:
    return Dossier(id=f"{status}-{submitted}-{completed}", service=service, agency="x", owner="u", applicant_name="A",
                   status=status, method=method, created_at=_at(submitted), updated_at=_at(submitted),
                   submitted_at=_at(submitted), accepted_at=_at(submitted) if appointment else None,
                   appointment_date=dt.date.fromisoformat(appointment) if appointment else None,
                   completed_at=_at(completed) if completed else None,
                   rating=Rating(score=rating[0], at=_at(rating[1])) if rating else None)


def test_each_figure_counts_in_the_month_of_its_event_across_a_month_boundary():
    rows = monthly_figures(map(facts_of, [
        # received in October, result on time in November (before its appointment): an on-time November
        dossier(Status.DONE, "2026-10-30", "2026-11-05", "2026-11-04", rating=(4, "2026-12-01")),
        # received in October, result after its appointment in November: late in November
        dossier(Status.RETURNED, "2026-10-31", "2026-11-02", "2026-11-03", rating=(2, "2026-11-20")),
        # result on its appointment day, the last of October: on time in October
        dossier(Status.DONE, "2026-10-20", "2026-10-31", "2026-10-31"),
        # still processing, its appointment the last of November: late from 1 December
        dossier(Status.PROCESSING, "2026-11-25", "2026-11-30"),
        # refused in November, received in October; another service; sent by post
        dossier(Status.REJECTED, "2026-10-29", completed="2026-11-02", service="b", method="buu-chinh"),
        # not yet late on the day of the figures
        dossier(Status.PROCESSING, "2026-11-25", "2026-12-10"),
    ]), today=dt.date(2026, 12, 3))
    by_key = {(r.service, r.month): r for r in rows}
    assert sorted(by_key) == [("a", "2026-10"), ("a", "2026-11"), ("a", "2026-12"), ("b", "2026-10"), ("b", "2026-11")]
    october, november, december = by_key["a", "2026-10"], by_key["a", "2026-11"], by_key["a", "2026-12"]
    assert (october.received, october.on_time, october.late, october.rejected) == (3, 1, 0, 0)
    assert (november.received, november.on_time, november.late, november.rejected) == (2, 1, 1, 0)
    assert (december.received, december.late) == (0, 1)
    assert (by_key["b", "2026-10"].received, by_key["b", "2026-10"].rejected) == (1, 0)
    assert (by_key["b", "2026-11"].received, by_key["b", "2026-11"].rejected) == (0, 1)
    # The ratings in the month each was given.
    assert (november.ratings, november.satisfaction, december.ratings, december.satisfaction) == (1, 2.0, 1, 4.0)
    assert october.satisfaction is None
    # Online: every dossier of service a; b's one came by post.
    assert october.online_share == 100.0 and by_key["b", "2026-10"].online_share == 0.0
    assert by_key["b", "2026-11"].online_share is None


def test_dossiers_never_sent_are_not_counted():
    assert monthly_figures([facts_of(dossier(Status.DONE, "2026-10-01", "2026-10-05", "2026-10-02").model_copy(
        update={"submitted_at": None}))], today=dt.date(2026, 12, 1)) == []


def test_the_facts_read_from_a_stored_dossier_are_those_of_the_parsed_one():
    utc = dt.timezone.utc
    for d in [dossier(Status.DONE, "2026-10-30", "2026-11-05", "2026-11-04", rating=(4, "2026-12-01")),
              dossier(Status.REJECTED, "2026-10-29", completed="2026-11-02", service="b", method="buu-chinh"),
              # 23:30 in UTC on 31 October is 1 November in Vietnam: each moment's day is the day where it was stored
              dossier(Status.DONE, "2026-10-20", "2026-10-31").model_copy(
                  update={"completed_at": dt.datetime(2026, 10, 31, 23, 30, tzinfo=utc)})]:
        stored = json.loads(d.model_dump_json())
        assert facts_from_json(stored) == facts_of(d)
    assert facts_of(d).completed == dt.date(2026, 10, 31)


def test_the_satisfaction_of_several_months_is_the_average_of_every_rating():
    total = MonthFigures("a", "2026-10", ratings=3, score_total=14) + MonthFigures("a", "2026-11", ratings=1,
                                                                                   score_total=1)
    assert (total.ratings, total.satisfaction, total.month) == (4, 3.75, "2026-10")


def test_the_months_of_a_chart_cross_the_year():
    assert months_until(dt.date(2026, 2, 14), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
