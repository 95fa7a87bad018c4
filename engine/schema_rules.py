"""Our own rules for a form schema, beyond the JSON Schema metaschema.

The metaschema accepts a typo such as ``"requried"`` (unknown keywords are allowed)
and any regular expression; a public form needs more: every field titled for the
citizen, only formats the engine knows, no pattern that can stall a worker, a
bounded size and depth, ``required`` naming fields that exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from engine import formats, keywords, patterns, pointers, widgets
from engine.bounds import MAX_LISTED_ROWS

MAX_DEPTH = 32  # nested schemas
MAX_NODES = 3000  # schemas in one document

# The 2020-12 vocabularies (core, applicator, unevaluated, validation, format,
# content, meta-data). Keywords outside them must be one of ours (X_KEYWORDS).
KEYWORDS = frozenset(
    """$schema $id $ref $defs $comment $vocabulary
    allOf anyOf oneOf not if then else dependentSchemas prefixItems items contains
    properties patternProperties additionalProperties propertyNames
    unevaluatedItems unevaluatedProperties
    type enum const multipleOf maximum exclusiveMaximum minimum exclusiveMinimum
    maxLength minLength pattern maxItems minItems uniqueItems maxContains minContains
    maxProperties minProperties required dependentRequired
    format contentEncoding contentMediaType contentSchema
    title description default deprecated readOnly writeOnly examples""".split()
)
UNSUPPORTED = {
    "$anchor": "không hỗ trợ $anchor; hãy tham chiếu bằng đường dẫn (#/$defs/...)",
    "$dynamicRef": "không hỗ trợ $dynamicRef",
    "$dynamicAnchor": "không hỗ trợ $dynamicAnchor",
    "$recursiveRef": "không hỗ trợ $recursiveRef",
}

# Our extension keywords, with a check of their value (None when it is fine).
X_KEYWORDS: dict[str, Callable[[Any], str | None]] = {
    "x-messages": lambda v: None
    if isinstance(v, dict) and all(isinstance(k, str) and isinstance(m, str) for k, m in v.items())
    else "x-messages phải là một đối tượng: từ khóa → câu thông báo",
    "x-widget": lambda v: None if v in widgets.REGISTRY.explicit_names()
    else f"x-widget phải là một trong: {', '.join(widgets.REGISTRY.explicit_names())}",
    "x-sections": lambda v: None
    if isinstance(v, list) and all(isinstance(e, dict) and isinstance(e.get("title"), str)
                                   and isinstance(e.get("fields"), list) for e in v)
    else "x-sections phải là danh sách {\"title\": ..., \"fields\": [tên trường, ...]}",
    "x-order": lambda v: None
    if isinstance(v, list) and all(isinstance(n, str) for n in v)
    else "x-order phải là danh sách tên trường",
    "x-prefill": lambda v: None if isinstance(v, str) else "x-prefill phải là tên một thông tin trong hồ sơ cá nhân",
    "x-address": lambda v: None if isinstance(v, bool) else "x-address phải là true hoặc false",
    "x-summary": lambda v: None if isinstance(v, bool) else "x-summary phải là true hoặc false",
    "x-steps": lambda v: None if isinstance(v, bool) else "x-steps phải là true hoặc false",
    "x-id-number-matches": lambda v: None
    if isinstance(v, dict) and set(keywords.ID_NUMBER_MATCHES_REQUIRED) <= set(v) <= set(keywords.ID_NUMBER_MATCHES_FIELDS)
    and all(isinstance(p, str) and p.startswith("/") for p in v.values())
    else "x-id-number-matches phải là {\"id_number\": \"/…\", \"birth_date\": \"/…\", \"sex\": \"/…\"}: "
         "con trỏ JSON đến các trường của chính đối tượng này (\"sex\" bỏ qua được khi không có trường giới tính)",
}

# Keywords whose value is a schema, a list of schemas, or a map of schemas.
_SCHEMA = ("not", "if", "then", "else", "items", "contains", "additionalProperties", "propertyNames",
           "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_SCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAP = ("$defs", "properties", "patternProperties", "dependentSchemas")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def looks_like_identifier(title: str, name: str) -> bool:
    """A title a developer left, not one a citizen can read: the key itself, camelCase, snake_case."""
    if title == name:
        return True
    return bool(_IDENTIFIER.match(title)) and ("_" in title or re.search(r"[a-z][A-Z]", title) is not None)


def subschemas(node: dict, at: str) -> Iterator[tuple[Any, str]]:
    for key in _SCHEMA:
        if key in node:
            yield node[key], f"{at}/{key}"
    for key in _SCHEMA_LIST:
        if isinstance(node.get(key), list):
            for i, sub in enumerate(node[key]):
                yield sub, f"{at}/{key}/{i}"
    for key in _SCHEMA_MAP:
        if isinstance(node.get(key), dict):
            for name, sub in node[key].items():
                yield sub, f"{at}/{key}/{pointers.escape(name)}"


def check(document: Any, resolve_title: Callable[[dict], str | None]) -> Iterator[tuple[str, str]]:
    """Yield (pointer, message) for every rule a form schema document breaks.

    ``resolve_title(schema)`` gives the title a ``$ref``'d schema inherits from its
    target, so a property that only points at a shared definition counts as titled.
    """
    count = 0

    def walk(node: Any, at: str, depth: int, condition: bool = False) -> Iterator[tuple[str, str]]:
        nonlocal count
        count += 1
        if count == MAX_NODES + 1:
            yield at, f"biểu mẫu quá lớn: quá {MAX_NODES} lược đồ con"
        if depth > MAX_DEPTH:
            yield at, f"biểu mẫu lồng quá sâu (quá {MAX_DEPTH} cấp)"
            return
        if isinstance(node, bool) or not isinstance(node, dict):
            return
        yield from _check_node(node, at, depth, None if condition else resolve_title)
        for sub, sub_at in subschemas(node, at):
            # "if" and "not" only test values: their properties are not fields to title.
            in_condition = condition or sub_at.rsplit("/", 1)[-1] in ("if", "not")
            yield from walk(sub, sub_at, depth + 1, in_condition)

    yield from walk(document, "", 0)


def _check_node(node: dict, at: str, depth: int, resolve_title) -> Iterator[tuple[str, str]]:
    """The rules for one schema; ``resolve_title`` is None inside a condition."""
    for key, value in node.items():
        if key in UNSUPPORTED:
            yield f"{at}/{key}", UNSUPPORTED[key]
        elif key.startswith("x-"):
            checker = X_KEYWORDS.get(key)
            if checker is None:
                yield f"{at}/{pointers.escape(key)}", f"từ khóa mở rộng '{key}' không được hỗ trợ (có: {', '.join(sorted(X_KEYWORDS))})"
            elif (problem := checker(value)) is not None:
                yield f"{at}/{key}", problem
        elif key not in KEYWORDS:
            yield f"{at}/{pointers.escape(key)}", f"từ khóa '{key}' không có trong JSON Schema 2020-12 (viết sai?)"
    if "$id" in node and depth > 0:
        yield f"{at}/$id", "chỉ lược đồ gốc được có $id"
    if node.get("x-steps") is True:
        yield from _check_steps(node, at, depth)

    fmt = node.get("format")
    if isinstance(fmt, str) and fmt not in formats.FORMATS:
        yield f"{at}/format", f"định dạng '{fmt}' không được hỗ trợ (có: {', '.join(sorted(formats.FORMATS))})"
    if isinstance(node.get("pattern"), str) and (problem := patterns.problem(node["pattern"])):
        yield f"{at}/pattern", problem
    for pattern in node.get("patternProperties") or {}:
        if problem := patterns.problem(pattern):
            yield f"{at}/patternProperties/{pointers.escape(pattern)}", problem

    if _is_array(node) and not _bounded_choices(node):
        limit = node.get("maxItems")
        if not isinstance(limit, int) or isinstance(limit, bool):
            yield at, f"danh sách cần maxItems (số dòng tối đa, không quá {MAX_LISTED_ROWS})"
        elif limit > MAX_LISTED_ROWS:
            yield f"{at}/maxItems", f"danh sách không được quá {MAX_LISTED_ROWS} dòng (bản in hồ sơ sẽ quá dài)"

    properties = node.get("properties")
    if isinstance(properties, dict) and resolve_title is not None:
        for name, sub in properties.items():
            where = f"{at}/properties/{pointers.escape(name)}"
            if not isinstance(sub, dict):
                continue
            title = sub.get("title") if isinstance(sub.get("title"), str) else None
            if not (title and title.strip()):
                title = resolve_title(sub)
            if not (title and title.strip()):
                yield where, f"trường '{name}' thiếu tiêu đề tiếng Việt (title)"
            elif looks_like_identifier(title.strip(), name):
                yield f"{where}/title", f"tiêu đề '{title}' là tên kỹ thuật; hãy viết tiêu đề tiếng Việt cho người dân đọc"
        open_ended = node.get("additionalProperties", True) is not False or "patternProperties" in node
        if not open_ended or properties:
            for i, name in enumerate(node.get("required") or []):
                if isinstance(name, str) and name not in properties and not _declared_elsewhere(node, name):
                    yield f"{at}/required/{i}", f"trường bắt buộc '{name}' không có trong properties"
    for trigger, needed in (node.get("dependentRequired") or {}).items():
        if isinstance(properties, dict) and trigger not in properties:
            yield f"{at}/dependentRequired/{pointers.escape(trigger)}", f"trường '{trigger}' không có trong properties"


STEP_CONDITIONS = ("if", "then", "else", "dependentSchemas", "dependencies", "dependentRequired")


def _check_steps(node: dict, at: str, depth: int) -> Iterator[tuple[str, str]]:
    """``x-steps``: the form shown one ``x-sections`` part at a time (web.steps). Each of
    the root's fields must be in exactly one titled part, so every step has a heading and
    no field is left out of all steps; a root condition would tie fields of two steps."""
    if depth > 0:
        yield f"{at}/x-steps", "x-steps chỉ đặt ở gốc biểu mẫu (form.schema.json)"
        return
    sections = node.get("x-sections")
    if not isinstance(sections, list) or len(sections) < 2:
        yield f"{at}/x-steps", "x-steps cần x-sections ở gốc biểu mẫu với ít nhất 2 phần (mỗi phần là một bước)"
        return
    properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
    seen: dict[str, int] = {}
    for i, section in enumerate(sections):
        for name in (section.get("fields") or []) if isinstance(section, dict) else []:
            if name not in properties:
                yield f"{at}/x-sections/{i}", f"x-steps: phần {i + 1} nêu trường '{name}' không có trong properties"
            elif name in seen:
                yield f"{at}/x-sections/{i}", f"x-steps: trường '{name}' đã nằm trong phần {seen[name] + 1}"
            else:
                seen[name] = i
    for name in properties:
        if name not in seen:
            yield f"{at}/x-sections", f"x-steps: trường '{name}' không thuộc phần nào của x-sections (sẽ không hiện ở bước nào)"
    conditions = [k for k in STEP_CONDITIONS if k in node]
    conditions += ["allOf"] if any(isinstance(s, dict) and set(s) & {"if", "properties", "dependentSchemas"}
                                   for s in node.get("allOf") or []) else []
    if conditions:
        yield f"{at}/x-steps", (f"x-steps: biểu mẫu chia bước không được có điều kiện ở gốc ({', '.join(conditions)}); "
                                "đặt điều kiện trong trường đối tượng của một phần")


def _is_array(node: dict) -> bool:
    kind = node.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind) or "items" in node


def _bounded_choices(node: dict) -> bool:
    """A list of ticked options, each at most once: as long as its options, no longer."""
    items = node.get("items")
    if node.get("uniqueItems") is not True or not isinstance(items, dict):
        return False
    if isinstance(items.get("enum"), list):
        return True
    choices = items.get("oneOf") or items.get("anyOf")
    return isinstance(choices, list) and bool(choices) and all(isinstance(c, dict) and "const" in c for c in choices)


def _declared_elsewhere(node: dict, name: str) -> bool:
    """``required`` may name a field another branch of the same schema declares."""
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(key) or []:
            if isinstance(sub, dict) and name in (sub.get("properties") or {}):
                return True
    for key in ("then", "else"):
        sub = node.get(key)
        if isinstance(sub, dict) and name in (sub.get("properties") or {}):
            return True
    return False


# -- rules that need the bundled form (every $ref local) -----------------------------

ID_FORMATS = ("id-number", "cccd")
DATE_FORMATS = ("date", "past-date")


def check_bundled(form: Any) -> Iterator[tuple[str, str]]:
    """Yield (pointer, message) for every rule of ``form`` that needs its references
    resolved: the fields an ``x-id-number-matches`` names must exist and be of their kind.
    ``form`` is bundled (engine.bundle), so every ``$ref`` is a pointer into it."""
    stack: list[tuple[Any, str, int]] = [(form, "", 0)]
    while stack:
        node, at, depth = stack.pop()
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            continue
        value = node.get("x-id-number-matches")
        if X_KEYWORDS["x-id-number-matches"](value) is None:
            yield from _id_number_matches_fields(form, node, value, f"{at}/x-id-number-matches")
        if node.get("x-summary") is True:
            yield from _summary_field(form, node, at)
        stack.extend((sub, sub_at, depth + 1) for sub, sub_at in subschemas(node, at))


# What a summary never shows: personal numbers (a tax code is an ID number since 2025) and contacts.
NOT_IN_SUMMARY = (*ID_FORMATS, "tax-code", "phone", "email")


def _digits_only(form: dict, field: dict) -> bool:
    """A field whose pattern takes a run of 8 to 12 digits: an ID number by another name."""
    for schema in _targets(form, field):
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and not patterns.problem(pattern):
            try:
                if any(re.search(pattern, "0" * n) for n in range(8, 13)) and not re.search(pattern, "Nhà số"):
                    return True
            except re.error:
                return False
    return False


_NOT_A_FIELD = ("items", "prefixItems", "contains", "additionalProperties", "patternProperties", "if", "not",
                "propertyNames", "dependentSchemas")


def _summary_field(form: dict, node: dict, at: str) -> Iterator[tuple[str, str]]:
    """An ``x-summary`` field (engine.summary) names the dossier in lists and e-mails: it
    must be a field of the form outside any list, a text, a number or an address, and
    never a person's ID number."""
    tokens = pointers.split(at)
    where = f"{at}/x-summary"
    if len(tokens) < 2 or tokens[-2] != "properties" or any(t in _NOT_A_FIELD for t in tokens[:-1]):
        yield where, "x-summary chỉ đặt ở một trường của biểu mẫu (trong properties, không trong danh sách items)"
        return
    if _format(form, node) in NOT_IN_SUMMARY or _digits_only(form, node):
        yield where, ("x-summary không được đặt ở số định danh (CMND/CCCD, hộ chiếu), mã số thuế, số điện thoại "
                      "hay thư điện tử: tóm tắt hồ sơ hiện trong danh sách và thư điện tử")
        return
    if _options(form, node):
        yield where, "x-summary không đặt ở trường lựa chọn: giá trị lưu là mã, không phải chữ người đọc"
        return
    kinds = set()
    for schema in _targets(form, node):
        kind = schema.get("type")
        kinds.update(kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else [])
        if schema.get("x-address") is True:
            return
        if kinds:
            break
    if not kinds or not kinds <= {"string", "integer", "number", "null"}:
        yield where, "x-summary chỉ đặt ở trường văn bản, số hoặc địa chỉ (x-address)"


_KINDS = {
    "id_number": ("số định danh cá nhân (format id-number hoặc cccd)",
                  lambda form, field: _format(form, field) in ID_FORMATS),
    "birth_date": ("ngày (format date hoặc past-date)", lambda form, field: _format(form, field) in DATE_FORMATS),
    "sex": (f"giới tính (các lựa chọn {', '.join(keywords.SEX_VALUES)})",
            lambda form, field: bool(options := _options(form, field)) and options <= set(keywords.SEX_VALUES)),
}


def _id_number_matches_fields(form: dict, node: dict, value: dict, at: str) -> Iterator[tuple[str, str]]:
    for key, pointer in value.items():
        field = _field_at(form, node, pointers.split(pointer))
        kind, is_kind = _KINDS[key]
        if field is None:
            yield f"{at}/{key}", f"không có trường '{pointer}' trong đối tượng này"
        elif not is_kind(form, field):
            yield f"{at}/{key}", f"trường '{pointer}' phải là {kind}"


def _targets(form: dict, node: Any) -> Iterator[dict]:
    """``node`` and the schemas its ``$ref`` chain leads to (at most 10 steps)."""
    for _ in range(10):
        if not isinstance(node, dict):
            return
        yield node
        ref = node.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#")):
            return
        node = pointers.resolve(form, ref, None)


def _field_at(form: dict, node: dict, tokens: list[str]) -> dict | None:
    """The schema of the value at ``tokens`` below an instance of ``node``: through
    ``properties`` (also of allOf, then and else branches) and ``items``."""
    for token in tokens:
        found = None
        for schema in _targets(form, node):
            branches = [schema, *(b for b in schema.get("allOf") or [] if isinstance(b, dict)),
                        *(schema[k] for k in ("then", "else") if isinstance(schema.get(k), dict))]
            for branch in branches:
                properties = branch.get("properties")
                if isinstance(properties, dict) and isinstance(properties.get(token), dict):
                    found = properties[token]
                    break
            if found is None and token.isdigit() and isinstance(schema.get("items"), dict):
                found = schema["items"]
            if found is not None:
                break
        if found is None:
            return None
        node = found
    return node


def _format(form: dict, field: dict) -> str | None:
    return next((s["format"] for s in _targets(form, field) if isinstance(s.get("format"), str)), None)


def _options(form: dict, field: dict) -> set:
    """The values a field offers: its ``enum``, or the ``const`` of each oneOf/anyOf branch."""
    for schema in _targets(form, field):
        if isinstance(schema.get("enum"), list):
            return set(v for v in schema["enum"] if isinstance(v, str))
        choices = schema.get("oneOf") or schema.get("anyOf")
        if isinstance(choices, list) and choices:
            return {c.get("const") for c in choices if isinstance(c, dict)}
    return set()
