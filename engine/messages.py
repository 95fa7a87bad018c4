"""Vietnamese messages for validation errors, by JSON Schema keyword.

Look-up order (as in JSON Forms' i18n): the field's own ``x-messages`` entry for
the keyword, then the template below for the keyword, then the default. Templates
are ``str.format`` strings; ``{title}`` is the field's title and ``{limit}`` the
keyword's value.
"""

from __future__ import annotations

from typing import Any

DEFAULT = "{title} không hợp lệ"

TEMPLATES: dict[str, str] = {
    "required": "{title} là bắt buộc",
    "dependentRequired": "{title} là bắt buộc khi đã nhập {dependency}",
    "type": "{title} phải là {type}",
    "minLength": "{title} phải có ít nhất {limit} ký tự",
    "maxLength": "{title} không được dài quá {limit} ký tự",
    "pattern": "{title} không đúng định dạng",
    "format": "{title} không đúng định dạng",
    "minimum": "{title} phải lớn hơn hoặc bằng {limit}",
    "maximum": "{title} phải nhỏ hơn hoặc bằng {limit}",
    "exclusiveMinimum": "{title} phải lớn hơn {limit}",
    "exclusiveMaximum": "{title} phải nhỏ hơn {limit}",
    "multipleOf": "{title} phải là bội số của {limit}",
    "enum": "{title}: hãy chọn một giá trị trong danh sách",
    "const": "{title} phải là {limit}",
    "minItems": "{title} phải có ít nhất {limit} mục",
    "maxItems": "{title} không được quá {limit} mục",
    "uniqueItems": "{title} có các mục bị trùng nhau",
    "contains": "{title} phải có ít nhất một mục hợp lệ",
    "minContains": "{title} phải có ít nhất {limit} mục hợp lệ",
    "maxContains": "{title} không được có quá {limit} mục như vậy",
    "minProperties": "{title} phải có ít nhất {limit} thông tin",
    "maxProperties": "{title} không được có quá {limit} thông tin",
    "additionalProperties": "{title} có thông tin không được phép: {names}",
    "unevaluatedProperties": "{title} có thông tin không được phép: {names}",
    "propertyNames": "{title} có tên thông tin không hợp lệ",
    "oneOf": "{title} không khớp với lựa chọn nào",
    "oneOf.many": "{title} khớp với nhiều lựa chọn; chỉ được chọn một",
    "anyOf": "{title} không khớp với lựa chọn nào",
    "not": "{title} không hợp lệ",
    "false": "{title} không được phép có ở đây",
}

# Empty text fails minLength 1: telling the citizen it is missing reads better than
# "at least 1 character".
EMPTY_TEMPLATE = "{title} không được để trống"

TYPE_NAMES = {
    "string": "chuỗi ký tự",
    "integer": "số nguyên",
    "number": "số",
    "boolean": "giá trị có/không",
    "array": "danh sách",
    "object": "nhóm thông tin",
    "null": "để trống",
}

ROOT_TITLE = "Biểu mẫu"


def format_value(value: Any) -> str:
    """A keyword value as a citizen reads it: 1.000.000 for numbers, đúng/sai for booleans."""
    if isinstance(value, bool):
        return "đúng" if value else "sai"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        text = f"{value:,}"
        return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


def type_name(value: Any) -> str:
    if isinstance(value, list):
        return " hoặc ".join(TYPE_NAMES.get(t, str(t)) for t in value)
    return TYPE_NAMES.get(value, str(value))


def render(template: str, **params: Any) -> str:
    """Fill a template; an author's override with an unknown placeholder stays readable."""
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
