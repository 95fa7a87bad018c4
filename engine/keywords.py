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

from engine import places

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


KEYWORDS: dict[str, Keyword] = {
    k.name: k
    for k in (
        Keyword("x-address", _address, "xã/phường phải thuộc tỉnh/thành phố đã chọn"),
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
