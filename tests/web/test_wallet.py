""""Kho giấy tờ của tôi": a citizen keeps a document once and attaches it to later dossiers
without uploading it again; only they see it; deleting one side never empties the other.

Each test runs on TinyDB, then on PostgreSQL (a fresh schema; the server of
tests/storage/conftest.py)."""

from __future__ import annotations

import hashlib
import io
import re

import pytest

from engine import wallet as wallet_rules
from storage.postgres_wallet import PostgresWallet
from storage.wallet import TinyDBWallet
from tests.engine.test_upload_cleaning import phone_jpeg
from tests.storage.conftest import POSTGRES_URL, fresh_schema
from tests.web.helpers import add_user, login, logout, post, text
from tests.web.test_dossiers import SLOT, create_dossier, pdf_bytes, store, upload
from web import create_app, resources

WALLET = "/kho-giay-to"


@pytest.fixture(params=["tinydb", "postgres"])
def app(request, tmp_path, catalog, monkeypatch):
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog, "PASSWORD_PROFILE": "CHEAPEST"}
    if request.param == "tinydb":
        app = create_app(config)
        assert isinstance(resources.portal(app).wallet, TinyDBWallet)
        yield app
        return
    with fresh_schema() as schema:
        monkeypatch.setenv("DVC_DATABASE_URL", f"{POSTGRES_URL}?schema={schema}")
        app = create_app(config)
        assert isinstance(resources.portal(app).wallet, PostgresWallet)
        yield app
        resources.portal(app).close()  # before the schema is dropped


@pytest.fixture
def signed_in(client, citizen):
    assert login(client, citizen.username).status_code == 302
    return citizen


def keep(client, content: bytes, name: str, label: str = ""):
    return post(client, WALLET, {"ten": label, "tep": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def items(app, user):
    return resources.portal(app).wallet.items(user.id)


def read(app, file_id: str) -> bytes:
    return resources.portal(app).files.read(file_id)


def test_a_kept_photo_is_listed_shown_to_its_owner_and_cleaned(app, client, signed_in):
    photo = phone_jpeg(orientation=6)
    response = keep(client, photo, "IMG_2041.jpg", "Căn cước của tôi")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Đã lưu “Căn cước của tôi” vào Kho giấy tờ của tôi." in page
    assert "Căn cước của tôi" in page and "IMG_2041.jpg" in page and "Đang lưu 1/30 giấy tờ" in page
    [item] = items(app, signed_in)
    served = client.get(f"{WALLET}/{item.id}/tep")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, no-store"
    assert served.data == read(app, item.file_id) and b"Exif" not in served.data, "kept without its GPS position"
    assert item.sha256 == hashlib.sha256(served.data).hexdigest()


def test_a_file_that_is_not_a_document_is_refused_with_the_reason_and_nothing_is_kept(app, client, signed_in):
    response = keep(client, b"MZ\x90\x00 this is a program", "CCCD.pdf", "Căn cước")
    assert response.status_code == 422
    page = text(response)
    assert "Lỗi:" in page and 'value="Căn cước"' in page, "the name typed is kept"
    assert items(app, signed_in) == [] and list(resources.portal(app).files.ids()) == []
    assert keep(client, b"", "").status_code == 400


def test_an_item_picked_for_a_dossier_is_attached_as_a_copy_without_reencoding(app, client, signed_in, household):
    keep(client, phone_jpeg(), "cccd.jpg", "Căn cước")
    [item] = items(app, signed_in)
    dossier_id = create_dossier(client, household)
    form = text(client.get(f"/ho-so/{dossier_id}/cap-nhat"))
    assert "Hoặc chọn từ Kho giấy tờ của tôi" in form and f'value="{item.id}"' in form

    response = upload(client, dossier_id, household, {}, **{f"~wallet/{SLOT}": item.id})

    assert response.status_code == 302, text(response)
    attached = store(app).get(dossier_id).attachments[SLOT]
    assert attached.sha256 == item.sha256 and attached.file_id != item.file_id, "the same bytes, its own copy"
    assert attached.filename == item.filename
    # Each side lives alone: the item deleted, the dossier keeps its file; the dossier deleted, the item stays.
    assert post(client, f"{WALLET}/{item.id}/xoa", {}).status_code == 302
    assert items(app, signed_in) == [] and client.get(f"/ho-so/{dossier_id}/tep/{SLOT}").data == read(app, attached.file_id)
    keep(client, pdf_bytes(), "so-ho-khau.pdf")
    [again] = items(app, signed_in)
    upload(client, dossier_id, household, {}, **{f"~wallet/{SLOT}": again.id})
    assert post(client, f"/ho-so/{dossier_id}/xoa", {}).status_code == 302
    assert [i.id for i in items(app, signed_in)] == [again.id]
    assert client.get(f"{WALLET}/{again.id}/tep").data == pdf_bytes()


def test_ticking_keep_beside_an_upload_keeps_a_copy_named_for_the_document(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    response = upload(client, dossier_id, household, {SLOT: (pdf_bytes(), "uy-quyen.pdf")}, **{f"~keep/{SLOT}": "1"})
    assert response.status_code == 302
    [item] = items(app, signed_in)
    document = next(d for d in household.documents if d.id == SLOT)
    assert item.document_name == document.name and item.filename == "uy-quyen.pdf"
    assert len(document.name) > wallet_rules.MAX_LABEL, "a long name, cut at a word for the label"
    assert item.label.endswith("…") and document.name.startswith(item.label[:-1]) and len(item.label) <= 120
    # Offered first for that document in the next dossier.
    other = create_dossier(client, household)
    assert f'<option value="{item.id}">' in client.get(f"/ho-so/{other}/cap-nhat").get_data(as_text=True)


def test_a_dossier_s_attachment_is_kept_from_its_page(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    upload(client, dossier_id, household, {SLOT: (pdf_bytes(), "uy-quyen.pdf")})
    page = client.get(f"/ho-so/{dossier_id}").get_data(as_text=True)
    assert f'action="/ho-so/{dossier_id}/tep/{SLOT}/luu-vao-kho"' in page
    response = post(client, f"/ho-so/{dossier_id}/tep/{SLOT}/luu-vao-kho", {}, form_page=f"/ho-so/{dossier_id}")
    assert response.status_code == 302
    assert "Đã lưu bản sao" in text(client.get(response.headers["Location"]))
    [item] = items(app, signed_in)
    assert read(app, item.file_id) == read(app, store(app).get(dossier_id).attachments[SLOT].file_id)
    assert post(client, f"/ho-so/{dossier_id}/tep/khong-co/luu-vao-kho", {}, form_page=WALLET).status_code == 404


def test_nobody_else_sees_reaches_or_attaches_a_citizen_s_items(app, client, signed_in, household, clerk):
    keep(client, pdf_bytes(), "cccd.pdf", "Căn cước của Ngọc")
    [item] = items(app, signed_in)
    logout(client)
    other = add_user(app, "hangxom", full_name="Nguyễn Văn An", id_number="093095001111")
    login(client, other.username)
    assert "Căn cước của Ngọc" not in text(client.get(WALLET))
    assert client.get(f"{WALLET}/{item.id}/tep").status_code == 404
    assert client.get(f"{WALLET}/{item.id}/xoa").status_code == 404
    assert post(client, f"{WALLET}/{item.id}/xoa", {}, form_page=WALLET).status_code == 404
    dossier_id = create_dossier(client, household)
    response = upload(client, dossier_id, household, {}, **{f"~wallet/{SLOT}": item.id})
    assert SLOT not in store(app).get(dossier_id).attachments
    assert "không còn trong kho" in text(client.get(response.headers["Location"]))
    assert [i.id for i in items(app, signed_in)] == [item.id], "still the owner's"
    logout(client)
    login(client, clerk.username)
    assert client.get(WALLET).status_code == 403 and client.get(f"{WALLET}/{item.id}/tep").status_code == 403
    assert "Kho giấy tờ" not in text(client.get("/"))


def test_a_full_wallet_refuses_one_more_and_says_how_to_make_room(app, client, signed_in, monkeypatch):
    monkeypatch.setattr(wallet_rules, "MAX_ITEMS", 2)
    for n in range(2):
        assert keep(client, pdf_bytes(), f"{n}.pdf").status_code == 302
    response = keep(client, pdf_bytes(), "3.pdf")
    assert response.status_code == 422 and "Kho giấy tờ đã đầy" in text(response)
    assert len(items(app, signed_in)) == 2 and len(list(resources.portal(app).files.ids())) == 2


def test_posts_without_the_form_s_token_are_refused(app, client, signed_in):
    response = client.post(WALLET, data={"tep": (io.BytesIO(pdf_bytes()), "a.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400 and items(app, signed_in) == []


def test_the_menu_names_the_wallet_for_a_citizen(client, signed_in):
    assert re.search(r'<a href="/kho-giay-to">Kho giấy tờ</a>', client.get("/").get_data(as_text=True))
