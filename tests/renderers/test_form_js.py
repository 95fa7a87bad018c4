"""web/static/js/form.js in a real browser: Debian's Chromium driven by Playwright.

Each test serves a page from a fake origin (``http://form.test/``, answered by
``page.route``): the form rendered by ``render_form`` inside ``<form method="post"
data-wards-url="/wards.json" data-submit-once>``, the script inlined. The wards JSON
is built from ``engine.places``; a POST is answered "204 No Content" (the page stays)
and its body is read back with ``engine.forms.parse_form``, as the server would.

The module is skipped when /usr/bin/chromium or Playwright is missing (``make test``
installs both), unless REQUIRE_BROWSER=1 (CI): then it fails loudly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from werkzeug.datastructures import MultiDict

from engine import places
from engine.forms import parse_form
from engine.validation import validate
from renderers.html import render_form

CHROMIUM = "/usr/bin/chromium"
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
if not Path(CHROMIUM).exists():
    if REQUIRED:
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: run `make test` (it installs Debian's chromium)",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (`make test` installs Debian's chromium)", allow_module_level=True)
if REQUIRED:
    from playwright.sync_api import sync_playwright
else:
    sync_playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").sync_playwright

SCRIPT = (Path(__file__).resolve().parents[2] / "web" / "static" / "js" / "form.js").read_text(encoding="utf-8")
ORIGIN = "http://form.test"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
WARDS_JSON = json.dumps({p: list(places.wards(p)) for p in places.provinces()}, ensure_ascii=False)
SAVE = 'button[value="save"]'

CONDITIONS = {
    "type": "object",
    "properties": {
        "kind": {"title": "Loại", "type": "string", "oneOf": [{"const": "a", "title": "A"}, {"const": "b", "title": "B"}]},
        "note": {"title": "Ghi chú", "type": "string"},
    },
    "if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
    "then": {"properties": {
        "aText": {"type": "string", "title": "Chữ A"},
        "locked": {"type": "string", "title": "Khóa", "enum": ["x", "y"], "readOnly": True},
    }},
    "else": {"properties": {"bText": {"type": "string", "title": "Chữ B"}}},
    "dependentSchemas": {"note": {"properties": {"noteDetail": {"type": "string", "title": "Chi tiết"}}}},
}
PAYER = {
    "type": "object",
    "properties": {"payer": {"title": "Người nộp", "oneOf": [
        {"title": "Cá nhân", "type": "object", "required": ["fullName"],
         "properties": {"fullName": {"type": "string", "title": "Họ và tên"}}},
        {"title": "Tổ chức", "type": "object", "required": ["orgName"],
         "properties": {"orgName": {"type": "string", "title": "Tên tổ chức"},
                        "taxCode": {"type": "string", "title": "Mã số thuế"}}},
    ]}},
}
GROUPS = {
    "type": "object",
    "properties": {"groups": {"type": "array", "title": "Nhóm", "items": {
        "type": "object", "title": "Nhóm",
        "properties": {"name": {"type": "string", "title": "Tên nhóm"},
                       "people": {"type": "array", "title": "Người", "items": {"type": "string", "title": "Người"}}},
    }}},
}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class FormPage:
    """One page with one rendered form, its posts and its requests for the wards."""

    def __init__(self, browser, schema, data=None, errors=None, wards_status=200):
        self.schema = schema
        self.posts: list[MultiDict] = []
        self.ward_requests = 0
        self.wards_status = wards_status
        self.html = ('<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>'
                     '<form method="post" data-wards-url="/wards.json" data-submit-once>'
                     + str(render_form(schema, data, errors))
                     + '<button type="submit" name="~action" value="save">Nộp hồ sơ</button>'
                     + "</form><script>" + SCRIPT + "</script></body></html>")
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route(f"{ORIGIN}/**", self._serve)
        self.page.clock.install()  # so the 10 s submit lock can be skipped
        self.page.goto(f"{ORIGIN}/")

    def _serve(self, route, request):
        if request.method == "POST":
            self.posts.append(MultiDict(parse_qsl(request.post_data or "", keep_blank_values=True)))
            route.fulfill(status=204)
        elif request.url.endswith("/wards.json"):
            self.ward_requests += 1
            route.fulfill(status=self.wards_status, content_type="application/json; charset=utf-8", body=WARDS_JSON)
        else:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.html)

    def submit(self) -> MultiDict:
        """Click "Nộp hồ sơ": what the browser posted. The page stays (204), and the
        submit lock is skipped so the test can go on."""
        count = len(self.posts)
        with self.page.expect_request(lambda r: r.method == "POST"):
            self.page.click(SAVE)
        self.page.wait_for_function(f"() => document.querySelector('{SAVE}').disabled")
        self.page.clock.fast_forward(10_000)
        self.page.wait_for_function(f"() => !document.querySelector('{SAVE}').disabled")
        assert len(self.posts) == count + 1
        return self.posts[-1]

    def data(self):
        return parse_form(self.schema, self.submit())

    def focused(self, prop: str = "id") -> str:
        return self.page.evaluate(f"() => document.activeElement && document.activeElement.{prop}")

    def close(self):
        self.context.close()
        assert self.errors == [], f"script errors: {self.errors}"


@pytest.fixture
def open_form(browser):
    pages = []

    def open_(schema, data=None, errors=None, **kwargs) -> FormPage:
        page = FormPage(browser, schema, data, errors, **kwargs)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def household_schema(household):  # tests/conftest.py: "dang-ky-thanh-lap-ho-kinh-doanh"
    return household.form_schema


@pytest.fixture(scope="module")
def household_sample(household):
    return household.sample


MEMBERS = '.conditional:has(fieldset[id$="c0t-members"])'


# -- 1. conditional parts --------------------------------------------------------------

def test_household_members_show_only_for_a_household_and_are_posted_only_then(open_form, household_schema,
                                                                               household_sample):
    form = open_form(household_schema, household_sample)
    page = form.page
    members = page.locator(MEMBERS)
    assert members.is_visible()  # the sample is a household: its member is shown
    assert page.locator(f"{MEMBERS} > .conditional-hint").is_hidden()  # the no-JS sentence
    assert form.data()["members"] == household_sample["members"]

    page.click('label[for="f-founderType-0"]')  # Cá nhân
    assert members.is_hidden()
    assert page.locator(f"{MEMBERS} input, {MEMBERS} select, {MEMBERS} button").evaluate_all(
        "els => els.length > 10 && els.every(e => e.disabled)")
    posted = form.submit()
    assert not [name for name in posted if "members" in name]
    data = parse_form(household_schema, posted)
    assert "members" not in data and data["founderType"] == "ca-nhan"

    page.click('label[for="f-founderType-1"]')  # Các thành viên hộ gia đình
    assert members.is_visible()
    assert page.locator(f"{MEMBERS} button.add-row").is_enabled()
    assert form.data()["members"] == household_sample["members"]


def test_a_new_household_form_hides_the_members_until_chosen(open_form, household_schema):
    page = open_form(household_schema).page
    assert page.locator(MEMBERS).is_hidden()
    page.check("#f-founderType-1")
    assert page.locator(MEMBERS).is_visible()
    page.check("#f-founderType-0")
    assert page.locator(MEMBERS).is_hidden()


def test_then_else_and_present_conditions(open_form):
    form = open_form(CONDITIONS)
    page = form.page
    then, else_, detail = (page.locator(f'.conditional[data-side="{side}"]').nth(n)
                           for side, n in (("then", 0), ("else", 0), ("then", 1)))
    # Nothing chosen: "kind" is absent, so the `if` (which requires it) fails: else.
    assert (then.is_hidden(), else_.is_visible(), detail.is_hidden()) == (True, True, True)
    page.check("#f-kind-0")
    assert (then.is_visible(), else_.is_hidden()) == (True, True)
    assert page.locator("#f-_7e_c0t-aText").is_enabled()
    assert page.locator("#f-_7e_c0e-bText").is_disabled()
    # A control rendered disabled (read-only radios) stays disabled when its part is shown.
    assert page.locator('[name="#/~c0t/locked"]').evaluate_all("els => els.every(e => e.disabled)")

    page.fill("#f-_7e_c0t-aText", "chữ a")
    page.fill("#f-note", "có")  # typing (input events) shows the dependent part
    assert detail.is_visible()
    page.fill("#f-_7e_c1t-noteDetail", "chi tiết")
    assert form.data() == {"kind": "a", "note": "có", "aText": "chữ a", "noteDetail": "chi tiết"}

    page.fill("#f-note", "  ")  # blank is not "entered"
    assert detail.is_hidden()
    page.check("#f-kind-1")
    assert (then.is_hidden(), else_.is_visible()) == (True, True)
    assert page.locator("#f-_7e_c0t-aText").is_disabled()


def test_a_condition_that_cannot_be_evaluated_stays_visible_with_its_sentence(open_form):
    schema = {"type": "object", "properties": {"n": {"type": "integer", "title": "Số"}},
              "if": {"properties": {"n": {"minimum": 3}}}, "then": {"properties": {"m": {"type": "string", "title": "M"}}}}
    page = open_form(schema).page
    block = page.locator(".conditional")
    assert block.get_attribute("data-show-if") == ""
    assert block.is_visible() and block.locator(".conditional-hint").is_visible()
    assert page.locator("#f-_7e_c0t-m").is_enabled()


# -- 2. array rows -------------------------------------------------------------------------

def test_add_two_members_remove_one_and_the_rest_come_back_in_page_order(open_form, household_schema,
                                                                          household_sample):
    form = open_form(household_schema, household_sample)
    page = form.page
    rows = page.locator(f"{MEMBERS} .rows > .row")
    add = page.locator(f"{MEMBERS} button.add-row")
    assert rows.count() == 1

    add.click()
    add.click()
    assert rows.count() == 3
    markers = rows.locator(':scope > input[name$="/~row"]').evaluate_all("els => els.map(e => e.value)")
    assert markers == ["0", "1", "2"]
    assert form.focused() == "f-_7e_c0t-members-2-fullName"  # the new row's first field
    assert rows.nth(2).locator("legend").first.inner_text() == "Thành viên 3"
    assert page.locator('label[for="f-_7e_c0t-members-2-fullName"]').count() == 1
    assert "new0row" not in rows.nth(2).inner_html() and "_5f_" not in rows.nth(2).inner_html()

    # Each number agrees with its birth year and sex (digits 4-6: 1 90, a woman; 0 90, a man).
    for n, (name, id_number, sex) in ((1, ("Trần Thị Mai", "093190001234", 1)), (2, ("Lê Văn Tư", "0930 9000 5678", 0))):
        prefix = f"#f-_7e_c0t-members-{n}"
        page.fill(f"{prefix}-fullName", name)
        page.fill(f"{prefix}-birthDate", "1990-01-02")
        page.check(f"{prefix}-gender-{sex}")  # 0: nam, 1: nu
        page.fill(f"{prefix}-idNumber", id_number)
        page.fill(f"{prefix}-relationship", "Con")

    rows.nth(1).locator(":scope > button.remove-row").click()  # the first added one
    assert rows.count() == 2
    assert form.focused("textContent") == "Thêm Thành viên"

    members = form.data()["members"]
    assert [m["fullName"] for m in members] == ["Lê Văn Hùng", "Lê Văn Tư"]
    assert members[0] == household_sample["members"][0]
    assert {k: members[1][k] for k in ("birthDate", "gender", "idNumber", "relationship", "ethnicity")} == {
        "birthDate": "1990-01-02", "gender": "nam", "idNumber": "093090005678", "relationship": "Con",
        "ethnicity": "Kinh"}

    # Indices are never reused, even after a removal.
    add.click()
    assert rows.nth(2).locator(':scope > input[name$="/~row"]').input_value() == "3"


def test_removing_a_server_rendered_row_and_enter_in_a_text_field_adds_nothing(open_form, household_schema,
                                                                                household_sample):
    form = open_form(household_schema, household_sample)
    page = form.page
    lines = page.locator("#f-businessLines > .rows > .row")
    assert lines.count() == 2
    page.press("#f-business-name", "Enter")  # the form's first submit button is a "remove"
    page.wait_for_timeout(100)
    assert lines.count() == 2 and form.posts == []
    lines.nth(0).locator(":scope > button.remove-row").click()
    assert lines.count() == 1
    assert [line["code"] for line in form.data()["businessLines"]] == ["5630"]


def test_adding_an_outer_row_leaves_the_nested_template_placeholder_alone(open_form):
    form = open_form(GROUPS, {"groups": [{"name": "A", "people": ["x"]}]})
    page = form.page
    page.click('#f-groups > button.add-row')
    new = page.locator("#f-groups > .rows > .row").nth(1)
    inner = new.locator("template")
    assert inner.get_attribute("data-placeholder") == "new1row"
    html = inner.evaluate("t => t.innerHTML")
    assert 'name="#/groups/1/people/new1row"' in html
    assert 'id="f-groups-1-people-new1row"' in html
    assert 'value="add:/groups/1/people"' in new.locator(":scope > fieldset > fieldset > button.add-row").evaluate(
        "b => b.outerHTML")
    assert "new0row" not in html
    page.fill("#f-groups-1-name", "B")

    new.locator("button.add-row").click()  # the nested one
    assert form.focused() == "f-groups-1-people-2"
    page.fill("#f-groups-1-people-2", "y")
    assert new.locator("label").nth(1).inner_text() == "Người 1"
    assert form.data() == {"groups": [{"name": "A", "people": ["x"]}, {"name": "B", "people": ["y"]}]}


# -- 3. alternatives ---------------------------------------------------------------------

def test_only_the_chosen_alternative_is_shown_and_posted(open_form):
    form = open_form(PAYER)
    page = form.page
    person, org = page.locator('.alternative[data-alt="0"]'), page.locator('.alternative[data-alt="1"]')
    assert person.is_hidden() and org.is_hidden()
    page.check("#f-payer-alt1")
    assert person.is_hidden() and org.is_visible()
    assert page.locator("#f-payer-_7e_a0-fullName").is_disabled()
    page.fill("#f-payer-_7e_a1-orgName", "Công ty TNHH Thanh Tâm")
    page.fill("#f-payer-_7e_a1-taxCode", "1801234567")
    assert form.data() == {"payer": {"orgName": "Công ty TNHH Thanh Tâm", "taxCode": "1801234567"}}
    page.check("#f-payer-alt0")
    assert person.is_visible() and org.is_hidden()
    assert page.locator("#f-payer-_7e_a1-orgName").is_disabled()


# -- 4. address ------------------------------------------------------------------------

def test_choosing_a_province_lists_its_wards_fetched_once(open_form, household_schema, household_sample):
    form = open_form(household_schema, household_sample)
    page = form.page
    ward = page.locator("#f-business-address-ward")
    assert ward.input_value() == "Phường Vị Thanh"
    page.select_option("#f-business-address-province", "Tỉnh Đắk Lắk")
    expected = ["— Chọn xã/phường —", *places.wards("Tỉnh Đắk Lắk")]
    page.wait_for_function("n => document.querySelector('#f-business-address-ward').options.length === n",
                           arg=len(expected))
    assert ward.locator("option").all_inner_texts() == expected
    assert ward.locator("option").first.get_attribute("value") == ""
    assert ward.input_value() == ""
    page.select_option("#f-owner-permanentAddress-province", "Thành phố Huế")
    page.wait_for_function("() => document.querySelector('#f-owner-permanentAddress-ward').options.length > 1")
    assert form.page.locator("#f-owner-permanentAddress-ward option").all_inner_texts()[1:] == list(
        places.wards("Thành phố Huế"))
    assert form.ward_requests == 1


def test_a_failed_wards_fetch_keeps_the_list_and_brings_back_the_refresh_button(open_form, household_schema,
                                                                               household_sample):
    form = open_form(household_schema, household_sample, wards_status=500)
    page = form.page
    before = page.locator("#f-business-address-ward option").all_inner_texts()
    page.select_option("#f-business-address-province", "Tỉnh Đắk Lắk")
    refresh = page.locator('#f-business-address button[value="refresh"]')
    refresh.wait_for()
    assert refresh.is_visible()
    assert page.locator("#f-business-address-ward option").all_inner_texts() == before


# -- 5. error summary --------------------------------------------------------------------

def test_error_summary_gets_focus_and_its_links_focus_the_field(open_form, household_schema, household_sample):
    data = json.loads(json.dumps(household_sample))
    data["business"]["name"] = "Quán cơm"
    del data["founderType"]
    del data["members"]
    errors = validate(household_schema, data)
    page = open_form(household_schema, data, errors).page
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    page.click('[data-error-summary] a[href="#f-business-name"]')  # an input
    assert page.evaluate("() => document.activeElement.id") == "f-business-name"
    page.click('[data-error-summary] a[href="#f-founderType"]')  # a fieldset: its first control
    assert page.evaluate("() => document.activeElement.id") == "f-founderType-0"


# -- 6. submit once ------------------------------------------------------------------------

def test_a_double_click_submits_once_with_the_buttons_name(open_form, household_schema, household_sample):
    form = open_form(household_schema, household_sample)
    page = form.page
    page.click('label[for="f-founderType-0"]')  # hides (and disables) the members part
    page.dblclick(SAVE)
    page.wait_for_function("() => document.querySelector('button[value=save]').disabled")
    page.click(SAVE, force=True)
    page.wait_for_timeout(200)
    assert len(form.posts) == 1
    assert form.posts[0].getlist("~action") == ["save"]
    assert page.locator("#f-businessLines > button.add-row").is_disabled()

    page.clock.fast_forward(10_000)
    assert page.locator(SAVE).is_enabled()
    # Two clicks in one task, before the buttons could be disabled: the second submission
    # is cancelled by the script. (A later handler cancels the first: no lock then.)
    passed = page.evaluate("""() => {
        let passed = 0;
        const count = e => { if (!e.defaultPrevented) passed++; e.preventDefault(); };
        document.addEventListener("submit", count);
        const save = document.querySelector('button[value="save"]');
        save.click(); save.click();
        document.removeEventListener("submit", count);
        return passed; }""")
    assert passed == 1
    page.wait_for_timeout(100)
    assert page.locator(SAVE).is_enabled() and len(form.posts) == 1
    assert page.locator("#f-businessLines > button.add-row").is_enabled()
    assert page.locator(f"{MEMBERS} button.add-row").is_disabled()  # still in a hidden part
    form.submit()
    assert len(form.posts) == 2
