"""The e-result (issue 16): a service returned online names its result document in its
definition (``result_document``); the clerk records the result without uploading a file and
the portal prints it from the dossier, signs it with the agency's key and records it, and
the citizen downloads a document anyone can check on "Kiểm tra văn bản"."""

from __future__ import annotations

import copy
import hashlib
import io
import json
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from engine import lifecycle
from engine.accounts import to_actor
from engine.definition import ServiceInfo
from engine.dossier import Actor, Role, Status
from engine.lint import lint
from renderers import e_result
from tests.renderers.signing_helpers import PASSPHRASE, make_pki, no_network, signatures
from tests.web.helpers import PASSWORD, body, login, post
from tests.web.test_desk import WED, act, clock, pdf_text, stored
from tests.web.test_verify import check, text, verdict
from tests.web.test_verify_code import verification_url
from web import create_app, resources

__all__ = ["clock", "no_network"]  # fixtures, used by name

SLUG = "xac-nhan-thong-tin-ve-cu-tru"
POLICE, POLICE_NAME = "cong-an-phuong-vi-thanh", "Công an phường Vị Thanh"
NOTE = "Thường trú tại Số 63, đường 3 Tháng 2, khu vực 5, phường Vị Thanh từ ngày 01/06/2021 đến nay"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"), agency_name=POLICE_NAME)


@pytest.fixture
def app(tmp_path, catalog, pki, monkeypatch):
    monkeypatch.setenv("DVC_TEST_KEY_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("DVC_SIGNING_KEYS", json.dumps(
        {POLICE: {"pkcs12": str(pki.p12), "passphrase_env": "DVC_TEST_KEY_PASSPHRASE"}}))
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST"})


@pytest.fixture
def desk(app, clerk):
    client = app.test_client()
    assert login(client, clerk.username, PASSWORD).status_code == 302
    return client


def accepted(app, desk, catalog, citizen):
    service, me, store = catalog[SLUG], to_actor(citizen), resources.portal(app).dossiers
    dossier = store.add(lifecycle.create(service, me, copy.deepcopy(service.sample), ["to-khai-ct01"], WED,
                                         citizen.id_number))
    dossier = store.update(lifecycle.submit(store.update(lifecycle.confirm(dossier, me, WED)), service, me, WED))
    act(desk, dossier.id, "tiep-nhan")
    return stored(app, dossier.id)


def test_a_result_recorded_without_a_file_is_the_signed_e_result(app, desk, client, catalog, citizen, clock, pki,
                                                                  no_network, smtp):
    dossier = accepted(app, desk, catalog, citizen)
    page = desk.get(f"/mot-cua/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Để trống: cổng lập kết quả điện tử “XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ”" in page

    act(desk, dossier.id, "co-ket-qua", note=NOTE)
    done = stored(app, dossier.id)
    assert done.status == Status.DONE and done.result_file.media_type == "application/pdf"
    mail = " ".join(body(smtp.messages[-1]).split())
    assert f"Kết quả điện tử do {POLICE_NAME} cấp đã sẵn sàng" in mail and "Vui lòng đến" not in mail
    login(client, citizen.username, PASSWORD)
    pdf = client.get(f"/ho-so/{dossier.id}/ket-qua").data
    [status] = signatures(pdf, pki.ca)
    assert status.intact and status.valid and status.trusted and POLICE_NAME in status.signing_cert.subject.human_friendly

    words = " ".join(pdf_text(pdf).split())
    assert "XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ" in words and "Mẫu CT07" in words
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in words and f"Số: {done.receipt_number}" in words
    # The form's values as the dossier PDF shows them: a date as dd/mm/yyyy, an option by its label
    assert "Họ, chữ đệm và tên: Võ Thành Đạt" in words and "Ngày, tháng, năm sinh: 09/05/2003" in words
    assert "Mục đích sử dụng: Mục đích khác" in words and "vay vốn học nghề" in words
    assert "khac" not in words.split() and "2003-05-09" not in words
    assert f"Thông tin về cư trú: {NOTE}" in words  # the clerk's text, under the definition's label
    assert "Lê Văn Hùng" in words  # the clerk who recorded it

    answer = text(check(app, pdf))
    assert "Văn bản do Cổng dịch vụ công cấp, còn nguyên vẹn" in answer and POLICE_NAME in answer
    assert "Võ Thành Đạt" not in answer and "093203006728" not in answer  # nothing of the dossier's content
    # Its QR code, scanned from the page, opens the same record
    url = verification_url(pdf)
    by_code = verdict(app.test_client().get(urlsplit(url).path))
    assert "đã cấp văn bản có mã này" in by_code and hashlib.sha256(pdf).hexdigest() in by_code


def test_an_uploaded_result_file_is_kept_instead_of_the_e_result(app, desk, catalog, citizen, clock, no_network):
    from tests.web.test_dossiers import pdf_bytes

    dossier = accepted(app, desk, catalog, citizen)
    original = pdf_bytes()
    post(desk, f"/mot-cua/ho-so/{dossier.id}/co-ket-qua",
         {"note": "Đã xác nhận", "result_file": (io.BytesIO(original), "ct07.pdf")},
         form_page=f"/mot-cua/ho-so/{dossier.id}", content_type="multipart/form-data")
    kept = stored(app, dossier.id).result_file
    assert resources.portal(app).files.read(kept.file_id).startswith(original)


def test_a_refused_action_prints_nothing(app, desk, catalog, citizen, clock, no_network):
    service, me, store = catalog[SLUG], to_actor(citizen), resources.portal(app).dossiers
    dossier = store.add(lifecycle.create(service, me, copy.deepcopy(service.sample), ["to-khai-ct01"], WED,
                                         citizen.id_number))
    dossier = store.update(lifecycle.submit(store.update(lifecycle.confirm(dossier, me, WED)), service, me, WED))
    act(desk, dossier.id, "co-ket-qua", note=NOTE)  # not accepted yet: refused
    page = desk.get(f"/mot-cua/ho-so/{dossier.id}").get_data(as_text=True)
    assert stored(app, dossier.id).status == Status.SUBMITTED and stored(app, dossier.id).result_file is None
    assert "Hồ sơ chưa được tiếp nhận hoặc đã có kết quả" in page


def test_a_line_of_a_branch_not_chosen_prints_nothing(catalog):
    service = catalog[SLUG]
    data = copy.deepcopy(service.sample) | {"purpose": "hoc-tap"}
    del data["otherPurpose"]
    dossier = lifecycle.create(service, Actor(id="u1", name="Võ Thành Đạt", role=Role.CITIZEN), data,
                               ["to-khai-ct01"], WED, "093203006728")
    shown = dict(e_result.lines(service, dossier))
    assert shown["Mục đích sử dụng"] == "Nhập học, học tập" and "Ghi rõ mục đích" not in shown
    assert shown["Nơi ở hiện tại"] == "Số 63, đường 3 Tháng 2, khu vực 5, Phường Vị Thanh, Thành phố Cần Thơ"


def test_a_definition_s_e_result_must_be_returned_online_and_name_form_fields(catalog, tmp_path):
    raw = json.loads((catalog[SLUG].folder / "service.json").read_text(encoding="utf-8"))
    with pytest.raises(ValidationError, match="result_online"):
        ServiceInfo.model_validate(raw | {"result_online": False, "online_service": None})
    folder = tmp_path / SLUG
    folder.mkdir()
    for name in ("form.schema.json", "documents.json", "sample.json"):
        (folder / name).write_text((catalog[SLUG].folder / name).read_text(encoding="utf-8"), encoding="utf-8")
    raw["result_document"]["lines"][1]["field"] = "/declarant/birthday"
    (folder / "service.json").write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    problems = [f"{p.pointer}: {p.message}" for p in lint([folder]).problems]
    assert problems == ["/result_document/lines/1/field: trường /declarant/birthday không có trong biểu mẫu"]


def test_a_result_collected_at_the_desk_is_still_collected_there(app, desk, citizen, household, clock, smtp):
    from tests.web.test_desk import submit_one

    dossier = submit_one(app, citizen, household)
    act(desk, dossier.id, "tiep-nhan")
    act(desk, dossier.id, "co-ket-qua", note="Đã cấp Giấy chứng nhận đăng ký hộ kinh doanh")
    assert stored(app, dossier.id).result_file is None  # no e-result: the service names none
    mail = " ".join(body(smtp.messages[-1]).split())
    assert "Vui lòng đến Ủy ban nhân dân phường Vị Thanh để nhận kết quả" in mail and "Kết quả điện tử" not in mail
