"""What the ``$ref`` of one schema points to, through ``referencing``'s public API.

The form model (``engine.form_model``) and the schema index (``engine.schema_index``)
both follow references; they share this one resolver so they always agree on what a
``$ref`` means, and neither reaches into a jsonschema validator's private resolver.
Local pointers (``#/$defs/x``) are read straight from the schema; anything else is
looked up in a registry holding only this schema, so nothing is ever fetched.
"""

from __future__ import annotations

from typing import Any

import referencing
import referencing.exceptions
from referencing.jsonschema import DRAFT202012, specification_with

from engine import pointers


class SchemaRefs:
    def __init__(self, root: Any, default: referencing.Specification = DRAFT202012):
        """``default``: the draft when the schema names none with ``$schema``."""
        self.root = root
        self._default = default
        self._resolver: referencing.Resolver | None = None  # built on the first non-local ref

    def resolve(self, ref: str) -> Any | None:
        """The schema ``ref`` points to, or None when it points nowhere."""
        if ref.startswith("#"):
            try:
                return pointers.resolve(self.root, ref)
            except (KeyError, ValueError):
                pass
        if self._resolver is None:
            dialect = self.root.get("$schema") if isinstance(self.root, dict) else None
            spec = specification_with(dialect if isinstance(dialect, str) else "", default=self._default)
            resource = spec.create_resource(self.root)
            registry = referencing.Registry().with_resource(resource.id() or "", resource)
            self._resolver = registry.resolver(base_uri=resource.id() or "")
        try:
            return self._resolver.lookup(ref).contents
        except (referencing.exceptions.Unresolvable, ValueError):  # ValueError: a malformed URI
            return None
