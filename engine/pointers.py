"""JSON Pointer (RFC 6901) helpers: the engine names fields by the pointer of their value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.bounds import is_index


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def to_pointer(path: Iterable[str | int]) -> str:
    return "".join("/" + escape(p) for p in path)


def split(pointer: str) -> list[str]:
    if pointer in ("", "#"):
        return []
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [unescape(t) for t in pointer[1:].split("/")]


_MISSING = object()


def resolve(document: Any, pointer: str, default: Any = _MISSING) -> Any:
    """The value at ``pointer`` in ``document``; KeyError (or ``default``) when absent.

    An array position counts only when :func:`engine.bounds.is_index` takes it: "²" or
    five thousand zeros name nothing (``str.isdigit`` takes them, ``int`` does not)."""
    node = document
    for token in split(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and is_index(token) and int(token) < len(node):
            node = node[int(token)]
        else:
            if default is _MISSING:
                raise KeyError(pointer)
            return default
    return node
