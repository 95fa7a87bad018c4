"""What is compiled from a schema, kept per schema object and reused.

Schemas are dicts (not hashable), so entries are keyed by the object's identity; each
entry holds the schema itself, so an id is never reused while its entry lives, and an
entry made for another object that happens to get the same id is never returned.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar


class Compiled(Protocol):
    schema: Any


T = TypeVar("T", bound=Compiled)


class SchemaCache(Generic[T]):
    def __init__(self, build: Callable[[Any], T], size: int = 256):
        self._build = build
        self._size = size
        self._entries: OrderedDict[int, T] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, schema: Any) -> T:
        key = id(schema)
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and cached.schema is schema:
                self._entries.move_to_end(key)
                return cached
        built = self._build(schema)  # outside the lock: compiling takes a while
        with self._lock:
            self._entries[key] = built
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return built
