"""Schools use well under 70 % of the best practice in their own building; networks raise it [seed 003]."""

import sys

import pandas as pd

from simulation.stats import one_sample, paired

from .ablation import ablation_runs, explain
from .common import (Result, Sesoi, decide, describe, end, finding, gain, new_figure, plot_band, replicate_many,
                     series, stat_row)

NAME = "knowledge_accessed"
TITLE = "Knowledge accessed: below 70 % at the start, raised by networks only"
PATTERN = ("Schools start below 70 % of the knowledge in their building accessed; networks raise it; isolated schools "
           "do not (seed 003).")
DEPENDS = ("within_school_sd", "within_contact_base", "rate_experience", "rate_coaching")
SESOI_ACCESSED = Sesoi(0.01, "share accessed (0-1)",
                       "the rise in the share accessed that raising mean staff knowledge by the knowledge SESOI "
                       "(0.007) gives when the building's best teacher is at about 0.65 (0.007 / 0.65, rounded)")


EFFECT = "rise in knowledge accessed, network - isolated"
SESOI_EFFECT, DIRECTION = SESOI_ACCESSED, 1
MECHANISMS = ("colleagues share inside the school", "coaching", "boundaries open", "trust grows with joint work",
              "effort dynamics")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: a network and isolated schools x seeds, and both again per ablation switch."""
    return 2 * seeds + ablation_runs(sys.modules[__name__], 2, seeds)


def _reps(ctx, overrides: dict):
    return replicate_many(ctx, {"network": {"n_schools": 8, "formation": "voluntary", "link_policy": "chain",
                                            **overrides},
                                "isolated": {"n_schools": 8, "formation": "none", "link_policy": "chain", **overrides}})


def effect(ctx, overrides: dict):
    """The headline: rise (end - start) of knowledge accessed in a network minus in isolated schools (paired)."""
    reps = _reps(ctx, overrides)
    return paired(gain(reps["network"], "knowledge_accessed"), gain(reps["isolated"], "knowledge_accessed"))


def run(ctx) -> Result:
    reps = _reps(ctx, {})
    start = series(reps["network"], "knowledge_accessed")[:, 0]
    net, iso = gain(reps["network"], "knowledge_accessed"), gain(reps["isolated"], "knowledge_accessed")
    s, n, ni = one_sample(start, 0.70), one_sample(net, 0.0), paired(net, iso)
    iso_end = one_sample(end(reps["isolated"], "knowledge_accessed"), 0.70)
    table = pd.DataFrame([stat_row("knowledge accessed at start vs 0.70", s),
                          stat_row("rise in the network (end - start) vs 0", n),
                          stat_row("rise: network - isolated", ni),
                          stat_row("isolated schools at the horizon vs 0.70", iso_end)])
    criteria = [finding("rise in the network (end - start)", n, SESOI_ACCESSED),
                finding("rise: network - isolated", ni, SESOI_ACCESSED, a=net, b=iso)]
    checks = {f"schools start below 70 % (start {s.mean_a:.3f}, 95 % CI upper bound {s.ci_high:.3f}): an input, set "
              f"by the initial spread of knowledge within schools (within_school_sd)": bool(s.ci_high < 0.70)}
    holds = decide(criteria, checks)
    fig, (ax,) = new_figure(1, (7, 4), title="Knowledge accessed: below 70 % at the start, raised by networks only")
    plot_band(ax, reps["network"], "knowledge_accessed", "voluntary network of 8")
    plot_band(ax, reps["isolated"], "knowledge_accessed", "8 isolated schools")
    ax.axhline(0.7, color="k", ls="--", lw=0.8, label="70 % (seed 003)")
    ax.set_title("Staff's mean level as a share of the best in their building (mean, 95 % CI)", fontsize=10)
    ax.legend()
    stat = (f"start {s.mean_a:.3f} vs 0.70: {describe(s)}; network rise {describe(n)}; isolated rise {ni.mean_b:+.3f}; "
            f"network - isolated rise {describe(ni)}; isolated end {iso_end.mean_a:.3f}")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"start": s.mean_a, "network_rise": n.mean_a, "isolated_rise": ni.mean_b}, DEPENDS, len(ctx.seeds),
                  criteria, checks, **explain(ctx, sys.modules[__name__], ni))
