"""Resistant headteachers produce differential growth: their staff are denied access [seed 004 less-known 4]."""

import sys

import numpy as np
import pandas as pd

from simulation.stats import paired

from .ablation import ablation_runs, explain
from .common import HORIZON, SESOI_KNOWLEDGE, Result, decide, describe, finding, new_figure, points, replicate, stat_row

NAME = "resistant_heads"
TITLE = "Resistant heads produce differential growth"
PATTERN = ("Where some heads resist active commitment, network functions grow differentially: their staff get less "
           "access and their schools gain less (seed 004, less-known 4).")
DEPENDS = ("resistant_commitment", "resistant_unlearning", "unlearning_rate", "commitment_mean")


BASE = {"n_schools": 8, "formation": "voluntary", "resistant_head_share": 0.375, "resistant_commitment": 0.2}
EFFECT = "knowledge gain, other schools - resistant heads' schools"
SESOI_EFFECT, DIRECTION = SESOI_KNOWLEDGE, 1
MECHANISMS = ("heads unlearn", "heads withdraw and rejoin", "trust grows with joint work", "coaching",
              "moral capital gates sharing")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: one network with resistant heads per seed, and one per seed per ablation switch."""
    return seeds + ablation_runs(sys.modules[__name__], 1, seeds)


def effect(ctx, overrides: dict):
    """The headline: knowledge gain of the other schools minus the resistant heads' schools (paired within run)."""
    a = per_school(replicate(ctx, {**BASE, **overrides}, school_ticks=(0, HORIZON)))
    return paired(a["k_o"], a["k_r"])


def per_school(reps) -> dict:
    """Per replication (with both kinds of head): access, knowledge and value-added gains of either kind."""
    rows = {"access_r": [], "access_o": [], "k_r": [], "k_o": [], "va_r": [], "va_o": [], "access0_r": [],
            "access0_o": []}
    for r in reps:
        s0, s1 = r.schools[0], r.schools[HORIZON]
        res = s0["resistant"].to_numpy()
        if res.all() or not res.any():
            continue
        dk = s1["mean_knowledge"].to_numpy() - s0["mean_knowledge"].to_numpy()
        dva = s1["value_added"].to_numpy() - s0["value_added"].to_numpy()
        acc = s1["access_share"].to_numpy()
        for key, v in (("access", acc), ("k", dk), ("va", dva), ("access0", s0["access_share"].to_numpy())):
            rows[f"{key}_r"].append(v[res].mean())
            rows[f"{key}_o"].append(v[~res].mean())
    return {k: np.array(v) for k, v in rows.items()}


def run(ctx) -> Result:
    a = per_school(replicate(ctx, BASE, school_ticks=(0, HORIZON)))
    tk, tva, tacc = paired(a["k_o"], a["k_r"]), paired(a["va_o"], a["va_r"]), paired(a["access_o"], a["access_r"])
    table = pd.DataFrame([stat_row("knowledge gain: other schools - resistant heads' schools", tk),
                          stat_row("value-added gain: others - resistant", tva),
                          stat_row("staff with access at the horizon: others - resistant", tacc)])
    start_acc = paired(a["access0_o"], a["access0_r"])
    criteria = [finding("knowledge gain: other schools - resistant heads' schools", tk, SESOI_KNOWLEDGE,
                        a=a["k_o"], b=a["k_r"])]
    checks = {f"staff of resistant heads have less access at the horizon (95 % CI above 0): an input, set by "
              f"resistant_commitment (access difference {start_acc.diff:+.2f} at the start, {tacc.diff:+.2f} at the "
              f"end)": bool(tacc.ci_low > 0)}
    holds = decide(criteria, checks)
    fig, axes = new_figure(3, (3.4, 3.8), title="Resistant heads: their staff get less access and learn less "
                                                "(8 schools, 3 resistant; mean, 95 % CI)")
    panels = (("access", "Staff with access (end)", "share of staff"),
              ("k", "Knowledge gain", "change in teachers' knowledge (0-1)"),
              ("va", "Value-added gain", "change in value added (attainment)"))
    for ax, (key, title, ylabel) in zip(axes, panels):
        points(ax, ["committed\nheads", "resistant\nheads"], [a[f"{key}_o"], a[f"{key}_r"]],
               colours=["#1f77b4", "#d62728"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("schools whose head is")
        ax.set_ylabel(ylabel)
    stat = (f"knowledge gain others - resistant {describe(tk)}; value-added gain {describe(tva)}; "
            f"staff access at the horizon {tacc.mean_a:.2f} vs {tacc.mean_b:.2f} ({describe(tacc)})")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"diff_knowledge": tk.diff, "diff_access": tacc.diff, "access_start_diff": start_acc.diff},
                  DEPENDS, tk.n, criteria, checks, **explain(ctx, sys.modules[__name__], tk))
