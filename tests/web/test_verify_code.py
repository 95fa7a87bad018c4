"""An issued PDF's verification code and QR code (web.verify.by_code): read from the printed page
as a phone would (the page rasterized by PDFium, the QR code decoded by ZXing), opened, answered."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlsplit

import pytest

from engine.documents import grouped_code
from tests.renderers.pdf_helpers import flat, pages_text
from tests.web.helpers import post
from tests.web.test_desk import act, submit_one
from tests.web.test_verify import AGENCY_NAME, PASS_ENV, app, clock, desk, no_network, pki, receipt, text, verdict
from web import resources
from web.cli import main

__all__ = ["app", "clock", "desk", "no_network", "pki", "receipt"]  # fixtures, used by name

MA = "/kiem-tra-van-ban/ma/"
CODE = re.compile(r"Mã kiểm tra: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")


def qr_urls(pdf: bytes) -> list[str]:
    """Every QR code on every page, decoded from the page's pixels (150 dpi, as a scan)."""
    import pypdfium2
    import zxingcpp

    found = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            image = page.render(scale=150 / 72).to_pil()
            found += [b.text for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]
    finally:
        document.close()
    return found


def verification_url(pdf: bytes) -> str:
    (url,) = {u for u in qr_urls(pdf) if MA in u}  # one code per document, on every dossier it holds
    return url


def printed_codes(pdf: bytes) -> list[str]:
    return CODE.findall(flat(" ".join(pages_text(pdf))))


def test_the_receipt_s_qr_code_opens_its_record_genuine_then_revoked(app, receipt, no_network):
    url = verification_url(receipt)
    code = url.rsplit("/", 1)[1]
    assert url == f"http://localhost{MA}{code}" and len(code) == 12
    text_of_page = flat(" ".join(pages_text(receipt)))
    assert printed_codes(receipt) == [grouped_code(code)]  # the code in text beside it
    assert f"Kiểm tra văn bản tại {url}" in text_of_page

    visitor = app.test_client()
    page = visitor.get(urlsplit(url).path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    answer = verdict(page)
    assert "Cổng dịch vụ công đã cấp văn bản có mã này" in answer
    assert "trùng khớp từng byte" not in answer  # no file was checked: the record, not the paper in hand
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in answer and AGENCY_NAME in answer
    assert grouped_code(code) in answer and hashlib.sha256(receipt).hexdigest() in answer

    sha256 = hashlib.sha256(receipt).hexdigest()
    result = app.test_cli_runner().invoke(main, ["documents", "revoke", sha256, "--reason", "Cấp nhầm ngày hẹn"])
    assert result.exit_code == 0, result.output
    answer = verdict(visitor.get(urlsplit(url).path))
    assert "Văn bản đã bị thu hồi" in answer and "Cấp nhầm ngày hẹn" in answer and "nguyên vẹn" not in answer


def test_the_printed_dossier_and_a_slip_carry_their_own_codes(app, desk, citizen, household, clock, no_network):
    dossier = submit_one(app, citizen, household)
    act(desk, dossier.id, "yeu-cau-bo-sung", note="Bổ sung bản sao hợp đồng thuê nhà")
    printed = desk.get(f"/mot-cua/ho-so/{dossier.id}/ban-in.pdf").data
    slip = desk.get(f"/mot-cua/ho-so/{dossier.id}/phieu/yeu-cau-bo-sung.pdf").data
    urls = [verification_url(printed), verification_url(slip)]
    assert urls[0] != urls[1]
    for pdf, url, title in zip((printed, slip), urls, ("Bản in hồ sơ", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")):
        answer = verdict(app.test_client().get(urlsplit(url).path))
        assert "đã cấp văn bản có mã này" in answer and title in answer
        assert hashlib.sha256(pdf).hexdigest() in answer
        assert resources.portal(app).documents.by_code(url.rsplit("/", 1)[1]).kind in ("ban-in", "yeu-cau-bo-sung")


def test_each_dossier_of_a_batch_print_carries_the_batch_s_code(app, desk, citizen, household, clock, no_network):
    first, second = submit_one(app, citizen, household), submit_one(app, citizen, household)
    pdf = post(desk, "/mot-cua/in-ho-so", {"chon": [first.id, second.id]}, form_page="/mot-cua/").data
    codes = printed_codes(pdf)
    assert len(codes) == 2 and codes[0] == codes[1]
    url = verification_url(pdf)
    assert url.endswith(codes[0].replace("-", ""))
    found = resources.portal(app).documents.by_code(codes[0])
    assert found.dossier_id == f"{first.id},{second.id}" and found.sha256 == hashlib.sha256(pdf).hexdigest()


@pytest.mark.parametrize("typed", ["h7qd-3mkp-w9t", "0OIL-5S0O-IL5S", "<script>alert(1)</script>", "x" * 500,
                                   "..%2F..%2Fetc", "'; DROP TABLE issued_documents; --"])
def test_a_malformed_code_is_a_clear_not_found(app, typed):
    page = app.test_client().get(MA + typed)
    assert page.status_code == 404
    assert "không phải là mã kiểm tra" in text(page) and "<script>alert" not in text(page)


def test_an_unknown_code_is_not_found(app):
    page = app.test_client().get(MA + "H7QD-3MKP-W9TA")
    assert page.status_code == 404
    assert "Không tìm thấy văn bản có mã kiểm tra H7QD-3MKP-W9TA" in text(page)


def test_the_code_field_accepts_lower_case_and_missing_dashes(app, receipt):
    code = resources.portal(app).documents.get(hashlib.sha256(receipt).hexdigest()).code
    visitor = app.test_client()
    form = text(visitor.get("/kiem-tra-van-ban"))
    assert 'method="get"' in form and 'name="ma"' in form and "Mã kiểm tra" in form
    for typed in (code.lower(), grouped_code(code).lower(), f" {grouped_code(code)} "):
        answer = visitor.get("/kiem-tra-van-ban/ma", query_string={"ma": typed}, follow_redirects=True)
        assert answer.status_code == 200 and "đã cấp văn bản có mã này" in verdict(answer)
        assert answer.request.path == MA + code  # the typed code is not in the address, the code is
    assert visitor.get("/kiem-tra-van-ban/ma", query_string={"ma": ""}).status_code == 303
    wrong = visitor.get("/kiem-tra-van-ban/ma", query_string={"ma": "abc"}, follow_redirects=True)
    assert wrong.status_code == 404 and "không phải là mã kiểm tra" in text(wrong)


def test_the_code_s_page_tells_nothing_private(app, receipt, citizen):
    code = resources.portal(app).documents.get(hashlib.sha256(receipt).hexdigest()).code
    page = text(app.test_client().get(MA + code))
    assert citizen.full_name not in page and citizen.id_number not in page
    dossier = next(iter(resources.portal(app).dossiers.list_by_id_number(citizen.id_number)))
    assert dossier.id not in page and dossier.receipt_number not in page


def test_the_code_s_page_shares_the_checks_budget(app, receipt):
    app.config["VERIFY_LIMIT_IP"] = "2 per minute"
    code = resources.portal(app).documents.get(hashlib.sha256(receipt).hexdigest()).code
    visitor = app.test_client()
    codes = [visitor.get(MA + code).status_code, visitor.get("/kiem-tra-van-ban/ma", query_string={"ma": code},
                                                             follow_redirects=True).status_code,
             visitor.get(MA + "H7QD3MKPW9TA").status_code]
    assert codes == [200, 200, 429]


def test_dichvucong_print_signs_and_records_what_it_prints(app, citizen, household, clock, pki, tmp_path,
                                                           monkeypatch, no_network):
    """The batch command, without the app: the agency's key from DVC_SIGNING_KEYS, the registry of the
    instance folder, the QR code on --base-url; the portal's page then finds each file genuine."""
    from tests.web.test_signed_pdfs import the_agency_s

    first, second = submit_one(app, citizen, household), submit_one(app, citizen, household)
    monkeypatch.setenv("DVC_SIGNING_KEYS", json.dumps({"ubnd-phuong-vi-thanh": {
        "pkcs12": str(pki.p12), "passphrase_env": PASS_ENV}}))
    out = tmp_path / "outputs"
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["print", first.id, second.id, "--store", str(tmp_path / "store"),
                                       "-o", str(out), "--jobs", "1", "--base-url", "https://dvc.vithanh.vn/"])
    assert result.exit_code == 0, result.output
    for dossier in (first, second):
        pdf = (out / f"{dossier.id}.pdf").read_bytes()
        the_agency_s(pdf, pki)
        url = verification_url(pdf)
        assert url.startswith(f"https://dvc.vithanh.vn{MA}")
        answer = verdict(app.test_client().get(urlsplit(url).path))
        assert "đã cấp văn bản có mã này" in answer and "Được ký số khi cấp" in answer
        assert hashlib.sha256(pdf).hexdigest() in answer

    merged = CliRunner().invoke(main, ["print", first.id, second.id, "--store", str(tmp_path / "store"),
                                       "-o", str(tmp_path / "merged"), "--merge", "--jobs", "1"])
    assert merged.exit_code == 0, merged.output
    (pdf_path,) = (tmp_path / "merged").glob("*.pdf")
    pdf = pdf_path.read_bytes()
    the_agency_s(pdf, pki)
    codes = printed_codes(pdf)
    assert len(codes) == 2 and codes[0] == codes[1]
    assert resources.portal(app).documents.by_code(codes[0]).sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_draft_print_issues_nothing(app, citizen, household, clock, tmp_path):
    from click.testing import CliRunner

    dossier = submit_one(app, citizen, household)
    out = tmp_path / "draft"
    result = CliRunner().invoke(main, ["print", dossier.id, "--store", str(tmp_path / "store"), "-o", str(out),
                                       "--jobs", "1", "--no-issue"])
    assert result.exit_code == 0, result.output
    pdf = (out / f"{dossier.id}.pdf").read_bytes()
    assert printed_codes(pdf) == [] and b"/ByteRange" not in pdf
    assert resources.portal(app).documents.get(hashlib.sha256(pdf).hexdigest()) is None
