"""What a citizen notices when things go wrong at once: ten clicks of "Nộp hồ sơ" make one
submission, and a store that cannot be written answers 503 and loses nothing saved."""

from __future__ import annotations

import copy
import errno
import threading

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from engine.dossier import Status
from tests.web.helpers import csrf_token, login, post, text
from tests.web.test_dossiers import fields_of, fill
from web import resources

CLICKS = 10


@pytest.fixture
def confirmed(app, citizen, household):
    store, me = resources.portal(app).dossiers, to_actor(citizen)
    dossier = store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), ["giay-de-nghi"],
                                         resources.portal(app).now(), citizen.id_number))
    return store.update(lifecycle.confirm(dossier, me, resources.portal(app).now()))


def test_ten_parallel_submissions_make_one(app, client, citizen, confirmed, smtp):
    assert login(client, citizen.username).status_code == 302
    token = csrf_token(client, f"/ho-so/{confirmed.id}/nop")
    cookie = client.get_cookie("session")
    start, answers = threading.Barrier(CLICKS), []

    def click():
        browser = app.test_client()  # one connection each, the same signed-in session
        browser.set_cookie(cookie.key, cookie.value)
        start.wait()
        answers.append(browser.post(f"/ho-so/{confirmed.id}/nop", data={"csrf_token": token}).status_code)

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(answers) == [302] * CLICKS  # every click lands on "Quản lý hồ sơ", none on an error
    stored = resources.portal(app).dossiers.get(confirmed.id)
    assert stored.status == Status.SUBMITTED
    assert [e.action for e in stored.log].count("submit") == 1
    assert [m["Subject"] for m in smtp.messages].count(f"Đã nộp hồ sơ: {confirmed_service(app, stored)}") == 1


def confirmed_service(app, dossier):
    return resources.portal(app).service_of(dossier).info.name


def test_a_store_that_cannot_be_written_answers_503_and_keeps_what_was_saved(app, client, citizen, confirmed,
                                                                             household, monkeypatch):
    assert login(client, citizen.username).status_code == 302
    form_page = f"/dich-vu/{household.slug}/dang-ky-ho-so"
    fields = fill(fields_of(client, form_page), copy.deepcopy(household.sample), household)

    def disk_full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("storage.atomic.os.fsync", disk_full)
    monkeypatch.setattr("os.fsync", disk_full)
    refused = client.post(form_page, data=fields)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    page = text(refused)
    assert "Hệ thống tạm thời không lưu được dữ liệu" in page and "Traceback" not in page
    monkeypatch.undo()

    mine = resources.portal(app).dossiers.list_by_owner(citizen.id)
    assert [d.id for d in mine] == [confirmed.id]  # the earlier dossier is intact, nothing half-made
    assert client.get(f"/ho-so/{confirmed.id}").status_code == 200
    again = post(client, f"/ho-so/{confirmed.id}/nop", {}, form_page=f"/ho-so/{confirmed.id}/nop")
    assert again.status_code == 302  # and the portal works again once the disk has room
