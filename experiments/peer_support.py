"""Peer evaluation and support beat an interventionist strategy for high-challenge schools [seed 004 insight 8]."""

import numpy as np
import pandas as pd

from simulation.stats import paired

from .common import HORIZON, Result, describe, new_figure, replicate_many, significant, stat_row

NAME = "peer_support"
TITLE = "Peer support beats intervention for high-challenge schools"
PATTERN = ("For high-challenge schools, peer evaluation and support work much better than an instrumental "
           "interventionist strategy (seed 004, insight 8).")
DEPENDS = ("directive_penalty", "directive_boost", "intervention_trust", "intervention_staff_share")
THRESHOLD = 0.6


def run(ctx) -> Result:
    base = {"n_schools": 12, "formation": "voluntary", "high_challenge_context": THRESHOLD}
    reps = replicate_many(ctx, {s: {**base, "high_challenge_strategy": s}
                                for s in ("peer_support", "interventionist", "none")}, school_ticks=(0, HORIZON))

    def hc_gain(r):
        s0, s1 = r.schools[0], r.schools[HORIZON]
        hc = s0["context"].to_numpy() >= THRESHOLD
        if not hc.any():
            return np.nan
        return float((s1["value_added"].to_numpy() - s0["value_added"].to_numpy())[hc].mean())

    g = {k: np.array([hc_gain(r) for r in rs]) for k, rs in reps.items()}
    ok = ~np.isnan(g["peer_support"])
    pi = paired(g["peer_support"][ok], g["interventionist"][ok])
    pn = paired(g["peer_support"][ok], g["none"][ok])
    inn = paired(g["interventionist"][ok], g["none"][ok])
    table = pd.DataFrame([stat_row("high-challenge value-added gain: peer support - interventionist", pi),
                          stat_row("peer support - no support", pn), stat_row("interventionist - no support", inn)])
    holds = significant(pi)
    fig, (ax,) = new_figure(1, (6, 4))
    labels = ("peer_support", "interventionist", "none")
    ax.bar(range(3), [g[k][ok].mean() for k in labels],
           yerr=[1.96 * g[k][ok].std(ddof=1) / np.sqrt(ok.sum()) for k in labels], capsize=3,
           color=["#2a9d8f", "#d62728", "#9e9e9e"])
    ax.set_xticks(range(3))
    ax.set_xticklabels(["peer support", "interventionist", "none"])
    ax.set_ylabel("value-added gain of high-challenge schools")
    ax.set_title(f"high-challenge schools (context >= {THRESHOLD})")
    stat = (f"peer support - interventionist {describe(pi)}; peer support - none {pn.diff:+.3f}; "
            f"interventionist - none {inn.diff:+.3f} ({int(ok.sum())} replications with high-challenge schools)")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig, {"diff": pi.diff, "p": pi.p_value}, DEPENDS, int(ok.sum()))
