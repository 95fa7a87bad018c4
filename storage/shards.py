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

import datetime as dt
import json
import sys
from functools import cached_property
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from engine.clock import in_vietnam
from engine.facts import Facts, facts_from_json
from storage.atomic import CachedFile, dump_json

# What TinyDBStore.query and query_page filter and sort on: read from each document when
# a shard is first summarised (ShardView.summaries), never stored, so the files do not
# change. ``_summarise`` turns them into values that compare as the engine's objects would.
SUMMARY = ("agency", "status", "service", "submitted_at", "created_at", "appointment_date", "id")
_TAIL = b"\n}}"
_SEPARATOR = b",\n"  # never inside a document: JSON escapes newlines in strings


def _head(table: str) -> bytes:
    return b'{"' + table.encode() + b'":{\n'


class ShardView:
    """A shard as readers see it: TinyDB doc id → the document's JSON."""

    def __init__(self, docs: dict[str, bytes]) -> None:
        self.docs = docs

    @cached_property
    def summaries(self) -> dict[tuple[str, str, str], list[tuple[Any, ...]]]:
        """The documents' SUMMARY, parsed on first use, grouped by (agency, status, service):
        a query looks at a few dozen groups per shard rather than at every document. Each
        group lists its documents as their ``_summarise`` entry, which ends with the id.
        Plain tuples of strings, ints and None: storage.summary_cache keeps them on disk."""
        groups: dict[tuple[str, str, str], list[tuple[Any, ...]]] = {}
        for raw in self.docs.values():
            group, entry = _summarise(json.loads(raw))
            groups.setdefault(group, []).append(entry)
        return groups

    @cached_property
    def facts(self) -> dict[tuple[str, str, str], list[Facts]]:
        """What the statistics read of each dossier (engine.facts), grouped as ``summaries``;
        parsed on first use, apart from the summaries so that a worker that never shows the
        statistics does not pay for it. A view is replaced when its shard changes, so after
        a write only that shard's facts are read again."""
        groups: dict[tuple[str, str, str], list[Facts]] = {}
        for raw in self.docs.values():
            doc = json.loads(raw)
            groups.setdefault(_group(doc), []).append(facts_from_json(doc))
        return groups

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


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def instant(text: str) -> int:
    """A stored datetime (ISO 8601) as microseconds since 1970 UTC, for comparing moments.

    The texts pydantic writes cannot be compared as they are: "09:00:00+07:00" and
    "02:00:00Z" are the same moment, and "09:00:00Z" sorts after "09:00:00.500000Z"
    (seconds without a fraction are written without one). The engine stores Vietnam
    time (+07:00), but nothing in the model enforces it. A time without an offset
    (naive) is read as Vietnam time, where comparing it with an aware one would fail."""
    moment = in_vietnam(dt.datetime.fromisoformat(text))
    return (moment - _EPOCH) // _MICROSECOND


def _summarise(doc: dict[str, Any]) -> tuple[tuple[str, str, str], tuple[Any, ...]]:
    """A dossier's SUMMARY, as comparable values: its group, (agency, status, service) as
    interned strings (a few values shared by thousands), and its entry, a plain tuple of
    ints, strings and None (which the garbage collector stops tracking):

    - submitted_at: the day in the offset it was stored with, as a date ordinal (what the
      date filters compare: ``submitted_at.date()``), then the ``instant``; None, None
      when never submitted;
    - created_at: the ``instant``;
    - appointment_date: a date ordinal, or None;
    - id: the string (16 lower-case hex digits)."""
    submitted, appointment = doc.get("submitted_at"), doc.get("appointment_date")
    return _group(doc), (
        dt.date.fromisoformat(submitted[:10]).toordinal() if submitted else None,
        instant(submitted) if submitted else None,
        instant(doc["created_at"]),
        dt.date.fromisoformat(appointment).toordinal() if appointment else None,
        doc["id"],
    )


def _group(doc: dict[str, Any]) -> tuple[str, str, str]:
    """(agency, status, service), interned: a few values shared by thousands of documents."""
    return sys.intern(doc["agency"]), sys.intern(doc["status"]), sys.intern(doc["service"])


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
