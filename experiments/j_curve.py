"""Early transaction cost shows as a dip in attainment before the gains: a J-curve [seed 004 insight 10]."""

import numpy as np
import pandas as pd

from simulation.stats import one_sample, paired

from .common import (SESOI_ATTAINMENT, Result, decide, describe, finding, new_figure, plot_band, replicate_many,
                     series, stat_row)

NAME = "j_curve"
TITLE = "J-curve: a dip in attainment before the gains"
PATTERN = ("Collaboration costs time heavily at first, so attainment dips in the first year before the gains come "
           "(seed 004, insight 10).")
DEPENDS = ("newness_overhead", "joint_work_scale", "time_cost_attainment", "coordination_cost")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: a network and isolated schools x seeds."""
    return 2 * seeds


def run(ctx) -> Result:
    reps = replicate_many(ctx, {"network": {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"},
                                "isolated": {"n_schools": 8, "formation": "none", "link_policy": "chain"}})
    a = series(reps["network"], "mean_attainment")
    rel = a - a[:, :1]
    dip = rel[:, 1:40].min(axis=1)
    trough = rel[:, 1:40].argmin(axis=1) + 1
    final = rel[:, -1]
    back = np.array([int(np.argmax(r[t:] >= 0)) + t if (r[t:] >= 0).any() else -1 for r, t in zip(rel, trough)])
    iso = series(reps["isolated"], "mean_attainment")
    iso_dip = (iso - iso[:, :1])[:, 1:40].min(axis=1)
    d, f, vs = one_sample(dip, 0.0), one_sample(final, 0.0), paired(dip, iso_dip)
    break_even = float(back[back >= 0].mean()) if (back >= 0).any() else np.nan
    table = pd.DataFrame([stat_row("deepest first-year change in attainment vs 0", d,
                                   mean_trough_tick=float(trough.mean()),
                                   mean_break_even_tick=break_even),
                          stat_row("attainment change at the horizon vs 0", f),
                          stat_row("first-year dip: network - isolated", vs)])
    criteria = [finding("deepest first-year change in attainment", d, SESOI_ATTAINMENT, direction=-1),
                finding("attainment change at the horizon", f, SESOI_ATTAINMENT),
                finding("first-year dip: network - isolated", vs, SESOI_ATTAINMENT, direction=-1, a=dip, b=iso_dip)]
    holds = decide(criteria, {})
    fig, (ax,) = new_figure(1, (7, 4), title="J-curve: attainment dips in the first year, then rises")
    plot_band(ax, reps["network"], "mean_attainment", "voluntary network of 8", relative=True)
    plot_band(ax, reps["isolated"], "mean_attainment", "8 isolated schools", relative=True)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_title("Attainment: change since the start (mean, 95 % CI)", fontsize=10)
    ax.legend()
    stat = (f"first-year dip {describe(d)} (trough at tick {trough.mean():.0f}, back to the start level at tick "
            f"{break_even:.0f}); change at the horizon "
            f"{describe(f)}; dip deeper than in isolated schools {describe(vs)}")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"dip": d.mean_a, "p_dip": d.p_value, "final": f.mean_a}, DEPENDS, len(ctx.seeds), criteria, {})
