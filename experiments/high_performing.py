"""High-performing networks: more member schools in the top quartile, less within-school variation [seed 001, 003]."""

import sys

import pandas as pd

from simulation.stats import paired

from .ablation import ablation_runs, explain
from .common import (Result, Sesoi, at_least, decide, describe, end, finding, new_figure, plot_band, replicate_many,
                     stat_row)

NAME = "high_performing"
TITLE = "High-performing schools: networks against isolated schools"
PATTERN = ("Networked schools are more often high performing (top quartile of value added with low within-school "
           "variation) and have less within-school variation than isolated schools (seed 001, 003).")
DEPENDS = ("rate_experience", "rate_coaching", "within_links", "within_contact_base")
MIN_SEEDS = 10
SESOI_SHARE = Sesoi(0.125, "share of schools",
                    "one school of the eight: a smaller difference in the share is less than one school")
SESOI_SPREAD = Sesoi(0.01, "SD of knowledge (0-1)",
                     "a tenth of the national median within-school spread of teaching knowledge (0.105): a smaller "
                     "narrowing would not change which teachers a school's pupils are likely to get")


EFFECT = "high-performing share at the horizon, network - isolated"
SESOI_EFFECT, DIRECTION = SESOI_SHARE, 1
MECHANISMS = ("coaching", "colleagues share inside the school", "knowledge creation", "shared programme",
              "absorptive capacity (gap hump)")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: a network and isolated schools x seeds (at least MIN_SEEDS), and both x seeds per ablation
    switch (at least MIN_SEEDS too)."""
    return 2 * max(seeds, MIN_SEEDS) + ablation_runs(sys.modules[__name__], 2, max(seeds, MIN_SEEDS))


def _reps(ctx, overrides: dict):
    return replicate_many(ctx, {"network": {"n_schools": 8, "formation": "voluntary", "link_policy": "chain",
                                            **overrides},
                                "isolated": {"n_schools": 8, "formation": "none", "link_policy": "chain", **overrides}})


def effect(ctx, overrides: dict):
    """The headline: share of high-performing schools at the horizon, network minus isolated (paired by seed)."""
    reps = _reps(at_least(ctx, MIN_SEEDS), overrides)
    return paired(end(reps["network"], "high_performing_share"), end(reps["isolated"], "high_performing_share"))


def run(ctx) -> Result:
    ctx = at_least(ctx, MIN_SEEDS)       # within-school variation differs by about one sd of its paired difference
    reps = _reps(ctx, {})
    hp = paired(end(reps["network"], "high_performing_share"), end(reps["isolated"], "high_performing_share"))
    sd = paired(end(reps["network"], "within_school_sd"), end(reps["isolated"], "within_school_sd"))
    table = pd.DataFrame([stat_row("high-performing share at the horizon: network - isolated", hp),
                          stat_row("within-school sd at the horizon: network - isolated", sd)])
    hp_n, hp_i = end(reps["network"], "high_performing_share"), end(reps["isolated"], "high_performing_share")
    sd_n, sd_i = end(reps["network"], "within_school_sd"), end(reps["isolated"], "within_school_sd")
    criteria = [finding("high-performing share at the horizon: network - isolated", hp, SESOI_SHARE, a=hp_n, b=hp_i),
                finding("within-school sd at the horizon: network - isolated", sd, SESOI_SPREAD, direction=-1,
                        a=sd_n, b=sd_i)]
    holds = decide(criteria, {})
    fig, (a1, a2) = new_figure(2, title="High-performing schools: a network of 8 against 8 isolated schools "
                                        "(mean, 95 % CI)")
    for k, label in (("network", "voluntary network of 8"), ("isolated", "8 isolated schools")):
        plot_band(a1, reps[k], "high_performing_share", label)
        plot_band(a2, reps[k], "within_school_sd", label)
    a1.set_title("Schools that are high performing", fontsize=10)
    a2.set_title("Spread of teaching knowledge within schools", fontsize=10)
    a1.legend()
    stat = (f"high-performing share {hp.mean_a:.2f} vs {hp.mean_b:.2f}: {describe(hp)}; within-school sd "
            f"{sd.mean_a:.3f} vs {sd.mean_b:.3f}: {describe(sd)}")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig, {"hp_diff": hp.diff, "sd_diff": sd.diff},
                  DEPENDS, len(ctx.seeds), criteria, {}, **explain(ctx, sys.modules[__name__]))
