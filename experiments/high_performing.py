"""High-performing networks: more member schools in the top quartile, less within-school variation [seed 001, 003]."""

import pandas as pd

from simulation.stats import paired

from .common import Result, at_least, describe, end, new_figure, plot_band, replicate_many, significant, stat_row

NAME = "high_performing"
TITLE = "High-performing schools: networks against isolated schools"
PATTERN = ("Networked schools are more often high performing (top quartile of value added with low within-school "
           "variation) and have less within-school variation than isolated schools (seed 001, 003).")
DEPENDS = ("rate_experience", "rate_coaching", "within_links", "within_contact_base")


def run(ctx) -> Result:
    ctx = at_least(ctx, 10)       # within-school variation differs by about one sd of its paired difference
    reps = replicate_many(ctx, {"network": {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"},
                                "isolated": {"n_schools": 8, "formation": "none", "link_policy": "chain"}})
    hp = paired(end(reps["network"], "high_performing_share"), end(reps["isolated"], "high_performing_share"))
    sd = paired(end(reps["network"], "within_school_sd"), end(reps["isolated"], "within_school_sd"))
    table = pd.DataFrame([stat_row("high-performing share at the horizon: network - isolated", hp),
                          stat_row("within-school sd at the horizon: network - isolated", sd)])
    holds = significant(hp) and significant(sd, -1)
    fig, (a1, a2) = new_figure(2)
    for k in ("network", "isolated"):
        plot_band(a1, reps[k], "high_performing_share", k)
        plot_band(a2, reps[k], "within_school_sd", k)
    a1.set_title("share of schools high performing")
    a2.set_title("within-school spread of teaching knowledge")
    a1.legend()
    stat = (f"high-performing share {hp.mean_a:.2f} vs {hp.mean_b:.2f}: {describe(hp)}; within-school sd "
            f"{sd.mean_a:.3f} vs {sd.mean_b:.3f}: {describe(sd)}")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig, {"hp_diff": hp.diff, "sd_diff": sd.diff},
                  DEPENDS, len(ctx.seeds))
