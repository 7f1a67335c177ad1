"""Start and stop the dashboard's Solara server in a subprocess bound to localhost.

The server must not outlive whoever started it:

- On POSIX it runs in its own session (so its own process group), and `stop` signals the whole group,
  so anything the server starts goes with it. Being out of the terminal's process group also means
  Ctrl+C reaches only the parent, which then stops the server through `stop`.
- On Linux the server also asks the kernel (`prctl(PR_SET_PDEATHSIG)`) for SIGTERM when the thread that
  started it ends, which covers a parent killed with SIGKILL or crashing before its `finally` runs.
  This is only set up when `start` is called from the main thread (the signal follows the starting
  *thread*, not the process). Elsewhere, or if libc cannot be loaded, it is simply skipped.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from simulation.dashboard.controls import SCENARIO_ENV

APP_MODULE = "simulation.dashboard.app"
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class PortUnavailable(RuntimeError):
    """The dashboard cannot listen on the host and port asked for (in use, not allowed, unknown host)."""


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn chooses


def check_port(host: str, port: int) -> None:
    """Raise `PortUnavailable` (one line, with what to do) unless the server could listen on `host:port`.

    Binds a socket the way the server will (SO_REUSEADDR on POSIX, so a port left in TIME_WAIT by a
    dashboard just stopped still counts as free, while one somebody listens on does not) and closes it.
    """
    where = f"port {port} on {host}" if port else host
    try:
        with socket.socket(_family(host), socket.SOCK_STREAM) as s:
            if os.name == "posix":
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
    except socket.gaierror as exc:
        raise PortUnavailable(f"cannot listen on {host!r}: unknown host ({exc.strerror}); "
                              "use --host 127.0.0.1 or an address of this computer") from exc
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE or getattr(exc, "winerror", None) == 10048:
            raise PortUnavailable(f"{where} is already in use; stop what is listening there, pick "
                                  "another with --port N, or pass --port 0 for a free one") from exc
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise PortUnavailable(f"not allowed to listen on {where} (ports below 1024 need "
                                  "privileges); choose --port 1024 or above, or --port 0") from exc
        raise PortUnavailable(f"cannot listen on {where}: {exc.strerror or exc}; check --host and "
                              "--port") from exc


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _die_with_parent():
    """A `preexec_fn` giving the child SIGTERM when this thread ends (Linux, main thread), or None."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not in the child
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec():
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was in place
            os._exit(1)

    return preexec


def start(scenario: str | None = None, port: int = 8765, host: str = "127.0.0.1",
          log=None) -> tuple[subprocess.Popen, str]:
    """Launch `solara run` on the dashboard app; return the process and its address (not yet waited for).

    Raises `PortUnavailable` before starting anything if the server could not listen on `host:port`.
    """
    check_port(host, port)
    if port == 0:
        port = free_port(host)
    env = dict(os.environ)
    if scenario:
        env[SCENARIO_ENV] = scenario
    env.setdefault("SOLARA_ASSETS_PROXY", "true")  # serve front-end files from the local cache (assets.py)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no phoning home from a workshop laptop
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")  # Solara's corner badge would cover the pictures
    env.setdefault("MPLBACKEND", "Agg")
    cmd = [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
           "--production", "--no-open", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT if log else None,
                            start_new_session=os.name == "posix", preexec_fn=_die_with_parent())
    shown = f"[{host}]" if ":" in host else host
    return proc, f"http://{shown}:{port}/"


def wait_ready(proc: subprocess.Popen, url: str, timeout: float = 90.0) -> None:
    """Block until the server answers `url`, or raise if it died or took longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dashboard server exited with code {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"dashboard server did not answer {url} within {timeout:.0f} s")


def _signal(proc: subprocess.Popen, kill: bool) -> None:
    """SIGTERM (or SIGKILL) the server's process group on POSIX (it leads its own session), else the server."""
    if os.name != "posix":
        if kill:
            proc.kill()
        else:
            proc.terminate()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    except (ProcessLookupError, PermissionError):  # the group is gone already (or only zombies are left)
        pass


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop the server: SIGTERM to its process group, then SIGKILL if it has not exited within `timeout`."""
    if proc.poll() is None:
        _signal(proc, kill=False)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal(proc, kill=True)
            proc.wait(timeout)
