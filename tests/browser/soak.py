"""A soak of the served dashboard: random cycles of what a trainer does, in headless Chromium.

Play, pause, step, reset, scenario switch, every kind of control (sliders, lists, the speed, the
picture switches, the chosen school) and every intervention button, in random order, with play at the
fastest speed among them and, with `--busy N`, N processes keeping the CPU busy. After every action it
waits for the page to show the action's effect and fails on error text on the page (a traceback,
Solara's render-loop guard, an error message of ours), a console error, or a page or server that stops
answering within the time allowed.

`tests/browser/test_dashboard_soak.py` runs it for well under a minute in the test suite; for a long
soak run it as a script (it starts its own server and browser):

    python -m tests.browser.soak --seconds 600 --size 1366x768 --size 1920x1080 --busy 2

It exits 0 and prints what it did, or exits 1 naming the action that failed.
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, ERROR_TEXT, PROJECTOR

WEEK = re.compile(r"Week (\d+)")
SMALL_SCENARIOS = ("voluntary-8", "forced-8", "defection-shock", "network-30", "isolated-8", "brokered-8",
                   "high-challenge-peer-support", "parameter-defaults")
LARGE_SCENARIOS = ("system-500",)
VERBOSE = False
RESPONSE_TIMEOUT = 30.0  # seconds a page may take to show an action's effect (busy machine, 500 schools)
ANSWER_TIMEOUT = 5.0  # seconds the browser itself may take to answer a script


class SoakFailure(AssertionError):
    """The page showed an error, logged one, or stopped answering."""


@dataclass
class SoakReport:
    """What a soak did: actions by name, how long it ran, the slowest response."""

    actions: collections.Counter = field(default_factory=collections.Counter)
    seconds: float = 0.0
    slowest: tuple[float, str] = (0.0, "")
    highest_week: int = 0

    def __str__(self) -> str:
        done = ", ".join(f"{k} {v}" for k, v in sorted(self.actions.items()))
        return (f"{sum(self.actions.values())} actions in {self.seconds:.0f} s ({done}); slowest response "
                f"{self.slowest[0]:.1f} s ({self.slowest[1]}); highest week {self.highest_week}")


def week(page) -> int:
    """The week the page shows (the toolbar's status)."""
    m = WEEK.search(page.locator(".clc-status").inner_text())
    if m:
        return int(m.group(1))
    m = re.search(r"Reached week (\d+)", page.locator(".clc-status").inner_text())
    return int(m.group(1)) if m else -1


def play_label(page) -> str:
    return page.locator(".clc-play").inner_text()


def check(page, what: str) -> None:
    """Fail unless the page answers at once and shows no error text, and the console logged no error."""
    started = time.monotonic()
    try:
        body = page.evaluate("() => document.body.innerText", )
    except Exception as exc:  # noqa: BLE001 - a crashed or hung page
        raise SoakFailure(f"the page did not answer after {what}: {exc}") from exc
    if time.monotonic() - started > ANSWER_TIMEOUT:
        raise SoakFailure(f"the page took {time.monotonic() - started:.1f} s to answer after {what}")
    found = ERROR_TEXT.search(body)
    if found:
        at = found.start()
        raise SoakFailure(f"error text on the page after {what}: {body[max(0, at - 200):at + 400]!r}")
    if page.locator(".clc-error").count():
        raise SoakFailure(f"the page shows an error after {what}: {page.locator('.clc-error').inner_text()!r}")
    if page.console.errors:
        raise SoakFailure(f"console errors after {what}: " + "\n".join(page.console.errors))


def wait_for(page, condition, what: str, timeout: float = RESPONSE_TIMEOUT) -> float:
    """Poll `condition()` until true; return the seconds it took, or fail naming `what`."""
    started = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - started
        except Exception:  # noqa: BLE001 - an element being re-drawn: look again
            pass
        if time.monotonic() - started > timeout:
            raise SoakFailure(f"the page did not show the effect of {what} within {timeout:.0f} s "
                              f"(status {page.locator('.clc-status').inner_text()!r})")
        page.wait_for_timeout(100)


def _choose(page, field_class: str, option: str) -> None:
    """Open the drop-down list inside `.{field_class}` and pick `option`."""
    page.locator(f".{field_class} .v-select__slot").first.click()
    menu = page.locator(".menuable__content__active .v-list-item", has_text=re.compile(rf"^{re.escape(option)}$"))
    menu.first.click()


def act_play(page, rng):
    label = play_label(page)
    if "Pause" in label:
        return None
    page.locator(".clc-play").click()
    return wait_for(page, lambda: "Pause" in play_label(page) or "Continue" in play_label(page), "play")


def act_pause(page, rng):
    if "Pause" not in play_label(page):
        return None
    page.locator(".clc-play").click()
    return wait_for(page, lambda: "Pause" not in play_label(page), "pause")


def act_step(page, rng):
    before = week(page)
    page.locator(".clc-step").click()
    return wait_for(page, lambda: "Pause" not in play_label(page) and week(page) > before, "step")


def act_reset(page, rng):
    page.locator(".clc-reset").click()
    return wait_for(page, lambda: week(page) == 0 and "Pause" not in play_label(page), "reset")


def act_scenario(page, rng, large: bool = False):
    name = rng.choice(SMALL_SCENARIOS + (LARGE_SCENARIOS if large else ()))
    if f"· {name}" in page.locator(".clc-title").inner_text():  # already open: the list does nothing
        page.locator(".clc-scenario-values").click()  # ... but this button opens it again
    else:
        _choose(page, "clc-scenario", name)
    return wait_for(page, lambda: page.locator(".clc-title").inner_text().endswith(f"· {name}")
                    and week(page) == 0, f"opening scenario {name}", timeout=RESPONSE_TIMEOUT * 2)


def act_slider(page, rng):
    sliders = page.locator(".clc-side .clc-param .v-slider__thumb-container")
    k = rng.randrange(sliders.count())
    sliders.nth(k).focus()
    for _ in range(rng.randint(1, 6)):
        page.keyboard.press(rng.choice(["ArrowRight", "ArrowLeft", "ArrowRight"]))
    return 0.0


def act_choice(page, rng):
    name = rng.choice(["formation", "link_policy"])
    options = {"formation": ["No network", "Voluntary", "Forced", "Brokered"],
               "link_policy": ["Chain of small steps", "Direct from the best", "Random partners"]}[name]
    option = rng.choice(options)
    _choose(page, f"clc-param-{name}", option)
    return wait_for(page, lambda: option in page.locator(f".clc-param-{name}").inner_text(), f"choosing {option}")


def act_speed(page, rng, fastest: bool = False):
    page.locator(".clc-speed .v-slider__thumb-container").focus()
    key = "End" if fastest else rng.choice(["End", "Home", "ArrowRight", "ArrowLeft"])
    page.keyboard.press(key)
    if key == "Home":
        page.keyboard.press("ArrowRight")  # not the slowest: the soak should keep moving
    if fastest:
        return wait_for(page, lambda: page.locator(".clc-speed-text").inner_text().startswith("39 weeks/s"),
                        "the fastest speed")
    return 0.0


def act_fastest(page, rng):
    """Play at the fastest speed (the case that crashed Mesa's page on a busy machine)."""
    act_speed(page, rng, fastest=True)
    return act_play(page, rng)


def act_intervene(page, rng):
    buttons = page.locator(".clc-interventions button")
    k = rng.randrange(buttons.count())
    label = buttons.nth(k).inner_text().strip()
    buttons.nth(k).click()
    return wait_for(page, lambda: label in page.locator(".clc-story").inner_text(), f"intervention {label!r}")


def act_view(page, rng):
    bars = page.locator(".clc-picture-bar .v-btn-toggle button")
    bars.nth(rng.randrange(bars.count())).click()
    return 0.0


def act_school(page, rng):
    names = page.locator(".clc-schools")
    if not names.count():
        return None
    n = int(re.search(r"(\d+) schools", page.locator(".clc-title").inner_text()).group(1))
    school = f"School {rng.randint(1, min(n, 8))}"
    _choose(page, "clc-schools", school)
    return wait_for(page, lambda: school in page.locator(".clc-schools").inner_text(), f"choosing {school}")


def act_continue(page, rng):
    if "Continue" not in play_label(page):
        return act_fastest(page, rng)
    before = week(page)
    page.locator(".clc-play").click()
    return wait_for(page, lambda: week(page) > before or "Pause" in play_label(page), "continue")


ACTIONS = {  # name: (action, weight)
    "play": (act_play, 3), "pause": (act_pause, 3), "step": (act_step, 3), "reset": (act_reset, 2),
    "scenario": (act_scenario, 2), "slider": (act_slider, 3), "choice": (act_choice, 1), "speed": (act_speed, 2),
    "fastest": (act_fastest, 2), "intervene": (act_intervene, 3), "view": (act_view, 2), "school": (act_school, 1),
    "continue": (act_continue, 1),
}


def soak(page, seconds: float, seed: int = 0, large: bool = False, report: SoakReport | None = None) -> SoakReport:
    """Drive `page` (an open dashboard, see conftest.open_dashboard) with random actions for `seconds`."""
    rng = random.Random(seed)
    report = report or SoakReport()
    names = list(ACTIONS)
    weights = [ACTIONS[n][1] for n in names]
    started = time.monotonic()
    check(page, "loading")
    while time.monotonic() - started < seconds:
        name = rng.choices(names, weights)[0]
        if VERBOSE:
            print(f"{time.monotonic() - started:6.1f} s  {name}  (week {week(page)})", flush=True)
        action = ACTIONS[name][0]
        try:
            took = action(page, rng, large=large) if name == "scenario" else action(page, rng)
        except SoakFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - Playwright could not do it: the page is not usable
            raise SoakFailure(f"could not {name}: {exc}") from exc
        check(page, name)
        if took is not None:
            report.actions[name] += 1
            if took > report.slowest[0]:
                report.slowest = (took, name)
        report.highest_week = max(report.highest_week, week(page))
        page.wait_for_timeout(rng.choice([0, 50, 200, 500, 1500]))
    if "Pause" in play_label(page):  # leave it quiet
        act_pause(page, rng)
    check(page, "the end of the soak")
    report.seconds += time.monotonic() - started
    return report


class Busy:
    """`n` processes that keep a core busy each, for at most `seconds` (they stop by themselves)."""

    def __init__(self, n: int, seconds: float):
        code = f"import time\nend = time.time() + {float(seconds)}\nwhile time.time() < end:\n    pass\n"
        self.procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(max(0, n))]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
            p.wait(10)


def main(argv=None) -> int:
    """Serve the dashboard, open it in headless Chromium at each `--size`, soak it; exit 1 on any failure."""
    from playwright.sync_api import sync_playwright

    from simulation.dashboard import assets, server

    ap = argparse.ArgumentParser(prog="python -m tests.browser.soak", description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=300.0, help="how long to soak at each size (default 300)")
    ap.add_argument("--size", action="append", choices=sorted(PROJECTOR), help="window size (repeatable; "
                    "default both)")
    ap.add_argument("--busy", type=int, default=2, help="processes keeping the CPU busy meanwhile (default 2)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the random actions (default 1)")
    ap.add_argument("--large", action="store_true", help="also open the 500-school scenario")
    args = ap.parse_args(argv)
    sizes = args.size or sorted(PROJECTOR)
    assets.install(quiet=True)
    report = SoakReport()
    log_path = Path(tempfile.gettempdir()) / "clc-dashboard-soak.log"
    with open(log_path, "w") as log:
        proc, url = server.start("voluntary-8", port=0, log=log)
        try:
            server.wait_ready(proc, url, timeout=120)
            with Busy(args.busy, args.seconds * len(sizes) + 120), sync_playwright() as pw, \
                    tempfile.TemporaryDirectory() as profile:
                context = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                                args=CHROMIUM_ARGS)
                from tests.browser.conftest import open_dashboard

                for i, size in enumerate(sizes):
                    page = open_dashboard(context, url, PROJECTOR[size])
                    try:
                        soak(page, args.seconds, seed=args.seed + i, large=args.large, report=report)
                    except SoakFailure as exc:
                        page.screenshot(path=str(Path(tempfile.gettempdir()) / "clc-soak-failure.png"))
                        print(f"FAILED at {size}: {exc}\n(server log: {log_path})", file=sys.stderr)
                        return 1
                    finally:
                        page.close()
                context.close()
        finally:
            server.stop(proc)
    print(f"soak passed at {', '.join(sizes)} with {args.busy} busy processes: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
