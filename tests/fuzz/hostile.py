"""What an attacker posts: hypothesis strategies of hostile form values and field names.

Every value is text, as a browser posts it; "wrong types" are texts a field's parser does
not expect (letters for a number, a date that does not exist, a list where one value
goes). The values come from the failures found by hand (superscript digits, 5,000
nines, a row index of 5,000 zeros) and from whole classes around them.
"""

from __future__ import annotations

from hypothesis import strategies as st

from engine.bounds import MAX_TEXT
from engine.workflow import WORKFLOW

UNICODE_DIGITS = ["²", "٣", "１２", "𝟘", "Ⅻ", "߂", "〇"]
BIDI = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u061c"]
NUMBERISH = ["9" * 5000, "1" + "0" * 4400, "-" + "9" * 400, "1e309", "-1e309", "NaN", "inf", "-0", "0x1F",
             "1_000", "١٢٣", "+5", " 7 ", "3.", ".5", "1e-400", "9" * 30, "9" * 31]
DATES = ["2026-02-30", "0000-00-00", "99999-01-01", "2026-13-01", "2026-1-1", "01/02/2026", "-2026-01-01"]
SHAPES = ["", " ", "\r\n", "true", "false", "null", "[]", "{}", "[" * 2000 + "]" * 2000, "{\"a\":" * 500,
          "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd", "%00", "\\x00", "\ufeff"]


def _texts(alphabet, max_size=40):
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size)


controls = _texts(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]))
bidi = st.builds(lambda a, b, c: a + b + c, st.text(max_size=10), st.sampled_from(BIDI), st.text(max_size=10))
odd = _texts(st.characters(categories=["Co", "Cn", "Mn", "So", "Lo"]), 20)

value = st.one_of(
    st.sampled_from(UNICODE_DIGITS + NUMBERISH + DATES + SHAPES),
    st.sampled_from(UNICODE_DIGITS).map(lambda d: d * 3),
    st.integers(min_value=-(10 ** 40), max_value=10 ** 40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.just("a" * MAX_TEXT),  # as long as the edge lets through (longer: tests/web/test_request_bounds.py)
    st.just("\u0300" * 3000),  # combining marks only
    controls, bidi, odd, st.text(max_size=60),
)
values = st.one_of(value.map(lambda v: [v]), st.lists(value, min_size=2, max_size=3), st.just([]))

INDEXES = ["²", "٣", "-1", "0" * 5000, "9" * 5000, "99999999999999999999", "", "x", "1.5", "1e3", " 1"]
index = st.one_of(st.sampled_from(INDEXES), st.integers(min_value=0, max_value=10 ** 6).map(str))


@st.composite
def action(draw, arrays: list[str]) -> str:
    """A no-JavaScript row button (``add:``/``remove:`` a pointer), of the form's arrays or not."""
    verb = draw(st.sampled_from(["add", "remove", "refresh", "", "add:", "xoa", "remove:"]))
    base = draw(st.sampled_from(arrays or ["#/x"])) if arrays else "#/x"
    tail = draw(st.sampled_from(["", "/", "/x", "/~1", "/-"]))
    return f"{verb}:{base}/{draw(index)}{tail}" if verb and not verb.endswith(":") else verb + draw(st.text(max_size=20))


@st.composite
def field_names(draw, arrays: list[str]) -> dict[str, list[str]]:
    """Names no form has: rows past any bound, written with other digits, broken pointers."""
    names = {}
    for _ in range(draw(st.integers(0, 3))):
        base = draw(st.sampled_from(arrays or ["#"]))
        names[f"{base}/{draw(index)}/{draw(st.text(max_size=8))}"] = draw(values)
    names[draw(st.sampled_from(["#", "#/", "#//", "#/~2", "~file/../x", "~remove/", "~checklist", "~alt#/x"]))] = \
        draw(values)
    return names


# The desk's forms: a note, a date, a file, as the workflow table names them.
DESK_STEPS = [t.slug for t in WORKFLOW.transitions if t.slug]
desk_note = st.one_of(value, st.just(""), st.just("Bổ sung bản sao CCCD"))
desk_date = st.one_of(st.sampled_from(DATES + ["2026-12-04", ""]), value)
file_bytes = st.one_of(st.binary(max_size=64), st.just(b"%PDF-1.7\n" + b"\xff" * 100), st.just(b"\x89PNG\r\n\x1a\n"),
                       st.just(b"\xff\xd8\xff" + b"\x00" * 50))
file_name = st.one_of(st.text(max_size=30), st.sampled_from(["a.pdf", "\u202egpj.exe", "../../x.pdf", "." * 300]))
