"""Through the portal: what a citizen or a clerk uploads is kept without what it carries unseen."""

from __future__ import annotations

import hashlib
import io

from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from engine.dossier import Status
from engine.uploads import PDF_ACTIVE
from tests.engine.test_upload_cleaning import HOME, TRAILER, phone_jpeg
from tests.web.helpers import post, text
from tests.web.test_desk import act, clock, desk, dossier, stored  # noqa: F401 (fixtures)
from tests.web.test_dossiers import SLOT, create_dossier, signed_in, store, upload  # noqa: F401 (a fixture)
from web import resources


def script_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('Hồ sơ của bạn đã bị khóa')"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stored_files(app) -> list:
    return [path for path in resources.portal(app).files.root.rglob("*") if path.is_file()]


def test_a_phone_photo_is_kept_without_its_gps_position(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)
    photo = phone_jpeg(orientation=6)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825) == HOME

    response = upload(client, dossier_id, household, {SLOT: (photo, "CCCD mặt trước\u202Egpj.exe")})

    assert response.status_code == 302
    attached = store(app).get(dossier_id).attachments[SLOT]
    kept = resources.portal(app).files.read(attached.file_id)
    assert b"Exif" not in kept and TRAILER not in kept and kept.endswith(b"\xff\xd9")
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and not image.getexif() and image.size == (30, 40)
    assert (attached.size, attached.sha256) == (len(kept), hashlib.sha256(kept).hexdigest())
    assert (attached.filename, attached.media_type) == ("CCCD mặt trướcgpj.jpg", "image/jpeg")
    assert client.get(f"/ho-so/{dossier_id}/tep/{SLOT}").data == kept
    assert "CCCD mặt trướcgpj.jpg" in text(client.get(f"/ho-so/{dossier_id}/cap-nhat"))


def test_a_pdf_with_javascript_is_refused_with_the_message_and_nothing_is_kept(app, client, signed_in, household):
    dossier_id = create_dossier(client, household)

    response = upload(client, dossier_id, household, {SLOT: (script_pdf(), "CCCD.pdf")})

    assert response.status_code == 422
    assert PDF_ACTIVE in text(response)
    assert store(app).get(dossier_id).attachments == {} and stored_files(app) == []


def test_a_clerk_s_result_file_is_checked_the_same_way(app, desk, dossier):  # noqa: F811 (the fixtures)
    act(desk, dossier.id, "tiep-nhan")
    page = f"/mot-cua/ho-so/{dossier.id}"
    response = post(desk, f"{page}/co-ket-qua", {"note": "Đã cấp giấy chứng nhận",
                                                 "result_file": (io.BytesIO(script_pdf()), "gcn.pdf")},
                    form_page=page, content_type="multipart/form-data")
    assert response.status_code == 303
    assert PDF_ACTIVE in text(desk.get(page))
    assert stored(app, dossier.id).status == Status.PROCESSING and stored_files(app) == []

    post(desk, f"{page}/co-ket-qua", {"note": "Đã cấp giấy chứng nhận",
                                      "result_file": (io.BytesIO(phone_jpeg()), "gcn.jpg")},
         form_page=page, content_type="multipart/form-data")
    done = stored(app, dossier.id)
    kept = resources.portal(app).files.read(done.result_file.file_id)
    assert done.status == Status.DONE and done.result_file.filename == "ket-qua.jpg"
    assert b"Exif" not in kept and done.result_file.sha256 == hashlib.sha256(kept).hexdigest()
