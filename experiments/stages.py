"""Schools pass through Isolation, Initiation, Engagement and Integration in order; time in each [seed 000]."""

import sys

import numpy as np
import pandas as pd

from simulation.reporters import REPORTERS
from simulation.stats import one_sample, paired

from .ablation import ablation_runs, explain
from .common import XLABEL, Result, Sesoi, decide, describe, finding, new_figure, points, replicate, series, stat_row

NAME = "stages"
TITLE = "Schools move through the four stages in order"
PATTERN = ("Schools pass through the stages Isolation, Initiation, Engagement and Integration in order, without "
           "skipping one (seed 000); the experiment reports the time spent in each.")
DEPENDS = ("permeability_rate", "engagement_coaching", "engagement_permeability", "integration_permeability")
LABELS = ("Isolation", "Initiation", "Engagement", "Integration")
SESOI_STAGE = Sesoi(0.25, "stages (mean over schools)",
                    "a quarter of a stage: one school in four moving up one stage; less would leave a network of "
                    "eight looking the same to anyone who counts its schools' stages")


SESOI_ORDER = Sesoi(0.125, "skipped stages per school",
                    "one skipped stage in one school of the eight over the run: fewer would leave the order of "
                    "stages the seed describes intact for the network (a fall back, as when a head withdraws, "
                    "is counted and reported but does not break the order: the school re-enters a stage it knew)")
BASE = {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"}
N_SCHOOLS = BASE["n_schools"]
EFFECT = "mean stage of the schools, end - start"
SESOI_EFFECT, DIRECTION = SESOI_STAGE, 1
MECHANISMS = ("boundaries open", "coaching", "trust grows with joint work", "heads unlearn",
              "heads withdraw and rejoin")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: one voluntary network per seed, and one per seed per ablation switch."""
    return seeds + ablation_runs(sys.modules[__name__], 1, seeds)


def effect(ctx, overrides: dict):
    """The headline: mean stage of the schools at the end minus at the start (paired within run)."""
    st = [r.stages.astype(int) for r in replicate(ctx, {**BASE, **overrides})]
    return paired(np.array([x[:, -1].mean() for x in st]), np.array([x[:, 0].mean() for x in st]))


def run(ctx) -> Result:
    reps = replicate(ctx, BASE)
    skips = first_order_ok = total = 0
    time_in = {k: [] for k in range(4)}
    reached = np.zeros(4)
    start_stage, end_stage = [], []
    for r in reps:
        st = r.stages.astype(int)
        start_stage.append(st[:, 0].mean())
        end_stage.append(st[:, -1].mean())
        for row in st:
            total += 1
            skips += int((np.diff(row) > 1).sum())
            firsts = [int(np.argmax(row >= k)) if (row >= k).any() else None for k in range(4)]
            seen = [f for f in firsts if f is not None]
            first_order_ok += int(all(a <= b for a, b in zip(seen, seen[1:])))
            for k in range(4):
                if (row == k).any():
                    time_in[k].append(int((row == k).sum()))
                    reached[k] += 1
    up = paired(np.array(end_stage), np.array(start_stage))
    counted = {k: series(reps, k)[:, -1] for k in ("stage_skips", "stage_fallbacks") if k in REPORTERS}
    rows = [stat_row("mean stage: end - start", up, skipped_stages=skips, in_order_share=first_order_ok / total)]
    out_of_order = None
    if "stage_skips" in counted:    # the stage rule may skip a stage or fall back, both counted (schools.py)
        out_of_order = one_sample(counted["stage_skips"] / N_SCHOOLS, 0.0)
        rows.append(stat_row("skipped stages per school (counted by the model)", out_of_order,
                             **{f"{k}_total": int(v.sum()) for k, v in counted.items()},
                             **{f"{k}_mean_per_run": float(v.mean()) for k, v in counted.items()}))
    if "stage_fallbacks" in counted:
        rows.append(stat_row("falls back to an earlier stage per school (counted by the model)",
                             one_sample(counted["stage_fallbacks"] / N_SCHOOLS, 0.0)))
    table = pd.DataFrame(rows)
    stage_table = pd.DataFrame({"stage": LABELS, "schools_reaching": reached / total,
                                "mean_ticks_in_stage": [np.mean(time_in[k]) if time_in[k] else np.nan for k in range(4)]})
    table = pd.concat([table, stage_table], ignore_index=True)
    criteria = [finding("mean stage of the schools: end - start", up, SESOI_STAGE, a=np.array(end_stage),
                        b=np.array(start_stage))]
    if out_of_order is not None:
        # the stage rule may skip a stage or fall back, so order is a finding, not a construction
        criteria.append(finding("skipped stages per school (no meaningful skipping)", out_of_order, SESOI_ORDER,
                                below=True))
        checks = {}
    else:
        checks = {f"no school skips a stage ({skips} skips): by construction, a school moves up at most one stage "
                  "a week": skips == 0,
                  f"every school enters the stages in order ({first_order_ok}/{total}): by construction, as above":
                      first_order_ok == total}
    checks[f"at least half the schools reach Engagement ({reached[2] / total:.0%})"] = bool(reached[2] / total >= 0.5)
    holds = decide(criteria, checks)
    from simulation.plots import STAGE_COLOURS as colours

    fig, (a1, a2) = new_figure(2, title="Schools move through the four stages in order (voluntary network of 8)")
    ticks = reps[0].timeseries["tick"].to_numpy()
    cols = ("stage_isolation", "stage_initiation", "stage_engagement", "stage_integration")
    stack = [series(reps, c).mean(axis=0) for c in cols]
    a1.stackplot(ticks, *stack, labels=LABELS, colors=colours)
    a1.set_title("Schools in each stage (mean over replications)", fontsize=10)
    a1.set_xlabel(XLABEL)
    a1.set_ylabel("schools")
    a1.margins(x=0)
    a1.legend(fontsize=7, loc="upper right")
    points(a2, LABELS, [np.array(time_in[k], dtype=float) for k in range(4)], colours=colours)
    a2.tick_params(axis="x", labelsize=8)
    a2.set_title("Time spent in each stage (mean, 95 % CI)", fontsize=10)
    a2.set_xlabel("stage")
    a2.set_ylabel("weeks in the stage (per school)")
    times = ", ".join(f"{lab} {t:.0f}" for lab, t in zip(LABELS, stage_table["mean_ticks_in_stage"]) if t == t)
    stat = (f"{first_order_ok}/{total} school trajectories enter the stages in order, {skips} skipped stages; "
            f"share reaching Engagement {reached[2] / total:.0%}, Integration {reached[3] / total:.0%}; mean ticks in "
            f"stage: {times}; mean stage end - start {describe(up)}"
            + ("".join(f"; {k.replace('_', ' ')} at the end {int(v.sum())} over {len(v)} runs"
                       for k, v in counted.items())))
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"in_order": first_order_ok / total, "skips": skips, "reach_engagement": reached[2] / total,
                   "reach_integration": reached[3] / total,
                   **{f"{k}_total": int(v.sum()) for k, v in counted.items()}}, DEPENDS, len(ctx.seeds), criteria,
                  checks, **explain(ctx, sys.modules[__name__], up))
