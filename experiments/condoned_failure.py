"""Condoned-failure schools improve only under interventions; the five interventions compared [seed 000]."""

import sys

import numpy as np
import pandas as pd

from simulation.stats import paired

from .ablation import ablation_runs, explain
from .common import HORIZON, SESOI_ATTAINMENT, Result, decide, finding, new_figure, points, replicate_many, stat_row

NAME = "condoned_failure"
TITLE = "Condoned failure improves only under interventions"
PATTERN = ("Isolated schools in condoned failure do not improve by themselves; each of the five interventions of seed "
           "000 (immersion, family of schools, expert head as coach, key staff, executive move) makes them improve. "
           "Eight isolated schools, half in condoned failure; at tick 39 the intervention is applied to every "
           "condoned school; the control is the same seed without it.")
DEPENDS = ("condoned_openness", "intervention_openness", "intervention_trust", "intervention_staff_share",
           "coasting_entrenchment")
KINDS = ("immersion", "family_of_schools", "expert_head_coach", "appoint_key_staff", "executive_move")
TICK = 39
BASE = {"n_schools": 8, "formation": "none", "condoned_failure_share": 0.5}
EFFECT = "condoned schools' value-added gain after week 39: mean of the five interventions - no intervention"
SESOI_EFFECT, DIRECTION = SESOI_ATTAINMENT, 1
MECHANISMS = ("coaching", "trust grows with joint work", "colleagues share inside the school", "boundaries open",
              "effort dynamics")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: no intervention and each of the five x seeds, and all six again per ablation switch."""
    return (1 + len(KINDS)) * seeds + ablation_runs(sys.modules[__name__], 1 + len(KINDS), seeds)


def treated_gain(rs) -> np.ndarray:
    """Per replication: mean value-added gain from TICK to the horizon of the schools condoned at the start."""
    out = []
    for r in rs:
        a, b = r.schools[TICK], r.schools[HORIZON]
        idx = a["condoned_at_start"].to_numpy()
        out.append(float((b["value_added"].to_numpy()[idx] - a["value_added"].to_numpy()[idx]).mean()))
    return np.array(out)


def gains(ctx, overrides: dict) -> dict:
    """Condition -> per-replication treated gain, for no intervention and each of KINDS, under `overrides`."""
    reps = replicate_many(ctx, {key: {**BASE, **overrides} for key in ("none", *KINDS)},
                          school_ticks=(TICK, HORIZON),
                          condition_interventions={k: [(TICK, k, ("condoned",))] for k in KINDS})
    return {k: treated_gain(r) for k, r in reps.items()}


def effect(ctx, overrides: dict):
    """The headline: mean over the five interventions of the treated gain, minus the gain without (paired)."""
    g = gains(ctx, overrides)
    return paired(np.mean([g[k] for k in KINDS], axis=0), g["none"])


def run(ctx) -> Result:
    g = gains(ctx, {})
    rows, tests = [], {}
    from simulation.stats import one_sample

    ctrl = one_sample(g["none"], 0.0)
    rows.append(stat_row("condoned schools without intervention: value-added gain after tick 39 vs 0", ctrl))
    for k in KINDS:
        tests[k] = paired(g[k], g["none"])
        rows.append(stat_row(f"{k} - no intervention", tests[k]))
    table = pd.DataFrame(rows)
    criteria = [finding("untreated condoned schools: value-added gain after tick 39 (no improvement)", ctrl,
                        SESOI_ATTAINMENT, below=True)]
    criteria += [finding(f"value-added gain: {k} - no intervention", tests[k], SESOI_ATTAINMENT, a=g[k], b=g["none"])
                 for k in KINDS]
    holds = decide(criteria, {})
    small_ctrl = criteria[0].p < 0.05
    n_big = sum(c.p < 0.05 for c in criteria[1:])
    ranking = sorted(KINDS, key=lambda k: -tests[k].diff)
    fig, (ax,) = new_figure(1, (8, 4), title="Condoned-failure schools improve only under an intervention")
    labels = ["none", *KINDS]
    points(ax, [lab.replace("_", "\n") for lab in labels], [g[k] for k in labels],
           colours=["#7f7f7f"] + ["#2a9d8f"] * len(KINDS))
    ax.axhline(0, color="k", lw=0.6)
    ax.axhline(SESOI_ATTAINMENT.value, color="#d62728", ls=":", lw=1,
               label=f"smallest effect of interest ({SESOI_ATTAINMENT.value:g})")
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel("intervention applied at week 39 to every condoned school")
    ax.set_ylabel("value-added gain, week 39 to the end\n(attainment above the national expectation)")
    ax.set_title("Four condoned schools among 8 isolated ones (mean, 95 % CI)", fontsize=10)
    ax.legend(fontsize=8)
    stat = (f"untreated gain {ctrl.mean_a:+.4f} [95% CI {ctrl.ci_low:+.4f}, {ctrl.ci_high:+.4f}] "
            f"({'below' if small_ctrl else 'not shown below'} the SESOI {SESOI_ATTAINMENT.value:g}); {n_big}/5 "
            f"interventions beat no intervention by more than the SESOI (unadjusted p<0.05); ranking: "
            + ", ".join(f"{k} {tests[k].diff:+.3f}" for k in ranking))
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"control_gain": ctrl.mean_a, "effects": {k: tests[k].diff for k in KINDS}, "ranking": ranking},
                  DEPENDS, len(ctx.seeds), criteria, {}, **explain(ctx, sys.modules[__name__]))
