"""The tamper-evident processing log (nhật ký xử lý): each entry sealed by a hash chain.

Every entry ``engine.lifecycle._logged`` appends carries three SHA-256 values (hex):

- ``prev_hash``: the hash of the entry before it; for a dossier's first entry, a genesis
  value derived from the dossier's id (:func:`genesis`), so an entry copied into another
  dossier does not fit there;
- ``data_hash``: the hash of the dossier at that moment (:func:`data_hash`: every field
  but the log and the storage version), so a change made without an entry shows;
- ``hash``: the hash of the entry itself, those two values included (:func:`entry_hash`).

:func:`verify` walks the chain and names what does not fit: an entry changed (its hash
no longer matches its content), an entry removed (the next one's ``prev_hash`` names an
entry that is not there), entries reordered (every entry is present but not in the order
they were chained in), the dossier changed since its last entry, an entry added without a
seal. Dossiers logged before the chain existed have entries without hashes: those are
chained "virtually" (as if sealed, hashes computed, not stored), so the first sealed
entry after them protects them too; a dossier with no sealed entry at all is reported
once as not sealed (:func:`seal_unsealed` appends a sealing entry for it).

Canonical bytes: JSON with sorted keys, compact separators, UTF-8, values as pydantic
dumps them in JSON mode (datetimes ISO 8601), fields still at their default value left
out, so that a field added to a model later (with a default) leaves old hashes valid.
Only hashlib: anyone who can write the store can recompute a chain, so the chain's last
hash is also kept elsewhere (printed on the dossier PDF; on PostgreSQL, an insert-only
table) to compare with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from engine.dossier import Dossier, LogEntry, Role
from engine.workflow import WORKFLOW

SEAL_ACTION = "seal_log"  # its label: engine.workflow.LOG_ONLY_LABELS
_VERSION = b"dichvucong-log-v1\n"
_UNSEALED_FIELDS = {"log", "version"}  # what a dossier's data hash leaves out
_ENTRY_SEAL_FIELDS = {"hash"}

Kind = Literal["changed", "removed", "reordered", "inserted", "data", "unsealed", "anchor"]


@dataclass(frozen=True)
class Finding:
    """One problem of a dossier's log, in words for the operator (Vietnamese)."""

    dossier_id: str
    kind: Kind
    position: int | None  # 1-based position in the log as stored; None: the dossier as a whole
    action: str  # the entry's action ("" for the dossier as a whole)
    message: str

    @property
    def tampered(self) -> bool:
        """Whether this is a sign of tampering; an old, unsealed log is not."""
        return self.kind != "unsealed"

    def __str__(self) -> str:
        return f"Hồ sơ {self.dossier_id}: {self.message}"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(_VERSION + payload).hexdigest()


def genesis(dossier_id: str) -> str:
    """The "previous hash" of a dossier's first entry."""
    return _sha256(canonical({"genesis": dossier_id}))


def data_hash(dossier: Dossier) -> str:
    """The hash of the dossier's content: every field but its log and storage version."""
    return _sha256(canonical(dossier.model_dump(mode="json", exclude=_UNSEALED_FIELDS, exclude_defaults=True)))


def entry_hash(entry: LogEntry) -> str:
    """The hash of an entry's content, its ``prev_hash`` and ``data_hash`` included."""
    return _sha256(canonical(entry.model_dump(mode="json", exclude=_ENTRY_SEAL_FIELDS, exclude_defaults=True)))


def seal(previous_hash: str, entry: LogEntry, dossier: Dossier) -> LogEntry:
    """``entry`` chained after ``previous_hash``, with the hash of ``dossier`` (as it is
    after the entry's action) and its own hash."""
    linked = entry.model_copy(update={"prev_hash": previous_hash, "data_hash": data_hash(dossier), "hash": None})
    return linked.model_copy(update={"hash": entry_hash(linked)})


def _virtual(previous_hash: str, entry: LogEntry) -> str:
    """The hash an unsealed (old) entry would have had, chained after ``previous_hash``."""
    return entry_hash(entry.model_copy(update={"prev_hash": previous_hash, "data_hash": None, "hash": None}))


def chain_end(dossier: Dossier) -> str:
    """The hash the next entry of ``dossier`` is chained after."""
    running = genesis(dossier.id)
    for entry in dossier.log:
        running = entry.hash if entry.hash is not None else _virtual(running, entry)
    return running


def last_hash(dossier: Dossier) -> str | None:
    """The chain's last hash, if its last entry is sealed (printed on the dossier PDF)."""
    return dossier.log[-1].hash if dossier.log and dossier.log[-1].hash else None


def grouped(value: str, digits: int = 16) -> str:
    """The first ``digits`` hex digits in groups of four: ``3f2a 9c01 …``."""
    head = value[:digits]
    return " ".join(head[i:i + 4] for i in range(0, len(head), 4))


def label(action: str) -> str:
    return WORKFLOW.labels.get(action, action)


def is_sealed(dossier: Dossier) -> bool:
    """Whether any entry of the log carries a seal (a dossier logged since the chain exists)."""
    return any(e.hash is not None for e in dossier.log)


def seal_unsealed(dossier: Dossier, now: dt.datetime) -> Dossier | None:
    """A copy of an old dossier (no sealed entry) with one sealing entry appended, which
    chains the old entries and the dossier as it is now; None for a dossier already sealed."""
    if is_sealed(dossier):
        return None
    entry = LogEntry(at=now, actor="system", actor_name="Hệ thống", role=Role.SYSTEM, action=SEAL_ACTION,
                     note=f"Niêm phong {len(dossier.log)} mục ghi trước khi nhật ký có mã băm",
                     status_from=dossier.status, status_to=dossier.status)
    updated = dossier.model_copy(deep=True)
    updated.log.append(seal(chain_end(dossier), entry, updated))
    return updated


def verify(dossier: Dossier, anchor: str | None = None) -> list[Finding]:
    """What does not fit in ``dossier``'s log ([] when nothing); ``anchor``: the last hash
    kept elsewhere (the PostgreSQL log table), compared with the log's own."""
    findings: list[Finding] = []
    entries = dossier.log

    def found(kind: Kind, index: int | None, message: str) -> None:
        action = entries[index].action if index is not None else ""
        findings.append(Finding(dossier.id, kind, index + 1 if index is not None else None, action, message))

    def named(index: int) -> str:
        return f"mục thứ {index + 1} ({label(entries[index].action)})"

    if not is_sealed(dossier):
        found("unsealed", None, f"nhật ký chưa được niêm phong ({len(entries)} mục ghi trước khi có mã băm; "
                                "chạy “dichvucong log seal” để niêm phong)")
        return findings

    # Each sealed entry against its own content.
    position_of: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if entry.hash is None:
            continue
        if entry_hash(entry) != entry.hash:
            found("changed", i, f"{named(i)} đã bị sửa: mã băm không khớp với nội dung")
        position_of.setdefault(entry.hash, i)

    # Each link against the entry before it.
    start = genesis(dossier.id)
    running, seen_sealed, broken = start, False, []
    for i, entry in enumerate(entries):
        if entry.hash is None:
            if seen_sealed:
                found("inserted", i, f"{named(i)} không có mã niêm phong: được thêm vào sau")
            running = _virtual(running, entry)
            continue
        if entry.prev_hash != running:
            broken.append(i)
        seen_sealed, running = True, entry.hash

    if broken:
        order = _chained_order(entries, start)
        if order is not None:  # every entry there, in another order than chained
            moved = [i for i, chained in zip(range(len(entries)), order) if chained != i]
            found("reordered", moved[0], "các mục bị đổi thứ tự so với lúc ghi: "
                  + ", ".join(named(i) for i in moved))
        else:
            for i in broken:
                prev = entries[i].prev_hash
                if prev in position_of and position_of[prev] != i:
                    found("reordered", i, f"{named(i)} không đúng chỗ: lúc ghi nó đứng ngay sau "
                          f"{named(position_of[prev])}")
                elif prev == start:
                    found("reordered", i, f"{named(i)} là mục đầu tiên lúc ghi, các mục trước nó được thêm vào sau")
                elif i > 0 and all(e.hash is None for e in entries[:i]):
                    found("removed", i, f"các mục chưa niêm phong trước {named(i)} đã bị sửa, xoá hoặc đổi thứ tự")
                else:
                    found("removed", i, f"mục ghi ngay trước {named(i)} không còn trong nhật ký "
                                        "(đã bị xoá, hoặc bị sửa rồi tính lại mã)")

    last = entries[-1]
    if last.hash is not None and last.data_hash is not None and last.data_hash != data_hash(dossier):
        found("data", None, f"dữ liệu hồ sơ đã thay đổi sau mục cuối của nhật ký ({named(len(entries) - 1)}) "
                            "mà không được ghi nhật ký, hoặc mục cuối đã bị xoá")
    if anchor is not None and last.hash != anchor:
        found("anchor", None, "mã cuối của nhật ký không khớp với bảng nhật ký lưu riêng "
                              "(có mục cuối bị xoá hoặc thay)")
    return findings


def _chained_order(entries: list[LogEntry], start: str) -> list[int] | None:
    """The positions of the entries in the order their links chain them, from ``start``;
    None when the links do not chain every entry exactly once (or an entry is unsealed)."""
    following: dict[str, int] = {}
    for i, entry in enumerate(entries):
        if entry.hash is None or entry.prev_hash is None or entry.prev_hash in following:
            return None
        following[entry.prev_hash] = i
    order, running = [], start
    while running in following and len(order) <= len(entries):
        i = following[running]
        order.append(i)
        running = entries[i].hash  # type: ignore[assignment]
    return order if len(order) == len(entries) and len(set(order)) == len(entries) else None
