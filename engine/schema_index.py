"""Finding the schema of a field by the path of its value.

Validation errors, messages and (later) renderers all need "which schemas describe
the value at /owner/fullName": the property declaration, what its ``$ref`` points
to, and the branches of ``allOf``/``if``-``then``/``dependentSchemas`` that may
declare it. A :class:`SchemaIndex` answers that once per path and caches it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from engine.messages import ROOT_TITLE
from engine.schema_refs import SchemaRefs

# Keywords whose subschemas describe the same instance as their parent.
_IN_PLACE_LIST = ("allOf", "anyOf", "oneOf")
_IN_PLACE_ONE = ("then", "else")
_IN_PLACE_MAP = ("dependentSchemas", "dependencies")

Path = tuple[str | int, ...]


class SchemaIndex:
    def __init__(self, root: Any):
        self.root = root
        self._refs = SchemaRefs(root)
        self.field_schemas = lru_cache(maxsize=4096)(self._field_schemas)

    def branches(self, node: Any) -> Iterator[dict]:
        """``node`` and every subschema that applies to the same value, outermost first."""
        seen: set[int] = set()
        stack = [node]
        while stack:
            current = stack.pop(0)
            if not isinstance(current, dict) or id(current) in seen:
                continue
            seen.add(id(current))
            yield current
            nested: list[Any] = []
            if isinstance(current.get("$ref"), str):
                nested.append(self._refs.resolve(current["$ref"]))
            for key in _IN_PLACE_LIST:
                nested.extend(current.get(key) or ())
            for key in _IN_PLACE_ONE:
                nested.append(current.get(key))
            for key in _IN_PLACE_MAP:
                value = current.get(key)
                if isinstance(value, dict):
                    nested.extend(v for v in value.values() if isinstance(v, dict))
            stack[0:0] = nested

    # -- children ----------------------------------------------------------
    def children(self, node: Any, token: str | int) -> list[dict]:
        found: list[dict] = []
        for branch in self.branches(node):
            if isinstance(token, int):
                prefix = branch.get("prefixItems")
                items = branch.get("items")
                if isinstance(prefix, list) and token < len(prefix):
                    found.append(prefix[token])
                elif isinstance(items, list):  # draft 7 tuple form
                    if token < len(items):
                        found.append(items[token])
                    elif isinstance(branch.get("additionalItems"), dict):
                        found.append(branch["additionalItems"])
                elif isinstance(items, dict):
                    found.append(items)
                continue
            props = branch.get("properties")
            if isinstance(props, dict) and isinstance(props.get(token), dict):
                found.append(props[token])
            for pattern, sub in (branch.get("patternProperties") or {}).items():
                if isinstance(sub, dict) and _safe_search(pattern, token):
                    found.append(sub)
            if isinstance(branch.get("additionalProperties"), dict) and not found:
                found.append(branch["additionalProperties"])
        return found

    def _field_schemas(self, path: Path) -> tuple[dict, ...]:
        """Declaration-site schemas first, then what they reference or combine."""
        if not path:
            return tuple(self.branches(self.root))
        result: list[dict] = []
        for parent in self.field_schemas(path[:-1]):
            for child in self.children(parent, path[-1]):
                for branch in self.branches(child):
                    if all(branch is not r for r in result):
                        result.append(branch)
        return tuple(result)

    # -- what errors and renderers read ------------------------------------------
    def title(self, path: Sequence[str | int]) -> str:
        path = _as_path(path)
        for schema in self.field_schemas(path):
            title = schema.get("title")
            if isinstance(title, str) and title.strip():
                return title.strip()
        if not path:
            return ROOT_TITLE
        last = path[-1]
        if isinstance(last, int):
            return f"{self.title(path[:-1])} (mục {last + 1})"
        return str(last)

    def message_override(self, path: Sequence[str | int], keyword: str) -> str | None:
        for schema in self.field_schemas(_as_path(path)):
            messages = schema.get("x-messages")
            if isinstance(messages, dict) and isinstance(messages.get(keyword), str):
                return messages[keyword]
        return None

    def position(self, path: Sequence[str | int]) -> tuple[int, ...]:
        """Where a field stands in the form's reading order, for sorting errors."""
        path = _as_path(path)
        result: list[int] = []
        for depth, token in enumerate(path):
            if isinstance(token, int):
                result.append(token)
                continue
            names: list[str] = []
            for parent in self.field_schemas(path[:depth]):
                props = parent.get("properties")
                if isinstance(props, dict):
                    names.extend(n for n in props if n not in names)
            result.append(names.index(token) if token in names else len(names))
        return tuple(result)


def _as_path(path: Sequence[str | int]) -> Path:
    return path if isinstance(path, tuple) else tuple(path)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _safe_search(pattern: str, text: str) -> bool:
    compiled = _compiled(pattern)
    return bool(compiled and compiled.search(text))
