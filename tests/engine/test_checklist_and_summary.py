"""The mandatory documents of "Chọn thông tin bạn có", and the summary that tells dossiers apart."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pytest
from click.testing import CliRunner

from engine import lifecycle as lc
from engine.dossier import Actor, Attachment, Role
from engine.summary import MAX_LENGTH, summarize
from tests.engine.test_catalog import edit_json, tree  # noqa: F401 (tree: a fixture)
from web.cli import main

NOW = dt.datetime(2026, 11, 25, 9, 0)
CITIZEN = Actor(id="u-tam", name="Nguyễn Thị Thanh Tâm", role=Role.CITIZEN)
BIRTH = "dang-ky-khai-sinh"
ID_PAPER = "giay-to-tuy-than"  # mandatory, brought to the desk: no upload slot
HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"


@pytest.fixture
def birth(catalog):
    return catalog.get(BIRTH)


def uploaded(doc_id: str) -> Attachment:
    return Attachment(file_id=f"f-{doc_id}", filename="giay.pdf", media_type="application/pdf", size=10,
                      sha256="0" * 64, uploaded_at=NOW)


def with_mandatory_upload(service, doc_id):
    """``service`` with ``doc_id`` made mandatory (*) while its upload stays optional: the
    citizen may upload it or tick it and bring it."""
    documents = tuple(dataclasses.replace(d, mandatory=True, upload=dataclasses.replace(d.upload, required=False))
                      if d.id == doc_id else d for d in service.documents)
    return dataclasses.replace(service, documents=documents)


# -- the checklist ---------------------------------------------------------------------------

def test_saving_refuses_a_mandatory_document_left_unticked_and_names_it(birth):
    with pytest.raises(lc.Incomplete) as refused:
        lc.create(birth, CITIZEN, copy.deepcopy(birth.sample), ["to-khai", "giay-chung-sinh"], NOW)
    name = birth.document(ID_PAPER).name
    assert refused.value.unticked == [name] and refused.value.errors == []
    assert "Chọn thông tin bạn có" in refused.value.message and name in refused.value.message


def test_a_mandatory_document_with_an_upload_slot_may_be_uploaded_later(birth):
    """giay-chung-sinh is mandatory and uploaded: not asked for at "Lưu lại", before any file can be."""
    dossier = lc.create(birth, CITIZEN, copy.deepcopy(birth.sample), [ID_PAPER], NOW)
    assert dossier.checklist == [ID_PAPER]


def test_the_form_s_own_document_is_never_asked_to_be_ticked(birth):
    assert lc.unticked(birth, [ID_PAPER]) == []
    assert birth.document("to-khai").from_form and birth.document("to-khai").mandatory


def test_editing_refuses_it_too_and_reports_form_errors_beside_it(birth):
    dossier = lc.create(birth, CITIZEN, copy.deepcopy(birth.sample), [ID_PAPER], NOW)
    data = copy.deepcopy(birth.sample)
    del data["child"]["fullName"]
    with pytest.raises(lc.Incomplete) as refused:
        lc.edit(dossier, birth, CITIZEN, data, [], NOW)
    assert refused.value.unticked == [birth.document(ID_PAPER).name]
    assert [e.path for e in refused.value.errors] == ["/child/fullName"]


def confirmed(service, checklist, attachments=()):
    draft = lc.create(service, CITIZEN, copy.deepcopy(service.sample), checklist, NOW)
    draft = draft.model_copy(update={"attachments": {d: uploaded(d) for d in attachments}})
    return lc.confirm(draft, CITIZEN, NOW)


def test_submission_refuses_a_mandatory_document_neither_ticked_nor_uploaded(household):
    service = with_mandatory_upload(household, "van-ban-uy-quyen-chu-ho")
    name = service.document("van-ban-uy-quyen-chu-ho").name
    dossier = confirmed(service, ["giay-de-nghi"])  # saved: the upload may still come
    with pytest.raises(lc.Incomplete) as refused:
        lc.submit(dossier, service, CITIZEN, NOW)
    assert refused.value.unticked == [name] and refused.value.missing_documents == []
    assert lc.completeness(service, dossier)[2] == [name]


@pytest.mark.parametrize(("checklist", "attachments"), [(["van-ban-uy-quyen-chu-ho"], []), ([], ["van-ban-uy-quyen-chu-ho"])])
def test_ticked_or_uploaded_either_is_enough_to_submit(household, checklist, attachments):
    service = with_mandatory_upload(household, "van-ban-uy-quyen-chu-ho")
    submitted = lc.submit(confirmed(service, checklist, attachments), service, CITIZEN, NOW)
    assert submitted.submitted_at == NOW


def test_a_missing_required_upload_is_said_once(birth):
    dossier = confirmed(birth, [ID_PAPER])
    errors, missing, left = lc.completeness(birth, dossier)
    assert missing == [birth.document("giay-chung-sinh").name] and left == []


def test_a_dossier_stored_before_the_rule_is_stopped_at_submission(birth):
    dossier = confirmed(birth, [ID_PAPER], ["giay-chung-sinh"]).model_copy(update={"checklist": []})
    with pytest.raises(lc.Incomplete) as refused:
        lc.submit(dossier, birth, CITIZEN, NOW)
    assert refused.value.unticked == [birth.document(ID_PAPER).name]


# -- the summary -----------------------------------------------------------------------------

def test_the_summary_is_kept_when_saved_and_follows_each_edit(household):
    dossier = lc.create(household, CITIZEN, copy.deepcopy(household.sample), ["giay-de-nghi"], NOW)
    assert dossier.summary == household.sample["business"]["name"] == "Hộ kinh doanh Quán cơm Thanh Tâm"
    data = copy.deepcopy(household.sample)
    data["business"]["name"] = "Hộ kinh doanh Tiệm bánh Hồng Phát"
    assert lc.edit(dossier, household, CITIZEN, data, ["giay-de-nghi"], NOW).summary == "Hộ kinh doanh Tiệm bánh Hồng Phát"


def test_two_births_are_told_apart_by_the_child_s_name(birth):
    first = copy.deepcopy(birth.sample)
    second = copy.deepcopy(birth.sample)
    second["child"]["fullName"] = "Lê Minh Khôi"
    summaries = [lc.create(birth, CITIZEN, d, [ID_PAPER], NOW).summary for d in (first, second)]
    assert summaries == [first["child"]["fullName"], "Lê Minh Khôi"]


def test_a_marriage_names_both_partners_and_a_building_its_address(catalog):
    marriage = catalog.get("dang-ky-ket-hon")
    assert summarize(marriage.form_schema, marriage.sample) == \
        f"{marriage.sample['bride']['fullName']} – {marriage.sample['groom']['fullName']}"
    permit = catalog.get("cap-giay-phep-xay-dung-nha-o-rieng-le")
    address = permit.sample["site"]["address"]
    assert summarize(permit.form_schema, permit.sample) == f"{address['street']}, {address['ward']}, {address['province']}"


def test_no_summary_of_the_catalogue_holds_a_personal_number(catalog):
    for service in catalog:
        if service.has_form:
            summary = summarize(service.form_schema, service.sample)
            assert not any(len(w) in (9, 12) and w.isdigit() for w in summary.replace(",", " ").split()), service.slug


def test_the_summary_is_bounded_and_empty_without_marked_fields(household, catalog):
    data = copy.deepcopy(household.sample)
    data["business"]["name"] = "Hộ kinh doanh " + "Rất dài " * 40
    summary = summarize(household.form_schema, data)
    assert len(summary) == MAX_LENGTH and summary.endswith("…")
    plain = catalog.get("chung-thuc-ban-sao-tu-ban-chinh")
    assert summarize(plain.form_schema, plain.sample) == ""


# -- the lint --------------------------------------------------------------------------------

def lint_with(tree, name, field):
    form = tree / HOUSEHOLD / "form.schema.json"
    edit_json(form, lambda f: f["properties"].update({name: field}))
    result = CliRunner().invoke(main, ["schemas", "lint", str(tree)])
    return result.exit_code, [line for line in result.stdout.splitlines() if line.strip() and "cảnh báo)" not in line]


SHARED = "../_defs/common.schema.json#/$defs/"


@pytest.mark.parametrize(("field", "words"), [
    ({"title": "Số định danh", "$ref": SHARED + "idNumber", "x-summary": True}, "không được đặt ở số định danh"),
    ({"title": "Mã số thuế", "$ref": SHARED + "taxCode", "x-summary": True}, "mã số thuế"),
    ({"title": "Số hộ chiếu", "type": "string", "pattern": "^[0-9]{9}$", "x-summary": True}, "số định danh"),
    ({"title": "Loại", "type": "string", "enum": ["a", "b"], "x-summary": True}, "trường lựa chọn"),
    ({"title": "Người", "$ref": SHARED + "person", "x-summary": True}, "văn bản, số hoặc địa chỉ"),
    ({"title": "Tên", "type": "string", "x-summary": "yes"}, "x-summary phải là true hoặc false"),
])
def test_the_lint_refuses_a_summary_field_that_is_a_number_a_choice_or_not_a_field(tree, field, words):
    code, lines = lint_with(tree, "extra", field)
    assert code == 1 and len(lines) == 1 and "/properties/extra/x-summary: " in lines[0] and words in lines[0], lines


def test_the_lint_refuses_a_summary_field_inside_a_list(tree):
    field = {"title": "Cửa hàng", "type": "array", "maxItems": 3,
             "items": {"type": "object", "properties": {"name": {"title": "Tên", "type": "string", "x-summary": True}}}}
    code, lines = lint_with(tree, "shops", field)
    assert code == 1 and "/properties/shops/items/properties/name/x-summary: " in lines[0] and "danh sách" in lines[0]


def test_the_lint_accepts_a_text_or_an_address(tree):
    assert lint_with(tree, "extra", {"title": "Tên biển hiệu", "type": "string", "x-summary": True})[0] == 0
    assert lint_with(tree, "where", {"title": "Nơi", "$ref": SHARED + "address", "x-summary": True})[0] == 0
