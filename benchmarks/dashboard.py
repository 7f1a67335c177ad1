"""Dashboard benchmark: what a step costs the page, at 12 and 500 schools, and how fast it plays in a browser.

Python part (no browser): a `Session` (the dashboard's engine, in the caller's thread) on a scenario of
12 and of 500 schools with all their teachers (20 per school), laid out for a 1366x768 and a 1920x1080
window. For each it reports

- `reset_s`: Reset to that many schools, up to the first frame (model built, layout, first pictures);
- `step_s`: median over frames of one Step as the page does it: the model's week plus every picture
  (network, main chart, all four charts, teachers), text and caption, ready to send;
- `model_ms`: the model's `step()` alone (median), and `cpu_ms`: CPU time of a Step (`time.process_time`,
  which leaves out waiting for a busy core);
- the 1-minute load average (the machine has 2 cores shared with other jobs).

The target is a Step under 1 s at 500 schools.

With `--browser` it also serves the dashboard and drives it in Debian's headless Chromium (Playwright):
`browser_step_s` is the median time from pressing Step to the page showing the next week, and
`five_years_s` the time from pressing Play at the default speed (3.25 weeks a second) to the page
stopping at the 195-week horizon: about a minute is the target.

    python -m benchmarks.dashboard [--browser] [--frames N]

Writes results/benchmarks/dashboard.csv and .md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.common import OUT, ROOT
from simulation.dashboard.session import Session

WINDOWS = ((1366, 768), (1920, 1080))
SCHOOLS = (12, 500)


def _scenario(tmp: Path, n_schools: int) -> Path:
    toml = tmp / f"bench-{n_schools}.toml"
    toml.write_text(f'name = "bench-{n_schools}"\ndescription = "benchmark"\nhorizon = 195\nseed = 1\n\n'
                    f'[params]\nn_schools = {n_schools}\nformation = "voluntary"\nlink_policy = "chain"\n')
    return toml


def measure(n_schools: int, window: tuple[int, int], frames: int) -> dict:
    """Reset and Step timings of a Session at `n_schools` drawn for `window`."""
    with tempfile.TemporaryDirectory() as tmp:
        published = []
        session = Session(published.append, "voluntary-8", threaded=False)
        session.set_view(window=window)
        session.step()  # warm-up: numba, the small model's pictures
        toml = _scenario(Path(tmp), n_schools)
        t0 = time.perf_counter()
        session.load(str(toml))
        reset = time.perf_counter() - t0
        assert published[-1].n_schools == n_schools and published[-1].ready and not published[-1].error
        session.step()  # the first step after a reset (chart backgrounds drawn)
        steps, cpus, model_steps = [], [], []
        for _ in range(frames):
            c0, t = time.process_time(), time.perf_counter()
            session.step()
            steps.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c0)
            t = time.perf_counter()
            session.model.step()  # the model alone (its week is not shown: the next Step draws it)
            model_steps.append(time.perf_counter() - t)
        assert not published[-1].error, published[-1].error
    med = statistics.median
    return {"n_schools": n_schools, "window": f"{window[0]}x{window[1]}", "teachers": n_schools * 20,
            "reset_s": round(reset, 2), "step_s": round(med(steps), 3), "step_max_s": round(max(steps), 3),
            "model_ms": round(1000 * med(model_steps), 1), "cpu_ms": round(1000 * med(cpus), 1)}


def measure_browser(n_schools: int, steps: int = 10, five_years: bool = False) -> dict:
    """In headless Chromium at 1366x768: Step latency; with `five_years`, Play at the default speed to the horizon."""
    from playwright.sync_api import sync_playwright

    from simulation.dashboard import assets, server

    sys.path.insert(0, str(ROOT))  # the browser tests' Chromium settings and helpers
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, open_dashboard
    from tests.browser.soak import week

    assets.install(quiet=True)
    out = {"n_schools": n_schools, "window": "1366x768"}
    with tempfile.TemporaryDirectory() as tmp:
        toml = _scenario(Path(tmp), n_schools)
        with open(Path(tmp) / "server.log", "w") as log:
            proc, url = server.start(str(toml), port=0, log=log)
            try:
                server.wait_ready(proc, url, timeout=120)
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                    page = open_dashboard(browser.new_context(), url, (1366, 768))
                    times = []
                    for _ in range(steps):
                        before = week(page)
                        t0 = time.perf_counter()
                        page.locator(".clc-step").click()
                        page.locator(".clc-status", has_text=re.compile(rf"Week {before + 1}\b")).wait_for()
                        times.append(time.perf_counter() - t0)
                    out["browser_step_s"] = round(statistics.median(times), 3)
                    if five_years:
                        page.locator(".clc-reset").click()
                        page.locator(".clc-status", has_text=re.compile(r"Week 0\b")).wait_for()
                        t0 = time.perf_counter()
                        page.locator(".clc-play").click()
                        page.locator(".clc-continue").wait_for(timeout=600_000)
                        out["five_years_s"] = round(time.perf_counter() - t0, 1)
                        out["speed_text"] = page.locator(".clc-speed-text").inner_text()
                    browser.close()
            finally:
                server.stop(proc)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.dashboard", description=__doc__.splitlines()[0])
    ap.add_argument("--browser", action="store_true", help="also measure the served page in Chromium")
    ap.add_argument("--frames", type=int, default=10, help="Steps measured per case (default 10)")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    df = pd.DataFrame([measure(n, w, args.frames) for n in SCHOOLS for w in WINDOWS])
    if args.browser:
        browser = pd.DataFrame([measure_browser(12, five_years=True), measure_browser(500)])
        df = df.merge(browser, on=["n_schools", "window"], how="left")
    df["load_avg_1min"] = round(max(load, os.getloadavg()[0]), 1)
    df["cpus"] = os.cpu_count()
    OUT.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT / "dashboard.csv", index=False)
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    body = "".join("| " + " | ".join("" if pd.isna(x) else str(x) for x in row) + " |\n"
                   for row in df.itertuples(index=False))
    (OUT / "dashboard.md").write_text(
        "# Dashboard: a Step as the page does it (model week + every picture), Reset, and the page playing\n\n"
        "Medians over Steps. Target: a Step under 1 s at 500 schools; five school years at the default speed "
        "in about a minute.\n\n" + head + body)
    print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
