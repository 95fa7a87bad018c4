"""The public verification page ("Kiểm tra văn bản", web.verify): is a PDF one the portal issued, unchanged?"""

from __future__ import annotations

import hashlib
import io
import json

import pytest

from engine.dossier import Status
from tests.renderers.signing_helpers import AGENCY, AGENCY_NAME, PASSPHRASE, flip_a_signed_byte, make_pki, no_network
from tests.web.helpers import PASSWORD, login, post
from tests.web.test_desk import act, clock, stored, submit_one
from web import create_app, resources
from web.cli import main

__all__ = ["clock", "no_network"]  # fixtures, used by name

PASS_ENV = "DVC_TEST_KEY_PASSPHRASE"
PAGE = "/kiem-tra-van-ban"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def app(tmp_path, catalog, pki, monkeypatch):
    monkeypatch.setenv(PASS_ENV, PASSPHRASE)
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST",
                       "SIGNING_KEYS": {AGENCY: {"pkcs12": str(pki.p12), "passphrase_env": PASS_ENV}}})


@pytest.fixture
def desk(app, clerk):
    client = app.test_client()
    assert login(client, clerk.username, PASSWORD).status_code == 302
    return client


@pytest.fixture
def receipt(app, desk, clock, citizen, household):
    """A signed receipt, as the desk printed it."""
    dossier = submit_one(app, citizen, household)
    act(desk, dossier.id, "tiep-nhan")
    response = desk.get(f"/mot-cua/ho-so/{dossier.id}/bien-nhan.pdf")
    assert response.status_code == 200 and b"/ByteRange" in response.data
    return response.data


def check(app, pdf: bytes, name: str = "van-ban.pdf"):
    """Upload ``pdf`` to the page as someone who is not signed in."""
    visitor = app.test_client()
    return post(visitor, PAGE, {"van_ban": (io.BytesIO(pdf), name)}, content_type="multipart/form-data")


def text(response) -> str:
    return response.get_data(as_text=True)


def verdict(response) -> str:
    """The page's answer: its verdict section."""
    page = text(response)
    start = page.index('<section class="verdict')
    return page[start:page.index("</section>", start)]


def test_a_signed_receipt_is_genuine_with_its_agency_and_date(app, receipt, no_network):
    answer = check(app, receipt)
    assert answer.status_code == 200
    page = text(answer)
    assert "Văn bản do Cổng dịch vụ công cấp, còn nguyên vẹn" in page
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page
    assert AGENCY_NAME in page
    assert resources.portal(app).now().strftime("%d/%m/%Y %H:%M") in page  # when it was issued
    assert "Hợp lệ, của" in page and hashlib.sha256(receipt).hexdigest() in page
    assert answer.headers["Cache-Control"] == "no-store"


def test_one_byte_changed_is_reported_as_changed(app, receipt, no_network):
    page = verdict(check(app, flip_a_signed_byte(receipt)))
    assert "Văn bản đã bị thay đổi sau khi cấp" in page
    assert "Không hợp lệ: nội dung đã bị thay đổi sau khi ký" in page
    assert AGENCY_NAME not in page and "nguyên vẹn" not in page


def test_bytes_added_after_the_signature_are_a_change(app, receipt, no_network):
    from pypdf import PdfWriter

    # An incremental update that leaves the signed bytes as they were but adds a page.
    writer = PdfWriter(io.BytesIO(receipt), incremental=True)
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(receipt)
    assert "Văn bản đã bị thay đổi sau khi cấp" in text(check(app, out.getvalue()))


def test_a_revoked_document_is_shown_revoked_with_its_reason_and_date(app, receipt, no_network):
    sha256 = hashlib.sha256(receipt).hexdigest()
    result = app.test_cli_runner().invoke(main, ["documents", "revoke", sha256, "--reason", "Cấp nhầm ngày hẹn trả"])
    assert result.exit_code == 0, result.output
    assert "đã thu hồi" in result.output
    for page in (verdict(check(app, receipt)), verdict(app.test_client().get(f"{PAGE}/{sha256}"))):
        assert "Văn bản đã bị thu hồi" in page and "Cấp nhầm ngày hẹn trả" in page
        assert resources.portal(app).now().strftime("%d/%m/%Y") in page
        assert "còn nguyên vẹn" not in page


def test_revoking_an_unknown_hash_says_so(app):
    result = app.test_cli_runner().invoke(main, ["documents", "revoke", "ab" * 32, "--reason", "x"])
    assert result.exit_code != 0 and "không có văn bản nào" in result.output


def test_a_pdf_the_portal_never_issued_is_unknown(app, no_network):
    from tests.web.test_dossiers import pdf_bytes

    page = verdict(check(app, pdf_bytes()))
    assert "Không phải văn bản do Cổng dịch vụ công cấp" in page
    assert "Văn bản không có chữ ký số" in page


def test_a_pdf_signed_by_another_key_is_not_the_agency_s(app, no_network, tmp_path):
    from renderers.signing import load_key, sign_pdf
    from tests.web.test_dossiers import pdf_bytes

    stranger = make_pki(tmp_path, agency_name=AGENCY_NAME)  # the same name, another CA and key
    forged = sign_pdf(pdf_bytes(), load_key(AGENCY, stranger.p12.read_bytes(), PASSPHRASE.encode()), "x", "y")
    page = text(check(app, forged))
    assert "Không phải văn bản do Cổng dịch vụ công cấp" in page
    assert "Không phải chữ ký bằng khóa của cơ quan" in page


def test_the_answer_tells_nothing_private(app, receipt, citizen, no_network):
    sha256 = hashlib.sha256(receipt).hexdigest()
    for page in (text(check(app, receipt)), text(app.test_client().get(f"{PAGE}/{sha256}"))):
        assert citizen.full_name not in page and "Ngọc" not in page
        assert citizen.id_number not in page
        dossier = next(iter(resources.portal(app).dossiers.list_by_id_number(citizen.id_number)))
        assert dossier.id not in page and dossier.receipt_number not in page


def test_the_hash_s_address_shows_the_record_and_an_unknown_one_404(app, receipt):
    sha256 = hashlib.sha256(receipt).hexdigest()
    page = app.test_client().get(f"{PAGE}/{sha256.upper()}")
    assert page.status_code == 200 and AGENCY_NAME in text(page) and "Được ký số khi cấp" in text(page)
    missing = app.test_client().get(f"{PAGE}/{'0' * 64}")
    assert missing.status_code == 404 and "chưa từng cấp" in text(missing)


def test_a_file_that_is_not_a_pdf_is_refused_by_its_content(app):
    answer = check(app, b"\x89PNG\r\n\x1a\n" + b"0" * 100, name="gia.pdf")
    assert answer.status_code == 400 and "không phải là PDF" in text(answer)
    too_big = check(app, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    assert too_big.status_code == 413


def test_the_upload_needs_its_csrf_token(app):
    from tests.web.test_dossiers import pdf_bytes

    app.config["WTF_CSRF_ENABLED"] = True
    answer = app.test_client().post(PAGE, data={"van_ban": (io.BytesIO(pdf_bytes()), "a.pdf")},
                                    content_type="multipart/form-data")
    assert answer.status_code == 400 and 'class="verdict' not in text(answer)


def test_checks_are_limited_per_client(app):
    from tests.web.test_dossiers import pdf_bytes

    app.config["VERIFY_LIMIT_IP"] = "3 per minute"
    visitor = app.test_client()
    assert visitor.get(PAGE).status_code == 200  # the empty form is free
    codes = [post(visitor, PAGE, {"van_ban": (io.BytesIO(pdf_bytes()), "a.pdf")},
                  content_type="multipart/form-data").status_code for _ in range(3)]
    codes.append(visitor.get(f"{PAGE}/{'0' * 64}").status_code)  # the hash's page shares the budget
    assert codes == [200, 200, 200, 429]


def test_every_pdf_issued_is_recorded(app, desk, client, citizen, household, clock, no_network):
    from tests.web.test_dossiers import pdf_bytes

    dossier = submit_one(app, citizen, household)
    act(desk, dossier.id, "yeu-cau-bo-sung", note="Bổ sung bản sao hợp đồng thuê nhà")
    registry = resources.portal(app).documents
    slip = desk.get(f"/mot-cua/ho-so/{dossier.id}/phieu/yeu-cau-bo-sung.pdf").data
    printed = desk.get(f"/mot-cua/ho-so/{dossier.id}/ban-in.pdf").data
    assert registry.get(hashlib.sha256(slip).hexdigest()).kind == "yeu-cau-bo-sung"
    assert registry.get(hashlib.sha256(printed).hexdigest()).kind == "ban-in"

    other = submit_one(app, citizen, household)
    act(desk, other.id, "tiep-nhan")
    post(desk, f"/mot-cua/ho-so/{other.id}/co-ket-qua",
         {"note": "Đã cấp Giấy chứng nhận", "result_file": (io.BytesIO(pdf_bytes()), "gcn.pdf")},
         form_page=f"/mot-cua/ho-so/{other.id}", content_type="multipart/form-data")
    assert stored(app, other.id).status == Status.DONE
    login(client, citizen.username, PASSWORD)
    result = client.get(f"/ho-so/{other.id}/ket-qua").data
    record = registry.get(hashlib.sha256(result).hexdigest())
    assert record.kind == "ket-qua" and record.signed and record.dossier_id == other.id
    assert "còn nguyên vẹn" in verdict(check(app, result))


def test_the_lookup_shows_an_e_result_was_issued_never_its_content(app, desk, citizen, household, clock):
    from tests.web.test_dossiers import pdf_bytes

    dossier = submit_one(app, citizen, household)
    act(desk, dossier.id, "tiep-nhan")
    receipt = stored(app, dossier.id).receipt_number
    before = text(app.test_client().get(f"/tra-cuu/{receipt}"))
    assert "Đã có kết quả điện tử" not in before
    post(desk, f"/mot-cua/ho-so/{dossier.id}/co-ket-qua",
         {"note": "Số GCN 123/ĐKKD", "result_file": (io.BytesIO(pdf_bytes()), "gcn.pdf")},
         form_page=f"/mot-cua/ho-so/{dossier.id}", content_type="multipart/form-data")
    after = text(app.test_client().get(f"/tra-cuu/{receipt}"))
    assert "Đã có kết quả điện tử" in after
    assert "123/ĐKKD" not in after and "ket-qua" not in after and "/ho-so/" not in after
