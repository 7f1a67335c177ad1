"""Worker processes that leave Ctrl-C to their parent and end when it ends, however it ends.

- `children_ignore_ctrl_c()` wraps the start of a process pool: processes started inside it (spawned,
  or the forkserver and so every worker it forks) begin life with SIGINT blocked, so a Ctrl-C in the
  terminal, which reaches the whole process group, interrupts only the parent (which then stops the
  pool and says so in one line) and never prints a worker's traceback, even mid-import; each worker's
  initializer then ignores SIGINT for good. Only the parent's main thread blocks it meanwhile, so a
  Ctrl-C inside the window is never lost: another thread takes it at once, or it waits for the end.
- `watch_parent(pid)`, called in each worker's initializer, ends the worker as soon as process `pid`
  has gone, even when it was killed with SIGKILL and could clean nothing up. With the workers gone,
  the forkserver and the resource tracker see their pipes close and end too.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time

POLL_SECONDS = 0.5


@contextlib.contextmanager
def children_ignore_ctrl_c():
    """Start child processes inside this block with SIGINT blocked; the parent's own mask is restored
    afterwards (a no-op outside the main thread: only its mask reaches the children it starts)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:   # started first: starting it unblocks SIGINT, which would lose a Ctrl-C inside the window
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except (ImportError, OSError):
        pass
    # the mask is inherited through fork and exec (SIG_IGN would be too, but a Ctrl-C that another
    # thread of this process takes while SIGINT is ignored is lost)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)   # a Ctrl-C held back is delivered here


@contextlib.contextmanager
def ctrl_c_deferred():
    """Hold Ctrl-C (and SIGTERM) back until the block ends, then raise KeyboardInterrupt: for writes that
    must finish together, such as a merged table and the metadata that counts its rows."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum, frame):
        caught.append(signum)

    old = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _wait_for_exit(pid: int) -> None:
    """Block until process `pid` has ended: a pidfd on Linux (woken by the kernel), else polling."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        try:
            while True:
                ready, _, _ = select.select([fd], [], [], 60.0)
                if ready or not _alive(pid):
                    return
        finally:
            os.close(fd)
    while _alive(pid):
        time.sleep(POLL_SECONDS)


def watch_parent(pid: int) -> None:
    """End this process (at once, without cleanup: it holds nothing finished) when process `pid` ends."""
    if pid == os.getpid():
        return
    if not _alive(pid):
        os._exit(1)

    def watch() -> None:
        _wait_for_exit(pid)
        os._exit(1)

    threading.Thread(target=watch, name=f"clc-watch-parent-{pid}", daemon=True).start()
