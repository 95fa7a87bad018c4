"""The request's edge: a value longer than any field, and a body larger than every upload
slot together, are refused before a view reads them."""

from __future__ import annotations

import io

from engine.bounds import MAX_BODY, MAX_TEXT
from tests.web.helpers import csrf_token, login, post, text
from web import resources


def test_a_value_longer_than_any_field_is_a_bad_request(app, client, citizen, household):
    assert login(client, citizen.username).status_code == 302
    path = f"/dich-vu/{household.slug}/dang-ky-ho-so"
    refused = post(client, path, {"#/business/name": "Hộ kinh doanh " + "a" * MAX_TEXT})
    assert refused.status_code == 400 and "Yêu cầu không hợp lệ" in text(refused)
    assert resources.portal(app).dossiers.list_by_owner(citizen.id) == []
    assert post(client, path, {"#/business/name": "a" * MAX_TEXT}).status_code == 422  # the form, with its errors
    assert client.get("/tra-cuu", query_string={"q": "1" * (MAX_TEXT + 1)}).status_code == 400


def test_a_body_larger_than_every_upload_slot_is_refused_unread(app, client, citizen):
    assert login(client, citizen.username).status_code == 302
    body = {"csrf_token": csrf_token(client, "/quan-ly-ho-so"),
            "~file/x": (io.BytesIO(b"\0" * (MAX_BODY + 1)), "lon.pdf")}
    refused = client.post("/dich-vu/x/dang-ky-ho-so", data=body, content_type="multipart/form-data")
    assert refused.status_code == 413 and "Tệp quá lớn" in text(refused)
