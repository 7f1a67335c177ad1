"""The served dashboard driven in headless Chromium: loads cleanly, steps, plays to the horizon, reacts to
controls and buttons, fits a projector, and makes the screenshots in docs/DASHBOARD.md."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from simulation.dashboard.layout import layout_for
from tests.browser.conftest import ERROR_TEXT, PROJECTOR, SCREENSHOTS, open_dashboard
from tests.browser.soak import act_speed, week

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

DOC_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
DOC_WEEK = 78  # the docs show the page at this week (the start of year 3) (deterministic: the default scenario, its seed, Step)


def _step(page, times: int = 1) -> None:
    """Press Step `times` times, waiting each time for the week to advance."""
    for _ in range(times):
        before = week(page)
        page.locator(".clc-step").click()
        page.locator(".clc-status", has_text=re.compile(rf"Week {before + 1}\b")).wait_for()


def _no_errors(page) -> None:
    assert not ERROR_TEXT.search(page.locator("body").inner_text())
    assert not page.locator(".clc-error").count(), page.locator(".clc-error").inner_text()
    assert not page.console.errors, "\n".join(page.console.errors)


def test_page_loads_with_plain_controls(dash):
    page = dash
    page.screenshot(path=str(SCREENSHOTS / "loaded.png"))
    assert page.title() == "clc-sim — schools learning together"
    title = page.locator(".clc-title").inner_text()
    assert title == "8 schools, voluntary network, chain links · voluntary-8"
    body = page.locator("body").inner_text()
    for jargon in ("Page 0", "Use Threads", "Render Interval", "Play Interval", "VALUE_ADDED", "[seed", "[1, 50000]"):
        assert jargon not in body, jargon
    for stage in ("Isolation 8", "Initiation 0", "Engagement 0", "Integration 0"):
        assert stage in page.locator(".clc-stages").inner_text()
    # every slider shows its value and unit, and its range, without being touched
    labels = page.locator(".clc-side .clc-param-label").all_inner_texts()
    assert "Number of schools: 8 schools" in labels
    assert "Time for staff learning: 2.0 hours per teacher per week" in labels
    assert any(t.startswith("Heads who hold back: 0 % of schools") for t in labels)
    assert "from 2 to 500 schools" in page.locator(".clc-param-n_schools").inner_text()
    page.get_by_text("What the controls mean").click()
    assert "“Learning from the past”" in page.locator(".clc-side").inner_text()
    assert "3.25 weeks/s: 195 weeks in 60 s" in page.locator(".clc-speed-text").inner_text()  # 5 years a minute
    assert "Week 0 of 195" in page.locator(".clc-status").inner_text()
    _no_errors(page)


def test_step_changes_charts_and_network(dash):
    page = dash
    net0 = page.locator(".clc-network img").screenshot()
    chart0 = page.locator(".clc-chart img").screenshot()
    _step(page, 3)
    page.wait_for_timeout(300)
    net1 = page.locator(".clc-network img").screenshot()
    chart1 = page.locator(".clc-chart img").screenshot()
    (SCREENSHOTS / "network-week0.png").write_bytes(net0)
    (SCREENSHOTS / "network-week3.png").write_bytes(net1)
    assert chart1 != chart0, "the chart did not change after three steps"
    assert net1 != net0, "the network picture did not change after three steps"
    page.locator(".clc-story", has_text=re.compile(r"Week 3\b")).wait_for()
    _no_errors(page)


def test_slider_and_reset_change_the_model_and_the_title(dash):
    page = dash
    page.locator(".clc-param-n_schools .v-slider__thumb-container").focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.locator(".clc-param-n_schools", has_text="12 schools").wait_for()
    page.locator(".clc-pending", has_text="number of schools").wait_for()  # not applied yet, and it says so
    assert page.locator(".clc-title").inner_text().startswith("8 schools")
    page.locator(".clc-reset").click()
    page.locator(".clc-title", has_text="12 schools").wait_for()
    assert page.locator(".clc-title").inner_text() == "12 schools, voluntary network, chain links · voluntary-8 (changed)"
    page.locator(".clc-story", has_text="12 schools").wait_for()  # the story re-renders just after the title
    page.locator(".clc-pending").wait_for(state="hidden")
    page.screenshot(path=str(SCREENSHOTS / "twelve-schools.png"))
    _no_errors(page)


def test_scenario_switch_sets_controls_and_title(dash):
    page = dash
    page.locator(".clc-scenario .v-select__slot").click()
    page.locator(".menuable__content__active .v-list-item", has_text=re.compile("^network-30$")).click()
    page.locator(".clc-title", has_text="network-30").wait_for()
    assert page.locator(".clc-title").inner_text().startswith("30 schools, voluntary network")
    page.locator(".clc-param-n_schools", has_text="Number of schools: 30 schools").wait_for()  # the controls follow
    _no_errors(page)


def test_defection_button_takes_effect(dash):
    page = dash
    _step(page, 2)
    page.locator(".clc-intervention-defection").click()
    page.get_by_text(re.compile(r"School withdraws \(defection shock\) applied to School 1")).wait_for()
    page.get_by_text(re.compile("withdrew from joint work")).first.wait_for()
    # the shock is a withdrawal (ODD 7.19): the story says so; what it does to moral capital is the rules' business
    page.locator(".clc-story", has_text="1 school withdrawn from the network").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "defection.png"))
    _no_errors(page)


def test_intervention_button_is_noted(dash):
    page = dash
    page.locator(".clc-schools .v-select__slot").click()
    page.locator(".menuable__content__active .v-list-item", has_text=re.compile("^School 3$")).click()
    page.locator(".clc-schools", has_text="School 3").wait_for()
    page.locator(".clc-intervention-immersion").click()
    page.get_by_text(re.compile("Immersion programme applied to School 3")).wait_for()
    _no_errors(page)


def test_play_stops_at_the_horizon_and_can_continue(dash):
    page = dash
    act_speed(page, None, fastest=True)
    page.locator(".clc-play").click()
    page.locator(".clc-continue").wait_for(timeout=150_000)  # 195 weeks at 39 a second, on a busy machine
    assert week(page) == 195
    assert "Reached week 195" in page.locator(".clc-status").inner_text()
    page.wait_for_timeout(500)
    assert week(page) == 195, "play went past the horizon"
    page.locator(".clc-continue").click()
    page.locator(".clc-status", has_text=re.compile(r"of 390\b")).wait_for()
    page.locator(".clc-play", has_text="Pause").click()
    page.locator(".clc-play", has_text="Play").wait_for()
    assert week(page) > 195
    _no_errors(page)


def _inside(box, size) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size[0] + 0.5 \
        and box["y"] + box["height"] <= size[1] + 0.5


def _save_doc_image(png: bytes, name: str) -> None:
    """Write a docs screenshot, unless the one there already looks the same (no churn from tiny differences)."""
    path = DOC_IMAGES / name
    new = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    if path.exists():
        old = np.asarray(Image.open(path).convert("RGB"), dtype=float)
        if old.shape == new.shape and np.abs(old - new).mean() < 0.5:
            return
    DOC_IMAGES.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
    tmp.write_bytes(png)
    tmp.replace(path)


def test_projector_layout_and_the_docs_screenshots(browser_context, dashboard_url):
    """At 1920x1080 and 1366x768 the network, the stage counts and the main chart fit the window, pictures are
    shown at the size they were drawn (so their 16 px text stays 16 px), and nothing scrolls sideways."""
    page = open_dashboard(browser_context, dashboard_url, PROJECTOR["1920x1080"])
    try:
        _step(page, DOC_WEEK)
        for name in ("1920x1080", "1366x768"):
            size = PROJECTOR[name]
            page.set_viewport_size({"width": size[0], "height": size[1]})
            want = layout_for(*size)
            page.locator(f'.clc-network img[width="{want.network[0]}"]').wait_for()
            page.locator(f'.clc-chart img[width="{want.chart[0]}"]').wait_for()
            page.wait_for_timeout(500)
            page.evaluate("() => window.scrollTo(0, 0)")
            for what in (".clc-network img", ".clc-stages", ".clc-chart img", ".clc-toolbar", ".clc-title"):
                box = page.locator(what).bounding_box()
                assert box and _inside(box, size), (name, what, box)
            for what in (".clc-network img", ".clc-chart img", ".clc-charts img", ".clc-teachers img"):
                natural, shown = page.locator(what).evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
                assert abs(natural - shown) < 1, (name, what, natural, shown)  # drawn at the size it is shown
            assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), name
            chip = page.locator(".clc-chip").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            assert chip >= 16
            shot = page.screenshot()
            (SCREENSHOTS / f"dashboard-{name}.png").write_bytes(shot)
            _save_doc_image(shot, f"dashboard-{name}.png")
        _no_errors(page)
    finally:
        page.close()
