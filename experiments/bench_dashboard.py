"""Dashboard frame rate: one model step plus rendering every dashboard picture to PNG, for 12 and 500 schools.

Writes results/benchmarks/dashboard_fps.csv and .md. Run: python experiments/bench_dashboard.py
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import pandas as pd

from simulation.dashboard import controls, drawing
from simulation.dashboard.app import ScenarioModel
from simulation.dashboard.caption import caption_html

OUT = Path(__file__).resolve().parents[1] / "results" / "benchmarks"


def _png(fig) -> int:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # what solara.FigureMatplotlib does on every update
    return len(buf.getvalue())


def measure(n_schools: int, frames: int) -> dict:
    settings = controls.load_settings("voluntary-8")
    t0 = time.perf_counter()
    model = ScenarioModel(schedule=(), seed=1, **{**settings.params, "n_schools": n_schools})
    build = time.perf_counter() - t0
    model.step()  # warm-up: numba compilation and first layout
    _png(drawing.network_figure(model))
    step_t = render_t = 0.0
    for _ in range(frames):
        t = time.perf_counter()
        model.step()
        t2 = time.perf_counter()
        _png(drawing.network_figure(model))
        _png(drawing.charts_figure(model))
        _png(drawing.teacher_figure(model, 0))
        caption_html(model)
        t3 = time.perf_counter()
        step_t += t2 - t
        render_t += t3 - t2
    return {"n_schools": n_schools, "teachers": model.n_teachers, "frames": frames, "build_s": round(build, 3),
            "step_ms": round(1000 * step_t / frames, 1), "render_ms": round(1000 * render_t / frames, 1),
            "fps": round(frames / (step_t + render_t), 2)}


def main() -> int:
    rows = [measure(12, 30), measure(500, 8)]
    df = pd.DataFrame(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT / "dashboard_fps.csv", index=False)
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    body = "".join("| " + " | ".join(str(x) for x in row) + " |\n" for row in df.itertuples(index=False))
    (OUT / "dashboard_fps.md").write_text(
        "# Dashboard frame rate (one step + network, charts and teachers PNGs + caption)\n\n" + head + body)
    print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
