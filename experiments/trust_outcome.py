"""Trust is an outcome as well as a precondition: it grows with sustained joint work [seed 004 insight 4]."""

import numpy as np
import pandas as pd
from scipy import stats as st

from simulation.stats import one_sample, paired

from .common import Result, describe, new_figure, plot_band, replicate, series, significant, stat_row

NAME = "trust_outcome"
TITLE = "Trust is an outcome of joint work"
PATTERN = ("Cross-school trust is higher after sustained joint work than before it, and the activity that needs "
           "trust (visits and coaching) grows as trust grows (seed 004, insight 4).")
DEPENDS = ("trust_gain", "trust_voluntary", "trust_coaching", "newness_overhead")


def run(ctx) -> Result:
    reps = replicate(ctx, {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"})
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
    holds = significant(t_rise) and significant(d_rise) and significant(r_pos)
    fig, (a1, a2) = new_figure(2)
    plot_band(a1, reps, "cross_school_trust", "cross-school trust")
    plot_band(a2, reps, "active_links_coaching", "coaching links")
    plot_band(a2, reps, "active_links_experience", "experience links")
    a1.set_title("trust (voluntary-8)")
    a2.set_title("activity that needs trust")
    a2.legend()
    stat = (f"trust end - start {describe(t_rise)}; trust-needing links last year - first year {describe(d_rise)}; "
            f"mean within-run Spearman rho(trust, those links) {r_pos.mean_a:+.2f} (p vs 0 {r_pos.p_value:.3g})")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"trust_start": t_rise.mean_b, "trust_end": t_rise.mean_a, "rho": r_pos.mean_a},
                  DEPENDS, len(ctx.seeds))
