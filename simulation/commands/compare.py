"""`clc-sim compare A B`: two scenarios over paired replications (common random numbers) with statistics."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from simulation.commands import CommandError, command_parser

DEFAULT_METRICS = ("value_added_sd", "cross_school_trust", "mean_knowledge", "knowledge_accessed",
                   "moral_capital", "high_performing_share")

EXAMPLES = """
  clc-sim compare voluntary-8 forced-8                    the flagship comparison, 20 paired replications
  clc-sim compare voluntary-8 forced-8 --replications 50 --metric mean_value_added --metric cross_school_trust
  clc-sim compare chain-links direct-links --ticks 117
  clc-sim compare voluntary-8 voluntary-8 --set-b trust_gain=0.1   a --set variant of one scenario
  clc-sim compare voluntary-8 forced-8 --ensemble 25      at 25 calibrated ensemble members, 4 seeds each
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "compare", "compare two scenarios with paired statistics",
                       "Run scenarios A and B over N replications each, replication i of both with the same seed "
                       "(common random numbers), on all cores. For each metric, at the horizon ('end') and as the "
                       "change from tick 0 ('gain'), prints both means, the difference A - B, its 95% confidence "
                       "interval, a paired t-test p-value, Cohen's d_z (paired), Hedges' g (between scenarios, "
                       "with a bootstrap CI) and the relative change, and marks differences already present at "
                       "tick 0; writes compare.csv, compare.md and compare.png (mean and 95% CI over time) to "
                       "results/compare/<A>-vs-<B>/<timestamp>/.",
                       EXAMPLES)
    p.add_argument("a", metavar="A", help="scenario A (shipped name or .toml path)")
    p.add_argument("b", metavar="B", help="scenario B (shipped name or .toml path)")
    p.add_argument("--replications", "-n", type=int, default=None, metavar="N",
                   help="paired replications (default 20; 4 per member with --ensemble)")
    p.add_argument("--metric", action="append", default=[], metavar="NAME",
                   help=f"a reporter to compare (repeatable; default: {', '.join(DEFAULT_METRICS)})")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter in both scenarios (repeatable)")
    p.add_argument("--set-a", dest="assign_a", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter in A only")
    p.add_argument("--set-b", dest="assign_b", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter in B only")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="seed of replication 0; i uses N+i (default 1)")
    p.add_argument("--ticks", type=int, metavar="N", help="horizon for both (default: scenario A's)")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--out", metavar="DIR", help="write into exactly this folder")
    p.add_argument("--results", metavar="DIR", default="results", help="results root (default: results)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    from simulation.calibration.ensemble import add_argument

    add_argument(p, "compare the two scenarios")
    return p


def _label(scenario, overrides: dict) -> str:
    if not overrides:
        return scenario.name
    return scenario.name + "[" + ",".join(f"{k}={v}" for k, v in overrides.items()) + "]"


START_TOLERANCE = 1e-12


def compare_tables(reps_a, reps_b, metrics, label_a: str, label_b: str):
    """The comparison table (one row per metric and measure) from paired replica lists.

    Per row: both means, the paired difference A - B with its 95 % t-interval and p, Cohen's d_z (paired),
    Hedges' g (between conditions, 95 % bootstrap CI), the relative change (A - B) / |B|, and the paired
    difference at tick 0 (with its CI) and `set_at_start`, true when A and B already differ there in any pair.
    """
    import numpy as np
    import pandas as pd

    from experiments.common import end, gain, series
    from simulation.stats import hedges_g, paired, relative_change

    rows = []
    for metric in metrics:
        start = paired(series(reps_a, metric)[:, 0], series(reps_b, metric)[:, 0])
        d0 = series(reps_a, metric)[:, 0] - series(reps_b, metric)[:, 0]
        set_at_start = bool(np.any(np.abs(d0) > START_TOLERANCE))
        for measure, value in (("end", end), ("gain", gain)):
            a, b = value(reps_a, metric), value(reps_b, metric)
            st = paired(a, b)
            g, g_lo, g_hi = hedges_g(a, b, paired=True)
            rows.append({"metric": metric, "measure": measure, "n": st.n, "mean_A": st.mean_a,
                         "mean_B": st.mean_b, "diff_A_minus_B": st.diff, "ci95_low": st.ci_low,
                         "ci95_high": st.ci_high, "p_value": st.p_value, "cohens_dz": st.effect_size,
                         "hedges_g": g, "g_ci95_low": g_lo, "g_ci95_high": g_hi,
                         "relative_change": relative_change(st.mean_a, st.mean_b),
                         "start_diff_A_minus_B": start.diff, "start_ci95_low": start.ci_low,
                         "start_ci95_high": start.ci_high, "set_at_start": set_at_start})
    table = pd.DataFrame(rows)
    table.attrs["A"], table.attrs["B"] = label_a, label_b
    return table


def _pct(x: float) -> str:
    return "n/a" if x != x else f"{100 * x:+.1f} %"


def markdown(table, label_a: str, label_b: str, n: int, seeds: str) -> str:
    """The table as Markdown, with a header naming A, B and the seeds and a key to every column."""
    from simulation.reporters import reporter_label
    from simulation.stats import fmt_p

    lines = [f"# compare: A = {label_a}, B = {label_b}", "",
             f"{n} paired replications (common random numbers: replication i of A and B share a seed; seeds {seeds}). "
             "'end' is the value at the horizon, 'gain' the change from tick 0.", "",
             "- **diff A-B** and **95% CI**: the mean paired difference and its t-interval; **p** from a paired "
             "t-test (two-sided).",
             "- **d_z** = mean difference / SD of the paired differences: how consistently A beats B replication by "
             "replication. Common random numbers make the differences much less variable than either scenario, so "
             "d_z is large and is not comparable with effect sizes of independent groups.",
             "- **g** = Hedges' g: difference of means / pooled SD within A and B, small-sample corrected; the size "
             "of the difference against the spread of outcomes between replications (95 % bootstrap CI, BCa).",
             "- **rel.** = (mean A - mean B) / |mean B|: the change as a share of B's level (n/a when B's mean is 0; "
             "large when B is near 0).",
             "- **at start**: the mean paired difference at tick 0. A mark (‡) means A and B already differ there, "
             "set by the scenarios' inputs (or by initial draws that differ between them), not produced by the "
             "runs: that part of the 'end' difference is not an outcome; read the 'gain' row for what the runs "
             "changed.", "",
             "| metric | measure | mean A | mean B | diff A-B | 95% CI | p | d_z | g [95% CI] | rel. | at start |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: |"]
    for r in table.itertuples(index=False):
        mark = " ‡" if r.set_at_start and r.measure == "end" else ""
        g = "n/a" if r.hedges_g != r.hedges_g else (
            f"{r.hedges_g:+.2f}" + ("" if r.g_ci95_low != r.g_ci95_low else f" [{r.g_ci95_low:+.2f}, {r.g_ci95_high:+.2f}]"))
        lines.append(f"| {r.metric} | {r.measure} | {r.mean_A:.4f} | {r.mean_B:.4f} | {r.diff_A_minus_B:+.4f}{mark} | "
                     f"[{r.ci95_low:+.4f}, {r.ci95_high:+.4f}] | {fmt_p(r.p_value)} | {r.cohens_dz:+.2f} | {g} | "
                     f"{_pct(r.relative_change)} | {r.start_diff_A_minus_B:+.4f} |")
    marked = [m for m in dict.fromkeys(table.metric) if table[table.metric == m].set_at_start.any()]
    if marked:
        lines += ["", "‡ Differences already present at tick 0 (mean, 95 % CI): " + "; ".join(
            f"{m} starts {row.start_diff_A_minus_B:+.4f} [{row.start_ci95_low:+.4f}, {row.start_ci95_high:+.4f}] "
            f"apart ({abs(row.start_diff_A_minus_B) / abs(row.diff_A_minus_B):.0%} of its end difference)"
            if row.diff_A_minus_B else f"{m} starts {row.start_diff_A_minus_B:+.4f} apart"
            for m in marked for row in [table[(table.metric == m) & (table.measure == "end")].iloc[0]]) + "."]
    lines += ["", "Metrics: " + "; ".join(f"{m} = {reporter_label(m)}" for m in dict.fromkeys(table.metric)) + "."]
    return "\n".join(lines) + "\n"


def ensemble_table(tables) -> "pd.DataFrame":
    """Per-member comparison tables stacked (a `member` column, from 1): the rows of compare.csv with --ensemble."""
    import pandas as pd

    return pd.concat([t.assign(member=i) for i, t in enumerate(tables, start=1)], ignore_index=True)


def ensemble_markdown(table, label_a: str, label_b: str, n_members: int, n: int, seeds: str) -> str:
    """Over ensemble members: the difference A - B (median, 5-95 % range) and the share of members whose
    95 % CI lies above 0 and below 0."""
    from simulation.calibration.ensemble import summary_range
    from simulation.reporters import reporter_label

    lines = [f"# compare over the calibrated ensemble: A = {label_a}, B = {label_b}", "",
             f"{n_members} ensemble members (the first {n_members} of simulation/calibration/ensemble.csv, a random "
             f"sample), each with {n} paired replications (seeds {seeds}, the same at every member). Per member the "
             "paired difference A - B and its 95 % t-interval; here its median and 5-95 % range over members, and "
             "the share of members whose interval lies wholly above 0 (A > B) or below 0 (A < B). compare.csv "
             "has every member's row.", "",
             "| metric | measure | diff A-B: median [5 %, 95 %] | A > B in | A < B in |",
             "| --- | --- | --- | ---: | ---: |"]
    for (metric, measure), grp in table.groupby(["metric", "measure"], sort=False):
        r = summary_range(grp["diff_A_minus_B"])
        above = float((grp["ci95_low"] > 0).mean())
        below = float((grp["ci95_high"] < 0).mean())
        lines.append(f"| {metric} | {measure} | {r['median']:+.4f} [{r['p5']:+.4f}, {r['p95']:+.4f}] | "
                     f"{above:.0%} | {below:.0%} |")
    lines += ["", "Metrics: " + "; ".join(f"{m} = {reporter_label(m)}" for m in dict.fromkeys(table.metric)) + "."]
    return "\n".join(lines) + "\n"


def figure(reps_a, reps_b, metrics, label_a: str, label_b: str):
    """Mean and 95% CI over time of each metric for A and B, one titled and labelled panel per metric."""
    import math

    import numpy as np
    from matplotlib.figure import Figure

    from simulation.reporters import reporter_axis, reporter_name
    from simulation.stats import band

    cols = min(3, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    fig = Figure(figsize=(4.6 * cols, 3.4 * rows + 0.5), layout="constrained")
    n = len(reps_a)
    fig.suptitle(f"{label_a} (A) against {label_b} (B): mean and 95 % CI over {n} paired replications")
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(rows, cols, i + 1)
        for reps, label, colour in ((reps_a, f"A: {label_a}", "#1f77b4"), (reps_b, f"B: {label_b}", "#d62728")):
            ticks = reps[0].timeseries["tick"].to_numpy()
            m, lo, hi = band(np.vstack([r.timeseries[metric].to_numpy(float) for r in reps]))
            ax.plot(ticks, m, color=colour, label=label)
            ax.fill_between(ticks, lo, hi, color=colour, alpha=0.2, linewidth=0)
        name = reporter_name(metric)
        ax.set_title(name[0].upper() + name[1:], fontsize=10)
        ax.set_xlabel("week (tick; 39 a school year)")
        ax.set_ylabel(reporter_axis(metric))
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend(fontsize=8)
    return fig


def run(args) -> int:
    from simulation.replicate import Task, run_tasks
    from simulation.reporters import REPORTERS
    from simulation.results import atomic_write, atomic_write_bytes, atomic_write_text, figure_bytes
    from simulation.scenario import ScenarioError, did_you_mean, load_scenario, parse_assignments

    from simulation.commands.checks import check_replication_arguments, ensemble_members

    if args.replications is None:
        args.replications = 20 if args.ensemble is None else 4
    # seeds --seed .. --seed + n - 1 checked like `run --seed`, before any worker starts
    check_replication_arguments(args, least=2, why="a paired test needs at least 2")
    metrics = list(dict.fromkeys(args.metric)) or list(DEFAULT_METRICS)
    for metric in metrics:
        if metric not in REPORTERS:
            raise CommandError(f"--metric {metric!r} is not a reporter.{did_you_mean(metric, REPORTERS)} "
                               f"Allowed: {', '.join(REPORTERS)}.")
    both = parse_assignments(args.assignments)
    over_a = {**both, **parse_assignments(args.assign_a, "--set-a")}
    over_b = {**both, **parse_assignments(args.assign_b, "--set-b")}
    scen_a, scen_b = load_scenario(args.a), load_scenario(args.b)
    horizon = args.ticks or scen_a.horizon
    try:
        scen_a = scen_a.with_overrides(horizon=horizon, params=over_a)
        scen_b = scen_b.with_overrides(horizon=horizon, params=over_b)
    except ScenarioError as exc:
        if "past the horizon" in exc.message:
            raise CommandError(f"{exc} The horizon was set to {horizon} ticks for both scenarios.") from None
        raise
    label_a, label_b = _label(scen_a, over_a), _label(scen_b, over_b)
    if label_a == label_b:
        label_a, label_b = f"A: {label_a}", f"B: {label_b}"
    seeds = [args.seed + i for i in range(args.replications)]

    def tasks(sc):
        ivs = [(iv.tick, iv.kind, iv.schools) for iv in sc.interventions]
        return [Task.make(dict(sc.params), s, horizon, ivs) for s in seeds]

    seed_text = f"{seeds[0]}..{seeds[-1]}"
    members = None if args.ensemble is None else ensemble_members(args.ensemble)
    if members is None:
        ta, tb = tasks(scen_a), tasks(scen_b)
        reps = run_tasks(ta + tb, jobs=args.jobs, progress=not args.quiet, desc="compare")
        reps_a, reps_b = reps[:len(ta)], reps[len(ta):]
        table = compare_tables(reps_a, reps_b, metrics, label_a, label_b)
        md = markdown(table, label_a, label_b, args.replications, seed_text)
    else:
        from simulation.calibration.ensemble import apply

        pairs = [(tasks(apply(scen_a, m)), tasks(apply(scen_b, m))) for m in members]
        reps = run_tasks([t for ta, tb in pairs for t in ta + tb], jobs=args.jobs, progress=not args.quiet,
                         desc=f"compare x {len(members)} members")
        k = len(seeds)
        per = [(reps[2 * i * k:(2 * i + 1) * k], reps[(2 * i + 1) * k:(2 * i + 2) * k]) for i in range(len(members))]
        reps_a = [r for a, _ in per for r in a]
        reps_b = [r for _, b in per for r in b]
        table = ensemble_table([compare_tables(a, b, metrics, label_a, label_b) for a, b in per])
        md = ensemble_markdown(table, label_a, label_b, len(members), args.replications, seed_text)

    if args.out:
        out = Path(args.out)
    else:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{scen_a.name}-vs-{scen_b.name}")
        out = Path(args.results) / "compare" / safe / datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create the output folder {str(out)!r}: {exc.strerror or exc}.") from None
    atomic_write(out / "compare.csv", lambda tmp: table.to_csv(tmp, index=False))
    atomic_write_text(out / "compare.md", md)
    atomic_write_bytes(out / "compare.png", figure_bytes(figure(reps_a, reps_b, metrics, label_a, label_b)))
    atomic_write_text(out / "metadata.json", json.dumps({
        "A": {"scenario": scen_a.name, "source": scen_a.source, "overrides": over_a},
        "B": {"scenario": scen_b.name, "source": scen_b.source, "overrides": over_b},
        "replications": args.replications, "seeds": seeds, "horizon": horizon, "metrics": metrics,
        "ensemble_members": None if members is None else len(members),
        "command": ["clc-sim", *getattr(args, "argv", [])]}, indent=2, default=str) + "\n")
    print(md)
    print(f"results written to {out}")
    return 0
