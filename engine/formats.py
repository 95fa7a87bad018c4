"""String formats the engine enforces, registered once and shared by every validator.

In JSON Schema 2020-12 ``format`` is only an annotation unless a checker is
passed, so every validator the engine builds gets these checkers. Each check
raises :class:`FormatProblem` with a Vietnamese message template (``{title}`` is
the field's title); that is how "Số CCCD phải gồm 12 chữ số" and "… chỉ gồm chữ số"
can be told apart for the same format.

The same callables are given to the fast validator (jsonschema-rs) as custom
formats, so both validators agree by construction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from engine import id_numbers, places


class FormatProblem(ValueError):
    """Raised by a format check; ``template`` is a Vietnamese message with {title}."""

    def __init__(self, template: str):
        super().__init__(template)
        self.template = template


@dataclass(frozen=True)
class Format:
    name: str
    check: Callable[[str], None]  # raises FormatProblem when the string is not of the format
    description: str  # for the authoring guide and lint messages


FORMATS: dict[str, Format] = {}


def register(name: str, description: str):
    """Decorator: add a string check to the registry; a duplicate name is a bug."""

    def deco(fn: Callable[[str], None]) -> Callable[[str], None]:
        if name in FORMATS:
            raise ValueError(f"format {name!r} registered twice")
        FORMATS[name] = Format(name, fn, description)
        return fn

    return deco


def today() -> dt.date:
    """The current date; a function so tests can move time."""
    return dt.date.today()


_ASCII_DIGITS = re.compile(r"[0-9]+")


def _digits_only(value: str) -> None:
    # fullmatch with [0-9]: str.isdigit() would also accept "²" or Arabic-Indic digits.
    if not _ASCII_DIGITS.fullmatch(value):
        raise FormatProblem("{title} chỉ được gồm chữ số, không có chữ cái hay khoảng trắng")


def _check_cccd(value: str) -> None:
    _digits_only(value)
    if len(value) != id_numbers.LENGTH:
        raise FormatProblem("{title} phải gồm 12 chữ số")
    _check_digits(value)


def _check_digits(value: str) -> None:
    """What the digits of a 12-digit number say: a known province, a known century and sex."""
    if value[:3] not in id_numbers.PROVINCE_CODES:
        raise FormatProblem("{title} có mã tỉnh (3 chữ số đầu) không hợp lệ")
    if value[3] not in id_numbers.CENTURY_SEX:
        raise FormatProblem(
            "{title} không hợp lệ: chữ số thứ 4 (thế kỷ sinh và giới tính) phải là 0, 1, 2 hoặc 3"
        )


@register("date", "ngày theo dạng YYYY-MM-DD")
def check_date(value: str) -> None:
    try:
        if len(value) != 10:
            raise ValueError
        dt.date.fromisoformat(value)
    except ValueError:
        raise FormatProblem("{title} không phải là ngày hợp lệ (ngày/tháng/năm)") from None


@register("past-date", "ngày không sau ngày hôm nay (ngày sinh, ngày cấp)")
def check_past_date(value: str) -> None:
    check_date(value)
    if dt.date.fromisoformat(value) > today():
        raise FormatProblem("{title} không được sau ngày hôm nay")


# The WHATWG definition of a valid e-mail address (what <input type="email"> accepts),
# so the browser and the server agree; plus a dot in the domain, since a citizen's
# address always has one. email-validator was 20 µs a call; this is under 1 µs.
_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+"
)


@register("email", "địa chỉ thư điện tử")
def check_email(value: str) -> None:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise FormatProblem("{title} không phải là địa chỉ thư điện tử hợp lệ")


@register("cccd", "số định danh cá nhân / căn cước: 12 chữ số")
def check_cccd(value: str) -> None:
    _check_cccd(value)


@register("id-number", "số định danh cá nhân 12 chữ số (mã tỉnh, thế kỷ và giới tính, năm sinh, số thứ tự); "
                      "không nhận số CMND 9 chữ số, hết giá trị từ 1/1/2025")
def check_id_number(value: str) -> None:
    """A new ID number: the 12-digit số định danh cá nhân only. A 9-digit CMND gets its
    own message: it is no longer valid since 1 January 2025 (Luật Căn cước 2023, Art. 46)."""
    _digits_only(value)
    if len(value) == id_numbers.CMND_LENGTH:
        raise FormatProblem(
            "{title}: số CMND 9 chữ số không còn giá trị từ ngày 01/01/2025; "
            "vui lòng nhập số định danh cá nhân 12 chữ số (in trên thẻ căn cước)"
        )
    _check_cccd(value)


def check_recorded_id_number(value: str) -> None:
    """An ID number already recorded (a stored account, a dossier from before 2025): a
    12-digit number, or the 9-digit CMND it may still hold. Never for new input."""
    _digits_only(value)
    if len(value) != id_numbers.CMND_LENGTH:
        _check_cccd(value)


_MOBILE = re.compile(r"(?:0|\+84)(?:3|5|7|8|9)[0-9]{8}")
_LANDLINE = re.compile(r"(?:0|\+84)2[0-9]{9}")


@register("phone", "số điện thoại Việt Nam: di động 10 số hoặc cố định 11 số, có thể bắt đầu bằng +84")
def check_phone(value: str) -> None:
    if not (_MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value)):
        raise FormatProblem(
            "{title} không hợp lệ: nhập số di động 10 chữ số (ví dụ 0912345678) "
            "hoặc số cố định có mã vùng (ví dụ 02933870123)"
        )


_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _tax_check_digit(first9: str) -> int:
    return 10 - sum(int(d) * w for d, w in zip(first9, _TAX_WEIGHTS)) % 11


@register("tax-code", "mã số thuế: 10 chữ số, 10 chữ số-3 chữ số (đơn vị phụ thuộc) hoặc 12 chữ số (số định danh cá nhân)")
def check_tax_code(value: str) -> None:
    if len(value) == 12 and "-" not in value:
        _check_cccd(value)  # since 1 July 2025 an individual's tax code is their ID number
        return
    main, _, branch = value.partition("-")
    if not (_ASCII_DIGITS.fullmatch(main) and len(main) == 10) or (
        value.count("-") == 1 and not (_ASCII_DIGITS.fullmatch(branch) and len(branch) == 3)
    ):
        raise FormatProblem("{title} phải gồm 10 chữ số (hoặc 10 chữ số, dấu gạch ngang và 3 chữ số)")
    if _tax_check_digit(main[:9]) != int(main[9]):
        raise FormatProblem("{title} không đúng (chữ số kiểm tra không khớp)")


def problem(name: str, value: object) -> str | None:
    """The message template for ``value`` under format ``name``, or None when it conforms.

    Non-strings and unknown formats conform: ``format`` only constrains strings, and an
    unknown format is refused by the lint, not at run time.
    """
    fmt = FORMATS.get(name)
    if fmt is None or not isinstance(value, str):
        return None
    try:
        fmt.check(value)
    except FormatProblem as exc:
        return exc.template
    return None


def is_valid(name: str, value: object) -> bool:
    return problem(name, value) is None


# -- administrative units -------------------------------------------------------------


@register("vn-province", "tên tỉnh/thành phố trực thuộc trung ương hiện hành, ví dụ 'Thành phố Cần Thơ'")
def check_province(value: str) -> None:
    if not places.is_province(value):
        raise FormatProblem("{title} không có trong danh mục tỉnh, thành phố hiện hành")


@register("vn-ward", "tên xã/phường/đặc khu hiện hành, ví dụ 'Phường Vị Thanh'")
def check_ward(value: str) -> None:
    if not places.is_ward(value):
        raise FormatProblem("{title} không có trong danh mục xã, phường hiện hành")
