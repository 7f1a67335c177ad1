"""`clc-sim experiments`: list, run one or run all pattern experiments (and the sensitivity of their verdicts)."""

from __future__ import annotations

from simulation.commands import CommandError, command_parser

EXAMPLES = """
  clc-sim experiments list                          the experiments and the pattern each tests
  clc-sim experiments run voluntary_forced          one experiment, 20 replications
  clc-sim experiments run all --quick               every experiment, few replications (minutes)
  clc-sim experiments run all                       every experiment and results/experiments/REPORT.md
  clc-sim experiments run all --seed 101 --set trust_gain=0.04   other seeds and parameter values
  clc-sim experiments sensitivity --quick           which verdicts survive +-25 % on each mechanism's main rate
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "experiments", "run the pattern experiments and write the report",
                       "One experiment per pattern the seeds report, each replicated over seeds (20 by default) on "
                       "all cores, writing a figure, a table and its verdict to results/experiments/<name>/; 'run all' "
                       "also writes results/experiments/REPORT.md. 'sensitivity' reruns the patterns with each "
                       "mechanism's main rate at -25 % and +25 %.", EXAMPLES)
    p.add_argument("action", choices=("list", "run", "sensitivity", "report"), nargs="?", default="list",
                   help="list the experiments, run one or all, run the sensitivity check, or rebuild REPORT.md")
    p.add_argument("name", nargs="?", help="experiment name or 'all' (for run)")
    p.add_argument("--quick", action="store_true", help="few replications and shorter sweeps (for tests)")
    p.add_argument("--replications", "-n", type=int, metavar="N", help="replications (default 20, 6 with --quick)")
    p.add_argument("--seed", type=int, default=1, metavar="N", help="first seed (default 1)")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                   help="override a default parameter in every experiment (repeatable)")
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--out", metavar="DIR", default="results/experiments", help="output root (default results/experiments)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def run(args) -> int:
    from pathlib import Path

    from experiments import REGISTRY, module, run_experiment, write_report
    from simulation.scenario import did_you_mean
    from experiments.common import Context
    from simulation.scenario import parse_assignments

    if args.action == "list":
        for name in REGISTRY:
            mod = module(name)
            print(f"{name:20s} {mod.TITLE}")
        return 0
    root = Path(args.out)
    if args.action == "report":
        print(f"report written to {write_report(root)}")
        return 0
    if args.replications is not None and args.replications < 2:
        raise CommandError(f"--replications {args.replications} is too small: the tests need at least 2.")
    if args.jobs is not None and args.jobs < 1:
        raise CommandError(f"--jobs {args.jobs} is not allowed: expected an integer >= 1.")
    overrides = parse_assignments(args.assignments)
    ctx = Context.make(args.quick, args.replications, args.seed, overrides, args.jobs, not args.quiet)
    if args.action == "sensitivity":
        from experiments.sensitivity import run_sensitivity

        path = run_sensitivity(ctx, root, names=[args.name] if args.name and args.name != "all" else None)
        write_report(root, ctx)
        print(f"sensitivity table written to {path}")
        return 0
    if not args.name:
        raise CommandError("'run' needs an experiment name or 'all'; see `clc-sim experiments list`.")
    if args.name != "all" and args.name not in REGISTRY:
        raise CommandError(f"unknown experiment {args.name!r}.{did_you_mean(args.name, REGISTRY)} "
                           f"Allowed: all, {', '.join(REGISTRY)}.")
    names = list(REGISTRY) if args.name == "all" else [args.name]
    failed = 0
    for name in names:
        result = run_experiment(name, ctx, root)
        failed += not result.holds
        print(f"{name:20s} {result.verdict}  {result.statistic}", flush=True)
    report = write_report(root, ctx)
    print(f"\n{len(names) - failed}/{len(names)} patterns hold; results in {root}, report {report}")
    return 0
