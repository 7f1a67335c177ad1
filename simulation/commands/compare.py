"""`clc-sim compare A B`: two scenarios over paired replications (common random numbers) with statistics."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from simulation.commands import CommandError, command_parser

DEFAULT_METRICS = ("mean_value_added", "cross_school_trust", "mean_knowledge", "knowledge_accessed",
                   "moral_capital", "high_performing_share")

EXAMPLES = """
  clc-sim compare voluntary-8 forced-8                    the flagship comparison, 20 paired replications
  clc-sim compare voluntary-8 forced-8 --replications 50 --metric mean_value_added --metric cross_school_trust
  clc-sim compare chain-links direct-links --ticks 117
  clc-sim compare voluntary-8 voluntary-8 --set-b trust_gain=0.1   a --set variant of one scenario
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "compare", "compare two scenarios with paired statistics",
                       "Run scenarios A and B over N replications each, replication i of both with the same seed "
                       "(common random numbers), on all cores. For each metric, at the horizon ('end') and as the "
                       "change from tick 0 ('gain'), prints both means, the difference A - B, its 95% confidence "
                       "interval, a paired t-test p-value and Cohen's d_z; writes compare.csv, compare.md and "
                       "compare.png (mean and 95% CI over time) to results/compare/<A>-vs-<B>/<timestamp>/.",
                       EXAMPLES)
    p.add_argument("a", metavar="A", help="scenario A (shipped name or .toml path)")
    p.add_argument("b", metavar="B", help="scenario B (shipped name or .toml path)")
    p.add_argument("--replications", "-n", type=int, default=20, metavar="N", help="paired replications (default 20)")
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
    return p


def _label(scenario, overrides: dict) -> str:
    if not overrides:
        return scenario.name
    return scenario.name + "[" + ",".join(f"{k}={v}" for k, v in overrides.items()) + "]"


def compare_tables(reps_a, reps_b, metrics, label_a: str, label_b: str):
    """The comparison table (one row per metric and measure) from paired replica lists."""
    import pandas as pd

    from experiments.common import end, gain
    from simulation.stats import paired

    rows = []
    for metric in metrics:
        for measure, value in (("end", end), ("gain", gain)):
            st = paired(value(reps_a, metric), value(reps_b, metric))
            rows.append({"metric": metric, "measure": measure, "n": st.n, "mean_A": st.mean_a,
                         "mean_B": st.mean_b, "diff_A_minus_B": st.diff, "ci95_low": st.ci_low,
                         "ci95_high": st.ci_high, "p_value": st.p_value, "cohens_dz": st.effect_size})
    table = pd.DataFrame(rows)
    table.attrs["A"], table.attrs["B"] = label_a, label_b
    return table


def markdown(table, label_a: str, label_b: str, n: int, seeds: str) -> str:
    """The table as Markdown, with a header naming A, B and the seeds."""
    from simulation.stats import fmt_p

    lines = [f"# compare: A = {label_a}, B = {label_b}", "",
             f"{n} paired replications (common random numbers: replication i of A and B share seed; seeds {seeds}). "
             "diff = A - B; CI is the 95% t-interval of the paired difference; p from a paired t-test; "
             "d_z = mean difference / sd of differences. 'end' is the value at the horizon, 'gain' the change "
             "from tick 0.", "",
             "| metric | measure | mean A | mean B | diff A-B | 95% CI | p | d_z |",
             "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.metric} | {r.measure} | {r.mean_A:.4f} | {r.mean_B:.4f} | {r.diff_A_minus_B:+.4f} | "
                     f"[{r.ci95_low:+.4f}, {r.ci95_high:+.4f}] | {fmt_p(r.p_value)} | {r.cohens_dz:+.2f} |")
    return "\n".join(lines) + "\n"


def figure(reps_a, reps_b, metrics, label_a: str, label_b: str):
    """Mean and 95% CI over time of each metric for A and B."""
    import math

    import numpy as np
    from matplotlib.figure import Figure

    from simulation.stats import band

    cols = min(3, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    fig = Figure(figsize=(4.6 * cols, 3.3 * rows))
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(rows, cols, i + 1)
        for reps, label, colour in ((reps_a, label_a, "#1f77b4"), (reps_b, label_b, "#d62728")):
            ticks = reps[0].timeseries["tick"].to_numpy()
            m, lo, hi = band(np.vstack([r.timeseries[metric].to_numpy(float) for r in reps]))
            ax.plot(ticks, m, color=colour, label=label)
            ax.fill_between(ticks, lo, hi, color=colour, alpha=0.2)
        ax.set_title(metric, fontsize=10)
        ax.set_xlabel("tick (school week)")
        ax.grid(alpha=0.3)
        if i == 0:
            ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def run(args) -> int:
    from simulation.replicate import Task, run_tasks
    from simulation.reporters import REPORTERS
    from simulation.results import atomic_write, atomic_write_bytes, atomic_write_text, figure_bytes
    from simulation.scenario import MAX_HORIZON, ScenarioError, did_you_mean, load_scenario, parse_assignments

    if args.replications < 2:
        raise CommandError(f"--replications {args.replications} is too small: a paired test needs at least 2.")
    if args.ticks is not None and not 1 <= args.ticks <= MAX_HORIZON:
        raise CommandError(f"--ticks {args.ticks} is out of range: expected an integer in [1, {MAX_HORIZON}].")
    if args.jobs is not None and args.jobs < 1:
        raise CommandError(f"--jobs {args.jobs} is not allowed: expected an integer >= 1.")
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

    ta, tb = tasks(scen_a), tasks(scen_b)
    reps = run_tasks(ta + tb, jobs=args.jobs, progress=not args.quiet, desc="compare")
    reps_a, reps_b = reps[:len(ta)], reps[len(ta):]
    table = compare_tables(reps_a, reps_b, metrics, label_a, label_b)
    seed_text = f"{seeds[0]}..{seeds[-1]}"
    md = markdown(table, label_a, label_b, args.replications, seed_text)

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
        "command": ["clc-sim", *getattr(args, "argv", [])]}, indent=2, default=str) + "\n")
    print(md)
    print(f"results written to {out}")
    return 0
