"""The key that signs sessions, CSRF tokens and e-mailed links, when the operator sets none
(DVC_SECRET_KEY): made once, then the same for every process and, on PostgreSQL, every node."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from storage.atomic import fsync_dir


def new_key() -> str:
    return secrets.token_urlsafe(48)


def folder_key(path: Path) -> str:
    """The key kept in the instance folder, made on first start (readable by the owner only).

    Written to a temporary file then linked into place, which fails if another process
    got there first: every process ends up with the same key, never a half-written one."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    temp = path.with_name(f".{path.name}-{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(new_key())
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(temp, path)
        fsync_dir(path.parent)
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    return path.read_text().strip()
