"""Shared helpers of the pattern experiments: the run context, replications, verdicts, files and the report.

An experiment module defines NAME, TITLE, PATTERN (the seed's claim), DEPENDS (the default parameters its
verdict rests on) and `run(ctx) -> Result`. Replications go through `simulation.replicate` (a spawn pool,
memoised), so experiments sharing a baseline run it once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.replicate import Replica, Task, run_tasks
from simulation.stats import band, fmt_p

HORIZON = 195
SEEDS_FULL = 20
SEEDS_QUICK = 6
ALPHA = 0.05


@dataclass
class Context:
    """How to run: quick or full, the seeds, parameter overrides on top of defaults, worker count."""

    quick: bool = False
    seeds: tuple[int, ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)
    jobs: int | None = None
    progress: bool = False

    @staticmethod
    def make(quick: bool = False, replications: int | None = None, seed: int = 1,
             overrides: dict | None = None, jobs: int | None = None, progress: bool = False) -> "Context":
        n = replications or (SEEDS_QUICK if quick else SEEDS_FULL)
        return Context(quick, tuple(range(seed, seed + n)), dict(overrides or {}), jobs, progress)


def at_least(ctx: Context, n: int) -> Context:
    """`ctx` with at least n seeds (for a quick run of an experiment whose effect is modest but cheap to replicate)."""
    if len(ctx.seeds) >= n:
        return ctx
    first = ctx.seeds[0] if ctx.seeds else 1
    return Context(ctx.quick, tuple(range(first, first + n)), ctx.overrides, ctx.jobs, ctx.progress)


@dataclass
class Result:
    """An experiment's verdict, with its statistic in words, the numbers, a table and a figure."""

    name: str
    title: str
    pattern: str
    statistic: str
    holds: bool
    table: pd.DataFrame
    figure: Any
    numbers: dict[str, Any] = field(default_factory=dict)
    depends: tuple[str, ...] = ()
    n: int = 0

    @property
    def verdict(self) -> str:
        return "HOLDS" if self.holds else "FAILS"


def replicate(ctx: Context, params: dict, horizon: int = HORIZON, interventions=(), school_ticks=(),
              desc: str = "") -> list[Replica]:
    """One replica per seed of `ctx` for the experiment's parameters (laid over ctx.overrides)."""
    merged = {**ctx.overrides, **params}
    tasks = [Task.make(merged, s, horizon, interventions, school_ticks) for s in ctx.seeds]
    return run_tasks(tasks, jobs=ctx.jobs, progress=ctx.progress, desc=desc or "replications")


def replicate_many(ctx: Context, conditions: dict[str, dict], horizon: int = HORIZON, interventions=(),
                   school_ticks=(), condition_interventions: dict[str, list] | None = None
                   ) -> dict[str, list[Replica]]:
    """Replicas for several conditions submitted as one batch (keeps every core busy).

    Every condition gets `interventions`, unless `condition_interventions` names its own.
    """
    tasks, keys = [], []
    for key, params in conditions.items():
        ivs = (condition_interventions or {}).get(key, interventions)
        merged = {**ctx.overrides, **params}
        for s in ctx.seeds:
            tasks.append(Task.make(merged, s, horizon, ivs, school_ticks))
            keys.append(key)
    reps = run_tasks(tasks, jobs=ctx.jobs, progress=ctx.progress)
    out: dict[str, list[Replica]] = {k: [] for k in conditions}
    for k, r in zip(keys, reps):
        out[k].append(r)
    return out


def series(reps: list[Replica], metric: str) -> np.ndarray:
    """(replication, tick) array of a reporter."""
    return np.vstack([r.timeseries[metric].to_numpy(float) for r in reps])


def end(reps, metric):
    return series(reps, metric)[:, -1]


def gain(reps, metric):
    s = series(reps, metric)
    return s[:, -1] - s[:, 0]


def stat_row(label: str, st, **extra) -> dict:
    """A table row from a `stats.Paired`."""
    return {"comparison": label, "n": st.n, "mean_a": st.mean_a, "mean_b": st.mean_b, "diff": st.diff,
            "ci95_low": st.ci_low, "ci95_high": st.ci_high, "p_value": st.p_value,
            "effect_dz": st.effect_size, **extra}


def describe(st, unit: str = "") -> str:
    """'diff +0.061 [95% CI +0.050, +0.072], p<0.001, d_z 5.8'."""
    return (f"{st.diff:+.3f}{unit} [95% CI {st.ci_low:+.3f}, {st.ci_high:+.3f}], p {fmt_p(st.p_value)}, "
            f"d_z {st.effect_size:+.2f}")


def significant(st, direction: int = 1) -> bool:
    """The paired/one-sample difference is in `direction` and its two-sided p is below ALPHA."""
    return bool(np.sign(st.diff) == direction and st.p_value < ALPHA)


def new_figure(n: int = 1, size=(5.0, 3.6)):
    """A matplotlib Figure with n side-by-side axes (no pyplot)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * n, size[1]))
    axes = [fig.add_subplot(1, n, i + 1) for i in range(n)]
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig, axes


def plot_band(ax, reps, metric: str, label: str, colour: str | None = None, relative: bool = False) -> None:
    """Mean and 95% CI over time of a reporter (optionally as change from tick 0)."""
    s = series(reps, metric)
    if relative:
        s = s - s[:, :1]
    ticks = reps[0].timeseries["tick"].to_numpy()
    m, lo, hi = band(s)
    line, = ax.plot(ticks, m, label=label, color=colour)
    ax.fill_between(ticks, lo, hi, alpha=0.2, color=line.get_color())
    ax.set_xlabel("tick (school week; 39 a year)")


def table_markdown(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table with compact numbers."""
    def cell(v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            if v != v:
                return "n/a"
            return f"{v:.4g}"
        return str(v)
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


def write_result(result: Result, root: Path) -> Path:
    """results/experiments/<name>/: table.csv, table.md, figure.png and verdict.json."""
    from simulation.results import atomic_write, atomic_write_bytes, atomic_write_text, figure_bytes

    out = Path(root) / result.name
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "table.csv", lambda tmp: result.table.to_csv(tmp, index=False))
    md = (f"# {result.title}\n\n**Pattern.** {result.pattern}\n\n**Statistic.** {result.statistic}\n\n"
          f"**Verdict: {result.verdict}** ({result.n} replications)\n\n{table_markdown(result.table)}\n")
    atomic_write_text(out / "table.md", md)
    atomic_write_bytes(out / "figure.png", figure_bytes(result.figure))
    verdict = {"name": result.name, "title": result.title, "pattern": result.pattern,
               "statistic": result.statistic, "holds": result.holds, "replications": result.n,
               "depends": list(result.depends), "numbers": result.numbers}
    atomic_write_text(out / "verdict.json", json.dumps(verdict, indent=2, default=_json) + "\n")
    return out


def _json(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def write_report(root: Path, ctx: Context | None = None) -> Path:
    """results/experiments/REPORT.md from every verdict.json under `root` (and the sensitivity table)."""
    from experiments import REGISTRY
    from simulation.results import atomic_write_text

    root = Path(root)
    verdicts = []
    for name in REGISTRY:
        f = root / name / "verdict.json"
        if f.exists():
            verdicts.append(json.loads(f.read_text()))
    lines = ["# Pattern-oriented validation: every seed pattern, its statistic and verdict", "",
             "Generated by `clc-sim experiments run all`" + (" --quick" if ctx and ctx.quick else "") + ". "
             "Each experiment replicates the model over seeds and tests the direction of the pattern with a "
             "paired or one-sample t-test (two-sided, alpha 0.05) over replications; see experiments/README.md.",
             "", "| experiment | pattern | verdict | statistic |", "| --- | --- | --- | --- |"]
    for v in verdicts:
        lines.append(f"| [{v['name']}]({v['name']}/table.md) | {v['pattern']} | **{'HOLDS' if v['holds'] else 'FAILS'}** "
                     f"| {v['statistic']} |")
    sens = root / "sensitivity" / "table.md"
    if sens.exists():
        lines += ["", "## Sensitivity of the verdicts (one at a time, main rate of each mechanism ±25 %)", "",
                  sens.read_text().split("\n", 2)[2] if sens.read_text().startswith("#") else sens.read_text()]
    for v in verdicts:
        lines += ["", f"## {v['title']}", "", f"**Pattern.** {v['pattern']}", "",
                  f"**Statistic.** {v['statistic']}", "",
                  f"**Verdict: {'HOLDS' if v['holds'] else 'FAILS'}** ({v['replications']} replications). "
                  f"Depends on: {', '.join(v['depends']) or '-'}.", "",
                  f"![{v['name']}]({v['name']}/figure.png)"]
    path = root / "REPORT.md"
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path
