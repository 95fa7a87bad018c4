"""What every DossierRepository (engine.repository) must do, whatever keeps the data.

A backend's test module provides a ``repo`` fixture (an empty repository) and imports
these tests::

    from tests.storage.conformance import *  # noqa: F403
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.dossier import Attachment, LogEntry, Rating, Role, Status, new_id
from engine.facts import facts_of
from engine.repository import ConflictError, DossierNotFound, DuplicateDossier, OwnerPage, Page
from tests.storage.factories import SERVICES, VN, make_dossier

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=VN)


def _at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def _ids(dossiers) -> list[str]:
    return [d.id for d in dossiers]


# -- add, get, update, delete -----------------------------------------------------------


def test_malformed_ids_are_refused_or_not_found(repo):
    assert repo.get("../meta") is None
    with pytest.raises(ValueError):
        repo.add(make_dossier(id="0123456789ABCDEF"))  # upper case would alias the lower-case id
    with pytest.raises(DossierNotFound):
        repo.update(make_dossier(id="nope", version=1))
    with pytest.raises(DossierNotFound):
        repo.delete("nope", 1)
    assert repo.count() == 0


def test_add_then_get_preserves_every_field(repo):
    result = Attachment(
        file_id=new_id(), filename="giấy chứng nhận.pdf", media_type="application/pdf",
        size=123_456, sha256="ab" * 32, uploaded_at=_at(9),
    )
    dossier = make_dossier(
        status=Status.RETURNED,
        data={
            "ho_ten": "Đặng Thị Ngọc Ánh",
            "dia_chi": {"tinh": "79", "xa": "26734", "ghi_chu": None},
            "thanh_vien": [{"ten": "Bùi Gia Huy", "tuoi": 7, "con": True}, {"ten": "Võ An", "tuoi": 41.5}],
            "rong": {},
        },
        accepted_at=_at(1),
        appointment_date=dt.date(2025, 3, 14),
        paused_working_days=3,
        completed_at=_at(8),
        returned_at=_at(9),
        result_note="Đã cấp giấy chứng nhận",
        result_file=result,
        log=[
            LogEntry(
                at=_at(1), actor="clerk-7", actor_name="Phạm Minh Châu", role=Role.CLERK,
                action="accept", note="Đủ hồ sơ", status_from=Status.SUBMITTED, status_to=Status.PROCESSING,
            )
        ],
    )
    stored = repo.add(dossier)
    assert stored.version == 1
    assert stored == dossier.model_copy(update={"version": 1})
    got = repo.get(dossier.id)
    assert got == stored
    assert got.appointment_date == dt.date(2025, 3, 14) and isinstance(got.appointment_date, dt.date)
    assert got.data == dossier.data and got.attachments == dossier.attachments
    assert got.result_file == result and got.log == dossier.log


def test_get_unknown_id_returns_none(repo):
    repo.add(make_dossier())
    assert repo.get(new_id()) is None


def test_add_with_an_existing_id_is_refused(repo):
    first = repo.add(make_dossier())
    with pytest.raises(DuplicateDossier):
        repo.add(make_dossier(id=first.id))
    assert repo.get(first.id) == first
    assert repo.count() == 1


def test_returned_dossiers_are_independent_copies(repo):
    stored = repo.add(make_dossier(data={"dia_chi": {"tinh": "79"}}))
    repo.get(stored.id).data["dia_chi"]["tinh"] = "01"
    assert repo.get(stored.id).data["dia_chi"]["tinh"] == "79"


def test_update_stores_the_new_state_with_the_next_version(repo):
    stored = repo.add(make_dossier(status=Status.SUBMITTED))
    changed = stored.model_copy(update={"status": Status.PROCESSING, "data": {"ghi_chu": "đã xem"}})
    updated = repo.update(changed)
    assert updated.version == 2
    assert updated == changed.model_copy(update={"version": 2})
    assert repo.get(stored.id) == updated
    assert repo.update(updated).version == 3


def test_stale_update_is_a_conflict(repo):
    stored = repo.add(make_dossier(status=Status.SUBMITTED))
    winner = repo.update(stored.model_copy(update={"status": Status.PROCESSING}))
    with pytest.raises(ConflictError):
        repo.update(stored.model_copy(update={"status": Status.REJECTED}))
    with pytest.raises(ConflictError):
        repo.update(winner.model_copy(update={"version": 7}))
    assert repo.get(stored.id) == winner


def test_update_of_an_unknown_dossier_is_not_found(repo):
    with pytest.raises(DossierNotFound):
        repo.update(make_dossier(version=1))


def test_delete_removes_the_dossier_everywhere(repo):
    stored = repo.add(make_dossier(status=Status.PROCESSING))
    other = repo.add(make_dossier(owner=stored.owner))
    repo.delete(stored.id, stored.version)
    assert repo.get(stored.id) is None
    assert repo.find_by_receipt(stored.receipt_number) is None
    assert _ids(repo.list_by_owner(stored.owner)) == [other.id]
    assert stored.id not in _ids(repo.list_by_id_number(stored.applicant_id_number))
    assert stored.id not in _ids(repo.query())
    assert repo.count() == 1


def test_stale_delete_is_a_conflict(repo):
    stored = repo.add(make_dossier())
    updated = repo.update(stored)
    with pytest.raises(ConflictError):
        repo.delete(stored.id, stored.version)
    assert repo.get(stored.id) == updated


def test_delete_of_an_unknown_dossier_is_not_found(repo):
    with pytest.raises(DossierNotFound):
        repo.delete(new_id(), 1)


def test_count(repo):
    assert repo.count() == 0
    stored = [repo.add(make_dossier()) for _ in range(5)]
    assert repo.count() == 5
    repo.delete(stored[0].id, 1)
    assert repo.count() == 4


# -- lookups through keys -------------------------------------------------------------


def test_find_by_receipt_is_exact(repo):
    dossiers = [repo.add(make_dossier(status=Status.PROCESSING)) for _ in range(6)]
    repo.add(make_dossier(status=Status.DRAFT))  # no receipt number
    for dossier in dossiers:
        assert repo.find_by_receipt(dossier.receipt_number) == dossier
    number = dossiers[0].receipt_number
    assert repo.find_by_receipt(number.lower()) is None
    assert repo.find_by_receipt(number[:-1]) is None
    assert repo.find_by_receipt("2501-0000-0000-0000") is None


def test_list_by_owner_is_newest_first_and_filters_by_status(repo):
    statuses = [Status.DRAFT, Status.SUBMITTED, Status.PROCESSING, Status.SUBMITTED]
    added = [
        repo.add(make_dossier(owner="citizen-1", status=status, created_at=_at(day)))
        for day, status in zip([2, 0, 3, 1], statuses)
    ]
    by_day = {d.created_at: d.id for d in added}
    newest_first = [by_day[_at(day)] for day in (3, 2, 1, 0)]
    assert _ids(repo.list_by_owner("citizen-1")) == newest_first
    submitted = [added[3].id, added[1].id]  # days 1 and 0
    assert _ids(repo.list_by_owner("citizen-1", [Status.SUBMITTED])) == submitted
    assert _ids(repo.list_by_owner("citizen-1", statuses=[Status.SUBMITTED, Status.DRAFT])) == [
        added[0].id, *submitted
    ]
    assert repo.list_by_owner("citizen-1", [Status.DONE]) == []
    assert repo.list_by_owner("citizen-1", []) == []


def test_owners_never_see_each_others_dossiers(repo):
    mine = {repo.add(make_dossier(owner="citizen-1")).id for _ in range(4)}
    theirs = {repo.add(make_dossier(owner="citizen-10")).id for _ in range(3)}
    assert set(_ids(repo.list_by_owner("citizen-1"))) == mine
    assert set(_ids(repo.list_by_owner("citizen-10"))) == theirs
    assert repo.list_by_owner("citizen-") == []
    assert repo.list_by_owner("nobody") == []


def test_owner_page_counts_every_state_and_pages_newest_first(repo):
    statuses = [Status.DRAFT, Status.SUBMITTED, Status.DONE, Status.SUBMITTED, Status.DRAFT, Status.SUBMITTED,
                Status.DRAFT]
    for day, status in enumerate(statuses):
        repo.add(make_dossier(owner="citizen-1", status=status, created_at=_at(day % 3 + day / 10)))
    repo.add(make_dossier(owner="citizen-10", status=Status.DONE))  # another citizen's: never counted
    listed = repo.list_by_owner("citizen-1")
    whole = repo.owner_page("citizen-1", limit=100)
    assert isinstance(whole, OwnerPage) and _ids(whole.items) == _ids(listed) and whole.items == tuple(listed)
    assert whole.counts == {s: statuses.count(s) for s in Status} and whole.total == 7
    assert set(whole.counts) == set(Status) and whole.counts[Status.PROCESSING] == 0
    # Consecutive pages neither repeat nor skip; each page's counts are still the owner's all.
    pages = [repo.owner_page("citizen-1", offset=offset, limit=3) for offset in (0, 3, 6, 9)]
    assert [_ids(p.items) for p in pages] == [_ids(listed[i:i + 3]) for i in (0, 3, 6, 9)]
    assert all(p.counts == whole.counts and p.offset == o for p, o in zip(pages, (0, 3, 6, 9)))
    submitted = repo.owner_page("citizen-1", status=Status.SUBMITTED, offset=1, limit=5)
    assert _ids(submitted.items) == _ids(repo.list_by_owner("citizen-1", [Status.SUBMITTED])[1:])
    assert submitted.counts == whole.counts
    assert repo.owner_page("citizen-1", status=Status.PROCESSING, limit=5).items == ()
    assert repo.owner_page("citizen-1", limit=0).items == () and repo.owner_page("citizen-1", limit=0).total == 7
    nobody = repo.owner_page("nobody", limit=10)
    assert nobody.items == () and nobody.total == 0 and repo.owner_page("citizen-", limit=10).total == 0
    for offset, limit in ((-1, 10), (0, -1)):
        with pytest.raises(ValueError):
            repo.owner_page("citizen-1", offset=offset, limit=limit)


def test_owner_page_follows_updates_and_deletes(repo):
    first = repo.add(make_dossier(owner="citizen-1", status=Status.DRAFT, created_at=_at(0)))
    second = repo.add(make_dossier(owner="citizen-1", status=Status.DRAFT, created_at=_at(1)))
    repo.update(first.model_copy(update={"status": Status.SUBMITTED}))
    page = repo.owner_page("citizen-1", limit=10)
    assert page.counts[Status.SUBMITTED] == 1 and page.counts[Status.DRAFT] == 1
    assert [d.status for d in page.items] == [Status.DRAFT, Status.SUBMITTED]
    repo.delete(second.id, second.version)
    page = repo.owner_page("citizen-1", limit=10)
    assert _ids(page.items) == [first.id] and page.total == 1


def test_list_by_id_number_is_newest_first(repo):
    older = repo.add(make_dossier(applicant_id_number="079123456789", created_at=_at(0)))
    newer = repo.add(make_dossier(applicant_id_number="079123456789", created_at=_at(1)))
    repo.add(make_dossier(applicant_id_number="079000000001"))
    repo.add(make_dossier(applicant_id_number=None))
    assert _ids(repo.list_by_id_number("079123456789")) == [newer.id, older.id]
    assert older.owner != newer.owner  # the lookup is by ID number, across accounts
    assert repo.list_by_id_number("079999999999") == []


def test_keys_follow_updates_and_deletes(repo):
    stored = repo.add(make_dossier(owner="citizen-1", applicant_id_number="079111111111",
                                   status=Status.SUBMITTED, receipt_number=None))
    assert repo.find_by_receipt("2503-AAAA-BBBB-CCC1") is None

    stored = repo.update(stored.model_copy(update={"receipt_number": "2503-AAAA-BBBB-CCC1"}))
    assert repo.find_by_receipt("2503-AAAA-BBBB-CCC1") == stored

    stored = repo.update(stored.model_copy(update={
        "receipt_number": "2503-DDDD-EEEE-FFF2", "owner": "citizen-2", "applicant_id_number": "079222222222",
    }))
    assert repo.find_by_receipt("2503-AAAA-BBBB-CCC1") is None
    assert repo.find_by_receipt("2503-DDDD-EEEE-FFF2") == stored
    assert repo.list_by_owner("citizen-1") == []
    assert repo.list_by_owner("citizen-2") == [stored]
    assert repo.list_by_id_number("079111111111") == []
    assert repo.list_by_id_number("079222222222") == [stored]

    repo.delete(stored.id, stored.version)
    assert repo.find_by_receipt("2503-DDDD-EEEE-FFF2") is None
    assert repo.list_by_owner("citizen-2") == []
    assert repo.list_by_id_number("079222222222") == []


# -- the clerk's inbox ----------------------------------------------------------------


def _inbox(repo):
    """Dossiers across two agencies, three services and a week of submissions."""
    spec = [  # agency-service, status, submitted (days after T0, None = never)
        ("q1-hkd", Status.SUBMITTED, 0.0),
        ("q1-hkd", Status.PROCESSING, 1.0),
        ("q1-ks", Status.PROCESSING, 2.0),
        ("q1-ks", Status.DONE, 3.0),
        ("xd-gp", Status.SUBMITTED, 1.5),
        ("xd-gp", Status.SUPPLEMENT, 4.0),
        ("q1-hkd", Status.DRAFT, None),
        ("xd-gp", Status.CONFIRMED, None),
    ]
    services = {
        "q1-hkd": ("UBND-Q1", "dang-ky-thanh-lap-ho-kinh-doanh"),
        "q1-ks": ("UBND-Q1", "dang-ky-khai-sinh"),
        "xd-gp": ("SXD-HCM", "cap-giay-phep-xay-dung-nha-o-rieng-le"),
    }
    dossiers = []
    for i, (kind, status, day) in enumerate(spec):
        agency, service = services[kind]
        submitted = _at(day) if day is not None else None
        dossiers.append(repo.add(make_dossier(
            agency=agency, service=service, status=status, submitted_at=submitted, created_at=_at(i / 10 - 1),
        )))
    return dossiers


def test_query_without_filters_is_oldest_submission_first_never_submitted_last(repo):
    dossiers = _inbox(repo)
    submitted = sorted((d for d in dossiers if d.submitted_at), key=lambda d: d.submitted_at)
    assert _ids(repo.query())[: len(submitted)] == _ids(submitted)
    assert set(_ids(repo.query())[len(submitted):]) == {d.id for d in dossiers if not d.submitted_at}


def _day(d) -> dt.date | None:
    return d.submitted_at.date() if d.submitted_at else None


DAY1, DAY2 = T0.date() + dt.timedelta(days=1), T0.date() + dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("filters", "wanted"),
    [
        ({"agencies": ["UBND-Q1"]}, lambda d: d.agency == "UBND-Q1"),
        ({"agencies": ["UBND-Q1", "SXD-HCM"]}, lambda d: True),
        ({"agencies": []}, lambda d: False),
        ({"statuses": [Status.PROCESSING]}, lambda d: d.status == Status.PROCESSING),
        ({"statuses": [Status.SUBMITTED, Status.SUPPLEMENT]}, lambda d: d.status in ("submitted", "supplement")),
        ({"service": "dang-ky-khai-sinh"}, lambda d: d.service == "dang-ky-khai-sinh"),
        ({"submitted_from": DAY2}, lambda d: _day(d) and _day(d) >= DAY2),
        ({"submitted_to": DAY1}, lambda d: _day(d) and _day(d) <= DAY1),
        ({"submitted_from": DAY1, "submitted_to": DAY2}, lambda d: _day(d) and DAY1 <= _day(d) <= DAY2),
        (
            {"agencies": ["UBND-Q1"], "statuses": [Status.PROCESSING], "submitted_from": DAY2},
            lambda d: d.agency == "UBND-Q1" and d.status == Status.PROCESSING and _day(d) and _day(d) >= DAY2,
        ),
        (
            {"service": "cap-giay-phep-xay-dung-nha-o-rieng-le", "statuses": [Status.SUBMITTED, Status.SUPPLEMENT]},
            lambda d: d.service == "cap-giay-phep-xay-dung-nha-o-rieng-le" and d.status in ("submitted", "supplement"),
        ),
    ],
    ids=["agency", "agencies", "no-agency", "status", "statuses", "service", "from", "to", "range", "combined",
         "service-statuses"],
)
def test_query_filters(repo, filters, wanted):
    dossiers = _inbox(repo)
    expected = [d for d in dossiers if wanted(d)]
    submitted = sorted((d for d in expected if d.submitted_at), key=lambda d: d.submitted_at)
    found = repo.query(**filters)
    assert _ids(found)[: len(submitted)] == _ids(submitted)
    assert set(_ids(found)[len(submitted):]) == {d.id for d in expected if not d.submitted_at}
    assert len(found) == len(expected)


def test_query_date_range_is_inclusive_in_vietnam_time(repo):
    day = dt.date(2025, 6, 10)
    at = {
        "day-before-late": dt.datetime(2025, 6, 9, 23, 59, tzinfo=VN),
        "first-minute": dt.datetime(2025, 6, 10, 0, 1, tzinfo=VN),  # still 9 June in UTC
        "last-minute": dt.datetime(2025, 6, 10, 23, 59, tzinfo=VN),
        "day-after-early": dt.datetime(2025, 6, 11, 0, 1, tzinfo=VN),
    }
    ids = {name: repo.add(make_dossier(status=Status.SUBMITTED, submitted_at=when)).id for name, when in at.items()}
    assert _ids(repo.query(submitted_from=day, submitted_to=day)) == [ids["first-minute"], ids["last-minute"]]
    assert _ids(repo.query(submitted_to=day))[-1] == ids["last-minute"]
    assert _ids(repo.query(submitted_from=day))[0] == ids["first-minute"]



# -- pages of a query -------------------------------------------------------------------

UTC = dt.timezone.utc


def _submitted_key(d):
    """query_page's "submitted" order, from the dossiers themselves."""
    return (0, d.submitted_at, d.id) if d.submitted_at else (1, d.created_at, d.id)


def _appointment_key(d):
    """query_page's "appointment" order: the clerk's inbox."""
    return (d.appointment_date is None, d.appointment_date or dt.date.min, _submitted_key(d))


ORDER_KEYS = {"submitted": _submitted_key, "appointment": _appointment_key}


def _all_pages(repo, size, **query):
    """Every page of ``size`` in turn, checking each page's total and offset; their dossiers."""
    pages, offset = [], 0
    while True:
        page = repo.query_page(offset=offset, limit=size, **query)
        assert isinstance(page, Page) and page.offset == offset
        pages.append(page)
        if not page.items:
            break
        assert len(page.items) <= size
        offset += len(page.items)
    assert {page.total for page in pages} == {offset}
    assert all(len(page.items) == size for page in pages[:-2])  # only the last one with items is short
    return [d for page in pages for d in page.items]


def _ties(repo):
    """Dossiers sharing submission moments (some written in other offsets), appointment
    dates and creation moments, so that only the id tells them apart."""
    noon = dt.datetime(2025, 6, 10, 12, 0, tzinfo=VN)
    moments = [
        noon,
        noon.astimezone(UTC),  # the same moment, stored as "...T05:00:00Z"
        noon - dt.timedelta(microseconds=500_000),  # "...T11:59:59.500000+07:00": earlier
        (noon - dt.timedelta(minutes=30)).astimezone(UTC),  # "...T04:30:00Z": earlier still
        noon + dt.timedelta(hours=1),
    ]
    appointments = [dt.date(2025, 6, 20), dt.date(2025, 6, 17), None]
    dossiers = []
    for i in range(30):
        submitted = moments[i % len(moments)] if i % 7 else None
        status = Status.PROCESSING if submitted else Status.CONFIRMED
        dossiers.append(repo.add(make_dossier(
            status=status, submitted_at=submitted, appointment_date=appointments[i % 3] if submitted else None,
            created_at=noon - dt.timedelta(days=1 + i % 2), agency="UBND-Q1", service="dang-ky-khai-sinh",
        )))
    return dossiers


def test_query_page_is_the_query_in_pages(repo):
    dossiers = _inbox(repo)
    for size in (1, 2, 3, len(dossiers), len(dossiers) + 1):
        assert _all_pages(repo, size) == repo.query()
        assert _all_pages(repo, size, order="submitted", statuses=list(OPEN_STATUSES)) == repo.query(
            statuses=list(OPEN_STATUSES)
        )
    assert _ids(repo.query()) == _ids(sorted(dossiers, key=_submitted_key))


OPEN_STATUSES = (Status.SUBMITTED, Status.PROCESSING, Status.SUPPLEMENT)


@pytest.mark.parametrize("order", ["submitted", "appointment"])
def test_query_page_orders_ties_by_id_and_pages_neither_repeat_nor_skip(repo, order):
    dossiers = _ties(repo)
    expected = sorted(dossiers, key=ORDER_KEYS[order])
    for size in (1, 4, 7, 30, 100):
        assert _ids(_all_pages(repo, size, order=order)) == _ids(expected)
    if order == "submitted":
        assert _ids(repo.query()) == _ids(expected)


def test_query_page_by_appointment_is_the_clerk_s_inbox(repo):
    day = dt.datetime(2025, 6, 2, 9, 0, tzinfo=VN)
    spec = {  # name: (appointment date, submitted days after ``day``, None = never)
        "due-soon": (dt.date(2025, 6, 9), 3),
        "due-soon-earlier-submission": (dt.date(2025, 6, 9), 1),
        "due-later": (dt.date(2025, 6, 16), 0),
        "due-first": (dt.date(2025, 6, 5), 2),
        "waiting-old": (None, 0.5),
        "waiting-new": (None, 4),
        "never": (None, None),
    }
    ids = {}
    for name, (appointment, submitted) in spec.items():
        ids[name] = repo.add(make_dossier(
            status=Status.CONFIRMED if submitted is None else Status.PROCESSING if appointment else Status.SUBMITTED,
            appointment_date=appointment, created_at=day - dt.timedelta(days=1),
            submitted_at=None if submitted is None else day + dt.timedelta(days=submitted),
        )).id
    inbox = ["due-first", "due-soon-earlier-submission", "due-soon", "due-later", "waiting-old", "waiting-new"]
    page = repo.query_page(order="appointment", statuses=list(OPEN_STATUSES), limit=20)
    assert page.total == 6 and _ids(page.items) == [ids[name] for name in inbox]
    page = repo.query_page(order="appointment", offset=2, limit=3)
    assert page.total == 7 and _ids(page.items) == [ids[name] for name in inbox[2:5]]
    assert _ids(repo.query_page(order="appointment", offset=5, limit=3).items) == [ids["waiting-new"], ids["never"]]


@pytest.mark.parametrize("order", ["submitted", "appointment"])
def test_query_page_edges(repo, order):
    dossiers = _inbox(repo)
    expected = _ids(sorted(dossiers, key=ORDER_KEYS[order]))
    n = len(dossiers)

    def page(offset, limit, **filters):
        found = repo.query_page(order=order, offset=offset, limit=limit, **filters)
        return found.total, _ids(found.items)

    assert page(0, 3) == (n, expected[:3])
    assert page(n - 2, 5) == (n, expected[-2:])  # a short last page
    assert page(n - 1, 1) == (n, expected[-1:])
    assert page(n, 5) == (n, [])  # just past the end
    assert page(n + 100, 5) == (n, [])  # far past it
    assert page(0, 0) == (n, [])  # only the total
    assert page(3, 0) == (n, [])
    assert page(0, 10**9) == (n, expected)
    assert page(0, 5, agencies=[]) == (0, [])
    assert page(0, 5, statuses=[]) == (0, [])
    assert page(2, 5, service="no-such-service") == (0, [])
    items = repo.query_page(order=order, offset=1, limit=2).items
    assert isinstance(items, tuple) and all(d == repo.get(d.id) for d in items)


def test_query_page_refuses_negative_bounds_and_unknown_orders(repo):
    _inbox(repo)
    with pytest.raises(ValueError):
        repo.query_page(offset=-1, limit=5)
    with pytest.raises(ValueError):
        repo.query_page(offset=0, limit=-1)
    with pytest.raises(ValueError):
        repo.query_page(order="receipt", limit=5)


@pytest.mark.parametrize(
    "filters",
    [
        {"agencies": ["UBND-Q1"]},
        {"agencies": ["UBND-Q1"], "statuses": [Status.SUBMITTED, Status.PROCESSING]},
        {"service": "cap-giay-phep-xay-dung-nha-o-rieng-le"},
        {"submitted_from": DAY1, "submitted_to": DAY2},
        {"submitted_to": DAY1, "statuses": [Status.SUBMITTED, Status.PROCESSING, Status.DONE]},
    ],
    ids=["agency", "agency-statuses", "service", "range", "to-statuses"],
)
@pytest.mark.parametrize("order", ["submitted", "appointment"])
def test_query_page_filters_as_query_does(repo, filters, order):
    _inbox(repo)
    expected = sorted(repo.query(**filters), key=ORDER_KEYS[order])
    assert expected  # each case selects something
    assert _ids(_all_pages(repo, 2, order=order, **filters)) == _ids(expected)


def test_query_page_dates_are_vietnam_days_of_the_stored_offset(repo):
    day = dt.date(2025, 6, 10)
    at = {  # as query compares them: the day in the offset the time was stored with
        "day-before-late": dt.datetime(2025, 6, 9, 23, 59, tzinfo=VN),
        "first-minute": dt.datetime(2025, 6, 10, 0, 1, tzinfo=VN),
        "last-minute": dt.datetime(2025, 6, 10, 23, 59, tzinfo=VN),
        "day-after-early": dt.datetime(2025, 6, 11, 0, 1, tzinfo=VN),
    }
    ids = {name: repo.add(make_dossier(status=Status.SUBMITTED, submitted_at=when)).id for name, when in at.items()}
    page = repo.query_page(submitted_from=day, submitted_to=day, limit=10)
    assert page.total == 2 and _ids(page.items) == [ids["first-minute"], ids["last-minute"]]
    assert _ids(repo.query_page(submitted_to=day, order="appointment", offset=2, limit=10).items) == [
        ids["last-minute"]
    ]


def _population(repo, count: int = 60) -> list:
    """Dossiers whose filtered and sorted fields take few values, so that filters match
    some of them and every sort key ties often."""
    rng = random.Random(20250603)
    noon = dt.datetime(2025, 6, 10, 12, 0, tzinfo=VN)
    moments = [noon + dt.timedelta(hours=h) for h in (-30, -2, 0, 0.5, 26)] + [noon.astimezone(UTC)]
    added = []
    for _ in range(count):
        status = rng.choice(list(Status))
        never = status in (Status.DRAFT, Status.CONFIRMED) and rng.random() < 0.8
        added.append(repo.add(make_dossier(
            rng, status=status, service=rng.choice(list(SERVICES)),
            created_at=rng.choice(moments) - dt.timedelta(days=2),
            submitted_at=None if never else rng.choice(moments),
            appointment_date=rng.choice([None, dt.date(2025, 6, 17), dt.date(2025, 6, 20)]),
        )))
    return added


def test_query_page_agrees_with_a_model(repo):
    dossiers = _population(repo)
    agencies = sorted({d.agency for d in dossiers})
    days = [dt.date(2025, 6, 9), dt.date(2025, 6, 10), dt.date(2025, 6, 11)]
    filters = st.fixed_dictionaries({}, optional={
        "agencies": st.lists(st.sampled_from([*agencies, "KHAC"]), max_size=3),
        "statuses": st.lists(st.sampled_from(list(Status)), max_size=4),
        "service": st.sampled_from(list(SERVICES)),
        "submitted_from": st.sampled_from(days),
        "submitted_to": st.sampled_from(days),
    })

    def matches(d, f):
        day = d.submitted_at.date() if d.submitted_at else None
        return (
            ("agencies" not in f or d.agency in f["agencies"])
            and ("statuses" not in f or d.status in f["statuses"])
            and ("service" not in f or d.service == f["service"])
            and ("submitted_from" not in f or (day is not None and day >= f["submitted_from"]))
            and ("submitted_to" not in f or (day is not None and day <= f["submitted_to"]))
        )

    @settings(max_examples=150, deadline=None, database=None)
    @given(filters, st.sampled_from(["submitted", "appointment"]), st.integers(0, 70), st.integers(0, 25))
    def check(f, order, offset, limit):
        expected = sorted((d for d in dossiers if matches(d, f)), key=ORDER_KEYS[order])
        page = repo.query_page(order=order, offset=offset, limit=limit, **f)
        assert page.total == len(expected)
        assert list(page.items) == expected[offset : offset + limit]

    check()


# -- what the statistics read ---------------------------------------------------------------


def _counted(repo) -> list:
    """Dossiers with every fact the statistics read: results on time and late, a refusal,
    a rating, the desk's method, and moments stored in UTC (whose day in Vietnam would differ)."""
    rng = random.Random(7)
    utc = dt.timezone.utc
    made = [make_dossier(rng) for _ in range(30)]
    made += [
        make_dossier(rng, status=Status.DONE, method="truc-tiep", submitted_at=_at(1), accepted_at=_at(2),
                     appointment_date=dt.date(2025, 3, 10), completed_at=dt.datetime(2025, 3, 9, 18, 30, tzinfo=utc),
                     rating=Rating(score=4, at=dt.datetime(2025, 3, 31, 20, 0, tzinfo=utc))),
        make_dossier(rng, status=Status.RETURNED, submitted_at=_at(1), accepted_at=_at(2),
                     appointment_date=dt.date(2025, 3, 5), completed_at=_at(8)),
        make_dossier(rng, status=Status.REJECTED, submitted_at=_at(1), completed_at=_at(1.5)),
        make_dossier(rng, status=Status.PROCESSING, submitted_at=_at(1), accepted_at=_at(1.2),
                     appointment_date=dt.date(2025, 3, 4)),
    ]
    return [repo.add(d) for d in made]


@pytest.mark.parametrize("filters", [
    {}, {"agencies": ["UBND-Q1"]}, {"statuses": [Status.DONE, Status.RETURNED, Status.REJECTED]},
    {"agencies": ["UBND-Q1", "KHAC"], "statuses": [Status.PROCESSING]}, {"agencies": []},
], ids=["all", "agency", "statuses", "combined", "none"])
def test_facts_are_what_the_stored_dossiers_say(repo, filters):
    _counted(repo)
    expected = Counter(facts_of(d) for d in repo.query(**filters))
    assert Counter(repo.facts(**filters)) == expected
    if not filters:
        assert expected.total() == 34 and any(f.rating_score == 4 for f in expected)
        # the day of a moment stored in UTC is its day there, as moment.date() gives
        assert dt.date(2025, 3, 9) in {f.completed for f in expected}


def test_facts_follow_updates_and_deletes(repo):
    first, second = _counted(repo)[-2:]
    repo.update(first.model_copy(update={"status": Status.DONE, "rating": Rating(score=2, at=_at(9))}))
    repo.delete(second.id, second.version)
    facts = repo.facts(statuses=[Status.DONE, Status.PROCESSING])
    assert facts_of(repo.get(first.id)) in facts
    assert Counter(facts) == Counter(facts_of(d) for d in repo.query(statuses=[Status.DONE, Status.PROCESSING]))
    assert len(repo.facts()) == 33


__all__ = [name for name in list(globals()) if name.startswith("test_")]
