"""What a new version changes, and the dossiers it would break."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

from engine.catalog import Catalog
from engine.dossier import Dossier, Status
from engine.versions import affected, changes


def new_version(service, change):
    schema = copy.deepcopy(service.form_schema)
    change(schema)
    return dataclasses.replace(service, form_schema=schema, version=service.version + 1)


def kinds(found):
    return sorted((c.kind, c.path) for c in found)


def test_no_change_no_report(household):
    assert changes(household, new_version(household, lambda s: None)) == []


def test_a_removed_field(household):
    v2 = new_version(household, lambda s: s["properties"]["business"]["properties"].pop("email"))
    found = changes(household, v2)
    assert kinds(found) == [("removed", "business/email")]
    assert found[0].message == "Bỏ trường “Thư điện tử” (business/email)"


def test_a_renamed_field(household):
    def rename(s):
        props = s["properties"]["business"]["properties"]
        props["mobile"] = props.pop("phone")
        s["properties"]["business"]["required"] = ["name", "address", "mobile"]

    assert kinds(changes(household, new_version(household, rename))) == [("renamed", "business/phone")]


def test_a_field_made_required_and_a_narrowed_list(household):
    def tighten(s):
        s["properties"]["business"]["required"].append("email")
        s["properties"]["founderType"]["oneOf"].pop()

    assert kinds(changes(household, new_version(household, tighten))) == [
        ("narrowed", "founderType"), ("required", "business/email")]


def test_fields_in_conditional_branches_and_rows_count(household):
    v2 = new_version(household, lambda s: s["properties"]["businessLines"]["items"]["properties"].pop("main"))
    assert kinds(changes(household, v2)) == [("removed", "businessLines/*/main")]


def test_affected_in_flight_dossiers(household):
    v2 = new_version(household, lambda s: s["properties"]["business"]["required"].append("website"))
    now = dt.datetime(2026, 11, 25, 9)

    def dossier(status, data):
        return Dossier(id="0" * 15 + str(len(status)), service=household.slug, agency="x", owner="u", applicant_name="A",
                       status=status, data=data, created_at=now, updated_at=now)

    without_site = household.sample
    with_site = {**household.sample, "business": {**household.sample["business"], "website": "quancom.vn"}}
    found = affected(v2, [dossier(Status.DRAFT, without_site), dossier(Status.SUBMITTED, with_site),
                          dossier(Status.RETURNED, without_site)])
    assert [d.status for d in found] == [Status.DRAFT]


def test_the_catalogue_keeps_every_version_and_serves_the_newest(household):
    catalog = Catalog.load()
    v2 = new_version(household, lambda s: s.update(title="Giấy đề nghị (mẫu mới)"))
    updated = catalog.with_version(v2)
    assert updated.get(household.slug).version == 2 and updated.get(household.slug).title == "Giấy đề nghị (mẫu mới)"
    assert updated.version(household.slug, 1).title == household.title
    assert [s.version for s in updated.versions(household.slug)] == [1, 2]
    withdrawn = updated.with_withdrawn(household.slug)
    assert household.slug not in [s.slug for s in withdrawn] and not withdrawn.offered(household.slug)
    assert withdrawn.version(household.slug, 1) is not None
