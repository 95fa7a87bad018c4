"""Resolving ``$ref`` inside ``schemas/`` only, and bundling a form into one document.

Authors write relative references such as
``"$ref": "../_defs/common.schema.json#/$defs/person"``. Every file is given a URI
under :data:`BASE_URI` (an ``.invalid`` host, which can never resolve), and the
``referencing`` registry's retrieve function serves only files below the schema
roots; any other URI is refused, so nothing is ever fetched from the network.

:func:`bundle` then copies each referenced document into the form's ``$defs`` and
rewrites every reference into a local pointer (``#/$defs/_defs.common.schema.json/$defs/person``).
The result is a plain, self-contained dict: validators, renderers and property tests
all take it as is. Unlike full dereferencing it keeps the sibling keywords of a
``$ref`` (a local ``title`` beside a shared definition stays the title).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

import referencing
import referencing.exceptions
from referencing.jsonschema import DRAFT202012

from engine import pointers
from engine.bounds import MAX_DEFINITION_FILE, MAX_JSON_DEPTH, MAX_JSON_DIGITS

BASE_URI = "https://schemas.dichvucong.invalid/"
# What the registry raises for a URI outside the roots (NoSuchResource) or a file it
# could not read (Unretrievable, caused by a DocumentError).
UNREACHABLE = (referencing.exceptions.NoSuchResource, referencing.exceptions.Unretrievable)
MAX_FILE_BYTES = MAX_DEFINITION_FILE


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: the file, the JSON pointer inside it, and why."""

    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.pointer or '/'}: {self.message}"


class DocumentError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read_json(path: Path, display: str) -> Any:
    """Parse a definition file, turning every failure into a Problem that names it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentError(Problem(display, "", "thiếu tệp")) from None
    if size > MAX_FILE_BYTES:
        raise DocumentError(Problem(display, "", f"tệp lớn quá {MAX_FILE_BYTES // 1024} KB"))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocumentError(Problem(display, "", "tệp phải được lưu với bảng mã UTF-8")) from None
    beyond = _beyond_bounds(text)
    if beyond is not None:
        raise DocumentError(Problem(display, "", beyond))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            Problem(display, "", f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}")
        ) from None


# What the scan of _beyond_bounds sees of a JSON text: a string (skipped whole, an unclosed
# one to the end: brackets and digits inside are text), a bracket, or a number's run of
# digits, signs, points and exponents ("-12.5e+3"; json.loads judges its form afterwards).
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[{]|[\]}]|-?[0-9][0-9.eE+-]*', re.DOTALL)
_DIGIT = re.compile(r"[0-9]")


def _beyond_bounds(text: str) -> str | None:
    """Why ``text`` is beyond what a definition may hold, or None: containers nested deeper
    than MAX_JSON_DEPTH (json.loads, and every walk of a definition after it, would recurse
    that deep), or a number of more than MAX_JSON_DIGITS digits (int() refuses 4,300).
    One pass over the text, without recursion, before json.loads sees it."""
    depth = 0
    for token in _TOKENS.finditer(text):
        value = token.group()
        first = value[0]
        if first == '"':
            continue
        if first == "[" or first == "{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return f"JSON lồng quá sâu (quá {MAX_JSON_DEPTH} tầng) ở {_place(text, token.start())}"
        elif first == "]" or first == "}":
            depth = max(depth - 1, 0)
        elif len(value) > MAX_JSON_DIGITS and len(_DIGIT.findall(value)) > MAX_JSON_DIGITS:
            return f"số có quá {MAX_JSON_DIGITS} chữ số ở {_place(text, token.start())}"
    return None


def _place(text: str, index: int) -> str:
    """Where ``index`` is in ``text``, as json.JSONDecodeError says it (both from 1)."""
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    return f"dòng {line}, cột {column}"


class SchemaSource:
    """The documents a ``$ref`` may reach: files under ``root`` and under ``extra`` folders.

    ``extra`` maps a folder name to a folder elsewhere (a new definition being linted
    outside ``schemas/``); it is addressed as if it stood in ``root``.
    """

    def __init__(self, root: Path, extra: dict[str, Path] | None = None):
        self.root = root.resolve()
        self.extra = {name: path.resolve() for name, path in (extra or {}).items()}
        self.registry: referencing.Registry = referencing.Registry(retrieve=self._retrieve)

    def uri_for(self, path: Path) -> str:
        path = path.resolve()
        for name, folder in self.extra.items():
            if path.is_relative_to(folder):
                return BASE_URI + name + "/" + path.relative_to(folder).as_posix()
        return BASE_URI + path.relative_to(self.root).as_posix()

    def path_for(self, uri: str) -> Path | None:
        if not uri.startswith(BASE_URI):
            return None
        relative = uri[len(BASE_URI):]
        head, _, rest = relative.partition("/")
        base, candidate = (
            (self.extra[head], self.extra[head] / rest) if head in self.extra else (self.root, self.root / relative)
        )
        candidate = candidate.resolve()
        return candidate if candidate.is_relative_to(base) and candidate.is_file() else None

    def display(self, uri: str) -> str:
        path = self.path_for(uri)
        if path is None:
            return uri
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()

    def _retrieve(self, uri: str) -> referencing.Resource:
        path = self.path_for(uri)
        if path is None:
            raise referencing.exceptions.NoSuchResource(ref=uri)
        return DRAFT202012.create_resource(read_json(path, self.display(uri)))

    def document(self, uri: str) -> Any:
        """The contents of the document at ``uri``; NoSuchResource when outside the roots."""
        retrieved = self.registry.get_or_retrieve(uri)
        self.registry = retrieved.registry
        return retrieved.value.contents


# Keywords whose value is data (never a schema) and those whose value maps names to schemas.
DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples", "x-messages", "description", "title"})
MAP_KEYWORDS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"})


def defs_key(uri: str) -> str:
    """The ``$defs`` name a referenced document gets in a bundle (no "/" or "~")."""
    return uri[len(BASE_URI):].replace("/", ".").replace("~", "-")


def bundle(source: SchemaSource, root_uri: str, problems: list[Problem]) -> dict:
    """The form at ``root_uri`` with every referenced document embedded in its ``$defs``."""
    root = copy.deepcopy(source.document(root_uri))
    if not isinstance(root, dict):
        return root
    root.pop("$id", None)
    embedded: dict[str, Any] = {}

    def embed(doc_uri: str, at: str, file: str) -> str | None:
        key = defs_key(doc_uri)
        if key not in embedded:
            try:
                contents = copy.deepcopy(source.document(doc_uri))
            except UNREACHABLE as exc:
                cause = exc.__cause__ or exc.__context__
                if isinstance(cause, DocumentError):
                    problems.append(cause.problem)
                else:
                    problems.append(Problem(file, at, f"$ref trỏ tới tài liệu không có trong schemas/: {doc_uri}"))
                return None
            if isinstance(contents, dict):
                contents.pop("$id", None)
                contents.pop("$schema", None)
            embedded[key] = contents
            rewrite(contents, doc_uri, "/$defs/" + key)
        return "/$defs/" + key

    def rewrite(node: Any, base: str, prefix: str, at: str = "", in_map: bool = False) -> None:
        """Rewrite the references in ``node``; ``in_map`` when it maps names to schemas."""
        file = source.display(base)
        if isinstance(node, dict):
            ref = None if in_map else node.get("$ref")
            if isinstance(ref, str):
                doc_uri, fragment = urldefrag(urljoin(base, ref))
                if fragment and not fragment.startswith("/"):
                    problems.append(Problem(file, at + "/$ref", f"chỉ hỗ trợ $ref dạng đường dẫn JSON Pointer (#/...), không hỗ trợ '{ref}'"))
                else:
                    target_prefix = prefix if doc_uri == base else embed(doc_uri, at + "/$ref", file)
                    if target_prefix is not None:
                        target_doc = root if doc_uri == root_uri else embedded.get(defs_key(doc_uri))
                        source_doc = source.document(doc_uri) if doc_uri != root_uri else target_doc
                        try:
                            pointers.resolve(source_doc, fragment)
                        except (KeyError, ValueError):
                            problems.append(Problem(file, at + "/$ref", f"$ref không tìm thấy: '{ref}'"))
                        node["$ref"] = "#" + target_prefix + fragment
            for key, value in node.items():
                if not in_map and key in DATA_KEYWORDS:
                    continue  # values, not subschemas: a "$ref" in an example stays as written
                child_is_map = not in_map and key in MAP_KEYWORDS
                rewrite(value, base, prefix, at + "/" + pointers.escape(key), child_is_map)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                rewrite(value, base, prefix, f"{at}/{i}")

    rewrite(root, root_uri, "")
    if embedded:
        defs = root.setdefault("$defs", {})
        for key, contents in embedded.items():
            if key in defs:
                problems.append(Problem(source.display(root_uri), "/$defs/" + key, "tên này được dành cho tài liệu được tham chiếu"))
            defs[key] = contents
    return root
