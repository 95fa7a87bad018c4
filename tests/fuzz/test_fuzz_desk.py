"""Every desk action of the workflow table, posted hostile (notes, dates, files), on a
dossier in each state the desk handles: no server error, and a dossier changes only by
the action that was posted."""

from __future__ import annotations

import copy
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import lifecycle
from engine.accounts import to_actor
from engine.receipts import new_receipt_number
from tests.fuzz import hostile
from tests.fuzz.test_fuzz_forms import FUZZ
from tests.web.helpers import csrf_token
from web import resources


def dossiers_at_the_desk(app, citizen, clerk, service):
    """A submitted dossier, an accepted one, and one with its result."""
    store, now = resources.portal(app).dossiers, resources.portal(app).now()
    me, desk = to_actor(citizen), to_actor(clerk)

    def submitted():
        d = store.add(lifecycle.create(service, me, copy.deepcopy(service.sample), [], now, citizen.id_number))
        return store.update(lifecycle.submit(store.update(lifecycle.confirm(d, me, now)), service, me, now))

    first, second, third = submitted(), submitted(), submitted()
    second = store.update(lifecycle.accept(second, service, desk, now, new_receipt_number))
    third = store.update(lifecycle.accept(third, service, desk, now, new_receipt_number))
    third = store.update(lifecycle.record_result(third, desk, "Đã cấp", now))
    return [first.id, second.id, third.id]


@st.composite
def desk_post(draw, token: str) -> dict:
    posted = {"csrf_token": token, "note": draw(hostile.desk_note), "new_date": draw(hostile.desk_date)}
    if draw(st.booleans()):
        posted["result_file"] = (io.BytesIO(draw(hostile.file_bytes)), draw(hostile.file_name))
    if draw(st.booleans()):
        posted["xac-nhan"] = draw(st.sampled_from(["1", "0", "", "²"]))
    return posted


@pytest.mark.parametrize("step", hostile.DESK_STEPS + ["khong-co", "tiep-nhan/../tu-choi"])
def test_a_desk_action(step, app, household, citizen, clerk):
    owner, _ = citizen
    user, send = clerk
    ids = dossiers_at_the_desk(app, owner, user, household)
    store = resources.portal(app).dossiers
    action = resources.portal(app).workflow.by_slug(step)

    @FUZZ
    @given(st.data())
    def attack(data):
        dossier_id = data.draw(st.sampled_from(ids))
        before = store.get(dossier_id)
        token = csrf_token(send.client, f"/mot-cua/ho-so/{dossier_id}")
        send("POST", f"/mot-cua/ho-so/{dossier_id}/{step}", data=data.draw(desk_post(token)),
             content_type="multipart/form-data")
        after = store.get(dossier_id)
        if after.version != before.version:  # changed only by the action posted, logged
            assert action is not None and after.log[-1].action == action.action

    attack()
