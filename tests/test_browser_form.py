"""The browser-submission emulation that form round-trip tests rely on."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from tests.browser_form import controls, entry_list, submit


def pairs(html: str, submitter: str | None = None) -> list[tuple[str, str]]:
    return entry_list(html, submitter)


# --- what submit() returns ------------------------------------------------


def test_submit_returns_a_multidict_like_request_form():
    data = submit('<input name="a" value="1"><input name="a" value="2">')
    assert isinstance(data, MultiDict)
    assert data.getlist("a") == ["1", "2"]
    assert data["a"] == "1"


def test_empty_fragment_sends_nothing():
    assert pairs("") == []
    assert pairs("<p>no controls</p>") == []


# --- inputs ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["text", "search", "email", "tel", "url", "password", "hidden"])
def test_text_like_inputs_send_their_value(kind):
    assert pairs(f'<input type="{kind}" name="f" value="abc">') == [("f", "abc")]


def test_input_without_value_sends_empty_string():
    assert pairs('<input name="f">') == [("f", "")]


@pytest.mark.parametrize("kind", [None, "", "bogus", "datetime", "TEXT"])
def test_missing_or_unknown_type_is_text(kind):
    attr = "" if kind is None else f' type="{kind}"'
    assert pairs(f'<input{attr} name="f" value="x\ny">') == [("f", "xy")]
    assert controls(f'<input{attr} name="f">')[0]["type"] == "text"


def test_type_attribute_is_case_insensitive():
    assert pairs('<input type="CheckBox" name="c">') == []
    assert pairs('<input type="CheckBox" name="c" checked>') == [("c", "on")]


def test_value_attribute_is_entity_decoded():
    html = '<input name="f" value="a &amp; b &lt;c&gt; &quot;d&quot; &#273;&#x1EC7; &eacute;">'
    assert pairs(html) == [("f", 'a & b <c> "d" đệ é')]


def test_newlines_are_stripped_from_text_like_inputs():
    assert pairs('<input name="f" value="a&#10;b&#13;c\r\nd">') == [("f", "abcd")]


def test_hidden_input_keeps_newlines_sent_as_crlf():
    assert pairs('<input type="hidden" name="h" value="a&#10;b">') == [("h", "a\r\nb")]


def test_url_and_email_are_trimmed():
    html = '<input type="email" name="e" value="  a@b.vn "><input type="url" name="u" value=" http://x/ ">'
    assert pairs(html) == [("e", "a@b.vn"), ("u", "http://x/")]


def test_multiple_email_parts_are_trimmed():
    html = '<input type="email" multiple name="e" value="a@b.vn , c@d.vn">'
    assert pairs(html) == [("e", "a@b.vn,c@d.vn")]


@pytest.mark.parametrize(
    ("kind", "value", "sent"),
    [
        ("number", "42", "42"),
        ("number", "-1.50", "-1.50"),
        ("number", "1e3", "1e3"),
        ("number", ".5", ".5"),
        ("number", "1,5", ""),
        ("number", "+1", ""),
        ("number", "abc", ""),
        ("date", "2024-02-29", "2024-02-29"),
        ("date", "2023-02-29", ""),
        ("date", "2024-13-01", ""),
        ("date", "29/02/2024", ""),
        ("date", "20240229", ""),
        ("time", "09:30", "09:30"),
        ("time", "09:30:15.5", "09:30:15.5"),
        ("time", "24:00", ""),
        ("time", "9:30", ""),
        ("datetime-local", "2024-01-02T03:04", "2024-01-02T03:04"),
        ("datetime-local", "2024-01-02 03:04:00", "2024-01-02T03:04"),
        ("datetime-local", "2024-01-02T03:04:05.500", "2024-01-02T03:04:05.5"),
        ("datetime-local", "2024-01-02T03:04:00Z", ""),
        ("month", "2024-12", "2024-12"),
        ("month", "2024-00", ""),
        ("week", "2020-W53", "2020-W53"),
        ("week", "2021-W53", ""),
        ("week", "2021-W01", "2021-W01"),
        ("color", "#AABBCC", "#aabbcc"),
        ("color", "red", "#000000"),
        ("color", "", "#000000"),
        ("range", "", "50"),
        ("range", "30", "30"),
        ("range", "150", "100"),
        ("range", "-5", "0"),
    ],
)
def test_values_are_sanitised_per_type(kind, value, sent):
    assert pairs(f'<input type="{kind}" name="f" value="{value}">') == [("f", sent)]
    assert controls(f'<input type="{kind}" name="f" value="{value}">')[0]["value"] == sent


def test_range_defaults_to_midpoint_and_steps():
    assert pairs('<input type="range" name="r" min="0" max="5">') == [("r", "3")]
    assert pairs('<input type="range" name="r" min="10" max="20">') == [("r", "15")]
    assert pairs('<input type="range" name="r" min="0" max="1" step="0.1" value="0.33">') == [("r", "0.3")]
    assert pairs('<input type="range" name="r" step="any" value="2.25">') == [("r", "2.25")]


def test_file_inputs_are_skipped():
    assert pairs('<input type="file" name="f"><input name="t" value="1">') == [("t", "1")]


def test_image_reset_and_plain_buttons_are_never_sent():
    html = (
        '<input type="image" name="i" src="x.png"><input type="reset" name="r" value="r">'
        '<input type="button" name="b" value="b"><button type="reset" name="br">x</button>'
        '<button type="button" name="bb">x</button>'
    )
    assert pairs(html) == []


def test_charset_hidden_field_sends_encoding():
    assert pairs('<input type="hidden" name="_charset_">') == [("_charset_", "UTF-8")]


# --- checkboxes and radios -------------------------------------------------


def test_checked_checkbox_without_value_sends_on():
    assert pairs('<input type="checkbox" name="c" checked>') == [("c", "on")]


def test_checked_checkbox_with_value_sends_value():
    assert pairs('<input type="checkbox" name="c" value="yes" checked>') == [("c", "yes")]


def test_checkbox_value_is_not_sanitised():
    assert pairs('<input type="checkbox" name="c" value=" a&#10;b " checked>') == [("c", " a\r\nb ")]


def test_checkbox_with_empty_value_sends_empty_string():
    assert pairs('<input type="checkbox" name="c" value="" checked>') == [("c", "")]


def test_unchecked_checkboxes_and_radios_are_skipped():
    html = '<input type="checkbox" name="c" value="1"><input type="radio" name="r" value="a">'
    assert pairs(html) == []


def test_checked_radio_with_and_without_value():
    assert pairs('<input type="radio" name="r" value="a"><input type="radio" name="r" value="b" checked>') == [
        ("r", "b")
    ]
    assert pairs('<input type="radio" name="r" checked>') == [("r", "on")]


def test_only_the_last_checked_radio_of_a_group_is_checked():
    html = (
        '<input type="radio" name="r" value="a" checked>'
        '<input type="radio" name="r" value="b" checked>'
        '<input type="radio" name="other" value="c" checked>'
    )
    assert pairs(html) == [("r", "b"), ("other", "c")]
    assert [c["checked"] for c in controls(html)] == [False, True, True]


def test_several_checked_checkboxes_send_several_values():
    html = "".join(f'<input type="checkbox" name="tags" value="{v}" checked>' for v in "abc")
    assert submit(html).getlist("tags") == ["a", "b", "c"]


# --- select ----------------------------------------------------------------


def test_select_sends_selected_option_value():
    html = '<select name="s"><option value="a">A</option><option value="b" selected>B</option></select>'
    assert pairs(html) == [("s", "b")]


def test_select_without_selected_option_sends_first_option():
    html = '<select name="s"><option value="a">A</option><option value="b">B</option></select>'
    assert pairs(html) == [("s", "a")]


def test_select_default_skips_disabled_options():
    html = (
        '<select name="s"><option value="" disabled>Choose</option>'
        '<optgroup label="g" disabled><option value="x">X</option></optgroup>'
        '<option value="b">B</option></select>'
    )
    assert pairs(html) == [("s", "b")]


def test_select_with_only_disabled_options_sends_nothing():
    assert pairs('<select name="s"><option disabled>a</option></select>') == []
    assert pairs('<select name="s"></select>') == []


def test_selected_disabled_option_is_not_sent_and_blocks_the_default():
    html = '<select name="s"><option value="a">A</option><option value="b" disabled selected>B</option></select>'
    assert pairs(html) == []


def test_option_in_disabled_optgroup_is_not_sent_even_if_selected():
    html = (
        '<select name="s" multiple><optgroup label="g" disabled><option value="a" selected>A</option>'
        '</optgroup><optgroup label="h"><option value="b" selected>B</option></optgroup></select>'
    )
    assert pairs(html) == [("s", "b")]


def test_empty_value_attribute_is_the_value():
    html = '<select name="s"><option value="">-- none --</option><option>x</option></select>'
    assert pairs(html) == [("s", "")]


def test_option_without_value_uses_collapsed_text():
    html = '<select name="s"><option selected>\n  Hà   Nội\t&amp; <b>x</b>\n</option></select>'
    assert pairs(html) == [("s", "Hà Nội & x")]


def test_option_text_keeps_non_ascii_whitespace():
    html = '<select name="s"><option>a&nbsp;b</option></select>'
    assert pairs(html) == [("s", "a\xa0b")]


def test_single_select_with_several_selected_keeps_the_last():
    html = '<select name="s"><option selected>a</option><option selected>b</option><option>c</option></select>'
    assert pairs(html) == [("s", "b")]


def test_multiple_select_sends_only_explicitly_selected_options():
    html = (
        '<select name="m" multiple><option value="a" selected>A</option>'
        '<option value="b">B</option><option value="c" selected>C</option></select>'
    )
    assert submit(html).getlist("m") == ["a", "c"]
    assert pairs('<select name="m" multiple><option>a</option><option>b</option></select>') == []


def test_listbox_select_has_no_default_option():
    assert pairs('<select name="s" size="3"><option>a</option></select>') == []
    assert pairs('<select name="s" size="1"><option>a</option></select>') == [("s", "a")]
    assert pairs('<select name="s" size="0"><option>a</option></select>') == [("s", "a")]


# --- textarea --------------------------------------------------------------


def test_textarea_sends_its_text():
    assert pairs('<textarea name="t">hello &amp; <b>bye</b></textarea>') == [("t", "hello & <b>bye</b>")]


def test_textarea_drops_one_leading_newline_only():
    assert pairs('<textarea name="t">\nline</textarea>') == [("t", "line")]
    assert pairs('<textarea name="t">\n\nline</textarea>') == [("t", "\r\nline")]


def test_textarea_line_breaks_become_crlf():
    assert pairs('<textarea name="t">a\nb\r\nc\rd</textarea>') == [("t", "a\r\nb\r\nc\r\nd")]


def test_empty_textarea_sends_empty_string():
    assert pairs('<textarea name="t"></textarea>') == [("t", "")]


# --- which controls take part ----------------------------------------------


def test_nameless_and_empty_named_controls_are_skipped():
    html = (
        '<input value="x"><input name="" value="y"><textarea>z</textarea>'
        '<select><option>o</option></select><input type="checkbox" checked>'
    )
    assert pairs(html) == []
    assert controls(html) == []


def test_disabled_controls_are_skipped():
    html = (
        '<input name="a" value="1" disabled><textarea name="b" disabled>x</textarea>'
        '<select name="c" disabled><option>o</option></select>'
        '<input type="checkbox" name="d" checked disabled><input name="e" value="ok">'
    )
    assert pairs(html) == [("e", "ok")]


def test_disabled_fieldset_disables_all_but_its_first_legend():
    html = (
        '<fieldset disabled>'
        '<legend><input name="in_legend" value="1"></legend>'
        '<legend><input name="second_legend" value="2"></legend>'
        '<input name="in_body" value="3">'
        '<div><legend><input name="nested_legend" value="4"></legend></div>'
        '</fieldset><input name="after" value="5">'
    )
    assert pairs(html) == [("in_legend", "1"), ("after", "5")]
    assert [c["disabled"] for c in controls(html)] == [False, True, True, True, False]


def test_legend_exception_does_not_escape_an_outer_disabled_fieldset():
    html = (
        '<fieldset disabled><fieldset><legend><input name="a" value="1"></legend></fieldset></fieldset>'
        '<fieldset><fieldset disabled><legend><input name="b" value="2"></legend></fieldset></fieldset>'
    )
    assert pairs(html) == [("b", "2")]


def test_enabled_fieldset_changes_nothing():
    assert pairs('<fieldset><legend>L</legend><input name="a" value="1"></fieldset>') == [("a", "1")]


def test_template_content_is_skipped_even_when_nested():
    html = (
        '<input name="a" value="1">'
        '<template><input name="t" value="x"><template><input name="tt" value="y"></template></template>'
        '<div><template><select name="s"><option>o</option></select></template></div>'
    )
    assert pairs(html) == [("a", "1")]
    assert [(c["name"], c["in_template"]) for c in controls(html)] == [
        ("a", False), ("t", True), ("tt", True), ("s", True)]


def test_form_inside_template_is_not_the_form():
    html = '<template><form><input name="t"></form></template><input name="a" value="1">'
    assert pairs(html) == [("a", "1")]


def test_noscript_content_is_parsed_as_markup_and_sent():
    html = '<noscript><input name="n" value="1"><select name="s"><option>x</option></select></noscript>'
    assert pairs(html) == [("n", "1"), ("s", "x")]


def test_datalist_options_are_not_controls():
    html = '<input name="a" list="d" value="1"><datalist id="d"><option value="x"></datalist>'
    assert pairs(html) == [("a", "1")]


# --- document order --------------------------------------------------------


def test_entries_follow_document_order_across_control_kinds():
    html = (
        '<input name="first" value="1">'
        '<select name="second"><option>2</option></select>'
        '<input type="checkbox" name="multi" value="a" checked>'
        '<textarea name="third">3</textarea>'
        '<input type="radio" name="fourth" value="4" checked>'
        '<input type="checkbox" name="multi" value="b" checked>'
        '<input type="hidden" name="fifth" value="5">'
    )
    assert pairs(html) == [
        ("first", "1"), ("second", "2"), ("multi", "a"), ("third", "3"),
        ("fourth", "4"), ("multi", "b"), ("fifth", "5"),
    ]
    data = submit(html)
    assert list(data) == ["first", "second", "multi", "third", "fourth", "fifth"]
    assert data.getlist("multi") == ["a", "b"]


def test_same_name_across_control_kinds_keeps_order():
    html = (
        '<input name="x" value="1"><select name="x" multiple><option selected>2</option>'
        '<option selected>3</option></select><textarea name="x">4</textarea>'
    )
    assert submit(html).getlist("x") == ["1", "2", "3", "4"]


def test_names_with_brackets_and_dots_are_kept_verbatim():
    html = '<input name="members[0].name" value="An"><input name="a&amp;b" value="c">'
    assert pairs(html) == [("members[0].name", "An"), ("a&b", "c")]


# --- submitter -------------------------------------------------------------

BUTTONS = (
    '<form><input name="a" value="1">'
    '<button name="_action" value="add:/members">Add</button>'
    '<input name="b" value="2">'
    '<button name="_action" value="remove:/members/0" type="submit">Remove</button>'
    '<input type="submit" name="save" value="Lưu">'
    '<button name="cancel" type="button">Cancel</button>'
    '<button name="clear" type="reset">Clear</button>'
    '<button name="off" disabled>Off</button>'
    '</form>'
)


def test_no_button_is_sent_without_a_submitter():
    assert pairs(BUTTONS) == [("a", "1"), ("b", "2")]


def test_submitter_by_name_is_sent_in_document_order():
    assert pairs(BUTTONS, "save") == [("a", "1"), ("b", "2"), ("save", "Lưu")]


def test_submitter_by_name_and_value():
    assert pairs(BUTTONS, "_action=add:/members") == [("a", "1"), ("_action", "add:/members"), ("b", "2")]
    assert pairs(BUTTONS, "_action=remove:/members/0") == [
        ("a", "1"), ("b", "2"), ("_action", "remove:/members/0")]


def test_submitter_sharing_a_name_must_be_given_with_its_value():
    with pytest.raises(ValueError, match="matches 2 "):
        submit(BUTTONS, "_action")


@pytest.mark.parametrize("name", ["nope", "cancel", "clear", "_action=other", "add:/members"])
def test_unknown_or_non_submit_submitter_raises(name):
    with pytest.raises(ValueError, match="matches 0 "):
        submit(BUTTONS, name)


def test_disabled_submitter_raises():
    with pytest.raises(ValueError, match="disabled"):
        submit(BUTTONS, "off")
    with pytest.raises(ValueError, match="disabled"):
        submit('<fieldset disabled><button name="go">Go</button></fieldset>', "go")


def test_button_without_value_sends_empty_string_and_no_type_means_submit():
    html = '<button name="go">Go</button><input type="submit" name="ok">'
    assert pairs(html, "go") == [("go", "")]
    assert pairs(html, "ok") == [("ok", "")]
    assert pairs(html, "ok=") == [("ok", "")]


def test_invalid_button_type_is_submit():
    assert pairs('<button type="bogus" name="go" value="1">Go</button>', "go") == [("go", "1")]


def test_image_button_cannot_be_the_submitter():
    with pytest.raises(ValueError):
        submit('<input type="image" name="i" src="x.png">', "i")


def test_submitter_must_belong_to_the_form():
    html = '<form><input name="a"></form><form><button name="go">Go</button></form>'
    with pytest.raises(ValueError):
        submit(html, "go")


# --- which form ------------------------------------------------------------


def test_fragment_without_form_is_the_form():
    assert pairs('<div><input name="a" value="1"></div><p><input name="b" value="2"></p>') == [
        ("a", "1"), ("b", "2")]


def test_form_attribute_is_ignored_when_the_fragment_has_no_form():
    assert pairs('<input form="elsewhere" name="a" value="1">') == [("a", "1")]


def test_controls_outside_the_form_are_not_sent():
    html = '<input name="before" value="0"><form><input name="a" value="1"></form><input name="after">'
    assert pairs(html) == [("a", "1")]


def test_only_the_first_form_is_submitted():
    html = '<form><input name="a" value="1"></form><form><input name="b" value="2"></form>'
    assert pairs(html) == [("a", "1")]


def test_nested_form_tags_are_ignored_by_the_parser():
    html = '<form><input name="a" value="1"><form><input name="b" value="2"></form></form>'
    assert pairs(html) == [("a", "1"), ("b", "2")]


def test_form_attribute_associates_outside_controls_in_document_order():
    html = (
        '<input form="f" name="before" value="0">'
        '<form id="f"><input name="a" value="1"></form>'
        '<textarea form="f" name="after">2</textarea>'
        '<select form="f" name="s"><option>3</option></select>'
        '<button form="f" name="go" value="4">Go</button>'
    )
    assert pairs(html, "go") == [("before", "0"), ("a", "1"), ("after", "2"), ("s", "3"), ("go", "4")]


def test_form_attribute_can_move_a_control_out_of_its_form():
    html = (
        '<form id="f"><input name="a" value="1"><input form="g" name="moved" value="x">'
        '<input form="missing" name="orphan" value="y"></form>'
        '<form id="g"><input name="b"></form><input form="g" name="c">'
    )
    assert pairs(html) == [("a", "1")]


def test_form_attribute_naming_a_non_form_element_gives_no_owner():
    html = '<form id="f"><div id="d"><input form="d" name="a" value="1"></div><input name="b" value="2"></form>'
    assert pairs(html) == [("b", "2")]


def test_form_attribute_uses_the_first_element_with_that_id():
    html = '<form id="f"><input name="a" value="1"></form><form id="f"><input name="b"></form><input form="f" name="c" value="3">'
    assert pairs(html) == [("a", "1"), ("c", "3")]


def test_form_inside_a_larger_page():
    html = (
        "<!doctype html><html><head><title>t</title></head><body><h1>Đăng ký</h1>"
        '<form method="post" action="/x"><input name="a" value="1"></form></body></html>'
    )
    assert pairs(html) == [("a", "1")]


# --- controls() ------------------------------------------------------------


def test_controls_describe_every_named_control():
    html = (
        '<form><input name="t" value="a&amp;b">'
        '<input type="checkbox" name="c">'
        '<input type="radio" name="r" value="x" checked>'
        '<select name="s"><option value="1">One</option><option value="2">Two</option></select>'
        '<select name="m" multiple><option selected>a</option><option selected>b</option></select>'
        '<textarea name="ta">\nhi</textarea>'
        '<input type="file" name="f" value="x.pdf">'
        '<button name="go" value="1">Go</button>'
        '<fieldset disabled><input name="d"></fieldset>'
        '</form><template><input name="tpl"></template>'
    )
    got = {c["name"]: c for c in controls(html)}
    assert list(got) == ["t", "c", "r", "s", "m", "ta", "f", "go", "d", "tpl"]
    assert got["t"] == {
        "tag": "input", "type": "text", "name": "t", "value": "a&b", "checked": False,
        "selected": None, "options": None, "disabled": False, "in_template": False,
    }
    assert (got["c"]["type"], got["c"]["value"], got["c"]["checked"]) == ("checkbox", "on", False)
    assert (got["r"]["value"], got["r"]["checked"]) == ("x", True)
    assert got["s"]["type"] == "select-one"
    assert (got["s"]["value"], got["s"]["selected"], got["s"]["options"]) == ("1", ["1"], ["1", "2"])
    assert (got["m"]["type"], got["m"]["selected"]) == ("select-multiple", ["a", "b"])
    assert (got["ta"]["tag"], got["ta"]["type"], got["ta"]["value"]) == ("textarea", "textarea", "hi")
    assert (got["f"]["type"], got["f"]["value"]) == ("file", "")  # browsers ignore its value attribute
    assert (got["go"]["tag"], got["go"]["type"], got["go"]["value"]) == ("button", "submit", "1")
    assert got["d"]["disabled"] is True
    assert got["tpl"]["in_template"] is True
