"""Trust is an outcome as well as a precondition: it grows with sustained joint work [seed 004 insight 4]."""

import sys

import numpy as np
import pandas as pd
from scipy import stats as st

from simulation.stats import one_sample, paired

from .ablation import ablation_runs, explain
from .common import (SESOI_TRUST, Result, Sesoi, decide, describe, finding, new_figure, plot_band, replicate,
                     series, stat_row)

NAME = "trust_outcome"
TITLE = "Trust is an outcome of joint work"
PATTERN = ("Cross-school trust is higher after sustained joint work than before it, and the activity that needs "
           "trust (visits and coaching) grows as trust grows (seed 004, insight 4).")
DEPENDS = ("trust_gain", "trust_voluntary", "trust_coaching", "newness_overhead")
N_SCHOOLS = 8
SESOI_LINKS = Sesoi(float(N_SCHOOLS), "links a week",
                    "one more visit or coaching link a week for each of the eight schools: less would not show in a "
                    "school's record of professional learning")
SESOI_RHO = Sesoi(0.1, "Spearman rho",
                  "a rank correlation below 0.1 shares under 1 % of the variation in ranks (Cohen's smallest benchmark)")


BASE = {"n_schools": N_SCHOOLS, "formation": "voluntary", "link_policy": "chain"}
EFFECT = "cross-school trust, end - start"
SESOI_EFFECT, DIRECTION = SESOI_TRUST, 1
MECHANISMS = ("trust grows with joint work", "one-way work destroys trust", "newness overhead", "effort dynamics",
              "heads withdraw and rejoin")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: one voluntary network per seed, and one per seed for each ablation switch."""
    return seeds + ablation_runs(sys.modules[__name__], 1, seeds)


def effect(ctx, overrides: dict):
    """The headline: cross-school trust at the end minus at the start (paired within run), under `overrides`."""
    trust = series(replicate(ctx, {**BASE, **overrides}), "cross_school_trust")
    return paired(trust[:, -1], trust[:, 0])


def run(ctx) -> Result:
    reps = replicate(ctx, BASE)
    trust = series(reps, "cross_school_trust")
    deep = series(reps, "active_links_coaching") + series(reps, "active_links_experience")
    before, after = trust[:, 0], trust[:, -1]
    year1, year5 = deep[:, 1:40].mean(axis=1), deep[:, -39:].mean(axis=1)
    rho = np.array([st.spearmanr(t[1:], d[1:]).statistic if np.std(d[1:]) > 0 else 0.0
                    for t, d in zip(trust, deep)])
    t_rise, d_rise, r_pos = paired(after, before), paired(year5, year1), one_sample(np.nan_to_num(rho))
    table = pd.DataFrame([stat_row("cross-school trust: end - start", t_rise),
                          stat_row("trust-needing links per tick: last year - first year", d_rise),
                          stat_row("Spearman rho(trust, trust-needing links) over time vs 0", r_pos)])
    criteria = [finding("cross-school trust: end - start", t_rise, SESOI_TRUST, a=after, b=before),
                finding("visits and coaching links a week: last year - first year", d_rise, SESOI_LINKS,
                        a=year5, b=year1),
                finding("within-run Spearman rho(trust, visits and coaching links)", r_pos, SESOI_RHO)]
    holds = decide(criteria, {})
    fig, (a1, a2) = new_figure(2, title="Trust grows with joint work (voluntary network of 8; mean, 95 % CI)")
    plot_band(a1, reps, "cross_school_trust", "cross-school trust")
    a2.set_ylabel("links carrying the activity (links this week)")
    plot_band(a2, reps, "active_links_coaching", "coaching")
    plot_band(a2, reps, "active_links_experience", "visits (experience)")
    a1.set_title("Trust between teachers of different schools")
    a2.set_title("Activity that needs trust")
    a1.legend()
    a2.legend()
    stat = (f"trust end - start {describe(t_rise)}; trust-needing links last year - first year {describe(d_rise)}; "
            f"mean within-run Spearman rho(trust, those links) {r_pos.mean_a:+.2f} (p vs 0 {r_pos.p_value:.3g})")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"trust_start": t_rise.mean_b, "trust_end": t_rise.mean_a, "rho": r_pos.mean_a},
                  DEPENDS, len(ctx.seeds), criteria, {}, **explain(ctx, sys.modules[__name__], t_rise))
