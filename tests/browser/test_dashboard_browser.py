"""The served dashboard driven in headless Chromium: loads cleanly, steps, reacts to sliders and buttons."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


#: Mesa's own counter: "Step: 3" on Mesa 3.3, "Time: 3.0" on Mesa 3.4+
COUNTER = re.compile(r"^(?:Step: (\d+)|Time: (\d+)\.0)$")


def _counter(page) -> int:
    match = COUNTER.match(page.get_by_text(COUNTER).inner_text())
    return int(match.group(1) or match.group(2))


def _step(page, times: int = 1) -> None:
    """Press Step `times` times, waiting each time for the step counter to advance."""
    for _ in range(times):
        before = _counter(page)
        page.get_by_role("button", name="Step").click()
        page.get_by_text(re.compile(rf"^(?:Step: {before + 1}|Time: {before + 1}\.0)$")).wait_for()


def _caption(page) -> str:
    return " ".join(page.locator(".clc-story").inner_text().split())


def test_page_loads_without_console_errors(dash):
    page = dash
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "loaded.png"), full_page=True)
    assert page.get_by_text("Collaborative learning networks: voluntary-8").count() == 1
    assert page.title() == "clc-sim — schools learning together"
    assert not page.get_by_text("Page 0", exact=True).is_visible(), "Mesa's lone tab should be hidden"
    for stage in ("Isolation", "Initiation", "Engagement", "Integration"):
        assert page.get_by_text(stage).count() >= 1  # the charts' legends are images; the caption names stages
    assert "Week 0" in _caption(page)
    assert not page.console.errors, "\n".join(page.console.errors)


def test_step_changes_charts_and_network(dash):
    page = dash
    net0 = page.locator(".clc-network img").screenshot()
    charts0 = page.locator(".clc-charts img").screenshot()
    _step(page, 3)
    page.get_by_text("Week 3", exact=False).first.wait_for()
    page.wait_for_timeout(500)
    net1 = page.locator(".clc-network img").screenshot()
    charts1 = page.locator(".clc-charts img").screenshot()
    (SCREENSHOTS / "network-week0.png").write_bytes(net0)
    (SCREENSHOTS / "network-week3.png").write_bytes(net1)
    page.screenshot(path=str(SCREENSHOTS / "after-steps.png"), full_page=True)
    assert charts1 != charts0, "charts did not change after three steps"
    assert net1 != net0, "network picture did not change after three steps"
    assert "Week 3" in _caption(page)
    assert not page.console.errors, "\n".join(page.console.errors)


def test_slider_changes_model(dash):
    page = dash
    assert "8 schools" in _caption(page)
    slider = page.locator(".v-input", has_text="Number of schools").locator(".v-slider__thumb-container")
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Reset").click()
    page.get_by_text(re.compile(r"12 schools, ")).first.wait_for()
    page.screenshot(path=str(SCREENSHOTS / "twelve-schools.png"), full_page=True)
    assert "12 schools" in _caption(page)
    assert not page.console.errors, "\n".join(page.console.errors)


def test_defection_button_takes_effect(dash):
    page = dash
    _step(page, 2)
    moral_before = float(re.search(r"moral capital (\d\.\d\d)", _caption(page)).group(1))
    page.get_by_role("button", name=re.compile("defection shock", re.I)).click()
    page.get_by_text(re.compile("withdrew from joint work")).first.wait_for()
    page.get_by_text(re.compile(r"School withdraws \(defection shock\) applied to School 1")).wait_for()
    caption = _caption(page)
    moral_after = float(re.search(r"moral capital (\d\.\d\d)", caption).group(1))
    page.screenshot(path=str(SCREENSHOTS / "defection.png"), full_page=True)
    assert moral_after < moral_before, caption
    assert "School withdraws (defection shock) applied to School 1" in caption
    assert not page.console.errors, "\n".join(page.console.errors)


def test_intervention_button_is_noted(dash):
    page = dash
    page.get_by_role("button", name="Immersion programme").click()
    page.get_by_text(re.compile("Immersion programme applied to School 1")).wait_for()
    assert not page.console.errors, "\n".join(page.console.errors)
