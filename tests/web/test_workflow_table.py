"""A new action is one row of the workflow table: the desk's page offers it to the role the
row names, the operations take it and log it, everyone else is refused; no template or
view is edited for it."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pytest

from engine import lifecycle
from engine.accounts import to_actor
from engine.clock import VIETNAM
from engine.dossier import Role, Status
from engine.receipts import new_receipt_number
from engine.workflow import WORKFLOW, Input, Transition
from tests.web.helpers import PASSWORD, add_user, login, post, text
from web import create_app, resources

WED = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
NOTE = "Kết quả ghi sai tên chủ hộ, cần cấp lại"

# Between two existing states (a result recorded by mistake goes back to processing), for
# clerks only, asking for a note.
REOPEN = Transition(
    "reopen", frozenset({Status.DONE}), (Status.PROCESSING,), frozenset({Role.CLERK}), "Thu hồi kết quả để xử lý lại",
    "Chỉ thu hồi hồ sơ đã có kết quả", slug="thu-hoi-ket-qua", style="secondary",
    inputs=(Input("note", "textarea", "Lý do thu hồi kết quả", True, "Cần ghi lý do thu hồi kết quả"),),
)


@pytest.fixture
def app(tmp_path, catalog):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                       "PASSWORD_PROFILE": "CHEAPEST", "WORKFLOW": WORKFLOW.with_transitions(REOPEN),
                       "CLOCK": lambda: WED})


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user.username, PASSWORD).status_code == 302
    return client


def done_in(app, citizen, clerk, household):
    """A household dossier of ``citizen`` whose result the desk recorded."""
    store, me, desk = resources.portal(app).dossiers, to_actor(citizen), to_actor(clerk)
    dossier = store.add(lifecycle.create(household, me, copy.deepcopy(household.sample), [], WED, citizen.id_number))
    dossier = store.update(lifecycle.confirm(dossier, me, WED))
    dossier = store.update(lifecycle.submit(dossier, household, me, WED))
    dossier = store.update(lifecycle.accept(dossier, household, desk, WED, new_receipt_number))
    return store.update(lifecycle.record_result(dossier, desk, "Đã cấp giấy chứng nhận", WED))


@pytest.fixture
def done(app, citizen, clerk, household):
    return done_in(app, citizen, clerk, household)


@pytest.fixture
def citizen_of(household):
    """For an app of the test's own: a done dossier of a new citizen, and a clerk."""
    def make(app):
        citizen = add_user(app, "congdan", full_name="Trần Thị Bích Ngọc", id_number="093195001234")
        clerk = add_user(app, "canbo", full_name="Lê Văn Hùng", role=Role.CLERK,
                         agencies=["ubnd-phuong-vi-thanh", "cong-an-phuong-vi-thanh"], phone=None)
        return done_in(app, citizen, clerk, household), clerk
    return make


def page_of(client, dossier_id):
    return text(client.get(f"/mot-cua/ho-so/{dossier_id}"))


def test_the_table_copy_is_the_app_s(app):
    assert "reopen" in resources.portal(app).workflow and "reopen" not in WORKFLOW


def test_the_new_action_is_offered_to_the_clerk_and_taken(app, done, clerk, smtp):
    desk = signed_in(app, clerk)
    page = page_of(desk, done.id)
    assert "Thu hồi kết quả để xử lý lại" in page and "Lý do thu hồi kết quả" in page
    assert "Đã trả kết quả" in page  # the table's own actions stay beside it

    path = f"/mot-cua/ho-so/{done.id}/thu-hoi-ket-qua"
    blank = post(desk, path, {"note": "  "}, form_page=f"/mot-cua/ho-so/{done.id}")
    assert blank.status_code == 303 and "Cần ghi lý do thu hồi kết quả" in page_of(desk, done.id)
    assert resources.portal(app).dossiers.get(done.id).status == Status.DONE

    taken = post(desk, path, {"note": NOTE}, form_page=f"/mot-cua/ho-so/{done.id}")
    assert taken.status_code == 303
    after = resources.portal(app).dossiers.get(done.id)
    assert after.status == Status.PROCESSING
    assert (after.log[-1].action, after.log[-1].note, after.log[-1].status_from) == ("reopen", NOTE, Status.DONE)
    assert "Thu hồi kết quả để xử lý lại: đã lưu" in page_of(desk, done.id)
    [mail] = [m for m in smtp.messages if "Thu hồi kết quả" in m["Subject"]]
    assert NOTE in mail.get_content()
    # Back in processing: what processing offers, and no longer the new action.
    page = page_of(desk, done.id)
    assert "Có kết quả" in page and "Lý do thu hồi kết quả" not in page


def test_the_new_action_is_refused_to_the_other_roles(app, done, citizen, admin):
    path = f"/mot-cua/ho-so/{done.id}/thu-hoi-ket-qua"
    manager = signed_in(app, admin)
    assert "Lý do thu hồi kết quả" not in page_of(manager, done.id)  # an administrator is not offered it
    refused = post(manager, path, {"note": NOTE}, form_page=f"/mot-cua/ho-so/{done.id}")
    assert refused.status_code == 303 and "Bạn không có quyền thực hiện thao tác này" in page_of(manager, done.id)

    owner = signed_in(app, citizen)
    assert post(owner, path, {"note": NOTE}, form_page="/quan-ly-ho-so").status_code == 403

    stranger = add_user(app, "canbo2", full_name="Võ Minh Trí", role=Role.CLERK, agencies=["cong-an-phuong-vi-thanh"])
    assert post(signed_in(app, stranger), path, {"note": NOTE}, form_page="/mot-cua/").status_code == 404
    assert resources.portal(app).dossiers.get(done.id).status == Status.DONE


def test_the_new_action_is_not_offered_in_other_states(app, done, clerk):
    store, desk = resources.portal(app).dossiers, to_actor(clerk)
    returned = store.update(lifecycle.hand_over(done, desk, WED))
    client = signed_in(app, clerk)
    assert "Lý do thu hồi kết quả" not in page_of(client, returned.id)
    post(client, f"/mot-cua/ho-so/{returned.id}/thu-hoi-ket-qua", {"note": NOTE},
         form_page=f"/mot-cua/ho-so/{returned.id}")
    assert "Chỉ thu hồi hồ sơ đã có kết quả" in page_of(client, returned.id)
    assert store.get(returned.id).status == Status.RETURNED


def test_a_row_that_asks_first_asks_then_takes_the_action(tmp_path, catalog, citizen_of, household):
    asking = dataclasses.replace(REOPEN, confirm="Bạn chắc chắn muốn thu hồi kết quả này?")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "CATALOG": catalog,
                      "PASSWORD_PROFILE": "CHEAPEST", "WORKFLOW": WORKFLOW.with_transitions(asking),
                      "CLOCK": lambda: WED})
    done, clerk = citizen_of(app)
    desk = signed_in(app, clerk)
    path, form_page = f"/mot-cua/ho-so/{done.id}/thu-hoi-ket-qua", f"/mot-cua/ho-so/{done.id}"

    question = post(desk, path, {"note": NOTE}, form_page=form_page)
    page = text(question)
    assert question.status_code == 200 and 'role="alertdialog"' in page
    assert "Bạn chắc chắn muốn thu hồi kết quả này?" in page and NOTE in page and "Bỏ qua" in page
    assert resources.portal(app).dossiers.get(done.id).status == Status.DONE  # nothing happened yet

    blank = post(desk, path, {"note": ""}, form_page=form_page)  # a refusal is said at once, not asked about
    assert blank.status_code == 303 and "Cần ghi lý do thu hồi kết quả" in page_of(desk, done.id)

    answered = post(desk, path, {"note": NOTE, "xac-nhan": "1"}, form_page=form_page)
    assert answered.status_code == 303
    assert resources.portal(app).dossiers.get(done.id).log[-1].action == "reopen"


def test_a_row_cannot_ask_first_and_take_a_file():
    with pytest.raises(ValueError, match="cannot take a file"):
        WORKFLOW.with_transitions(Transition(
            "reissue", frozenset({Status.DONE}), (), frozenset({Role.CLERK}), "Cấp lại kết quả", "", slug="cap-lai",
            confirm="Cấp lại?", inputs=(Input("result_file", "file", "Tệp kết quả"),)))
