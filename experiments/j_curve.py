"""Early transaction cost shows as a dip in value added before the gains: a J-curve [seed 004 insight 10].

The schools of a network are compared with their own starting value, not with isolated schools: isolated schools
pay no collaboration overhead, so their first-year "dip" is zero by construction, and a dip deeper
than theirs says only that the network's dip is not zero. The J-curve is three findings: value added first falls
below its starting value (the dip, against the SESOI), later rises above it (the gain at the horizon, against the
SESOI), and the dip deepens with the overhead the seed names as its cause (newness_overhead at 1.5 x against
0.5 x its value).
"""

import sys

import numpy as np
import pandas as pd

from simulation.params import PARAMS
from simulation.stats import one_sample, paired

from .ablation import ablation_runs, explain
from .common import (SESOI_ATTAINMENT, Result, decide, describe, finding, new_figure, plot_band, replicate_many,
                     series, stat_row)

NAME = "j_curve"
TITLE = "J-curve: a dip in value added before the gains"
PATTERN = ("Collaboration costs time heavily at first, so attainment dips in the first year before the gains come "
           "(seed 004, insight 10).")
DEPENDS = ("newness_overhead", "joint_work_scale", "time_cost_attainment", "coordination_cost")
BASE = {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"}
METRIC = "value_added_sd"
YEAR = 39
#: newness_overhead at these multiples of its value: does the dip deepen with it?
DOSE = (0.5, 1.5)
EFFECT = "deepest first-year change in value added from the schools' own start"
SESOI_EFFECT, DIRECTION = SESOI_ATTAINMENT, -1
MECHANISMS = ("newness overhead", "coordination cost", "time taken from students", "effort dynamics",
              "overload lowers effort")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: a network at the default and at two newness overheads x seeds, and one per seed per switch."""
    return (1 + len(DOSE)) * seeds + ablation_runs(sys.modules[__name__], 1, seeds)


def _newness(ctx, factor: float) -> float:
    p = PARAMS["newness_overhead"]
    return float(min(max(float(ctx.overrides.get("newness_overhead", p.default)) * factor, p.lo), p.hi))


def _relative(reps) -> np.ndarray:
    a = series(reps, METRIC)
    return a - a[:, :1]


def dip_of(rel: np.ndarray) -> np.ndarray:
    """Per replication: the lowest value added in the first year relative to the start (negative: a dip)."""
    return rel[:, 1:YEAR + 1].min(axis=1)


def effect(ctx, overrides: dict):
    """The headline: the first-year dip in value added below the schools' own start, under `overrides`."""
    return one_sample(dip_of(_relative(replicate_many(ctx, {"network": {**BASE, **overrides}})["network"])), 0.0)


def run(ctx) -> Result:
    lo_n, hi_n = (_newness(ctx, f) for f in DOSE)
    reps = replicate_many(ctx, {"network": BASE, "low": {**BASE, "newness_overhead": lo_n},
                                "high": {**BASE, "newness_overhead": hi_n}})
    rel = _relative(reps["network"])
    dip = dip_of(rel)
    trough = rel[:, 1:YEAR + 1].argmin(axis=1) + 1
    final = rel[:, -1]
    back = np.array([int(np.argmax(r[t:] >= 0)) + t if (r[t:] >= 0).any() else -1 for r, t in zip(rel, trough)])
    dip_lo, dip_hi = dip_of(_relative(reps["low"])), dip_of(_relative(reps["high"]))
    d, f, dose = one_sample(dip, 0.0), one_sample(final, 0.0), paired(dip_hi, dip_lo)
    break_even = float(back[back >= 0].mean()) if (back >= 0).any() else np.nan
    table = pd.DataFrame([stat_row("deepest first-year change in value added from the start vs 0", d,
                                   mean_trough_tick=float(trough.mean()), mean_break_even_tick=break_even),
                          stat_row("change in value added at the horizon from the start vs 0", f),
                          stat_row(f"first-year dip: newness_overhead {hi_n:g} - {lo_n:g}", dose,
                                   newness_low=lo_n, newness_high=hi_n)])
    criteria = [finding("deepest first-year change in value added from the start", d, SESOI_ATTAINMENT, direction=-1),
                finding("change in value added at the horizon from the start", f, SESOI_ATTAINMENT),
                finding(f"first-year dip deepens with the overhead: newness_overhead {hi_n:g} - {lo_n:g}", dose,
                        SESOI_ATTAINMENT, direction=-1, a=dip_hi, b=dip_lo)]
    holds = decide(criteria, {})
    fig, (ax,) = new_figure(1, (7, 4), title="J-curve: value added dips in the first year, then rises")
    plot_band(ax, reps["network"], METRIC, f"voluntary network of 8 (newness overhead {_newness(ctx, 1.0):g})",
              relative=True)
    plot_band(ax, reps["low"], METRIC, f"newness overhead {lo_n:g}", relative=True)
    plot_band(ax, reps["high"], METRIC, f"newness overhead {hi_n:g}", relative=True)
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(YEAR, color="#7f7f7f", ls=":", lw=0.8)
    ax.set_title("Value added: change from the schools' own start (mean, 95 % CI)", fontsize=10)
    ax.legend(fontsize=8)
    stat = (f"first-year dip below the start {describe(d)} (trough at tick {trough.mean():.0f}, back to the start "
            f"level at tick {break_even:.0f}); change at the horizon {describe(f)}; dip at newness_overhead {hi_n:g} "
            f"- at {lo_n:g} {describe(dose)}")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"dip": d.mean_a, "p_dip": d.p_value, "final": f.mean_a, "dose_diff": dose.diff},
                  DEPENDS, len(ctx.seeds), criteria, {}, **explain(ctx, sys.modules[__name__], d))
