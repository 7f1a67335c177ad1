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
#: what the indices mean and how they are scaled, per method (for sensitivity.md, the plot and the command)
SCALING = {
    "morris": ("mu_star is the mean absolute elementary effect in the metric's own unit per the parameter's full "
               "range: SALib divides each step's change in the metric by the step as a share of the range "
               "(delta = levels / (2 (levels - 1)), 2/3 for 4 levels), so mu_star = mean |dy / delta| is how much "
               "the metric would move if the parameter went from its lowest to its highest value (linearly). "
               "Parameters with different ranges are thus compared over the ranges the sweep file gives; "
               "integer parameters are rounded, so their real step may be slightly smaller or larger."),
    "sobol": ("ST and S1 are shares of the variance of the metric over the sampled ranges (0-1, no unit): S1 "
              "the parameter alone, ST including all its interactions."),
}


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
            "parameters; sigma (SD of the effects, same unit) shows interaction or non-linearity." if method == "morris"
            else "Sobol' indices: ST (total effect, with its 95 % bootstrap CI) ranks the parameters; S1 is the "
            "first-order (alone) share of variance.")
    return f"# Sensitivity ({method})\n\n{what}\n\n**Scaling.** {SCALING[method]}\n\n{head}{body}"


def plot_indices(table: pd.DataFrame, method: str, title: str) -> Figure:
    """Horizontal bars of the ranking index (and its companion) with 95 % CI whiskers, one panel per metric.

    Panels carry the metric's plain name; the x axis says what the index is and its unit (Morris: the
    metric's unit per the parameter's full range, see SCALING; Sobol': share of variance).
    """
    from simulation.reporters import reporter_name, reporter_unit

    key, other = RANKING[method]
    names = ({"mu_star": "mu* (mean |elementary effect|)", "sigma": "sigma (spread of effects: interactions)"}
             if method == "morris" else {"ST": "ST (total effect)", "S1": "S1 (first-order effect)"})
    metrics = list(dict.fromkeys(table["metric"]))
    n_par = table["parameter"].nunique()
    height = 1.0 + 0.35 * n_par
    fig = Figure(figsize=(7.0, height * len(metrics) + 0.9), layout="constrained")
    fig.suptitle(title)
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(len(metrics), 1, i + 1)
        part = table[table["metric"] == metric].sort_values(key)
        y = np.arange(len(part))
        ax.barh(y + 0.2, part[key], height=0.4, xerr=part[f"{key}_conf"], capsize=2, label=names[key],
                color="#2a9d8f")
        err = part[f"{other}_conf"] if f"{other}_conf" in part else None
        ax.barh(y - 0.2, part[other], height=0.4, xerr=err, capsize=2, label=names[other], color="#f4a261")
        ax.set_yticks(y, part["parameter"])
        plain = reporter_name(metric)
        ax.set_title(f"{plain[0].upper() + plain[1:]} ({metric})", fontsize=10)
        ax.set_ylabel("parameter")
        if method == "morris":
            unit = reporter_unit(metric)
            ax.set_xlabel(f"change in the metric over each parameter's full range ({unit if unit != '-' else metric})")
        else:
            ax.set_xlabel("share of the metric's variance (0-1)")
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
    what = "Morris screening" if method == "morris" else "Sobol' variance shares"
    fig = plot_indices(table, method, f"Which parameters matter most: {what} of sweep {spec.name} (95 % CI)")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    atomic_write_bytes(out / "sensitivity.png", buf.getvalue())
    return ["sensitivity.csv", "sensitivity.md", "sensitivity.png"]
