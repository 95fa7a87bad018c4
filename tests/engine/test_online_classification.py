"""Toàn trình or một phần (Nghị định 42/2022/NĐ-CP), derived from a definition and checked
against what its service.json states."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from click.testing import CliRunner

from engine.catalog import DEFAULT_ROOT
from engine.definition import Upload
from engine.lint import lint
from engine.online_classification import OnlineKind, classify
from web.cli import main

HOUSEHOLD = "dang-ky-thanh-lap-ho-kinh-doanh"
ID_PAPERS = ("Hộ chiếu, thẻ căn cước, căn cước công dân, căn cước điện tử hoặc giấy tờ tùy thân khác "
             "có ảnh của người yêu cầu")


def variant(service, documents=None, **info):
    """The service's classification with some fields of service.json changed."""
    return classify(service.info.model_copy(update=info), service.documents if documents is None else documents)


# -- the catalogue -------------------------------------------------------------------------------

def test_birth_registration_is_partial_and_says_why(catalog):
    result = catalog["dang-ky-khai-sinh"].classification
    assert result.kind is OnlineKind.PARTIAL
    assert result.name == "Dịch vụ công trực tuyến một phần"
    # The registration fee is 0 (free on time); the copy fee is owed and paid at the desk.
    assert result.reasons == (
        f"Giấy tờ phải nộp bản giấy: {ID_PAPERS}",
        "Phí, lệ phí không thanh toán trực tuyến: Phí cấp bản sao Giấy khai sinh",
        "Nhận kết quả tại Bộ phận một cửa",
    )


def test_residence_registration_is_wholly_online(catalog):
    for slug in ("dang-ky-tam-tru", "dang-ky-thuong-tru", "xac-nhan-thong-tin-ve-cu-tru"):
        result = catalog[slug].classification
        assert (result.kind, result.reasons) == (OnlineKind.FULL, ()), slug
        assert result.name == "Dịch vụ công trực tuyến toàn trình"


def test_household_business_is_partial_for_its_fee_and_result(catalog):
    assert catalog[HOUSEHOLD].classification.reasons == (
        "Phí, lệ phí không thanh toán trực tuyến: Lệ phí đăng ký hộ kinh doanh",
        "Nhận kết quả tại Bộ phận một cửa",
    )


def test_services_not_filed_online_are_neither(catalog):
    assert catalog["chung-thuc-ban-sao-tu-ban-chinh"].classification.kind is None
    level_1 = catalog["dang-ky-khai-tu-luu-dong"]  # information only
    assert level_1.info.level == 1
    # Even with every online flag set, a level-1 service is not an online service.
    result = variant(level_1, online_payment=True, result_online=True)
    assert result.kind is None and result.name is None
    assert result.reasons == ("Không nộp hồ sơ trực tuyến (mức độ 1)",)


def test_every_catalogue_service_states_what_is_derived(catalog):
    for service in catalog:
        assert service.info.online_service == service.classification.kind, service.slug
        if service.info.level == 3:
            assert service.info.online_service is not None, service.slug


# -- variants ------------------------------------------------------------------------------------

def test_a_mandatory_document_without_upload_makes_it_partial(catalog):
    service = catalog["xac-nhan-thong-tin-ve-cu-tru"]
    paper = dataclasses.replace(service.documents[0], id="so-ho-khau", name="Sổ hộ khẩu bản chính",
                                from_form=False, upload=None)
    result = variant(service, documents=(*service.documents, paper))
    assert result.kind is OnlineKind.PARTIAL
    assert result.reasons == ("Giấy tờ phải nộp bản giấy: Sổ hộ khẩu bản chính",)
    # Optional, or uploadable: still toàn trình.
    optional = dataclasses.replace(paper, mandatory=False)
    uploadable = dataclasses.replace(paper, upload=Upload(("pdf",), 5, True))
    for doc in (optional, uploadable):
        assert variant(service, documents=(*service.documents, doc)).kind is OnlineKind.FULL


def test_all_uploaded_paid_and_returned_online_is_wholly_online(catalog):
    service = catalog["dang-ky-khai-sinh"]
    documents = tuple(dataclasses.replace(d, upload=Upload(("pdf",), 5, d.mandatory))
                      if d.mandatory and not d.from_form and d.upload is None else d for d in service.documents)
    assert variant(service, documents=documents, online_payment=True, result_online=True).kind is OnlineKind.FULL
    # Each condition alone is missing one step.
    assert variant(service, documents=documents, result_online=True).reasons == (
        "Phí, lệ phí không thanh toán trực tuyến: Phí cấp bản sao Giấy khai sinh",)
    assert variant(service, documents=documents, online_payment=True).reasons == (
        "Nhận kết quả tại Bộ phận một cửa",)


def test_the_fees_an_online_dossier_owes_count(catalog):
    from engine.definition import Case, Fee, Terms

    service = catalog["dang-ky-tam-tru"]  # fees paid online
    assert variant(service, online_payment=False).kind is OnlineKind.PARTIAL
    # Free when filed online: nothing to pay, toàn trình without online payment.
    free_online = {"truc-tuyen": Terms(fees=[])}
    assert variant(service, online_payment=False, by_method=free_online).kind is OnlineKind.FULL
    # ... unless one case costs something online; an amount the council sets is owed too.
    council = Fee(name="Lệ phí theo danh sách", amount=None)
    cases = [Case(id="ca-nhan", name="Cá nhân"), Case(id="danh-sach", name="Theo danh sách", fees=[council])]
    result = variant(service, online_payment=False, by_method=free_online, cases=cases)
    assert result.reasons == ("Phí, lệ phí không thanh toán trực tuyến: Lệ phí theo danh sách",)


# -- the lint ------------------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "schemas"
    root.mkdir()
    shutil.copytree(DEFAULT_ROOT / "_defs", root / "_defs")
    shutil.copytree(DEFAULT_ROOT / "calendar", root / "calendar")
    shutil.copytree(DEFAULT_ROOT / HOUSEHOLD, root / HOUSEHOLD)
    return root


def edit_service(root, change):
    path = root / HOUSEHOLD / "service.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_stating_wholly_online_for_a_partial_service_fails_the_lint_naming_why(tree):
    path = edit_service(tree, lambda s: s.update({"online_service": "toan-trinh"}))
    report = lint([tree])
    assert not report.ok
    [problem] = report.problems
    assert (problem.file, problem.pointer) == (str(path), "/online_service")
    assert problem.message.startswith('khai báo "toan-trinh" nhưng theo định nghĩa là "mot-phan": ')
    assert "Nhận kết quả tại Bộ phận một cửa" in problem.message
    assert "Lệ phí đăng ký hộ kinh doanh" in problem.message
    result = CliRunner().invoke(main, ["schemas", "lint", str(tree)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [str(problem)]


def test_stating_partial_for_a_wholly_online_service_fails_too(tree):
    edit_service(tree, lambda s: s.update({"online_payment": True, "result_online": True}))
    [problem] = lint([tree]).problems
    assert problem.pointer == "/online_service" and 'theo định nghĩa là "toan-trinh"' in problem.message
    edit_service(tree, lambda s: s.update({"online_service": "toan-trinh"}))
    assert lint([tree]).ok


def test_a_service_not_filed_online_states_nothing(tree):
    edit_service(tree, lambda s: s.update({"level": 2, "methods": ["truc-tiep"]}))
    [problem] = lint([tree]).problems
    assert problem.message == 'khai báo "mot-phan" nhưng không nộp hồ sơ trực tuyến (mức độ 2)'


def test_a_level_3_service_that_states_nothing_is_a_warning(tree):
    path = edit_service(tree, lambda s: s.pop("online_service"))
    report = lint([tree])
    assert report.ok
    [warning] = [w for w in report.warnings if w.pointer == "/online_service"]
    assert warning.file == str(path)
    assert warning.message == ("dịch vụ mức độ 3 chưa khai báo 'online_service'; theo định nghĩa là \"mot-phan\" "
                               "(dịch vụ công trực tuyến một phần)")
    result = CliRunner().invoke(main, ["schemas", "lint", str(tree)])
    assert result.exit_code == 0 and "chưa khai báo 'online_service'" in result.stderr
