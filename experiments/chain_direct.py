"""Chains of small learning links beat direct big-gap links, on the same time budget [seed 002]."""

import sys

import pandas as pd

from simulation.stats import paired

from .ablation import ablation_runs, explain
from .common import (SESOI_ATTAINMENT, SESOI_KNOWLEDGE, Result, decide, describe, finding, gain, new_figure,
                     plot_band, replicate_many, stat_row)

NAME = "chain_direct"
TITLE = "Chains of small links beat direct big-gap links"
PATTERN = ("Small links in the chain of learning are more effective than big ones: linking each teacher to someone a "
           "modest step ahead raises knowledge more than linking the best straight to the weakest (seed 002).")
DEPENDS = ("gap_scale", "chain_step", "rate_experience", "rate_coaching")
POLICIES = ("chain", "direct", "random")


BASE = {"n_schools": 8, "formation": "voluntary", "within_school_sd": 0.15}
EFFECT = "knowledge gain, chain - direct"
SESOI_EFFECT, DIRECTION = SESOI_KNOWLEDGE, 1
MECHANISMS = ("absorptive capacity (gap hump)", "coaching", "knowledge creation", "trust grows with joint work",
              "colleagues share inside the school")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: three link policies x seeds, and the ablation (chain and direct x seeds per switch)."""
    return len(POLICIES) * seeds + ablation_runs(sys.modules[__name__], 2, seeds)


def _reps(ctx, overrides: dict, policies=POLICIES):
    return replicate_many(ctx, {p: {**BASE, "link_policy": p, **overrides} for p in policies})


def effect(ctx, overrides: dict):
    """The headline: teachers' knowledge gain with chain links minus direct links (paired by seed)."""
    reps = _reps(ctx, overrides, ("chain", "direct"))
    return paired(gain(reps["chain"], "mean_knowledge"), gain(reps["direct"], "mean_knowledge"))


def run(ctx) -> Result:
    reps = _reps(ctx, {})
    k = {p: gain(r, "mean_knowledge") for p, r in reps.items()}
    va = {p: gain(r, "value_added_sd") for p, r in reps.items()}
    cd, cdv, cr = paired(k["chain"], k["direct"]), paired(va["chain"], va["direct"]), paired(k["chain"], k["random"])
    table = pd.DataFrame([stat_row("knowledge gain: chain - direct", cd), stat_row("value-added gain: chain - direct", cdv),
                          stat_row("knowledge gain: chain - random", cr)])
    criteria = [finding("knowledge gain: chain - direct", cd, SESOI_KNOWLEDGE, a=k["chain"], b=k["direct"]),
                finding("value-added gain: chain - direct", cdv, SESOI_ATTAINMENT, a=va["chain"], b=va["direct"])]
    holds = decide(criteria, {})
    fig, (a1, a2) = new_figure(2, title="Chains of small links against direct big-gap links (8 schools; mean, 95 % CI)")
    for p, c in (("chain", "#1f77b4"), ("direct", "#d62728"), ("random", "#7f7f7f")):
        plot_band(a1, reps[p], "mean_knowledge", p, c, relative=True)
        plot_band(a2, reps[p], "value_added_sd", p, c, relative=True)
    a1.set_title("Teachers' knowledge: change since the start")
    a2.set_title("Value added: change since the start")
    a1.legend(title="links brokered as")
    stat = f"knowledge gain chain - direct {describe(cd)}; value-added gain chain - direct {describe(cdv)}"
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig, {"diff_knowledge": cd.diff, "p": cd.p_value},
                  DEPENDS, len(ctx.seeds), criteria, {}, **explain(ctx, sys.modules[__name__], cd))
