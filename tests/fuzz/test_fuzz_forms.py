"""Every form of every service, every field of it, posted hostile: to create a dossier, to
update one, and to the authoring preview. No answer is a server error, and a refused
request changes nothing: no dossier made, no version stored."""

from __future__ import annotations

import copy
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from engine import lifecycle
from engine.accounts import to_actor
from engine.catalog import Catalog
from engine.forms import ACTION
from renderers.html import render_form
from tests.browser_form import submit as browser_submit
from tests.fuzz import hostile
from tests.fuzz.counter import EXAMPLES
from tests.web.helpers import csrf_token
from web import resources

SLUGS = [s.slug for s in Catalog.load().latest() if s.online]
# Derandomised: the same requests each run (make fuzz draws more); no shrinking, which on
# requests this size takes minutes: a failure shows the request as it was sent.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def form_fields(service, data) -> MultiDict:
    """What a browser posts for ``data``: every control of the form, conditional ones included."""
    return browser_submit(str(render_form(service.form_schema, data)))


def arrays_of(fields: MultiDict) -> list[str]:
    return sorted({m.group(1) for name in fields for m in [re.match(r"(#(?:/[^/]+)*?)/\d+/", name)] if m})


@st.composite
def hostile_post(draw, service, token: str) -> MultiDict:
    """The form's every field given a hostile value, plus names and row buttons no form has."""
    fields = form_fields(service, copy.deepcopy(service.sample))
    posted = MultiDict()
    for name in dict.fromkeys(fields):
        for value in draw(hostile.values):
            posted.add(name, value)
    for name, hostile_values in draw(hostile.field_names(arrays_of(fields))).items():
        for value in hostile_values:
            posted.add(name, value)
    for value in draw(st.lists(st.one_of(st.sampled_from([d.id for d in service.documents]), hostile.value),
                               max_size=3)):
        posted.add("~checklist", value)
    if draw(st.booleans()):
        posted.add(ACTION, draw(hostile.action(arrays_of(fields))))
    posted.add("csrf_token", token)
    return posted


@pytest.mark.parametrize("slug", SLUGS)
def test_creating_a_dossier(slug, app, catalog, citizen):
    user, send = citizen
    service, path = catalog[slug], f"/dich-vu/{slug}/dang-ky-ho-so"
    token = csrf_token(send.client, path)

    @FUZZ
    @given(st.data())
    def attack(data):
        before = len(resources.portal(app).dossiers.list_by_owner(user.id))
        response = send("POST", path, data=data.draw(hostile_post(service, token)))
        after = len(resources.portal(app).dossiers.list_by_owner(user.id))
        assert after == before + (response.status_code == 302)  # a dossier only when it was saved

    attack()


@pytest.mark.parametrize("slug", SLUGS)
def test_updating_a_dossier(slug, app, catalog, citizen):
    user, send = citizen
    service = catalog[slug]
    store = resources.portal(app).dossiers
    mandatory = [d.id for d in service.documents if d.mandatory]  # saved only with the (*) items ticked
    dossier = store.add(lifecycle.create(service, to_actor(user), copy.deepcopy(service.sample), mandatory,
                                         resources.portal(app).now(), user.id_number))
    path = f"/ho-so/{dossier.id}/cap-nhat"
    token = csrf_token(send.client, path)

    @FUZZ
    @given(st.data())
    def attack(data):
        before = store.get(dossier.id)
        response = send("POST", path, data=data.draw(hostile_post(service, token)))
        after = store.get(dossier.id)
        if response.status_code != 302:
            assert after.version == before.version and after.data == before.data

    attack()


def test_invalid_utf8_in_any_form(app, catalog, citizen):
    _user, send = citizen
    for slug in SLUGS:
        path = f"/dich-vu/{slug}/dang-ky-ho-so"
        body = f"csrf_token={csrf_token(send.client, path)}&".encode() + b"%23%2Fowner%2FfullName=%FF%FE%C0%AF&\xff=\xfe"
        send("POST", path, data=body, content_type="application/x-www-form-urlencoded")


def definition_zip(service) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in ("service.json", "documents.json", "form.schema.json", "sample.json"):
            archive.write(service.folder / name, f"thu-nghiem/{name}")
    return out.getvalue()


def test_the_authoring_preview_form(app, catalog, admin):
    _user, send = admin
    service = catalog["dang-ky-thanh-lap-ho-kinh-doanh"]
    token = csrf_token(send.client, "/quan-tri/dich-vu/tai-len")
    uploaded = send("POST", "/quan-tri/dich-vu/tai-len", content_type="multipart/form-data",
                    data={"csrf_token": token, "slug": service.slug,
                          "files": [(io.BytesIO(definition_zip(service)), "dv.zip")]})
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:2000]
    path = uploaded.headers["Location"] + "/bieu-mau"

    @FUZZ
    @given(st.data())
    def attack(data):
        versions = resources.portal(app).definitions.versions()
        send("POST", path, data=data.draw(hostile_post(service, csrf_token(send.client, path))))
        assert resources.portal(app).definitions.versions() == versions  # trying the form publishes nothing

    attack()
