"""``schemas import``: a national-portal procedure record becomes a service folder the
catalogue accepts, with texts composed from the record's facts (never its descriptions)."""

from __future__ import annotations

import datetime as dt

import json
from pathlib import Path

import pytest

from engine.catalog import compile_schema
from engine.definition import ServiceInfo
from engine.lint import lint
from engine.national_record import convert, slug_for
from tests.shared import ROOT, require_shared, shared_dir

REFERENCE = "reference/national-portal/procedures"
DOCUMENTS_SCHEMA = json.loads((ROOT / "schemas/_meta/documents.schema.json").read_text(encoding="utf-8"))


def _codes() -> list[str]:
    found = shared_dir(REFERENCE)
    codes = sorted(p.stem for p in (found / REFERENCE).glob("*.json")) if found else []
    return codes or ["(no reference records)"]  # one case that skips (fails in CI) below


def record(code: str) -> dict:
    folder = require_shared("national-portal reference records", REFERENCE) / REFERENCE
    if not (folder / f"{code}.json").is_file():
        pytest.fail(f"no reference record {code} in {folder}")
    return json.loads((folder / f"{code}.json").read_text(encoding="utf-8"))


def check_files(files: dict) -> ServiceInfo:
    info = ServiceInfo.model_validate(files["service.json"])
    assert compile_schema(DOCUMENTS_SCHEMA).validate(files["documents.json"]) == []
    ids = [d["id"] for d in files["documents.json"]["documents"]]
    assert len(ids) == len(set(ids))
    return info


def write(draft, out: Path) -> Path:
    folder = out / draft.slug
    folder.mkdir(parents=True)
    for name, contents in draft.files.items():
        (folder / name).write_text(json.dumps(contents, ensure_ascii=False), encoding="utf-8")
    return folder


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def without(text: str, facts: list[str]) -> str:
    text = " ".join(text.split())
    for fact in facts:
        text = text.replace(fact, "|")
    return text


def long_texts(data: dict) -> list[str]:
    """The record's descriptions, which must never be pasted."""
    texts = [data.get("description") or ""] + [s.get("description") or "" for s in data.get("executionSteps") or []]
    texts += [m.get("description") or "" for m in data.get("executionMethods") or []]
    return [" ".join(t.split()) for t in texts if t.strip()]


@pytest.mark.parametrize("code", _codes())
def test_every_reference_record_converts_to_files_the_model_and_meta_schema_accept(code):
    raw = record(code)
    data = raw["data"]
    files = convert(raw).files
    info = check_files(files)
    assert set(files) == {"service.json", "documents.json"}
    assert info.level == 1 and info.code == data["code"]
    assert not info.name.lower().startswith("thủ tục ")
    assert len(slug_for(data)) <= 64
    # Beside the short facts it names (the procedure, its result), no 60 characters in a row
    # of the summary or a step come from the record's descriptions.
    facts = sorted({f"Thủ tục {lower_first(info.name)}", info.name, lower_first(info.name), info.result,
                    lower_first(info.result)}, key=len, reverse=True)
    pasted = [without(t, facts) for t in long_texts(data)]
    for text in [info.summary] + [s.description for s in info.steps]:
        assert not any(" ".join(text.split()) in t for t in long_texts(data)), text
        ours = without(text, facts)
        assert not any(ours[i:i + 60] in t for t in pasted for i in range(0, len(ours) - 59, 10)), text
    for doc in files["documents.json"]["documents"]:
        assert not doc["name"].startswith(("-", "+", "*", "•")), doc["name"]
        assert "lưu ý" not in doc["name"].lower()[:12]


@pytest.mark.parametrize("code", ["1.004194", "1.009122", "1.000656", "2.000635", "1.003677", "1.115621"])
def test_drafts_with_a_form_pass_the_full_lint(code, tmp_path):
    draft = convert(record(code), form="draft")
    folder = write(draft, tmp_path)
    report = lint([folder])
    assert report.ok, [str(p) for p in report.problems]
    info = report.services[0].info
    assert info.level == (3 if "truc-tuyen" in info.methods else 2)
    uploads = [d for d in draft.files["documents.json"]["documents"] if "upload" in d]
    assert uploads and all(d["upload"]["required"] == d["mandatory"] for d in uploads)


def test_temporary_residence_costs_less_online_than_at_the_desk():
    info = check_files(convert(record("1.004194")).files)
    direct = {f.amount for f in info.terms("truc-tiep").fees}
    online = {f.amount for f in info.terms("truc-tuyen").fees}
    assert 15000 in direct and 7000 not in direct
    assert 7000 in online and 15000 not in online
    assert info.processing_days == 3 and info.day_count == "lam-viec"
    assert info.agency.code == "cong-an-phuong-vi-thanh"
    assert info.record_updated == dt.date(2026, 4, 29)  # the record's updatedAt, in Vietnam


def test_temporary_residence_documents_keep_their_case_and_leave_out_the_notes():
    files = convert(record("1.004194")).files
    docs = files["documents.json"]["documents"]
    assert not any("Ví dụ" in d["name"] or "Lưu ý" in d["name"] for d in docs)
    by_list = [d for d in docs if d.get("note") == "Trường hợp đăng ký tạm trú theo danh sách"]
    assert {d["name"][:17] for d in by_list} == {"Tờ khai thay đổi ", "Văn bản đề nghị đ"}


def test_a_temporary_construction_permit_has_two_cases_in_calendar_days():
    info = check_files(convert(record("1.009122")).files)
    days = {c.name: (c.processing_days, c.day_count) for c in info.cases}
    assert days == {"Công trình": (15, "lich"), "Nhà ở riêng lẻ tại đô thị": (10, "lich")}
    house = next(c.id for c in info.cases if c.processing_days == 10)
    assert [f.amount for f in info.terms("truc-tiep", house).fees] == [50000]
    assert info.agency.code == "ubnd-phuong-vi-thanh" and info.field == "Hoạt động xây dựng"


def test_a_fee_set_by_the_peoples_council_is_null_not_free():
    info = check_files(convert(record("1.000656")).files)
    assert info.name == "Đăng ký khai tử"
    assert [f.amount for f in info.fees] == [None]
    assert any(line.startswith("Xuất trình") for line in info.conditions)


def test_legal_bases_are_dated_from_the_record_or_left_out_with_a_warning():
    draft = convert(record("1.000656"))
    bases = {b["number"]: b for b in draft.files["service.json"]["legal_basis"]}
    # "Thông tư số 03/2023/TT-BTP ngày 02/8/2023 của Bộ trưởng Bộ Tư pháp"
    assert bases["03/2023/TT-BTP"]["issued"] == "2023-08-02" and bases["03/2023/TT-BTP"]["issuer"] == "Bộ Tư pháp"
    assert bases["60/2014/QH13"] == {"number": "60/2014/QH13", "title": "Luật Hộ tịch", "issued": "2014-11-20",
                                     "issuer": "Quốc hội"}
    assert "66.7/2025/NQ-CP" not in bases
    assert any("66.7/2025/NQ-CP" in w for w in draft.warnings)


# --- without the reference data -----------------------------------------------------

def synthetic(**changes) -> dict:
    data = {
        "code": "1.999999",
        "name": "Thủ tục cấp giấy xác nhận thử nghiệm",
        "description": "Mô tả dài của cổng quốc gia không được chép sang định nghĩa dịch vụ của phường.",
        "executionSteps": [{"name": "", "description": "Bước 1: nộp hồ sơ. Bước 2: nhận kết quả."}],
        "executionMethods": [
            {"submissionMethod": "DIRECT", "processingTime": 2, "processingTimeUnit": "OTHER", "description": "",
             "fees": [{"type": "FEE", "value": 0, "description": "Mức thu do Hội đồng nhân dân tỉnh quyết định."}]},
            {"submissionMethod": "ONLINE", "processingTime": 2, "processingTimeUnit": "OTHER", "description": "",
             "fees": [{"type": "FEE", "value": 0, "description": "Mức thu do Hội đồng nhân dân tỉnh quyết định."}]},
        ],
        "executionCases": [
            {"name": "* Giấy tờ phải nộp:", "profileComponents": [
                {"name": "- Tờ khai theo mẫu;", "originalQty": 1, "copyQty": 0, "required": True},
                {"name": "+ Giấy tờ chứng minh không ghi số bản", "originalQty": 0, "copyQty": 0, "required": False},
                {"name": "Trường hợp nộp qua bưu chính thì gửi kèm bản sao", "originalQty": 0, "copyQty": 0,
                 "required": False}]},
            {"name": "* Giấy tờ phải xuất trình:", "profileComponents": [
                {"name": "- Thẻ căn cước", "originalQty": 1, "copyQty": 0, "required": False}]},
            {"name": "* Lưu ý:", "profileComponents": [
                {"name": "+ Người tiếp nhận kiểm tra giấy tờ", "originalQty": 0, "copyQty": 0, "required": False}]},
        ],
        "cases": [],
        "categoriesDetails": [],
        "departmentPromulgateName": "Bộ Tư pháp",
        "legalBasisesDetails": [
            {"name": "Luật 60/2014/QH13", "code": "60/2014/QH13"},
            {"name": "Thông tư số 12/2031/TT-BTP của Bộ Tư pháp", "code": "12/2031/TT-BTP"},
        ],
        "resultsDetails": [{"name": "Giấy xác nhận."}, {"name": "Phiếu từ chối tiếp nhận, giải quyết hồ sơ"}],
        "subjectTypesDetails": [{"name": "Công dân Việt Nam"}],
        "isOfflineOnly": False,
    }
    data.update(changes)
    return {"code": "OK", "data": data}


def test_a_synthetic_record_becomes_an_information_service():
    draft = convert(synthetic())
    info = check_files(draft.files)
    assert info.name == "Cấp giấy xác nhận thử nghiệm" and info.field == "Hộ tịch"
    assert info.methods == ["truc-tiep", "truc-tuyen"] and info.level == 1
    assert info.processing_days == 0 and info.processing_note  # OTHER, no days anywhere: said, not guessed
    assert [f.amount for f in info.fees] == [None]
    assert info.result == "Giấy xác nhận"
    assert info.summary not in synthetic()["data"]["description"]
    assert "Xuất trình (không nộp): thẻ căn cước." in info.conditions
    docs = draft.files["documents.json"]["documents"]
    assert [(d["name"], d["mandatory"], d["originals"]) for d in docs] == [
        ("Tờ khai theo mẫu", True, 1), ("Giấy tờ chứng minh không ghi số bản", False, 1)]
    assert [b.number for b in info.legal_basis] == ["60/2014/QH13"]
    assert draft.warnings == ["không rõ ngày ban hành của 12/2031/TT-BTP: bỏ căn cứ này, bổ sung tay nếu cần"]


def test_an_offline_only_record_offers_no_online_method_and_a_taken_slug_is_not_reused():
    raw = synthetic(isOfflineOnly=True)
    info = check_files(convert(raw).files)
    assert info.methods == ["truc-tiep"]
    assert convert(raw, taken_slugs={"cap-giay-xac-nhan-thu-nghiem"}).slug == "cap-giay-xac-nhan-thu-nghiem-2"
    assert convert(raw, slug="ten-rieng").slug == "ten-rieng"


def test_a_residence_record_goes_to_the_ward_police_and_a_draft_passes_the_lint(tmp_path):
    raw = synthetic(departmentPromulgateName="Bộ Công an")
    draft = convert(raw, form="draft")
    assert draft.files["service.json"]["agency"]["code"] == "cong-an-phuong-vi-thanh"
    assert draft.files["service.json"]["field"] == "Đăng ký, quản lý cư trú"
    report = lint([write(draft, tmp_path)])
    assert report.ok, [str(p) for p in report.problems]
    tờ_khai = draft.files["documents.json"]["documents"][0]
    assert tờ_khai.get("from_form") and "upload" not in tờ_khai


def test_what_is_not_a_record_is_refused():
    with pytest.raises(ValueError):
        convert({"code": "OK", "data": {"name": "không mã"}})
    with pytest.raises(ValueError):
        convert(synthetic(), form="full")
