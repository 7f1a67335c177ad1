"""`clc-sim dashboard` as a process: a port in use is a clear error (status 2), and the Solara server it
starts never outlives it (SIGTERM stops both; on Linux a SIGKILLed parent takes its server with it)."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from simulation.cli import main
from simulation.dashboard import server

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
ENV.pop("CLC_DEBUG", None)
READY = re.compile(r"Dashboard running at http://([^:/]+):(\d+)/")
START_TIMEOUT = 150  # first start on a busy 2-core machine: solara import, app import, numba cache
posix_only = pytest.mark.skipif(os.name != "posix", reason="signals and process groups are POSIX")


def _flat(text: str) -> str:
    return " ".join(text.split())  # the CLI wraps messages to the terminal width


@pytest.fixture(scope="module")
def assets_installed():
    """The front-end assets, fetched once (the command would do it on its first start)."""
    from simulation.dashboard import assets

    try:
        assets.install(quiet=True)
    except RuntimeError as exc:
        pytest.skip(f"dashboard front-end assets unavailable ({exc})")


@pytest.fixture
def busy_port():
    """A port somebody is listening on (not the dashboard)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def _accepts(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_a_port_in_use_is_refused_before_anything_starts(busy_port, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(server.subprocess, "Popen", lambda *args, **kwargs: started.append(args))
    before = _children()
    assert main(["dashboard", "--port", str(busy_port)]) == 2
    captured = capsys.readouterr()
    err = _flat(captured.err)
    assert f"port {busy_port} on 127.0.0.1 is already in use" in err, err
    assert "--port 0" in err and "another" in err
    assert "Traceback" not in captured.err and "Dashboard running" not in captured.out
    assert len(captured.err.strip().splitlines()) <= 2, "one message, wrapped at most once"
    assert not started and _children() <= before


def test_the_same_from_the_command_line(busy_port):
    proc = subprocess.run([sys.executable, "-m", "simulation.cli", "dashboard", "--port", str(busy_port)],
                          capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert f"port {busy_port} on 127.0.0.1" in _flat(proc.stderr) and "Traceback" not in proc.stderr
    assert _accepts(busy_port)  # still the listener's own port: nothing took it over


@pytest.mark.timeout(180)
def test_a_server_that_exits_before_it_is_ready_is_an_error(busy_port, assets_installed, capsys, monkeypatch):
    """If the port is taken between the check and the server's own bind, the server's exit is reported."""
    monkeypatch.setattr(server, "check_port", lambda host, port: None)
    before = _children()
    assert main(["dashboard", "--port", str(busy_port)]) == 2
    captured = capsys.readouterr()
    assert "exited with code" in _flat(captured.err) and "before it was ready" in _flat(captured.err)
    assert "Dashboard running" not in captured.out
    assert _children() <= before


class Dashboard:
    """`python -m simulation.cli dashboard --port 0` in a subprocess, its output read by a thread."""

    def __init__(self, tmp_path: Path):
        self.stderr_path = tmp_path / "stderr.txt"
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "simulation.cli", "dashboard", "--port", "0"],
                                     cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.servers: list[psutil.Process] = []

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text()

    def wait_running(self) -> tuple[str, int]:
        """Block until the running line; return the host and port it names; note the server processes."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"the dashboard ended before it was running ({self.proc.wait()}): {self.stderr()}")
            if m := READY.search(line):
                self.servers = psutil.Process(self.proc.pid).children(recursive=True)
                return m.group(1), int(m.group(2))
        pytest.fail(f"the dashboard was not running after {START_TIMEOUT} s: {self.stderr()}")

    def servers_gone(self, timeout: float) -> bool:
        _, alive = psutil.wait_procs(self.servers, timeout=timeout)
        return not alive

    def close(self) -> None:
        """Whatever happened in the test, leave no process behind."""
        if self.proc.poll() is None:
            self.proc.kill()
        for p in self.servers:
            try:
                p.kill()  # psutil checks it is still the same process
            except psutil.NoSuchProcess:
                pass
        self.proc.wait(30)
        self._stderr.close()


@pytest.fixture
def dashboard(tmp_path, assets_installed):
    d = Dashboard(tmp_path)
    try:
        yield d
    finally:
        d.close()


@posix_only
@pytest.mark.timeout(180)
def test_sigterm_stops_the_server_like_ctrl_c(dashboard):
    host, port = dashboard.wait_running()
    assert dashboard.servers, "the dashboard runs its server in a child process"
    assert _accepts(port, host)
    dashboard.proc.send_signal(signal.SIGTERM)
    assert dashboard.proc.wait(60) == 0, dashboard.stderr()
    assert "stopping the dashboard" in dashboard.stderr()
    assert dashboard.servers_gone(timeout=5), "the server outlived the command"
    assert not _accepts(port, host), f"something still listens on {host}:{port}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux only")
@pytest.mark.timeout(180)
def test_a_killed_command_takes_its_server_with_it(dashboard):
    host, port = dashboard.wait_running()
    dashboard.proc.kill()  # no handler, no finally: only the kernel's parent-death signal is left
    dashboard.proc.wait(30)
    assert dashboard.servers_gone(timeout=60), "the server outlived a SIGKILLed command"
    assert not _accepts(port, host)
