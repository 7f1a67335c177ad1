"""Start and stop the dashboard's Solara server in a subprocess bound to localhost."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from simulation.dashboard.controls import SCENARIO_ENV

APP_MODULE = "simulation.dashboard.app"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def start(scenario: str | None = None, port: int = 8765, host: str = "127.0.0.1",
          log=None) -> tuple[subprocess.Popen, str]:
    """Launch `solara run` on the dashboard app; return the process and its address (not yet waited for)."""
    if port == 0:
        port = free_port(host)
    env = dict(os.environ)
    if scenario:
        env[SCENARIO_ENV] = scenario
    env.setdefault("SOLARA_ASSETS_PROXY", "true")  # serve front-end files from the local cache (assets.py)
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no phoning home from a workshop laptop
    env.setdefault("MPLBACKEND", "Agg")
    cmd = [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
           "--production", "--no-open", "--log-level", "warning"]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT if log else None)
    return proc, f"http://{host}:{port}/"


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


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop the server process: terminate, then kill if it does not exit in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
