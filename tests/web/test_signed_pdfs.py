"""The PDFs the desk issues carry the agency's signature when the operator gave it a key (web.signing)."""

from __future__ import annotations

import io
import json

import pytest

from engine.dossier import Role, Status
from tests.renderers.signing_helpers import AGENCY, AGENCY_NAME, PASSPHRASE, flip_a_signed_byte, make_pki, no_network, signatures
from tests.web.helpers import PASSWORD, add_user, login, post
from tests.web.test_desk import act, clock, stored, submit_one
from web import create_app, resources

__all__ = ["clock", "no_network"]  # fixtures, used by name

PASS_ENV = "DVC_TEST_KEY_PASSPHRASE"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def make_app(tmp_path, catalog, keys, **config):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST", "SIGNING_KEYS": keys, **config})


@pytest.fixture
def app(tmp_path, catalog, pki, monkeypatch):
    monkeypatch.setenv(PASS_ENV, PASSPHRASE)
    # As the operator writes it: JSON in DVC_SIGNING_KEYS.
    monkeypatch.setenv("DVC_SIGNING_KEYS", json.dumps({AGENCY: {"pkcs12": str(pki.p12), "passphrase_env": PASS_ENV}}))
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST"})


@pytest.fixture
def dossier(app, clock, citizen, household):
    return submit_one(app, citizen, household)


@pytest.fixture
def desk(app, clerk):
    client = app.test_client()
    assert login(client, clerk.username, PASSWORD).status_code == 302
    return client


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return out.getvalue()


def the_agency_s(pdf: bytes, pki) -> None:
    [status] = signatures(pdf, pki.ca)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert AGENCY_NAME in status.signing_cert.subject.human_friendly


def test_the_receipt_slip_and_the_printed_dossier_are_signed_by_the_agency(app, desk, dossier, pki, no_network):
    act(desk, dossier.id, "tiep-nhan")
    receipt = desk.get(f"/mot-cua/ho-so/{dossier.id}/bien-nhan.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    the_agency_s(receipt.data, pki)
    the_agency_s(desk.get(f"/mot-cua/ho-so/{dossier.id}/ban-in.pdf").data, pki)
    [status] = signatures(flip_a_signed_byte(receipt.data), pki.ca)
    assert not status.intact and not status.bottom_line


def test_the_other_desk_slips_are_signed_for_the_desk_and_the_citizen(app, client, desk, citizen, dossier, pki,
                                                                      no_network):
    act(desk, dossier.id, "yeu-cau-bo-sung", note="Bổ sung bản sao hợp đồng thuê nhà")
    the_agency_s(desk.get(f"/mot-cua/ho-so/{dossier.id}/phieu/yeu-cau-bo-sung.pdf").data, pki)
    login(client, citizen.username)
    the_agency_s(client.get(f"/ho-so/{dossier.id}/phieu/yeu-cau-bo-sung.pdf").data, pki)


def test_a_batch_print_of_one_agency_s_dossiers_is_signed(app, desk, citizen, household, dossier, pki, no_network):
    second = submit_one(app, citizen, household)
    response = post(desk, "/mot-cua/in-ho-so", {"chon": [dossier.id, second.id]}, form_page="/mot-cua/")
    the_agency_s(response.data, pki)


def test_a_result_pdf_is_kept_signed_and_an_image_as_it_was(app, client, desk, citizen, household, dossier, pki,
                                                             no_network):
    from tests.web.test_dossiers import pdf_bytes

    act(desk, dossier.id, "tiep-nhan")
    original = pdf_bytes()
    post(desk, f"/mot-cua/ho-so/{dossier.id}/co-ket-qua",
         {"note": "Đã cấp Giấy chứng nhận", "result_file": (io.BytesIO(original), "gcn.pdf")},
         form_page=f"/mot-cua/ho-so/{dossier.id}", content_type="multipart/form-data")
    done = stored(app, dossier.id)
    assert done.status == Status.DONE
    login(client, citizen.username, PASSWORD)
    result = client.get(f"/ho-so/{dossier.id}/ket-qua").data
    assert result.startswith(original) and len(result) > len(original)  # the upload, with the signature after it
    the_agency_s(result, pki)
    assert done.result_file.size == len(result)

    other = submit_one(app, citizen, household)
    act(desk, other.id, "tiep-nhan")
    image = png_bytes()
    post(desk, f"/mot-cua/ho-so/{other.id}/co-ket-qua",
         {"note": "Đã cấp", "result_file": (io.BytesIO(image), "gcn.png")},
         form_page=f"/mot-cua/ho-so/{other.id}", content_type="multipart/form-data")
    kept = stored(app, other.id).result_file
    data = resources.portal(app).files.read(kept.file_id)
    assert kept.media_type == "image/png" and data.startswith(b"\x89PNG") and b"/ByteRange" not in data


def test_an_agency_without_a_key_issues_unsigned_pdfs(app, desk, citizen, catalog, clock):
    import copy

    from engine import lifecycle
    from engine.accounts import to_actor
    from tests.web.test_desk import WED

    residence = catalog["dang-ky-tam-tru"]  # the ward police's: no key configured
    me, store = to_actor(citizen), resources.portal(app).dossiers
    dossier = store.add(lifecycle.create(residence, me, copy.deepcopy(residence.sample), ["to-khai-ct01"], WED,
                                         citizen.id_number))
    dossier = store.update(lifecycle.submit(store.update(lifecycle.confirm(dossier, me, WED)), residence, me, WED))
    act(desk, dossier.id, "tiep-nhan")
    for kind in ("ban-in", "bien-nhan"):
        pdf = desk.get(f"/mot-cua/ho-so/{dossier.id}/{kind}.pdf")
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
        assert signatures(pdf.data, None) == [] and b"/ByteRange" not in pdf.data


def test_without_keys_every_pdf_is_unsigned(tmp_path, catalog):
    app = make_app(tmp_path, catalog, None)
    assert resources.portal(app).sign(b"%PDF-1.7 x", AGENCY, "Bản in hồ sơ") == b"%PDF-1.7 x"


def test_a_wrong_passphrase_stops_the_start_with_a_vietnamese_message(tmp_path, catalog, pki, monkeypatch):
    monkeypatch.setenv(PASS_ENV, "không-đúng-mật-khẩu")
    with pytest.raises(RuntimeError) as stopped:
        make_app(tmp_path, catalog, json.dumps({AGENCY: {"pkcs12": str(pki.p12), "passphrase_env": PASS_ENV}}))
    message = str(stopped.value)
    assert "sai mật khẩu" in message and AGENCY in message and "không-đúng-mật-khẩu" not in message


@pytest.mark.parametrize("entry, words", [
    ({"pkcs12": "khong-co.p12", "passphrase_env": PASS_ENV}, "không đọc được tệp khóa"),
    ({"pkcs12": "{p12}", "passphrase_env": "DVC_KHONG_DAT"}, "chưa đặt biến môi trường DVC_KHONG_DAT"),
    ({"passphrase_env": PASS_ENV}, "cần {\"pkcs12\""),
])
def test_a_key_that_cannot_be_used_stops_the_start(tmp_path, catalog, pki, monkeypatch, entry, words):
    monkeypatch.setenv(PASS_ENV, PASSPHRASE)
    entry = {k: v.replace("{p12}", str(pki.p12)) for k, v in entry.items()}
    with pytest.raises(RuntimeError) as stopped:
        make_app(tmp_path, catalog, {AGENCY: entry})
    assert words in str(stopped.value) and AGENCY in str(stopped.value)


def test_the_keys_may_be_named_in_a_json_file(tmp_path, catalog, pki, monkeypatch):
    monkeypatch.setenv(PASS_ENV, PASSPHRASE)
    (tmp_path / "keys").mkdir()
    listing = tmp_path / "keys" / "signing-keys.json"
    listing.write_text(json.dumps({AGENCY: {"pkcs12": str(pki.p12), "passphrase_env": PASS_ENV}}))
    from web.signing import signing_agencies

    assert signing_agencies(make_app(tmp_path, catalog, str(listing))) == [AGENCY]
