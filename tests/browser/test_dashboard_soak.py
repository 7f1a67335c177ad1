"""A short soak of the served dashboard (the long one: `python -m tests.browser.soak`): random trainer actions,
play at the fastest speed among them, with a process keeping a core busy; no error text, no console error,
no page that stops answering."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PROJECTOR, SCREENSHOTS, open_dashboard
from tests.browser.soak import Busy, soak

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SECONDS = {"1366x768": 25.0, "1920x1080": 15.0}  # at most a minute of the suite's time in all


@pytest.mark.parametrize("size", sorted(SECONDS))
def test_short_soak(browser_context, dashboard_url, size):
    page = open_dashboard(browser_context, dashboard_url, PROJECTOR[size])
    try:
        with Busy(1, SECONDS[size] + 60):
            report = soak(page, SECONDS[size], seed=sorted(SECONDS).index(size) + 1)
        page.screenshot(path=str(SCREENSHOTS / f"soak-{size}.png"))
        assert sum(report.actions.values()) >= 10, report
        print(report)
    finally:
        page.close()
