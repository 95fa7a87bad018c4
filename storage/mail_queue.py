"""The embedded default's outbox: one file per message in the instance folder.

    mail/queue/      messages waiting (each an .eml file, written atomically; names sort by age)
    mail/sending/    a message being delivered, claimed by renaming it here
    mail/refused/    messages the server refused for good (5xx), kept for the operator

A sender claims a message by taking an exclusive ``flock`` on its file, then renaming
it into ``sending/``; it keeps the lock until the message is delivered (the file is
deleted) or put back. The kernel drops the lock when the holder's process dies, however
it dies, so a file in ``sending/`` whose lock can be taken belongs to a dead sender and
goes back to the queue. (It used to be named with the claimer's process id and checked
with ``kill(pid, 0)``: a pid says nothing about a process of another machine, or about
one that reused the number.)

The lock is taken before the rename and a rename keeps the file (its inode), so no
moment exists at which a live claim could be taken for a dead one. One gap remains, as
in any SMTP client: a sender killed after the server accepted the message and before
the file is deleted leaves it to be sent again (with the same Message-ID).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from secrets import token_hex

from engine.outbox import Backoff, Delivery, Refused, Transport
from storage.atomic import fsync_dir, write_atomic


class FolderOutbox:
    def __init__(self, root: Path) -> None:
        self.queue = root / "queue"
        self.sending = root / "sending"
        self.refused = root / "refused"
        for folder in (self.queue, self.sending):
            folder.mkdir(parents=True, exist_ok=True)

    def put(self, raw: bytes) -> None:
        write_atomic(self.queue / f"{time.time_ns():020d}-{token_hex(4)}.eml", raw)

    def pending(self) -> list[Path]:
        """The messages waiting in the queue, oldest first (not those being sent)."""
        return sorted(self.queue.glob("*.eml"))

    def messages(self) -> Iterator[bytes]:
        """Every message waiting or being sent, oldest first (``dichvucong storage copy``)."""
        for path in sorted([*self.queue.glob("*.eml"), *self.sending.glob("*.eml")], key=lambda p: p.name):
            try:
                yield path.read_bytes()
            except FileNotFoundError:
                continue  # delivered in between

    def depth(self) -> int:
        return sum(1 for _ in self.queue.glob("*.eml")) + sum(1 for _ in self.sending.glob("*.eml"))

    def deliver_next(self, transport: Transport, backoff: Backoff, *, force: bool = False) -> Delivery:
        # The backoff is the sender's here (one wait after a failed round): a file keeps no count.
        self.release_dead_claims()
        for path in self.pending():
            fd = _lock(path)
            if fd is None:
                continue
            try:
                claimed = self.sending / path.name
                try:
                    os.rename(path, claimed)
                except FileNotFoundError:  # delivered by the sender that held it a moment ago
                    continue
                fsync_dir(self.sending)  # the claim is durable before the server sees the message
                return self._deliver(fd, claimed, transport)
            finally:
                os.close(fd)  # releases the lock
        return Delivery.NONE

    def _deliver(self, fd: int, claimed: Path, transport: Transport) -> Delivery:
        raw = _read(fd)
        try:
            transport(raw)
        except Refused:
            self.refused.mkdir(exist_ok=True)
            os.rename(claimed, self.refused / claimed.name)
            fsync_dir(self.refused)
            return Delivery.REFUSED
        except Exception:  # down, refused for now, timed out: back in the queue, never left claimed
            os.rename(claimed, self.queue / claimed.name)
            return Delivery.FAILED
        claimed.unlink()
        fsync_dir(self.sending)
        return Delivery.SENT

    def release_dead_claims(self) -> None:
        """Put back in the queue the messages whose sender died mid-delivery."""
        for legacy in self.sending.glob("*.eml.*"):  # claimed by a version before the locks, named NAME.eml.PID
            fd = _lock(legacy)
            if fd is not None:
                try:
                    os.rename(legacy, self.queue / legacy.name.rpartition(".")[0])
                except FileNotFoundError:
                    pass
                finally:
                    os.close(fd)
        for claimed in self.sending.glob("*.eml"):
            fd = _lock(claimed)
            if fd is None:
                continue  # its sender is alive and delivering it
            try:
                os.rename(claimed, self.queue / claimed.name)
            except FileNotFoundError:
                pass  # delivered, or released by another sender, in between
            finally:
                os.close(fd)


def _lock(path: Path) -> int | None:
    """An open descriptor of ``path`` holding its exclusive lock; None when the file is
    gone or another sender holds it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _read(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)
