"""The (*) items of "Chọn thông tin bạn có" are asked for; a summary tells two dossiers apart
in "Quản lý hồ sơ", the dialogs, the desk's inbox and the e-mails."""

from __future__ import annotations

import copy
import dataclasses
import html
import re

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from engine.catalog import Catalog
from engine.dossier import Status
from tests.web.helpers import PASSWORD, add_user, body, link_in, login, post, text
from tests.web.test_dossiers import HOUSEHOLD, create_dossier, fields_of, fill, pdf_bytes, store, upload
from web import create_app, resources

BIRTH = "dang-ky-khai-sinh"
CREATE_BIRTH = f"/dich-vu/{BIRTH}/dang-ky-ho-so"
ID_PAPER = "giay-to-tuy-than"
AUTHORIZATION = "van-ban-uy-quyen-chu-ho"


@pytest.fixture
def signed_in(client, citizen):
    assert login(client, citizen.username).status_code == 302
    return citizen


@pytest.fixture
def birth(catalog):
    return catalog.get(BIRTH)


def birth_fields(client, birth, data, checklist):
    fields = fill(fields_of(client, CREATE_BIRTH), data, birth)
    for doc in checklist:
        fields.add("~checklist", doc)
    return fields


# -- the checklist ---------------------------------------------------------------------------

def test_a_mandatory_item_left_unticked_is_refused_at_save_and_nothing_typed_is_lost(app, client, signed_in, birth):
    data = copy.deepcopy(birth.sample)
    data["child"]["fullName"] = "Lê Minh Khôi"
    response = client.post(CREATE_BIRTH, data=birth_fields(client, birth, data, ["giay-chung-sinh"]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    name = birth.document(ID_PAPER).name
    message = f"Chưa đánh dấu giấy tờ bắt buộc (*) trong “Chọn thông tin bạn có”: {name}"
    assert message in html.unescape(text(response))
    # Shown at the checklist, and linked from the error summary above everything.
    fieldset = re.search(r'<fieldset class="field choices has-error" id="doc-checklist" '
                         r'aria-describedby="doc-checklist-error">.*?</fieldset>', page, re.S)
    assert fieldset and 'id="doc-checklist-error"' in fieldset.group(0)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert '<a href="#doc-checklist">' in summary and page.index("error-summary") < page.index("Chọn thông tin bạn có</h2>")
    # What was typed and ticked is there again; nothing was saved.
    assert 'value="Lê Minh Khôi"' in page and 'value="giay-chung-sinh" checked' in page
    assert f'value="{ID_PAPER}" checked' not in page
    assert store(app).count() == 0

    ticked = client.post(CREATE_BIRTH, data=birth_fields(client, birth, data, ["giay-chung-sinh", ID_PAPER]))
    assert ticked.status_code == 302
    assert store(app).get(ticked.headers["Location"].split("/")[2]).checklist == ["giay-chung-sinh", ID_PAPER]


def test_unticking_it_on_update_is_refused_and_the_dossier_kept_as_it_was(app, client, signed_in, birth):
    created = client.post(CREATE_BIRTH, data=birth_fields(client, birth, copy.deepcopy(birth.sample), [ID_PAPER]))
    dossier_id = created.headers["Location"].split("/")[2]
    path = f"/ho-so/{dossier_id}/cap-nhat"
    data = copy.deepcopy(birth.sample)
    data["child"]["fullName"] = "Lê Minh Khôi"
    fields = fill(fields_of(client, path), data, birth)
    fields.setlist("~checklist", [])
    response = client.post(path, data=fields)
    assert response.status_code == 422
    page = text(response)
    assert "còn giấy tờ bắt buộc chưa đánh dấu" in page and birth.document(ID_PAPER).name in page
    assert 'value="Lê Minh Khôi"' in response.get_data(as_text=True)
    kept = store(app).get(dossier_id)
    assert kept.checklist == [ID_PAPER] and kept.data["child"]["fullName"] == birth.sample["child"]["fullName"]


@pytest.fixture
def authorization_mandatory(tmp_path, catalog):
    """An app whose household business makes the owner's authorisation a (*) document that
    may be uploaded or brought: the citizen must tick it or upload it before submitting."""
    services = []
    for service in catalog:
        if service.slug == HOUSEHOLD:
            documents = tuple(dataclasses.replace(d, mandatory=True, upload=dataclasses.replace(d.upload, required=False))
                              if d.id == AUTHORIZATION else d for d in service.documents)
            service = dataclasses.replace(service, documents=documents)
        services.append(service)
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "other"), "CATALOG": Catalog(services),
                       "PASSWORD_PROFILE": "CHEAPEST"})


def test_at_submission_a_mandatory_document_neither_uploaded_nor_ticked_is_refused(authorization_mandatory):
    app = authorization_mandatory
    citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
    client = app.test_client()
    login(client, citizen.username)
    household = resources.portal(app).catalog.get(HOUSEHOLD)
    dossier_id = create_dossier(client, household)  # saved without it: it may still be uploaded
    portal = resources.portal(app)
    portal.dossiers.update(lifecycle.confirm(portal.dossiers.get(dossier_id), to_actor(citizen), portal.now()))

    name = household.document(AUTHORIZATION).name
    words = f"Chưa đánh dấu trong “Chọn thông tin bạn có” hoặc tải lên: {name}"
    assert words in html.unescape(text(client.get(f"/ho-so/{dossier_id}/nop")))
    refused = post(client, f"/ho-so/{dossier_id}/nop", {})
    assert refused.status_code == 422 and words in html.unescape(text(refused))
    assert store(app).get(dossier_id).status == Status.CONFIRMED

    upload(client, dossier_id, household, {AUTHORIZATION: (pdf_bytes(), "uy-quyen.pdf")})
    assert post(client, f"/ho-so/{dossier_id}/nop", {}).status_code == 302
    assert store(app).get(dossier_id).status == Status.SUBMITTED


# -- the summary -----------------------------------------------------------------------------

def named(household, name):
    data = copy.deepcopy(household.sample)
    data["business"]["name"] = name
    return data


def create_named(client, household, name):
    fields = fill(fields_of(client, f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so"), named(household, name), household)
    fields.add("~checklist", "giay-de-nghi")
    response = client.post(f"/dich-vu/{HOUSEHOLD}/dang-ky-ho-so", data=fields)
    assert response.status_code == 302, text(response)
    return response.headers["Location"].split("/")[2]


FIRST, SECOND = "Hộ kinh doanh Quán cơm Thanh Tâm", "Hộ kinh doanh Tiệm bánh Hồng Phát"


def test_two_drafts_of_one_service_are_told_apart_in_the_list_and_the_delete_dialog(app, client, signed_in, household,
                                                                                      smtp):
    first, second = create_named(client, household, FIRST), create_named(client, household, SECOND)
    listing = text(client.get("/quan-ly-ho-so"))
    assert FIRST in listing and SECOND in listing
    for dossier_id, mine, other in ((first, FIRST, SECOND), (second, SECOND, FIRST)):
        dialog = text(client.get(f"/ho-so/{dossier_id}/xoa"))
        assert "Bạn chắc chắn muốn xóa hồ sơ này?" in dialog
        assert f"({mine})" in dialog and other not in dialog
    # The confirmation mail says which one, without the owner's ID number.
    mails = [body(m) for m in smtp.messages]
    assert f"Hồ sơ: {FIRST}" in mails[0] and f"Hồ sơ: {SECOND}" in mails[1]
    assert all(household.sample["owner"]["idNumber"] not in m for m in mails)
    # An edit that renames the business renames the dossier.
    fields = fill(fields_of(client, f"/ho-so/{first}/cap-nhat"), named(household, "Hộ kinh doanh Cơm tấm Ba Ghiền"),
                  household)
    assert client.post(f"/ho-so/{first}/cap-nhat", data=fields).status_code == 302
    assert "Hộ kinh doanh Cơm tấm Ba Ghiền" in text(client.get("/quan-ly-ho-so"))


def test_the_desk_inbox_and_the_desk_s_e_mails_show_it(app, client, signed_in, clerk, household, smtp):
    dossier_id = create_named(client, household, SECOND)
    app.test_client().get(link_in(smtp.messages[-1]))
    assert f"({SECOND})" in text(client.get(f"/ho-so/{dossier_id}/nop"))  # the submit dialog too
    assert post(client, f"/ho-so/{dossier_id}/nop", {}).status_code == 302
    assert f"Hồ sơ: {SECOND}" in body(smtp.messages[-1])

    desk = app.test_client()
    login(desk, clerk.username, PASSWORD)
    assert SECOND in text(desk.get("/mot-cua/"))
    response = post(desk, f"/mot-cua/ho-so/{dossier_id}/tiep-nhan", {}, form_page=f"/mot-cua/ho-so/{dossier_id}")
    assert response.status_code == 303
    accepted = body(smtp.messages[-1])
    assert "Số biên nhận" in accepted and f"Hồ sơ: {SECOND}" in accepted
