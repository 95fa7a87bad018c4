"""The pages anyone reaches: the account forms, the public lookup, the definition upload,
posted hostile. No server error; a refused registration makes no account."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import hostile
from tests.fuzz.test_fuzz_forms import FUZZ
from tests.web.helpers import csrf_token
from web import resources

ACCOUNT_FORMS = {
    "/dang-ky": ["username", "password", "confirm", "full_name", "email", "phone", "id_number", "consent"],
    "/dang-nhap": ["username", "password", "next"],
    "/quen-mat-khau": ["email"],
    "/gui-lai-kich-hoat": ["email"],
}


@st.composite
def account_post(draw, names: list[str], token: str) -> dict:
    posted = {name: draw(hostile.values) for name in names}
    posted["csrf_token"] = token
    return posted


@pytest.mark.parametrize("path", list(ACCOUNT_FORMS))
def test_an_account_form(path, app, anonymous):
    send, users = anonymous, resources.portal(app).users

    @FUZZ
    @given(st.data())
    def attack(data):
        before = users.count()
        response = send("POST", path, data=data.draw(account_post(ACCOUNT_FORMS[path], csrf_token(send.client, path))))
        if path == "/dang-ky" and response.status_code != 302:
            assert users.count() == before

    attack()


def test_the_profile_form(app, citizen):
    user, send = citizen
    profile = ["full_name", "phone", "email", "current_password", "id_number"]
    password = ["pw-current_password", "pw-password", "pw-confirm"]

    @FUZZ
    @given(st.data())
    def attack(data):
        token = csrf_token(send.client, "/tai-khoan")
        send("POST", "/tai-khoan", data=data.draw(account_post(profile, token)))
        send("POST", "/tai-khoan/mat-khau", data=data.draw(account_post(password, token)))

    attack()


def test_the_lookup(app, anonymous):
    send = anonymous

    @FUZZ
    @given(st.data())
    def attack(data):
        query = data.draw(hostile.value)
        send("GET", "/tra-cuu", query_string={"q": query})
        send("POST", "/tra-cuu", data={"csrf_token": csrf_token(send.client, "/tra-cuu"), "q": query})
        send("GET", "/tra-cuu/" + query.replace("/", "").replace("?", "").replace("#", "")[:300])

    attack()


@st.composite
def definition_upload(draw, token: str) -> dict:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        names = ["service.json", "documents.json", "form.schema.json", "sample.json", "x.json", "../a.json"]
        for name in draw(st.lists(st.sampled_from(names), max_size=5, unique=True)):
            archive.writestr(f"{draw(st.sampled_from(['', 'dv/', 'a' * 300 + '/']))}{name}",
                             draw(st.sampled_from(["{}", "[" * 100_000, '{"code": ' + "9" * 5000 + "}",
                                                   "\xff", '{"a": "\u202e"}', "null"])))
    upload = draw(st.sampled_from([out.getvalue(), b"PK\x03\x04" + b"\x00" * 40, b"", b"{}"]))
    return {"csrf_token": token, "slug": draw(st.one_of(hostile.value, st.just("a" * 500))),
            "files": [(io.BytesIO(upload), draw(hostile.file_name) or "dv.zip")]}


def test_the_definition_upload(app, admin):
    _user, send = admin
    definitions = resources.portal(app).definitions

    @FUZZ
    @given(st.data())
    def attack(data):
        versions = definitions.versions()
        token = csrf_token(send.client, "/quan-tri/dich-vu/tai-len")
        send("POST", "/quan-tri/dich-vu/tai-len", data=data.draw(definition_upload(token)),
             content_type="multipart/form-data")
        assert definitions.versions() == versions  # an upload alone publishes nothing

    attack()
