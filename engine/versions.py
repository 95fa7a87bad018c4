"""What a new version of a service changes that can break dossiers in flight.

Dossiers keep the version they were created with, so publishing never changes one;
but an agency should know, before it publishes, what a citizen who starts again (or a
clerk comparing versions) will meet: a field removed or renamed, a field made
required, a list of options narrowed, a type changed. Fields are compared by their
path in the form (property names, ``*`` for array items), conditional ones included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.catalog import Service
from engine.dossier import Dossier
from engine.form_model import Field, form_model
from engine.workflow import WORKFLOW

IN_FLIGHT = WORKFLOW.in_flight  # not decided yet: a new form may refuse their data


@dataclass(frozen=True)
class Change:
    kind: str  # "removed", "renamed", "required", "narrowed", "type", "added"
    path: str  # e.g. "owner/idNumber", "members/*/relationship"
    message: str  # Vietnamese, for the author
    breaking: bool


def _fields(field: Field, path: tuple[str, ...] = (), seen: int = 0) -> dict[tuple[str, ...], Field]:
    """Every field by its path; recursion stops at 32 levels (recursive schemas)."""
    found: dict[tuple[str, ...], Field] = {}
    if seen > 32:
        return found
    if field.widget in ("object", "address"):
        for child in field.all_children():
            child_path = path + (child.name,)
            found[child_path] = child
            found.update(_fields(child, child_path, seen + 1))
    elif field.widget == "array" and field.item is not None:
        found.update(_fields(field.item, path + ("*",), seen + 1))
    elif field.widget == "alternatives":
        for alternative in field.alternatives:
            found.update(_fields(alternative.field, path, seen + 1))
    return found


def _label(path: tuple[str, ...], field: Field) -> str:
    return f"“{field.title}” ({'/'.join(path)})"


def changes(old: Service, new: Service) -> list[Change]:
    if not old.has_form:  # no dossier was ever made online: nothing to break
        return []
    if not new.has_form:
        return [Change("removed", "", "Bỏ biểu mẫu nhập liệu: dịch vụ chỉ cung cấp thông tin, không nhận hồ sơ "
                                      "trực tuyến nữa", True)]
    before = _fields(form_model(old.form_schema).root)
    after = _fields(form_model(new.form_schema).root)
    result: list[Change] = []
    added = {p: f for p, f in after.items() if p not in before}
    rename_targets: set[tuple[str, ...]] = set()
    for path, field in before.items():
        if path in after:
            continue
        # Same place, same title, new key: the author renamed it.
        renamed = next((p for p, f in added.items()
                        if p[:-1] == path[:-1] and f.title == field.title and p not in rename_targets), None)
        if renamed:
            rename_targets.add(renamed)
            result.append(Change("renamed", "/".join(path),
                                 f"Trường {_label(path, field)} đổi tên thành {'/'.join(renamed)}", True))
        else:
            result.append(Change("removed", "/".join(path), f"Bỏ trường {_label(path, field)}", True))
    for path, new_field in after.items():
        old_field = before.get(path)
        if old_field is None:
            if new_field.required and path not in rename_targets:
                result.append(Change("added", "/".join(path), f"Thêm trường bắt buộc {_label(path, new_field)}", True))
            continue
        if new_field.required and not old_field.required:
            result.append(Change("required", "/".join(path), f"Trường {_label(path, new_field)} trở thành bắt buộc", True))
        if old_field.options is not None and new_field.options is not None:
            dropped = [o.label for o in old_field.options if all(o.value != n.value for n in new_field.options)]
            if dropped:
                result.append(Change("narrowed", "/".join(path),
                                     f"Trường {_label(path, new_field)} bỏ lựa chọn: {', '.join(dropped)}", True))
        if old_field.types and new_field.types and not (old_field.types & new_field.types):
            result.append(Change("type", "/".join(path), f"Trường {_label(path, new_field)} đổi kiểu dữ liệu", True))
    return result


def affected(new: Service, dossiers: Iterable[Dossier]) -> list[Dossier]:
    """Dossiers in flight of the service whose data the new version would refuse."""
    return [d for d in dossiers if d.service == new.slug and d.status in IN_FLIGHT and new.validate(d.data)]
