"""Our own validation keywords: checks that span several fields of one object.

Each keyword is given to both validators (python-jsonschema through
``validators.extend``, jsonschema-rs through ``keywords=``) from this one table, so
they agree. A check returns the relative path of the field at fault and a message
template (``{title}`` is that field's title), or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import id_numbers, places, pointers

def N_(text: str) -> str:
    """Marks a message for the translation catalogue (pybabel's default keyword); the
    engine keeps it Vietnamese, a caller that shows it in English translates it."""
    return text


Check = Callable[[Any, Any], "tuple[tuple[str, ...], str] | None"]


@dataclass(frozen=True)
class Keyword:
    name: str
    check: Check  # (keyword value, instance) -> (relative path, template) or None
    description: str


def _address(value: Any, instance: Any):
    """``"x-address": true`` on an object with ``province`` and ``ward``: the ward must
    belong to the province (each name on its own is checked by its format)."""
    if value is not True or not isinstance(instance, dict):
        return None
    province, ward = instance.get("province"), instance.get("ward")
    if not (isinstance(province, str) and isinstance(ward, str)):
        return None
    if places.is_province(province) and places.is_ward(ward) and not places.ward_in_province(ward, province):
        return ("ward",), f"{{title}}: {ward} không thuộc {province}"
    return None


# The values of the shared "gender" field (schemas/_defs/common.schema.json) and the sex
# each means; the lint refuses an x-id-number-matches whose sex field has other values.
SEX_VALUES = {"nam": id_numbers.MALE, "nu": id_numbers.FEMALE}
ID_NUMBER_MATCHES_FIELDS = ("id_number", "birth_date", "sex")  # the keyword's keys: pointers into the object
# "sex" may be left out where the form holds no sex for that person (a requester, a
# spouse): the century and the birth year (digits 4–6) are still checked.
ID_NUMBER_MATCHES_REQUIRED = ("id_number", "birth_date")

CENTURY_MISMATCH = N_("{title} không khớp với năm sinh: chữ số thứ 4 của người sinh năm {year} phải là {male} "
                      "(nam) hoặc {female} (nữ)")
YEAR_MISMATCH = N_("{title} không khớp với năm sinh: chữ số thứ 5–6 phải là {digits}")
SEX_MISMATCH = {
    id_numbers.MALE: N_("{title} không khớp với giới tính: chữ số thứ 4 của nam sinh năm {first}–{last} phải là {digit}"),
    id_numbers.FEMALE: N_("{title} không khớp với giới tính: chữ số thứ 4 của nữ sinh năm {first}–{last} phải là {digit}"),
}


def _fill(template: str, **params: Any) -> str:
    """The template with ``params`` filled and ``{title}`` kept for the validator."""
    return template.format(title="{title}", **params)


def _id_number_matches(value: Any, instance: Any):
    """``"x-id-number-matches": {"id_number": "/idNumber", "birth_date": "/birthDate",
    "sex": "/gender"}`` on an object: digits 4–6 of its số định danh cá nhân must agree with
    the birth date and the sex it holds (engine.id_numbers); without ``sex``, with the birth
    date only. The error is on the ID field. A value missing or malformed is left to its
    own checks (required, format)."""
    if not isinstance(value, dict) or not isinstance(instance, dict):
        return None
    if any(not isinstance(value.get(key), str) for key in ID_NUMBER_MATCHES_REQUIRED) or \
            not isinstance(value.get("sex", ""), str):
        return None  # the lint refuses such a value
    try:
        number = pointers.resolve(instance, value["id_number"], None)
        date = pointers.resolve(instance, value["birth_date"], None)
        sex_value = pointers.resolve(instance, value["sex"], None) if "sex" in value else None
    except ValueError:
        return None  # not a pointer: the lint refuses such a value
    if not (isinstance(number, str) and len(number) == id_numbers.LENGTH and number.isascii() and number.isdigit()):
        return None
    century = id_numbers.CENTURY_SEX.get(number[3])
    if century is None:
        return None
    year = id_numbers.year_of(date) if isinstance(date, str) else None
    sex = SEX_VALUES.get(sex_value) if isinstance(sex_value, str) else None
    where = tuple(pointers.split(value["id_number"]))
    if year is not None:
        male, female = id_numbers.century_digit(year, id_numbers.MALE), id_numbers.century_digit(year, id_numbers.FEMALE)
        if male is None or female is None:
            return None  # a year outside 1900–2099: nothing to compare with
        if not century.first_year <= year < century.first_year + 100:
            return where, _fill(CENTURY_MISMATCH, year=year, male=male, female=female)
        if number[4:6] != f"{year % 100:02d}":
            return where, _fill(YEAR_MISMATCH, digits=f"{year % 100:02d}")
    if sex is not None and sex != century.sex:
        digit = id_numbers.century_digit(century.first_year, sex)
        return where, _fill(SEX_MISMATCH[sex], first=century.first_year, last=century.first_year + 99, digit=digit)
    return None


KEYWORDS: dict[str, Keyword] = {
    k.name: k
    for k in (
        Keyword("x-address", _address, "xã/phường phải thuộc tỉnh/thành phố đã chọn"),
        Keyword("x-id-number-matches", _id_number_matches,
                "số định danh cá nhân phải khớp với năm sinh (chữ số 4–6) và giới tính (chữ số 4)"),
    )
}


def rs_keyword(keyword: Keyword) -> type:
    """The keyword as a jsonschema-rs custom keyword class."""

    class RsKeyword:
        def __init__(self, parent_schema: Any, value: Any, schema_path: Any):
            self.value = value

        def validate(self, instance: Any) -> None:
            found = keyword.check(self.value, instance)
            if found is not None:
                raise ValueError(found[1])

    RsKeyword.__name__ = f"RsKeyword_{keyword.name}"
    return RsKeyword
