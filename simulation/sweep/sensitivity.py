"""Global sensitivity analysis with SALib: Morris elementary effects or Sobol' indices, with 95 % CIs.

The SALib design is run through the sweep engine (so it streams, resumes and scales out like any
sweep); replications of a design point are averaged before the indices are computed. Seeds default to
common random numbers per replication, so a parameter the model ignores has an effect of exactly 0.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.results import atomic_write, atomic_write_bytes, atomic_write_text
from simulation.sweep.design import salib_problem, salib_sample
from simulation.sweep.spec import SweepSpec

NUM_RESAMPLES = 1000
#: the index that ranks parameters, and the one drawn next to it, per method
RANKING = {"morris": ("mu_star", "sigma"), "sobol": ("ST", "S1")}


class SensitivityError(RuntimeError):
    """The indices cannot be computed (failed runs, runs missing)."""


def point_means(runs: pd.DataFrame, metric: str, n_points: int) -> np.ndarray:
    """The metric per design point, averaged over replications, in point order."""
    bad = runs[runs["status"] != "ok"]
    if len(bad):
        first = bad.iloc[0]
        raise SensitivityError(f"{len(bad)} of {len(runs)} runs failed (run {first['run_id']}: {first['error']}); "
                               f"the indices need every design point. Narrow the ranges so that every run works.")
    means = runs.groupby("point_id")[metric].mean()
    if len(means) != n_points:
        raise SensitivityError(f"only {len(means)} of {n_points} design points have runs; finish the sweep with "
                               f"--resume first.")
    return means.sort_index().to_numpy(dtype=float)


def analyse(spec: SweepSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per metric and parameter: the method's indices, their 95 % CIs and the rank (1 = most)."""
    s = spec.sensitivity
    problem = salib_problem(s.ranges)
    X = salib_sample(spec)
    rows = []
    for metric in s.metrics:
        Y = point_means(runs, metric, len(X))
        if s.method == "morris":
            from SALib.analyze import morris

            res = morris.analyze(problem, X, Y, num_resamples=NUM_RESAMPLES, conf_level=0.95,
                                 num_levels=s.levels, seed=spec.seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"metric": metric, "parameter": name, "mu_star": float(res["mu_star"][i]),
                             "mu_star_conf": float(res["mu_star_conf"][i]), "mu": float(res["mu"][i]),
                             "sigma": float(res["sigma"][i])})
        else:
            from SALib.analyze import sobol

            res = sobol.analyze(problem, Y, calc_second_order=s.second_order, num_resamples=NUM_RESAMPLES,
                                conf_level=0.95, seed=spec.seed)
            for i, name in enumerate(problem["names"]):
                rows.append({"metric": metric, "parameter": name, "ST": float(res["ST"][i]),
                             "ST_conf": float(res["ST_conf"][i]), "S1": float(res["S1"][i]),
                             "S1_conf": float(res["S1_conf"][i])})
    table = pd.DataFrame(rows)
    key = RANKING[s.method][0]
    table["rank"] = table.groupby("metric")[key].rank(ascending=False, method="min").astype(int)
    return table.sort_values(["metric", "rank", "parameter"]).reset_index(drop=True)


def to_markdown(table: pd.DataFrame, method: str) -> str:
    """The indices as a Markdown table (no extra dependency)."""
    cols = ["metric", "parameter", "rank"] + [c for c in table.columns if c not in ("metric", "parameter", "rank")]
    head = "| " + " | ".join(cols) + " |\n| " + " | ".join("---" for _ in cols) + " |\n"
    body = "".join("| " + " | ".join(f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c]) for c in cols)
                   + " |\n" for _, row in table.iterrows())
    what = ("Morris elementary effects: mu_star (mean absolute effect, with its 95 % bootstrap CI) ranks the "
            "parameters; sigma shows interaction or non-linearity." if method == "morris" else
            "Sobol' indices: ST (total effect, with its 95 % bootstrap CI) ranks the parameters; S1 is the "
            "first-order (alone) share of variance.")
    return f"# Sensitivity ({method})\n\n{what}\n\n{head}{body}"


def plot_indices(table: pd.DataFrame, method: str, title: str) -> Figure:
    """Horizontal bars of the ranking index (and its companion) with 95 % CI whiskers, one panel per metric."""
    key, other = RANKING[method]
    metrics = list(dict.fromkeys(table["metric"]))
    n_par = table["parameter"].nunique()
    height = 0.6 + 0.35 * n_par
    fig = Figure(figsize=(6.5, height * len(metrics) + 0.6))
    fig.subplots_adjust(left=0.3, right=0.96, top=1 - 0.6 / (height * len(metrics) + 0.6), bottom=0.06, hspace=0.6)
    fig.suptitle(title)
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(len(metrics), 1, i + 1)
        part = table[table["metric"] == metric].sort_values(key)
        y = np.arange(len(part))
        ax.barh(y + 0.2, part[key], height=0.4, xerr=part[f"{key}_conf"], capsize=2, label=key, color="#2a9d8f")
        err = part[f"{other}_conf"] if f"{other}_conf" in part else None
        ax.barh(y - 0.2, part[other], height=0.4, xerr=err, capsize=2, label=other, color="#f4a261")
        ax.set_yticks(y, part["parameter"])
        ax.set_title(metric, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
        ax.axvline(0, color="black", linewidth=0.6)
        if i == 0:
            ax.legend(fontsize=8, loc="lower right")
    return fig


def write_report(out_dir: str | Path, spec: SweepSpec, table: pd.DataFrame) -> list[str]:
    """Write sensitivity.csv, sensitivity.md and sensitivity.png into the sweep folder; return their names."""
    out = Path(out_dir)
    method = spec.sensitivity.method
    atomic_write(out / "sensitivity.csv", lambda tmp: table.to_csv(tmp, index=False))
    atomic_write_text(out / "sensitivity.md", to_markdown(table, method))
    fig = plot_indices(table, method, f"{spec.name}: {method} sensitivity (95 % CI)")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    atomic_write_bytes(out / "sensitivity.png", buf.getvalue())
    return ["sensitivity.csv", "sensitivity.md", "sensitivity.png"]
