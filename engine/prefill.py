"""Prefilling a new dossier from the applicant's account.

An author marks the object that describes the person submitting with
``"x-prefill": "applicant"``; a new form then starts with what the account already
knows, under whichever of these property names the object declares.
"""

from __future__ import annotations

from typing import Any

from engine.form_model import Field, form_model

# Profile keys -> the property names forms use for them.
APPLICANT_FIELDS: dict[str, tuple[str, ...]] = {
    "full_name": ("fullName",),
    "id_number": ("idNumber", "personalId"),
    "phone": ("phone",),
    "email": ("email",),
}


def prefill(schema: Any, profile: dict[str, Any], data: Any = None) -> Any:
    """``data`` (or the form's defaults) with the applicant's objects filled from ``profile``.

    Values already present are kept; a value the field would refuse (a 9-digit CMND
    where only a 12-digit number is accepted) is left out rather than shown as an error
    before the citizen typed anything."""
    root = form_model(schema).root
    value = data if data is not None else (root.initial() or {})
    if isinstance(value, dict):
        _fill(root, value, profile)
    return value


def _fill(field: Field, value: dict, profile: dict[str, Any]) -> None:
    for child in field.children:
        if child.widget not in ("object", "address"):
            continue
        own = value.get(child.name)
        if child.schema.get("x-prefill") == "applicant":
            own = own if isinstance(own, dict) else (child.initial() or {})
            by_name = {c.name: c for c in child.children}
            for key, names in APPLICANT_FIELDS.items():
                for name in names:
                    if name in by_name and name not in own and profile.get(key):
                        candidate = profile[key]
                        if child.model.matches(by_name[name].declared, candidate):
                            own[name] = candidate
            value[child.name] = own
        elif isinstance(own, dict):
            _fill(child, own, profile)
