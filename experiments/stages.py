"""Schools pass through Isolation, Initiation, Engagement and Integration in order; time in each [seed 000]."""

import numpy as np
import pandas as pd

from simulation.stats import paired

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


def runs(quick: bool, seeds: int) -> int:
    """Model runs: one voluntary network per seed."""
    return seeds


def run(ctx) -> Result:
    reps = replicate(ctx, {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"})
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
    rows = [stat_row("mean stage: end - start", up, skipped_stages=skips, in_order_share=first_order_ok / total)]
    table = pd.DataFrame(rows)
    stage_table = pd.DataFrame({"stage": LABELS, "schools_reaching": reached / total,
                                "mean_ticks_in_stage": [np.mean(time_in[k]) if time_in[k] else np.nan for k in range(4)]})
    table = pd.concat([table, stage_table], ignore_index=True)
    criteria = [finding("mean stage of the schools: end - start", up, SESOI_STAGE, a=np.array(end_stage),
                        b=np.array(start_stage))]
    checks = {f"no school skips a stage ({skips} skips): by construction, a school moves up at most one stage a "
              "week": skips == 0,
              f"every school enters the stages in order ({first_order_ok}/{total}): by construction, as above":
                  first_order_ok == total,
              f"at least half the schools reach Engagement ({reached[2] / total:.0%})": bool(reached[2] / total >= 0.5)}
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
            f"stage: {times}; mean stage end - start {describe(up)}")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"in_order": first_order_ok / total, "skips": skips, "reach_engagement": reached[2] / total,
                   "reach_integration": reached[3] / total}, DEPENDS, len(ctx.seeds), criteria, checks)
