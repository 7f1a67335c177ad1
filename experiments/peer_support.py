"""Peer evaluation and support beat an interventionist strategy for high-challenge schools [seed 004 insight 8]."""

import sys

import numpy as np
import pandas as pd

from simulation.stats import paired

from .ablation import ablation_runs, explain
from .common import (HORIZON, SESOI_ATTAINMENT, Result, decide, describe, finding, new_figure, points,
                     replicate_many, stat_row)

NAME = "peer_support"
TITLE = "Peer support beats intervention for high-challenge schools"
PATTERN = ("For high-challenge schools, peer evaluation and support work much better than an instrumental "
           "interventionist strategy (seed 004, insight 8).")
DEPENDS = ("directive_penalty", "directive_boost", "intervention_trust", "intervention_staff_share")
THRESHOLD = 0.6
STRATEGIES = ("peer_support", "interventionist", "none")


BASE = {"n_schools": 12, "formation": "voluntary", "high_challenge_context": THRESHOLD}
EFFECT = "high-challenge schools' value-added gain, peer support - interventionist"
SESOI_EFFECT, DIRECTION = SESOI_ATTAINMENT, 1
MECHANISMS = ("trust grows with joint work", "coaching", "effort dynamics", "one-way experiences lower effort",
              "moral capital gates sharing")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: three strategies x seeds, and peer support and interventionist x seeds per ablation switch."""
    return len(STRATEGIES) * seeds + ablation_runs(sys.modules[__name__], 2, seeds)


def hc_gain(r) -> float:
    """Mean value-added gain over the run of one replica's high-challenge schools (nan if it has none)."""
    s0, s1 = r.schools[0], r.schools[HORIZON]
    hc = s0["context"].to_numpy() >= THRESHOLD
    if not hc.any():
        return np.nan
    return float((s1["value_added"].to_numpy() - s0["value_added"].to_numpy())[hc].mean())


def gains(ctx, overrides: dict, strategies=STRATEGIES) -> dict:
    reps = replicate_many(ctx, {s: {**BASE, "high_challenge_strategy": s, **overrides} for s in strategies},
                          school_ticks=(0, HORIZON))
    return {k: np.array([hc_gain(r) for r in rs]) for k, rs in reps.items()}


def effect(ctx, overrides: dict):
    """The headline: high-challenge gain under peer support minus under the interventionist strategy (paired,
    over replications with high-challenge schools)."""
    g = gains(ctx, overrides, ("peer_support", "interventionist"))
    ok = ~np.isnan(g["peer_support"])
    return paired(g["peer_support"][ok], g["interventionist"][ok])


def run(ctx) -> Result:
    g = gains(ctx, {})
    ok = ~np.isnan(g["peer_support"])
    pi = paired(g["peer_support"][ok], g["interventionist"][ok])
    pn = paired(g["peer_support"][ok], g["none"][ok])
    inn = paired(g["interventionist"][ok], g["none"][ok])
    table = pd.DataFrame([stat_row("high-challenge value-added gain: peer support - interventionist", pi),
                          stat_row("peer support - no support", pn), stat_row("interventionist - no support", inn)])
    criteria = [finding("high-challenge value-added gain: peer support - interventionist", pi, SESOI_ATTAINMENT,
                        a=g["peer_support"][ok], b=g["interventionist"][ok])]
    holds = decide(criteria, {})
    fig, (ax,) = new_figure(1, (6, 4), title="Peer support beats intervention for high-challenge schools")
    points(ax, ["peer support", "interventionist", "none"], [g[k][ok] for k in STRATEGIES],
           colours=["#2a9d8f", "#d62728", "#7f7f7f"])
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("support given to high-challenge schools")
    ax.set_ylabel("value-added gain over 5 years\n(attainment above the national expectation)")
    ax.set_title(f"High-challenge schools (disadvantage >= {THRESHOLD}) among 12; mean, 95 % CI", fontsize=10)
    stat = (f"peer support - interventionist {describe(pi)}; peer support - none {pn.diff:+.3f}; "
            f"interventionist - none {inn.diff:+.3f} ({int(ok.sum())} replications with high-challenge schools)")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig, {"diff": pi.diff, "p": pi.p_value}, DEPENDS,
                  int(ok.sum()), criteria, {}, **explain(ctx, sys.modules[__name__], pi))
