"""Times and fees that differ by submission method and by case (service.json's
``by_method``, ``cases`` and ``case_field``): what the service page lists, and the result
date a dossier's own case and method give."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import shutil

import pytest

from engine import lifecycle as lc
from engine.catalog import DEFAULT_ROOT, Catalog
from engine.definition import ServiceInfo
from engine.dossier import Actor, Role
from engine.lint import lint
from engine.receipts import new_receipt_number
from engine.workdays import add_days

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
CITIZEN = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
CLERK = Actor(id="c-lan", name="Trần Thị Lan", role=Role.CLERK, agencies=frozenset({"ubnd-phuong-vi-thanh"}))
# Wednesday 25 November 2026, 09:00 in Vietnam.
MORNING = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))

CASES = [
    {"id": "ban-dien-tu", "name": "Sổ hộ tịch đã số hóa", "processing_days": 1},
    {"id": "so-giay", "name": "Phải tra cứu sổ giấy", "processing_days": 15,
     "by_method": {"truc-tuyen": {"fees": [{"name": "Lệ phí", "amount": 5000}]}}},
]


def test_the_temporary_residence_fee_is_lower_online(catalog):
    info = catalog["dang-ky-tam-tru"].info
    assert [f.amount for f in info.terms("truc-tuyen").fees] == [7000]
    assert [f.amount for f in info.terms("truc-tiep").fees] == [15000]
    assert info.terms("truc-tuyen").processing_days == info.terms("truc-tiep").processing_days == 3


def test_layers_apply_in_order_service_method_case_case_method():
    info = ServiceInfo.model_validate({
        **json.loads((DEFAULT_ROOT / HOUSEHOLD / "service.json").read_text(encoding="utf-8")),
        "methods": ["truc-tiep", "truc-tuyen"], "processing_days": 3, "processing_note": "",
        "fees": [{"name": "Lệ phí", "amount": 10000}],
        "by_method": {"truc-tuyen": {"processing_days": 2}},
        "cases": CASES})
    assert info.terms("truc-tiep").processing_days == 3
    assert info.terms("truc-tuyen").processing_days == 2
    assert info.terms("truc-tuyen", "ban-dien-tu").processing_days == 1  # the case wins over the method
    online_paper = info.terms("truc-tuyen", "so-giay")
    assert (online_paper.processing_days, [f.amount for f in online_paper.fees]) == (15, [5000])
    assert [f.amount for f in info.terms("truc-tiep", "so-giay").fees] == [10000]
    # The service page: one row per case and group of methods with the same terms.
    rows = [(r.case, r.methods, r.terms.processing_days, [f.amount for f in r.terms.fees]) for r in info.term_rows()]
    assert rows == [
        ("Sổ hộ tịch đã số hóa", ("truc-tiep", "truc-tuyen"), 1, [10000]),
        ("Phải tra cứu sổ giấy", ("truc-tiep",), 15, [10000]),
        ("Phải tra cứu sổ giấy", ("truc-tuyen",), 15, [5000]),
    ]


@pytest.mark.parametrize("change,words", [
    (lambda s: s.update(by_method={"buu-chinh": {"processing_days": 1}}, methods=["truc-tuyen"]),
     "cách thức buu-chinh không có trong 'methods'"),
    (lambda s: s.update(cases=[CASES[0], CASES[0]]), "mã trường hợp bị trùng"),
    (lambda s: s.update(case_field="/caseKind"), "cần khai báo 'cases'"),
])
def test_terms_that_cannot_apply_are_refused(change, words):
    raw = json.loads((DEFAULT_ROOT / HOUSEHOLD / "service.json").read_text(encoding="utf-8"))
    change(raw)
    with pytest.raises(ValueError, match=words):
        ServiceInfo.model_validate(raw)


# -- a service whose form names the case ---------------------------------------------------

def _tree_with_cases(tmp_path, enum, case_field="/caseKind"):
    root = tmp_path / "schemas"
    root.mkdir()
    shutil.copytree(DEFAULT_ROOT / "_defs", root / "_defs")
    shutil.copytree(DEFAULT_ROOT / HOUSEHOLD, root / HOUSEHOLD)
    folder = root / HOUSEHOLD
    form = json.loads((folder / "form.schema.json").read_text(encoding="utf-8"))
    form["properties"]["caseKind"] = {"title": "Trường hợp", "type": "string", "enum": enum}
    (folder / "form.schema.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    sample = json.loads((folder / "sample.json").read_text(encoding="utf-8"))
    sample["caseKind"] = enum[-1]
    (folder / "sample.json").write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    service = json.loads((folder / "service.json").read_text(encoding="utf-8"))
    service.update(cases=CASES, case_field=case_field)
    (folder / "service.json").write_text(json.dumps(service, ensure_ascii=False), encoding="utf-8")
    return root


def test_a_dossier_gets_the_result_date_of_its_own_case(tmp_path):
    service = Catalog.load(_tree_with_cases(tmp_path, ["ban-dien-tu", "so-giay"]))[HOUSEHOLD]

    def accepted(case):
        data = copy.deepcopy(service.sample) | {"caseKind": case}
        draft = lc.create(service, CITIZEN, data, ["giay-de-nghi"], MORNING, "093186004527")
        sent = lc.submit(lc.confirm(draft, CITIZEN, MORNING), service, CITIZEN, MORNING)
        return lc.accept(sent, service, CLERK, MORNING, new_receipt_number)

    # Wednesday 25/11 + 1 working day; + 15 working days (weekends skipped) is 16/12.
    assert accepted("ban-dien-tu").appointment_date == dt.date(2026, 11, 26)
    assert accepted("so-giay").appointment_date == dt.date(2026, 12, 16)


@pytest.mark.parametrize("enum,words", [
    (["ban-dien-tu"], "thiếu: so-giay"),
    (["ban-dien-tu", "so-giay", "khac"], "thừa: khac"),
])
def test_lint_refuses_a_case_field_whose_values_are_not_the_cases(tmp_path, enum, words):
    report = lint([_tree_with_cases(tmp_path, enum)])
    assert any("/case_field" in str(p) and words in str(p) for p in report.problems), report.problems


def test_lint_refuses_a_case_field_the_form_does_not_have(tmp_path):
    report = lint([_tree_with_cases(tmp_path, ["ban-dien-tu", "so-giay"], case_field="/noSuchField")])
    assert any("/noSuchField không có trong biểu mẫu" in str(p) for p in report.problems), report.problems


def test_calendar_days_end_on_the_next_working_day():
    # 15 days from Wednesday 25/11/2026 is Thursday 10/12; 10 days is Saturday 5/12 → Monday 7/12.
    assert add_days(dt.date(2026, 11, 25), 15, "lich") == dt.date(2026, 12, 10)
    assert add_days(dt.date(2026, 11, 25), 10, "lich") == dt.date(2026, 12, 7)
    assert add_days(dt.date(2026, 11, 25), 10) == dt.date(2026, 12, 9)  # working days


def test_the_receipt_slip_states_the_dossiers_own_time(tmp_path):
    from renderers.pdf import render_receipt_html

    service = Catalog.load(_tree_with_cases(tmp_path, ["ban-dien-tu", "so-giay"]))[HOUSEHOLD]
    data = copy.deepcopy(service.sample) | {"caseKind": "so-giay"}
    draft = lc.create(service, CITIZEN, data, ["giay-de-nghi"], MORNING, "093186004527")
    sent = lc.submit(lc.confirm(draft, CITIZEN, MORNING), service, CITIZEN, MORNING)
    dossier = lc.accept(sent, service, CLERK, MORNING, new_receipt_number)
    html = render_receipt_html(service, dossier, "Trần Thị Lan", None)
    assert "15 ngày làm việc" in html and "16/12/2026" in html
    other = dataclasses.replace(service, info=service.info.model_copy(update={"cases": [], "case_field": None}))
    assert f"{service.info.processing_days:02d} ngày làm việc" in render_receipt_html(other, dossier, "Trần Thị Lan", None)
