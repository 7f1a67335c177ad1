"""`clc-sim experiments`: list, run one or run all pattern experiments (and the sensitivity of their verdicts)."""

from __future__ import annotations

from simulation.commands import CommandError, command_parser

EXAMPLES = """
  clc-sim experiments list                          the experiments, their cost (model runs, typical time)
  clc-sim experiments run voluntary_forced          one experiment, 20 replications
  clc-sim experiments run all --quick               every experiment, few replications (minutes)
  clc-sim experiments run all                       every experiment and results/experiments/REPORT.md
  clc-sim experiments run all --seed 101 --set trust_gain=0.04   other seeds and parameter values
  clc-sim experiments run all --quick --ensemble 10   every pattern at 10 calibrated ensemble members: shares
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
    from simulation.calibration.ensemble import add_argument

    add_argument(p, "run the pattern experiment(s)")
    return p


def run(args) -> int:
    from pathlib import Path

    from experiments import REGISTRY, cost, module, run_all, run_experiment, write_report
    from experiments.common import SEEDS_FULL, SEEDS_QUICK, Context
    from simulation.scenario import did_you_mean, parse_assignments

    command = " ".join(["clc-sim", *getattr(args, "argv", [])])
    if args.action == "list":
        print(f"{'':20s} {'model runs':^15s} {'typical time':^15s}")
        print(f"{'name':20s} {'full':>7s} {'quick':>7s} {'full':>7s} {'quick':>7s}  pattern tested")
        for name in REGISTRY:
            runs_full, (quick_s, full_s) = cost(name)
            runs_quick, _ = cost(name, quick=True)
            print(f"{name:20s} {runs_full:7d} {runs_quick:7d} {_duration(full_s):>7s} {_duration(quick_s):>7s}  "
                  f"{module(name).TITLE}")
        print(f"\nfull: {SEEDS_FULL} seeds; quick: --quick, {SEEDS_QUICK} seeds (network_size and high_performing "
              "use at least 10). Typical times:\none experiment alone on a 2-core machine (--jobs 2, numba cache "
              "warm); `run all` shares the runs experiments\nhave in common, so it takes less than the sum. Docking "
              "runs barter economies, not the model.")
        return 0
    from simulation.commands.checks import check_replication_arguments

    # every seed an experiment may use (some take at least 10, experiments.common.at_least) is checked like
    # `run --seed`, and --out may not be empty, before any worker starts
    n_seeds = args.replications or (SEEDS_QUICK if args.quick else SEEDS_FULL)
    check_replication_arguments(args, least=2, why="the tests need at least 2", seed_span=max(n_seeds, 10))
    root = Path(args.out)
    if args.action == "report":
        print(f"report written to {write_report(root, Context(command=command))}")
        return 0
    overrides = parse_assignments(args.assignments)
    ctx = Context.make(args.quick, args.replications, args.seed, overrides, args.jobs, not args.quiet, command)
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
    if args.ensemble is not None:
        return _run_ensemble(args, ctx, root)
    if args.name == "all":
        results = run_all(ctx, root, on_result=lambda r: print(f"{r.name:20s} done in {r.seconds:.0f} s", flush=True))
        print(f"\nverdicts (findings against their smallest effect of interest, Holm over "
              f"{max(r.family for r in results)} findings of the patterns):")
    else:
        results = [run_experiment(args.name, ctx, root)]
    for result in results:
        label = f" ({result.label}; removed by: {result.remover})" if getattr(result, "label", "") else ""
        print(f"{result.name:20s} {result.verdict}{label}  {result.statistic}", flush=True)
    report = write_report(root, ctx)
    from experiments import PATTERNS

    patterns = [r for r in results if r.name in PATTERNS]
    others = "".join(f"; {r.name} {r.verdict}" for r in results if r.name not in PATTERNS)
    held = sum(r.holds for r in patterns)
    print(f"\n{held}/{len(patterns)} patterns hold{others}; results in {root}, report {report}")
    return 0


def _run_ensemble(args, ctx, root) -> int:
    """`experiments run NAME|all --ensemble [N]`: the patterns at each of N ensemble members; shares and ranges."""
    from experiments import PATTERNS, write_report
    from experiments.ensemble import markdown, run_ensemble
    from simulation.commands.checks import ensemble_members

    if args.name != "all" and args.name not in PATTERNS:
        raise CommandError(f"--ensemble runs the pattern experiments; {args.name!r} is not one. Allowed: all, "
                           f"{', '.join(PATTERNS)}.")
    members = ensemble_members(args.ensemble)
    names = list(PATTERNS) if args.name == "all" else [args.name]
    frame = run_ensemble(ctx, members, root, names,
                         on_member=lambda i, n: print(f"ensemble member {i}/{n} done", flush=True))
    print(markdown(frame, ctx, len(members)))
    report = write_report(root, ctx)
    print(f"ensemble table written to {root / 'ensemble' / 'table.md'}; report {report}")
    return 0


def _duration(seconds: float) -> str:
    """'40 s', '3 min'."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
