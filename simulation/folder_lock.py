"""One process owns an output folder while it writes it: an exclusive advisory lock on the folder itself.

The lock is `flock` on the folder's own descriptor, so there is no lock file to leave behind or to race
over, and the kernel drops it when the process ends however it ends (SIGKILL included): a crashed run
never blocks the next one. Where folders cannot be locked (no `fcntl`, or a file system that refuses),
writing goes on unlocked, as before.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class FolderBusy(RuntimeError):
    """Another process holds the folder's lock: it is writing there right now."""


class FolderLock:
    """A held lock on one folder; `release()` (or the end of the process) lets another writer in."""

    def __init__(self, path: Path, fd: int | None):
        self.path, self._fd = path, fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)      # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> "FolderLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def lock_folder(path: str | Path) -> FolderLock:
    """Take the folder's exclusive lock without waiting, or raise `FolderBusy`; the folder must exist."""
    path = Path(path)
    if fcntl is None:
        return FolderLock(path, None)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise FolderBusy(str(path)) from None
        return FolderLock(path, None)   # the file system cannot lock folders: go on unlocked
    return FolderLock(path, fd)
