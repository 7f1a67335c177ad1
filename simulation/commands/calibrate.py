"""`clc-sim calibrate --check`: every calibration target with the model's value at a parameter vector."""

from __future__ import annotations

from simulation.commands import CommandError, command_parser

EXAMPLES = """
  clc-sim calibrate --check                      every target at the current defaults (10 seeds)
  clc-sim calibrate --check --replications 20    more seeds, narrower intervals
  clc-sim calibrate --check --set contact_rate=0.1   at other values
  clc-sim calibrate --check --targets my-targets.toml
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "calibrate", "compare the model with the calibration targets",
                       "With --check, print every calibration target (the published figure, its tolerance, the "
                       "reporter and horizon it is computed from, its source) beside the model's value at the "
                       "current defaults (or with --set) over paired replications, with a 95 % confidence "
                       "interval, and whether it lies within the tolerance. Exit status 0 whether or not the "
                       "targets are met (it reports; it does not judge).", EXAMPLES)
    p.add_argument("--check", action="store_true", required=True,
                   help="print each target with the model's value and whether it is within tolerance")
    p.add_argument("--targets", metavar="FILE", help="a targets file (default: the shipped targets.toml)")
    p.add_argument("--replications", "-n", type=int, default=10, metavar="N",
                   help="seeds per setting (default 10)")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="first seed; replication i uses N+i (default 1)")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter value for every run (repeatable)")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def table(estimates) -> str:
    """The check as a plain-text table, one target per line, then the sources."""
    rows = [("target", "evidence", "model (95 % CI)", "within", "reporter @ tick", "unit")]
    for e in estimates:
        t = e.target
        ci = "" if e.ci_low != e.ci_low else f" [{e.ci_low:+.3f}, {e.ci_high:+.3f}]"
        rows.append((t.name, f"{t.value:+.3f} ± {t.tolerance:.3f} ({t.evidence})", f"{e.mean:+.3f}{ci}",
                     "yes" if e.within else "NO", f"{t.reporter} @ {t.horizon}", t.unit))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    met = sum(e.within for e in estimates)
    lines.append(f"\n{met} of {len(estimates)} targets within tolerance.\n\nSources:")
    lines += [f"  {e.target.name}: {e.target.source}" for e in estimates]
    return "\n".join(lines)


def run(args) -> int:
    from simulation.calibration import load_targets, measure
    from simulation.commands.checks import check_replication_arguments
    from simulation.scenario import parse_assignments

    check_replication_arguments(args, least=2, why="a confidence interval needs at least 2")
    if args.targets is not None and not str(args.targets).strip():
        raise CommandError("--targets '' is not allowed: expected the path of a targets file.")
    params = parse_assignments(args.assignments)
    targets = load_targets(args.targets)
    seeds = range(args.seed, args.seed + args.replications)
    estimates = measure(targets, params, seeds, jobs=args.jobs, progress=not args.quiet)
    print(table(estimates))
    return 0
