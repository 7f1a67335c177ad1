"""Fixtures for driving the served dashboard in Debian's headless Chromium with Playwright.

Chromium comes from scripts/install-system-deps.sh (no browser download). Without it these tests
skip on a developer machine but FAIL when the CI environment variable is set, so a broken CI setup
cannot hide behind skips.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CLC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("CLC_SCREENSHOT_DIR", tempfile.gettempdir())) / "clc-dashboard-screenshots"
PROJECTOR = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}  # the window sizes the page is made for
# Text that must never be on the page: a Python traceback, Solara's render-loop guard, an exception name.
ERROR_TEXT = re.compile(r"Traceback|Too many renders|RuntimeError|Exception:|Error: ")


def _missing(what: str) -> None:
    message = f"{what}; run scripts/install-system-deps.sh (browser tests need it)"
    if os.environ.get("CI"):
        pytest.fail(message + " [CI is set: failing instead of skipping]", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of the system Chromium, or skip (fail under CI) when it is not installed."""
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} not found")
    return CHROMIUM


@pytest.fixture(scope="session")
def dashboard_url(chromium_path):
    """A dashboard server on a free localhost port for the whole session; stopped at the end."""
    from simulation.dashboard import assets, server

    try:
        assets.install(quiet=True)
    except RuntimeError as exc:
        _missing(f"dashboard front-end assets unavailable ({exc})")
    log_path = Path(tempfile.gettempdir()) / f"clc-dashboard-test-{os.getpid()}.log"
    with open(log_path, "w") as log:
        proc, url = server.start("voluntary-8", port=0, log=log)
        try:
            server.wait_ready(proc, url, timeout=120)
            yield url
        finally:
            server.stop(proc)


@pytest.fixture(scope="session")
def browser_context(chromium_path):
    """One headless Chromium (persistent context in a temporary profile) for the session."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1500, "height": 1000})
        try:
            yield context
        finally:
            context.close()


class Console:
    """Console errors, uncaught page errors and failed requests seen by one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url}"))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


def open_dashboard(context, url: str, size=PROJECTOR["1366x768"]):
    """A new page (its own Solara session and model) at window `size`, loaded, its pictures shown."""
    page = context.new_page()
    page.console = Console(page)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.set_default_timeout(30_000)
    page.goto(url)
    page.locator(".clc-step").wait_for(timeout=90_000)
    page.locator(".clc-network img").wait_for(timeout=60_000)
    page.locator(".clc-chart img").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return page


@pytest.fixture
def dash(browser_context, dashboard_url):
    """A fresh dashboard page at 1366x768 (a projector), loaded and ready; closed afterwards."""
    page = open_dashboard(browser_context, dashboard_url)
    try:
        yield page
    finally:
        page.close()
