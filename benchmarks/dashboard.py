"""Dashboard benchmark: frame rate of one model step plus every dashboard picture and the caption, per frame.

Measures exactly what the page does on each step (drawing.network_image / charts_image / teacher_image:
persistent figures updated in place and blitted, then encoded as JPEG) for 12 and 500 schools with all
their teachers (60 and 20 frames, after a warm-up frame). Reports medians over frames of wall time and of
CPU time (`time.process_time`): on a busy machine wall time includes waiting for a core, CPU time does
not. `fps_mean` also counts the occasional full redraw of a chart background (new school year, y range
growing).

With `--browser` it also serves the dashboard, opens it in Debian's headless Chromium (Playwright),
presses play for `--seconds` and counts the weeks the page advanced: the frame rate a trainer sees
(play interval included).

    python -m benchmarks.dashboard [--browser] [--seconds S]

Writes results/benchmarks/dashboard_fps.csv and .md.
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
from simulation.dashboard import controls, drawing
from simulation.dashboard.app import ScenarioModel
from simulation.dashboard.caption import caption_html


def _frame(model) -> None:
    drawing.network_image(model)
    drawing.charts_image(model)
    drawing.teacher_image(model, 0)
    caption_html(model)


def measure(n_schools: int, frames: int) -> dict:
    settings = controls.load_settings("voluntary-8")
    t0 = time.perf_counter()
    model = ScenarioModel(schedule=(), seed=1, **{**settings.params, "n_schools": n_schools})
    build = time.perf_counter() - t0
    model.step()  # warm-up: numba compilation, first layout, the figures' static backgrounds
    _frame(model)
    step_w, render_w, frame_c = [], [], []
    for _ in range(frames):
        c0, t = time.process_time(), time.perf_counter()
        model.step()
        t2 = time.perf_counter()
        _frame(model)
        t3, c1 = time.perf_counter(), time.process_time()
        step_w.append(t2 - t)
        render_w.append(t3 - t2)
        frame_c.append(c1 - c0)
    frame_w = [a + b for a, b in zip(step_w, render_w)]
    med = statistics.median
    return {"n_schools": n_schools, "teachers": model.n_teachers, "frames": frames, "build_s": round(build, 2),
            "step_ms": round(1000 * med(step_w), 1), "render_ms": round(1000 * med(render_w), 1),
            "cpu_ms": round(1000 * med(frame_c), 1), "fps": round(1 / med(frame_w), 1),
            "fps_mean": round(frames / sum(frame_w), 1), "fps_cpu": round(1 / med(frame_c), 1)}


def measure_browser(n_schools: int, seconds: float) -> dict:
    """Weeks per second while the served page plays (play interval 100 ms, render interval 1)."""
    from playwright.sync_api import sync_playwright

    from simulation.dashboard import assets, server
    from simulation.scenario import load_scenario

    sys.path.insert(0, str(ROOT))  # the browser tests' Chromium settings
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    assets.install(quiet=True)
    base = load_scenario("voluntary-8")
    with tempfile.TemporaryDirectory() as tmp:
        toml = Path(tmp) / f"bench-{n_schools}.toml"
        toml.write_text(f'name = "bench-{n_schools}"\ndescription = "benchmark"\nhorizon = 1000\n'
                        f'seed = {base.seed}\n\n[params]\nn_schools = {n_schools}\n'
                        'formation = "voluntary"\nlink_policy = "chain"\n')
        with open(Path(tmp) / "server.log", "w") as log:
            proc, url = server.start(str(toml), port=0, log=log)
            try:
                server.wait_ready(proc, url, timeout=120)
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                    page = browser.new_page(viewport={"width": 1500, "height": 1000})
                    page.set_default_timeout(120_000)
                    page.goto(url)
                    page.get_by_role("button", name="Step").wait_for()
                    page.locator(".clc-charts img").wait_for()
                    title = page.title()
                    counter = page.get_by_text(re.compile(r"^Step: \d+$"))

                    def steps() -> int:
                        return int(re.search(r"\d+", counter.inner_text()).group())

                    page.get_by_role("button", name="▶").click()
                    page.wait_for_timeout(2000)  # settle: first frames, chart backgrounds
                    s0, t0, c0 = steps(), time.perf_counter(), _cpu_seconds(proc.pid)
                    page.wait_for_timeout(seconds * 1000)
                    s1, t1, c1 = steps(), time.perf_counter(), _cpu_seconds(proc.pid)
                    page.get_by_role("button", name="❚❚").click()
                    browser.close()
            finally:
                server.stop(proc)
    weeks = s1 - s0
    return {"n_schools": n_schools, "browser_weeks": weeks, "browser_s": round(t1 - t0, 1),
            "browser_fps": round(weeks / (t1 - t0), 1),
            "server_cpu_ms_per_week": round(1000 * (c1 - c0) / max(weeks, 1), 1), "page_title": title}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.dashboard", description=__doc__.splitlines()[0])
    ap.add_argument("--browser", action="store_true", help="also measure the served page playing in Chromium")
    ap.add_argument("--seconds", type=float, default=15.0, help="how long to let the page play (with --browser)")
    args = ap.parse_args(argv)
    load = os.getloadavg()[0]
    rows = [measure(12, 60), measure(500, 20)]
    df = pd.DataFrame(rows)
    if args.browser:
        df = df.merge(pd.DataFrame([measure_browser(12, args.seconds), measure_browser(500, args.seconds)]),
                      on="n_schools")
    load = max(load, os.getloadavg()[0])
    df["load_avg_1min"] = round(load, 1)
    df["cpus"] = os.cpu_count()
    OUT.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT / "dashboard_fps.csv", index=False)
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    body = "".join("| " + " | ".join(str(x) for x in row) + " |\n" for row in df.itertuples(index=False))
    (OUT / "dashboard_fps.md").write_text(
        "# Dashboard frame rate (one step + network, charts and teachers images + caption)\n\n"
        "Medians over frames; fps from wall time, fps_cpu from CPU time (what an idle machine would do). "
        "browser_fps: weeks per second shown while the served page plays in headless Chromium.\n\n" + head + body)
    print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
