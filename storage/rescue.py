"""Kept form posts (engine.rescue) as files in the instance folder: the embedded default.

    rescued-forms/<token>.json      {"uid": owner, "path": form, "fields": [[name, value], ...]}
                                    mode 0600; its modification time is when it was kept

The layout of the portal before the stores (web.rescue kept these files itself), so posts
kept before an upgrade are still given back. A file is written under a temporary name and
renamed into place whole, so a reader never sees half of one. A take reads the file
(a token's file never changes), checks the owner and the form, then claims it by renaming
it to a name of its own: of two takes at once, in any processes, one rename succeeds and
the other finds nothing. The claimed file is then deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path

from engine import rescue as rules
from engine.rescue import Fields

_CLAIMED = ".claimed-"  # a take's own name for the file it took, deleted at once
_WRITING = ".tmp-"  # a keep's file before it is complete


def _moment(stat: os.stat_result) -> dt.datetime:
    return dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc)


class FolderRescuedForms:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _folder(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def _prune(self, folder: Path, now: dt.datetime) -> None:
        kept: list[tuple[dt.datetime, str]] = []
        for path in folder.iterdir():
            try:
                moment = _moment(path.stat())
            except FileNotFoundError:  # taken meanwhile
                continue
            if path.name.endswith(".json") and not path.name.startswith("."):
                kept.append((moment, path.name))
            elif rules.expired(moment, now):  # left by a process killed mid-keep or mid-take
                path.unlink(missing_ok=True)
        for name in rules.oldest_beyond(kept, now):
            (folder / name).unlink(missing_ok=True)

    def keep(self, token: str, owner_id: str, form_key: str, fields: Fields, now: dt.datetime) -> None:
        if not rules.is_token(token) or not rules.keepable(fields):
            raise ValueError("not a token, or fields that cannot be kept")
        folder = self._folder()
        self._prune(folder, now)
        record = {"uid": owner_id, "path": form_key, "fields": [[k, v] for k, v in fields]}
        writing = folder / f"{_WRITING}{token}"
        fd = os.open(writing, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
        moment = now.timestamp()
        os.utime(writing, (moment, moment))
        os.rename(writing, folder / f"{token}.json")

    def take(self, token: str, owner_id: str, form_key: str, now: dt.datetime) -> Fields | None:
        if not rules.is_token(token):
            return None
        path = self.root / f"{token}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            moment = _moment(path.stat())
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("uid") != owner_id or record.get("path") != form_key:
            return None  # not this citizen's, or not this form's: left where it is
        claimed = self.root / f"{_CLAIMED}{token}-{secrets.token_hex(4)}"
        try:
            os.rename(path, claimed)
        except FileNotFoundError:
            return None  # another take had it first
        claimed.unlink(missing_ok=True)
        if rules.expired(moment, now):
            return None
        return [(str(k), str(v)) for k, v in record.get("fields", [])]
