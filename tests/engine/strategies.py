"""Hypothesis strategies for the engine's formats, for property tests over any schema."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from engine import formats, id_numbers, places


def _tax_codes():
    def finish(first9: str):
        check = formats._tax_check_digit(first9)
        return f"{first9}{check}" if check < 10 else None

    return st.from_regex(r"[0-9]{9}", fullmatch=True).map(finish).filter(bool)


_CCCD = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(id_numbers.PROVINCE_CODES)),
    st.from_regex(r"[0-3][0-9]{8}", fullmatch=True),
)

VALID_FORMATS = {
    "date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat),
    "past-date": st.dates(dt.date(1900, 1, 1), dt.date(2025, 12, 31)).map(dt.date.isoformat),
    "email": st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{2,10}\.(vn|com)", fullmatch=True),
    "cccd": _CCCD,
    "id-number": _CCCD,  # a 9-digit CMND is no longer valid input
    "phone": st.from_regex(r"0[35789][0-9]{8}", fullmatch=True),
    "tax-code": _tax_codes(),
    "vn-province": st.just("Thành phố Cần Thơ"),
    "vn-ward": st.sampled_from(places.wards("Thành phố Cần Thơ")),
}
assert set(VALID_FORMATS) == set(formats.FORMATS), "every format needs a strategy"

# Valid values mixed with near misses, so property tests reach both sides of each check.
# hypothesis-jsonschema insists that values for the standard formats (date, email) are
# valid, so only our own formats get the near misses.
_STANDARD = {"date", "email"}
MIXED_FORMATS = {
    name: strategy
    if name in _STANDARD
    else strategy | st.text(alphabet="0123456789abc@.-+ ", max_size=14) | st.sampled_from(["", "2026-02-30", "Phường 5"])
    for name, strategy in VALID_FORMATS.items()
}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=15,
)


def _paths(value, path=()):
    """Every position inside a JSON value (not the root itself)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield path + (key,)
            yield from _paths(child, path + (key,))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield path + (i,)
            yield from _paths(child, path + (i,))


def _parent(value, path):
    for token in path[:-1]:
        value = value[token]
    return value


@st.composite
def mutations(draw, sample, max_changes: int = 4):
    """A filled dossier with a few values damaged, removed, emptied or duplicated.

    Near-valid data is where two validators can disagree (formats, patterns,
    conditions); hypothesis-jsonschema's own generator needs ~0.5 s per example on a
    form this size, so the differential test starts from the sample instead.
    """
    import copy

    value = copy.deepcopy(sample)
    for _ in range(draw(st.integers(1, max_changes))):
        paths = list(_paths(value))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(value, path), path[-1]
        action = draw(st.sampled_from(["json", "format", "delete", "empty", "duplicate"]))
        if action == "json":
            parent[key] = draw(JSON)
        elif action == "format":
            parent[key] = draw(st.one_of(*MIXED_FORMATS.values()))
        elif action == "empty":
            parent[key] = draw(st.sampled_from(["", [], {}, 0, None]))
        elif action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return value
