"""The store's write lock: one writer at a time, across processes and threads."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path


class WriteLock:
    """An exclusive flock() on a lock file, plus a thread lock within the process.

    Not the filelock package: it polls (sleeps, then tries again) while another process
    holds the lock, and with two processes saving back to back the waiter kept missing
    the short gap between the other's writes; on this project's 2-core machine the p99
    of a save was about 60 ms, against 30 ms with a blocking flock(), whose waiter the
    kernel wakes as soon as the lock is free. Like filelock on Unix, the kernel releases
    the lock when its process dies, so a killed writer never leaves the store locked.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        try:
            # Opened for each hold, not once: a descriptor inherited across fork() would
            # share its lock with the parent, and two workers would both "hold" it.
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
        except BaseException:
            self._thread_lock.release()
            raise
        self._fd = fd

    def __exit__(self, *exc_info: object) -> None:
        fd, self._fd = self._fd, None
        try:
            os.close(fd)  # closing the last descriptor releases the flock
        finally:
            self._thread_lock.release()
