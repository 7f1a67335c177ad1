"""Condoned-failure schools improve only under interventions; the five interventions compared [seed 000]."""

import numpy as np
import pandas as pd

from simulation.stats import paired

from .common import Result, new_figure, replicate_many, significant, stat_row

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


def run(ctx) -> Result:
    base = {"n_schools": 8, "formation": "none", "condoned_failure_share": 0.5}
    conds = {key: dict(base) for key in ("none", *KINDS)}
    from .common import HORIZON

    reps = replicate_many(ctx, conds, school_ticks=(TICK, HORIZON),
                          condition_interventions={k: [(TICK, k, ("condoned",))] for k in KINDS})

    def treated_gain(rs):
        out = []
        for r in rs:
            a, b = r.schools[TICK], r.schools[HORIZON]
            idx = a["condoned_at_start"].to_numpy()
            out.append(float((b["value_added"].to_numpy()[idx] - a["value_added"].to_numpy()[idx]).mean()))
        return np.array(out)

    g = {k: treated_gain(r) for k, r in reps.items()}
    rows, tests = [], {}
    from simulation.stats import one_sample

    ctrl = one_sample(g["none"], 0.0)
    rows.append(stat_row("condoned schools without intervention: value-added gain after tick 39 vs 0", ctrl))
    for k in KINDS:
        tests[k] = paired(g[k], g["none"])
        rows.append(stat_row(f"{k} - no intervention", tests[k]))
    table = pd.DataFrame(rows)
    effects = np.array([tests[k].diff for k in KINDS])
    small_ctrl = abs(ctrl.mean_a) < 0.25 * max(effects.mean(), 1e-9)
    n_sig = sum(significant(tests[k]) for k in KINDS)
    holds = small_ctrl and n_sig == len(KINDS)
    ranking = sorted(KINDS, key=lambda k: -tests[k].diff)
    fig, (ax,) = new_figure(1, (8, 4))
    labels = ["none", *KINDS]
    means = [g[k].mean() for k in labels]
    errs = [1.96 * g[k].std(ddof=1) / np.sqrt(len(g[k])) for k in labels]
    ax.bar(range(len(labels)), means, yerr=errs, capsize=3, color=["#9e9e9e"] + ["#2a9d8f"] * len(KINDS))
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels([lab.replace("_", "\n") for lab in labels], fontsize=8)
    ax.set_ylabel("value-added gain of condoned schools, tick 39 to end")
    ax.set_title("condoned-failure schools: gain by intervention")
    stat = (f"untreated gain {ctrl.mean_a:+.4f} ({'small' if small_ctrl else 'not small'} against the interventions); "
            f"{n_sig}/5 interventions beat no intervention at p<0.05; ranking: "
            + ", ".join(f"{k} {tests[k].diff:+.3f}" for k in ranking))
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"control_gain": ctrl.mean_a, "effects": {k: tests[k].diff for k in KINDS}, "ranking": ranking},
                  DEPENDS, len(ctx.seeds))
