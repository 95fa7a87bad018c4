"""renderers.signing: an agency's PAdES signature on a portal PDF, checked by pyHanko's validator."""

from __future__ import annotations

import datetime as dt

import pytest

from renderers.pdf import render_receipt_pdf
from renderers.signing import BadKey, SigningFailed, load_key, sign_pdf
from tests.renderers.pdf_helpers import LOOKUP_URL, accepted_dossier, pages_text
from tests.renderers.signing_helpers import (AGENCY, AGENCY_NAME, PASSPHRASE, LocalTsa, flip_a_signed_byte,
                                             make_pki, no_network, signatures)

__all__ = ["no_network"]  # the fixture, used by name


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def key(pki):
    return load_key(AGENCY, pki.p12.read_bytes(), PASSPHRASE.encode())


@pytest.fixture(scope="module")
def receipt(household):
    return render_receipt_pdf(household, accepted_dossier(household), "Lê Văn Hùng", LOOKUP_URL)


def test_a_signed_receipt_is_intact_trusted_and_signed_by_the_agency(key, pki, receipt, no_network):
    signed = sign_pdf(receipt, key, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Thành phố Vị Thanh")
    assert signed.startswith(receipt)  # an incremental update: the document's bytes are kept as they were
    [status] = signatures(signed, pki.ca)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert AGENCY_NAME in status.signing_cert.subject.human_friendly
    assert status.coverage.name == "ENTIRE_FILE"
    sig = status.signer_reported_dt
    assert sig is not None and abs(sig - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
    assert pages_text(signed) == pages_text(receipt)  # what the citizen reads is unchanged


def test_the_signature_is_pades_with_the_certificate_chain(key, pki, receipt):
    from pyhanko.pdf_utils.reader import PdfFileReader
    import io

    signed = sign_pdf(receipt, key, "Giấy tiếp nhận", "Thành phố Vị Thanh")
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.sig_object["/Reason"] == "Giấy tiếp nhận" and embedded.sig_object["/Location"] == "Thành phố Vị Thanh"
    subjects = {c.subject.human_friendly for c in [embedded.signer_cert, *embedded.other_embedded_certs]}
    assert any(AGENCY_NAME in s for s in subjects) and any("CA thử nghiệm" in s for s in subjects)


def test_a_byte_changed_after_signing_fails_verification(key, pki, receipt, no_network):
    signed = sign_pdf(receipt, key, "Giấy tiếp nhận", "Thành phố Vị Thanh")
    [status] = signatures(flip_a_signed_byte(signed), pki.ca)
    assert not status.intact and not status.bottom_line


def test_a_pdf_signed_before_keeps_its_signature_and_gains_another(key, pki, receipt, tmp_path, no_network):
    other_key = make_pki(tmp_path, agency_name="Sở Tư pháp thử nghiệm")
    theirs = sign_pdf(receipt, load_key("so-tu-phap", other_key.p12.read_bytes(), PASSPHRASE.encode()),
                      "Kết quả", "Vị Thanh")
    twice = sign_pdf(sign_pdf(theirs, key, "Kết quả", "Vị Thanh"), key, "Kết quả", "Vị Thanh")
    first, second, third = signatures(twice, pki.ca)
    assert first.intact and first.valid and first.coverage.name == "ENTIRE_REVISION"
    assert second.intact and second.valid and second.trusted
    assert third.bottom_line and third.coverage.name == "ENTIRE_FILE"
    assert AGENCY_NAME in third.signing_cert.subject.human_friendly


def test_with_a_time_stamping_authority_the_signature_carries_its_timestamp(key, pki, receipt, no_network):
    tsa = LocalTsa(pki)
    try:
        signed = sign_pdf(receipt, key, "Giấy tiếp nhận", "Vị Thanh", timestamp_url=tsa.url)
        first = len(tsa.requests)  # pyHanko's sample request, to size the signature, then the real one
        sign_pdf(receipt, key, "Giấy tiếp nhận", "Vị Thanh", timestamp_url=tsa.url)
    finally:
        tsa.stop()
    assert first == 2 and len(tsa.requests) == 3  # the sample is kept: one request per later signature
    [status] = signatures(signed, pki.ca)
    assert status.bottom_line and status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    assert abs(status.timestamp_validity.timestamp - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)


def test_without_one_there_is_no_timestamp(key, pki, receipt):
    [status] = signatures(sign_pdf(receipt, key, "Giấy tiếp nhận", "Vị Thanh"), pki.ca)
    assert status.timestamp_validity is None


def test_a_certificate_from_another_ca_is_not_trusted(key, receipt, tmp_path, no_network):
    stranger = make_pki(tmp_path)  # the same agency name, another CA
    [status] = signatures(sign_pdf(receipt, key, "Giấy tiếp nhận", "Vị Thanh"), stranger.ca)
    assert status.intact and not status.trusted and not status.bottom_line


def test_a_wrong_passphrase_is_refused_in_vietnamese(pki):
    with pytest.raises(BadKey) as refused:
        load_key(AGENCY, pki.p12.read_bytes(), b"khong-phai")
    assert "sai mật khẩu" in refused.value.message and AGENCY in refused.value.message
    assert "khong-phai" not in refused.value.message


def test_a_file_that_is_not_pkcs12_is_refused(pki):
    with pytest.raises(BadKey, match="không phải tệp PKCS#12"):
        load_key(AGENCY, b"%PDF-1.7 not a key", PASSPHRASE.encode())


def test_an_expired_certificate_is_refused(tmp_path):
    pki = make_pki(tmp_path, days=30)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=60)
    with pytest.raises(BadKey, match="chỉ có hiệu lực"):
        load_key(AGENCY, pki.p12.read_bytes(), PASSPHRASE.encode(), now=later)


def test_an_encrypted_pdf_cannot_be_signed(key):
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(SigningFailed, match="mật khẩu"):
        sign_pdf(out.getvalue(), key, "Kết quả", "Vị Thanh")
