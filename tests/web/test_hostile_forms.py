"""No posted form makes the portal fail: the dossier forms and the authoring preview form.

The values that once ended in a 500 (a select answer "²" or of five thousand nines, an
integer of five thousand digits, a row button naming row "²" or row 0 written with five
thousand zeros, rows past MAX_ROWS) are posted to the create and update forms of a
dossier and to the administrator's preview form of a new definition. The answer is the
form again (422 with the error on the field, or 200 after a row button) or 400, never
500, and a refused create stores nothing.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from engine.bounds import MAX_DIGITS, MAX_ROWS
from tests.browser_form import submit as browser_submit
from tests.web.helpers import login, text
from tests.web.test_authoring import definition, make_zip, upload
from tests.web.test_dossiers import CREATE, HOUSEHOLD, create_dossier, fields_of, fill
from web import resources

# field -> value, and the words of the message the field then carries
VALUES = {
    "select: superscript two": ("#/owner/ethnicity", "²", "Dân tộc: hãy chọn một giá trị trong danh sách"),
    "select: 5,000 nines": ("#/owner/ethnicity", "9" * 5000, "Dân tộc: hãy chọn một giá trị trong danh sách"),
    "select: Arabic-Indic three": ("#/owner/ethnicity", "٣", "Dân tộc: hãy chọn một giá trị trong danh sách"),
    "integer: 5,000 nines": ("#/capital", "9" * 5000, f"Vốn kinh doanh (đồng) không được có quá {MAX_DIGITS} chữ số"),
    "integer: 31 digits": ("#/capital", "1" + "0" * MAX_DIGITS,
                           f"Vốn kinh doanh (đồng) không được có quá {MAX_DIGITS} chữ số"),
    "integer: superscript": ("#/capital", "²", "Vốn kinh doanh (đồng) phải là số nguyên"),
}
ACTIONS = {
    "remove row ²": "remove:#/businessLines/²",
    "add under row ²": "add:#/businessLines/²/x",
    "remove row 0 of 5,000 zeros": "remove:#/businessLines/" + "0" * 5000,
    "remove row of 5,000 nines": "remove:#/businessLines/" + "9" * 5000,
    "add under row of 5,000 zeros": "add:#/businessLines/" + "0" * 5000 + "/code",
}
ROW_MARKERS = {
    "row marker ²": ["0", "²"],
    "row marker of 5,000 zeros": ["0", "0" * 5000],
}


@pytest.fixture
def signed_in(client, citizen):
    assert login(client, citizen.username).status_code == 302
    return citizen


def stored(app, citizen) -> list:
    return resources.portal(app).dossiers.list_by_owner(citizen.id)


def filled(client, household, path: str = CREATE) -> MultiDict:
    """What a browser posts for the sample dossier on the page at ``path``, checklist ticked."""
    fields = fill(fields_of(client, path), dict(household.sample), household)
    fields.add("~checklist", "giay-de-nghi")
    return fields


def with_value(fields: MultiDict, name: str, value: str) -> MultiDict:
    fields = fields.copy()
    fields.setlist(name, [value])
    return fields


def with_action(fields: MultiDict, action: str) -> MultiDict:
    return with_value(fields, "~action", action)


def with_rows(fields: MultiDict, markers: list[str]) -> MultiDict:
    fields = fields.copy()
    fields.setlist("#/businessLines/~row", markers)
    return fields


def refused(response, words: str | None = None, statuses=(422,)) -> str:
    assert response.status_code != 500
    assert response.status_code in statuses, response.status_code
    page = text(response)
    if words is not None:
        assert words in page
    return page


# -- create ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", VALUES)
def test_create_refuses_a_hostile_value_with_its_message(app, client, signed_in, household, case):
    name, value, words = VALUES[case]
    refused(client.post(CREATE, data=with_value(filled(client, household), name, value)), words)
    assert stored(app, signed_in) == []


@pytest.mark.parametrize("case", ACTIONS)
def test_create_shows_the_form_again_after_a_hostile_row_button(app, client, signed_in, household, case):
    fields = filled(client, household)
    page = refused(client.post(CREATE, data=with_action(fields, ACTIONS[case])), statuses=(200,))
    assert household.sample["businessLines"][0]["name"] in page  # the rows are all still there
    assert stored(app, signed_in) == []


@pytest.mark.parametrize("case", ROW_MARKERS)
def test_create_ignores_row_markers_that_are_not_indices(app, client, signed_in, household, case):
    fields = with_rows(filled(client, household), ROW_MARKERS[case])
    response = client.post(CREATE, data=fields)
    assert response.status_code in (302, 422), text(response)  # one row kept, the hostile one dropped


def test_create_reads_at_most_max_rows_rows(app, client, signed_in, household):
    fields = with_rows(filled(client, household), [str(i) for i in range(MAX_ROWS + 100)])
    refused(client.post(CREATE, data=fields), "Ngành, nghề kinh doanh không được quá 30 mục")
    assert stored(app, signed_in) == []


def test_adding_a_row_past_max_rows_adds_none(app, client, signed_in, household):
    fields = with_action(with_rows(filled(client, household), [str(i) for i in range(MAX_ROWS)]),
                         "add:#/businessLines")
    page = refused(client.post(CREATE, data=fields), statuses=(200,))
    assert f'name="#/businessLines/{MAX_ROWS}/code"' not in page and f'name="#/businessLines/{MAX_ROWS - 1}/code"' in page
    assert stored(app, signed_in) == []


# -- update ----------------------------------------------------------------------------------------

@pytest.fixture
def draft(client, signed_in, household):
    return create_dossier(client, household)


def update_path(dossier_id: str) -> str:
    return f"/ho-so/{dossier_id}/cap-nhat"


@pytest.mark.parametrize("case", VALUES)
def test_update_refuses_a_hostile_value_and_keeps_the_dossier(app, client, household, draft, case):
    name, value, words = VALUES[case]
    before = resources.portal(app).dossiers.get(draft)
    path = update_path(draft)
    refused(client.post(path, data=with_value(filled(client, household, path), name, value)), words)
    assert resources.portal(app).dossiers.get(draft).data == before.data


@pytest.mark.parametrize("case", [*ACTIONS, *ROW_MARKERS])
def test_update_survives_hostile_row_buttons_and_markers(app, client, household, draft, case):
    path = update_path(draft)
    fields = filled(client, household, path)
    fields = with_action(fields, ACTIONS[case]) if case in ACTIONS else with_rows(fields, ROW_MARKERS[case])
    response = client.post(path, data=fields)
    assert response.status_code in (200, 302, 422), text(response)


# -- the administrator's preview form of a new definition ---------------------------------------------

@pytest.fixture
def preview_form(app, admin, household):
    client = app.test_client()
    assert login(client, admin.username).status_code == 302
    response = upload(client, [(make_zip(definition(), folder=HOUSEHOLD), "hkd.zip")])
    assert response.status_code == 302, text(response)
    return client, response.headers["Location"] + "/bieu-mau"


@pytest.mark.parametrize("case", [*VALUES, *ACTIONS, *ROW_MARKERS])
def test_the_preview_form_survives_every_hostile_post(app, household, preview_form, case):
    client, path = preview_form
    form = re.search(r'<form method="post" novalidate data-wards-url.*?</form>', client.get(path).get_data(as_text=True), re.S)
    fields = fill(browser_submit(form.group(0)), dict(household.sample), household)
    if case in VALUES:
        name, value, words = VALUES[case]
        refused(client.post(path, data=with_value(fields, name, value)), words, statuses=(200, 422))
    elif case in ACTIONS:
        refused(client.post(path, data=with_action(fields, ACTIONS[case])), statuses=(200,))
    else:
        refused(client.post(path, data=with_rows(fields, ROW_MARKERS[case])), statuses=(200, 422))
    assert resources.portal(app).definitions.versions() == []  # nothing published by trying
