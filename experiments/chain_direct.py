"""Chains of small learning links beat direct big-gap links, on the same time budget [seed 002]."""

import pandas as pd

from simulation.stats import paired

from .common import Result, describe, gain, new_figure, plot_band, replicate_many, significant, stat_row

NAME = "chain_direct"
TITLE = "Chains of small links beat direct big-gap links"
PATTERN = ("Small links in the chain of learning are more effective than big ones: linking each teacher to someone a "
           "modest step ahead raises knowledge more than linking the best straight to the weakest (seed 002).")
DEPENDS = ("gap_scale", "chain_step", "rate_experience", "rate_coaching")


def run(ctx) -> Result:
    base = {"n_schools": 8, "formation": "voluntary", "within_school_sd": 0.15}
    reps = replicate_many(ctx, {p: {**base, "link_policy": p} for p in ("chain", "direct", "random")})
    k = {p: gain(r, "mean_knowledge") for p, r in reps.items()}
    va = {p: gain(r, "mean_value_added") for p, r in reps.items()}
    cd, cdv, cr = paired(k["chain"], k["direct"]), paired(va["chain"], va["direct"]), paired(k["chain"], k["random"])
    table = pd.DataFrame([stat_row("knowledge gain: chain - direct", cd), stat_row("value-added gain: chain - direct", cdv),
                          stat_row("knowledge gain: chain - random", cr)])
    holds = significant(cd) and significant(cdv)
    fig, (a1, a2) = new_figure(2)
    for p, c in (("chain", "#1f77b4"), ("direct", "#d62728"), ("random", "#7f7f7f")):
        plot_band(a1, reps[p], "mean_knowledge", p, c, relative=True)
        plot_band(a2, reps[p], "mean_value_added", p, c, relative=True)
    a1.set_title("mean knowledge, change from start")
    a2.set_title("value added, change from start")
    a1.legend()
    stat = f"knowledge gain chain - direct {describe(cd)}; value-added gain chain - direct {describe(cdv)}"
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig, {"diff_knowledge": cd.diff, "p": cd.p_value},
                  DEPENDS, len(ctx.seeds))
