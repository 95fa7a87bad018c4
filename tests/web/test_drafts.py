""""Lưu nháp" on the dossier form, resumed from "Quản lý hồ sơ"; a session that ends while
a citizen types loses nothing (web.rescue), and the form says when it ends."""

from __future__ import annotations

import copy
import datetime as dt
import re
import time

import pytest

from engine.clock import VIETNAM
from tests.web.helpers import login, text
from tests.web.test_dossiers import CREATE, dossier_form, fields_of, fill, store
from web import create_app

START = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)


@pytest.fixture
def clock():
    return {"now": START}


@pytest.fixture
def app(tmp_path, catalog, clock):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST", "CLOCK": lambda: clock["now"]})


@pytest.fixture
def signed_in(client, citizen):
    assert login(client, citizen.username).status_code == 302
    return citizen


def half_filled(client, path=CREATE, submitter="~draft"):
    """The create page as posted by "Lưu nháp": the owner's name left empty, the birth date
    typed the wrong way, the capital in words, nothing ticked."""
    fields = fields_of(client, path, submitter=submitter)
    fields["#/owner/fullName"] = ""
    fields["#/owner/birthDate"] = "14/3/1986"
    fields["#/capital"] = "một trăm triệu"
    fields.setlist("~checklist", [])
    return fields


def test_a_draft_is_saved_incomplete_without_mail_and_resumed_with_what_was_typed(app, client, signed_in, smtp):
    page = client.get(CREATE).get_data(as_text=True)
    assert re.search(r'<button type="submit" class="secondary" name="~draft" value="1" formnovalidate', page)
    saved = client.post(CREATE, data=half_filled(client))
    assert saved.status_code == 302
    dossier_id = saved.headers["Location"].split("/")[2]
    kept = store(app).get(dossier_id)
    assert kept.incomplete and kept.data["owner"]["birthDate"] == "14/3/1986" and kept.data["capital"] == "một trăm triệu"
    assert smtp.messages == []  # no confirmation link for a half-filled form
    manage = client.get("/quan-ly-ho-so").get_data(as_text=True)
    assert "Chưa hoàn thành" in manage and f'href="/ho-so/{dossier_id}/cap-nhat">Tiếp tục nhập' in manage
    resumed = client.get(f"/ho-so/{dossier_id}/cap-nhat")
    form = dossier_form(resumed.get_data(as_text=True))
    assert 'value="14/3/1986"' in form and 'value="một trăm triệu"' in form
    assert "Hồ sơ chưa hoàn thành (đã lưu nháp)" in text(resumed)


def test_luu_lai_then_shows_the_errors_and_submission_is_refused(app, client, signed_in, smtp, household):
    dossier_id = client.post(CREATE, data=half_filled(client)).headers["Location"].split("/")[2]
    path = f"/ho-so/{dossier_id}/cap-nhat"
    checked = client.post(path, data=half_filled(client, path, submitter=None))
    assert checked.status_code == 422
    page = text(checked)
    assert "Hồ sơ chưa được cập nhật: biểu mẫu còn lỗi cần sửa." in page
    assert store(app).get(dossier_id).incomplete
    refused = text(client.get(f"/ho-so/{dossier_id}/nop"))
    assert "Nộp hồ sơ" not in re.findall(r"<button[^>]*>([^<]*)", refused)
    # Completed with "Lưu lại": the mark goes, and the confirmation link is sent now.
    fields = fill(fields_of(client, path, submitter=None), copy.deepcopy(household.sample), household)
    assert client.post(path, data=fields).status_code == 302
    assert not store(app).get(dossier_id).incomplete
    assert any("Xác nhận hồ sơ" in m["Subject"] for m in _messages(smtp))


def _messages(smtp):
    from tests.web.helpers import wait_for

    wait_for(lambda: smtp.messages)
    return smtp.messages


def test_the_form_says_when_the_session_ends(client, signed_in):
    page = client.get(CREATE).get_data(as_text=True)
    assert "Phiên đăng nhập của bạn kết thúc lúc 21:00 ngày 25/11/2026" in page
    assert 'data-session-seconds="43200"' in page and "js/session.js" in page


def test_a_post_after_the_session_ended_is_kept_and_restored_after_login(app, client, signed_in, clock):
    fields = half_filled(client)
    clock["now"] = START + dt.timedelta(hours=12, minutes=1)
    posted = client.post(CREATE, data=fields)
    assert posted.status_code == 303
    target = re.search(r"next=([^&]+)", posted.headers["Location"]).group(1)
    from urllib.parse import unquote

    target = unquote(target)
    assert target.startswith(CREATE + "?khoi-phuc=")
    assert store(app).list_by_owner(signed_in.id) == []  # kept aside, not saved
    assert client.get(CREATE).status_code == 302  # signed out now
    back = login(client, signed_in.username, next=target)
    assert back.headers["Location"] == target
    restored = client.get(target)
    form = dossier_form(restored.get_data(as_text=True))
    assert 'value="14/3/1986"' in form and 'value="một trăm triệu"' in form
    assert "được khôi phục" in text(restored)
    again = dossier_form(client.get(target).get_data(as_text=True))  # once only
    assert 'value="14/3/1986"' not in again


def test_an_expired_cookie_still_keeps_the_post_but_not_without_its_csrf_token(tmp_path, catalog):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                      "PASSWORD_PROFILE": "CHEAPEST", "PERMANENT_SESSION_LIFETIME": dt.timedelta(seconds=1)})
    from tests.web.helpers import add_user

    user = add_user(app, "congdan")
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    fields = half_filled(client)
    time.sleep(2.1)  # the cookie's own signature is now too old: Flask reads an empty session
    forged = fields.copy()
    forged["csrf_token"] = "x"
    assert client.post(CREATE, data=forged).status_code == 400  # CSRF still refuses
    posted = client.post(CREATE, data=fields)
    assert posted.status_code == 303 and "khoi-phuc" in posted.headers["Location"]


def test_a_kept_post_is_not_given_to_another_citizen(app, client, signed_in, clock):
    from tests.web.helpers import add_user, logout
    from urllib.parse import unquote

    fields = half_filled(client)
    clock["now"] = START + dt.timedelta(hours=13)
    target = unquote(re.search(r"next=([^&]+)", client.post(CREATE, data=fields).headers["Location"]).group(1))
    other = add_user(app, "nguoikhac")
    clock["now"] = START + dt.timedelta(hours=14)
    login(client, other.username)
    page = dossier_form(client.get(target).get_data(as_text=True))
    assert 'value="14/3/1986"' not in page


def test_a_confirmed_dossier_saved_as_a_draft_is_not_sent_until_luu_lai(app, client, signed_in, household):
    from engine import lifecycle
    from engine.accounts import to_actor
    from engine.dossier import Status
    from tests.web.test_dossiers import create_dossier

    dossier_id = create_dossier(client, household)
    confirmed = store(app).update(lifecycle.confirm(store(app).get(dossier_id), to_actor(signed_in), START))
    path = f"/ho-so/{dossier_id}/cap-nhat"
    assert client.post(path, data=fields_of(client, path, submitter="~draft")).status_code == 302
    page = text(client.get(f"/ho-so/{dossier_id}/nop"))
    assert "Hồ sơ chưa đầy đủ để nộp" in page and "Hồ sơ chưa hoàn thành (đã lưu nháp)" in page
    sent = client.post(f"/ho-so/{dossier_id}/nop", data={"csrf_token": fields_of(client, path)["csrf_token"]})
    assert sent.status_code == 422 and store(app).get(dossier_id).status == confirmed.status == Status.CONFIRMED
    assert client.post(path, data=fields_of(client, path, submitter=None)).status_code == 302  # Lưu lại: complete
    assert client.post(f"/ho-so/{dossier_id}/nop", data={"csrf_token": fields_of(client, path)["csrf_token"]}
                       ).status_code == 302
    assert store(app).get(dossier_id).status == Status.SUBMITTED
