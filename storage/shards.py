"""Shard files: small TinyDB databases of one table that readers use without parsing them whole.

A shard is ordinary TinyDB JSON (TinyDB's own JSONStorage opens it) written with one
document per line, here of the dossier store's table::

    {"dossiers":{
    "81985529216486895":{"id":"0123456789abcdef",...},
    "1311768467294899695":{"id":"1234567890abcdef",...}
    }}

Both sides handle a document as its JSON text until they need it. Readers cache the
texts (ShardView) and parse a dossier only when it is asked for: caching parsed
documents instead cost 5 KB of Python objects per dossier in every process, and at
50,000 dossiers the cyclic garbage collector took about 250 ms to traverse them, every
few dozen writes (the p99 of a save); bytes are invisible to the collector. Writers go
through TinyDB (ShardStorage) with only the documents they change parsed, so a save
costs the same whether its shard holds ten dossiers or a thousand.

Every storage.sharded store keeps its documents in such shards, under its own table
name (the user store's is "users").
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from storage.atomic import CachedFile, dump_json

SUMMARY = ("agency", "status", "service", "submitted_at")  # what TinyDBStore.query filters on
_TAIL = b"\n}}"
_SEPARATOR = b",\n"  # never inside a document: JSON escapes newlines in strings


def _head(table: str) -> bytes:
    return b'{"' + table.encode() + b'":{\n'


class ShardView:
    """A shard as readers see it: TinyDB doc id → the document's JSON."""

    def __init__(self, docs: dict[str, bytes]) -> None:
        self.docs = docs

    @cached_property
    def summaries(self) -> dict[str, tuple[Any, ...]]:
        """TinyDB doc id → the document's SUMMARY values, parsed on first use."""
        summaries = {}
        for doc_id, raw in self.docs.items():
            doc = json.loads(raw)
            summaries[doc_id] = tuple(doc[field] for field in SUMMARY)
        return summaries

    @classmethod
    def parse(cls, content: bytes, table: str) -> ShardView:
        head = _head(table)
        if not (content.startswith(head) and content.endswith(_TAIL)):
            raise ValueError(f"not a shard of the {table!r} table")
        body = content[len(head) : -len(_TAIL)]
        docs = {}
        for line in body.split(_SEPARATOR) if body else ():
            key, raw = line.split(b":", 1)  # key is a quoted number: no colon inside
            docs[key[1:-1].decode()] = raw
        return cls(docs)


class ShardFile(CachedFile):
    def __init__(self, path: Path, table: str) -> None:
        super().__init__(path, lambda content: ShardView.parse(content, table))
        self.table = table

    def read_fresh(self) -> ShardView:
        """The shard on disk now, bypassing the cache (empty when there is no file yet)."""
        content = self.read_bytes()
        return ShardView.parse(content, self.table) if content is not None else ShardView({})

    def write(self, data: dict[str, Any], *, sync_dir: bool = True) -> None:
        """Write TinyDB's data, whose documents are dicts or still their JSON text."""
        if data.keys() - {self.table}:
            raise ValueError(f"this shard holds only the {self.table!r} table")
        docs = {
            doc_id: doc if isinstance(doc, bytes) else dump_json(doc)
            for doc_id, doc in data.get(self.table, {}).items()
        }
        lines = (b'"' + doc_id.encode() + b'":' + raw for doc_id, raw in docs.items())
        self.replace(_head(self.table) + _SEPARATOR.join(lines) + _TAIL, ShardView(docs), sync_dir=sync_dir)


class ShardStorage(Storage):
    """TinyDB storage for a writer holding the store's lock.

    It reads the file fresh from disk into a private copy in which only the documents
    ``changing`` (TinyDB doc ids) are parsed; every other document stays its JSON text,
    which is fine for TinyDB's operations by doc id (a query would fail loudly). TinyDB
    mutates the copy in place, so a write failing half-way never touches the readers' cache."""

    def __init__(self, file: ShardFile, changing: set[str]) -> None:
        self._file = file
        self._changing = changing
        self._data: dict[str, Any] | None = None

    def read(self) -> dict[str, Any]:
        if self._data is None:
            docs = self._file.read_fresh().docs
            table = {doc_id: json.loads(raw) if doc_id in self._changing else raw for doc_id, raw in docs.items()}
            self._data = {self._file.table: table}
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = None  # if used again, parse again: this copy may hold a change that failed
        self._file.write(data, sync_dir=False)  # the store's commit fsyncs the directory once
