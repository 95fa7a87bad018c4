"""The catalogue against the national portal's records it was checked with: each service
that names a record date (``record_updated``) has that record, of that date, and its
methods and time limits are among the record's (a definition may shorten a name or
split a case, but not offer a method or a time the record does not state)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from engine.catalog import Catalog
from engine.clock import VIETNAM
from tests.shared import require_shared

REFERENCE = "reference/national-portal/procedures"
METHODS = {"ONLINE": "truc-tuyen", "DIRECT": "truc-tiep", "POSTAL": "buu-chinh"}
CHECKED = [s for s in Catalog.load() if s.info.record_updated]
# The records list only an online entry for these, but their text says the desk receives
# them too (Luật Cư trú Art 31 for tạm vắng; the CT07 confirmation at the ward police).
DESK_TOO = {"1.003677", "1.010041"}


def _record(code: str) -> dict:
    folder = require_shared("national-portal reference records", REFERENCE) / REFERENCE
    return json.loads((folder / f"{code}.json").read_text(encoding="utf-8"))["data"]


def test_most_of_the_catalogue_was_checked_against_a_record():
    assert len(CHECKED) >= 60


@pytest.mark.parametrize("service", CHECKED, ids=lambda s: s.slug)
def test_the_record_exists_with_that_date_methods_and_times(service):
    record = _record(service.info.code)
    updated = dt.datetime.fromtimestamp(record["updatedAt"] / 1000, VIETNAM).date()
    assert service.info.record_updated == updated
    methods = {METHODS[m["submissionMethod"]] for m in record["executionMethods"] if m["submissionMethod"] in METHODS}
    if service.info.code in DESK_TOO:
        methods.add("truc-tiep")
    assert set(service.info.methods) <= methods, f"methods the record does not state: {set(service.info.methods) - methods}"
    stated = {m["processingTime"] for m in record["executionMethods"]} | {c["processingDay"]["qty"] for c in record["cases"]}
    numbers = {int(t) for t in stated if isinstance(t, (int, float)) and t == int(t)}
    numbers |= {int(t) + 1 for t in stated if isinstance(t, float) and t != int(t)}  # 8,5 days: up to the 9th
    days = {service.info.terms(m, c.id if c else None).processing_days
            for m in service.info.methods for c in service.info.cases or [None]}
    # A time some records give only in words ("10 ngày làm việc đối với công trình (hoặc 7 ngày
    # làm việc đối với nhà ở riêng lẻ)").
    texts = " ".join([*(str(t) for t in stated if isinstance(t, str)),
                      *(m.get("description") or "" for m in record["executionMethods"])])
    hours_only = {m["processingTimeUnit"] for m in record["executionMethods"]} == {"HOUR"}
    for day in days:
        assert day in numbers or re.search(rf"(?<![0-9]){day} ngày", texts) or (day == 0 and hours_only), \
            f"{day} days: the record states {sorted(map(str, stated))}"
