"""`clc-sim run`: run one scenario with a progress bar, write its run folder, print a summary."""

from __future__ import annotations

from simulation.commands import CommandError, add_scenario_argument, command_parser

EXAMPLES = """
  clc-sim run                                   the default scenario (voluntary-8), five school years
  clc-sim run forced-8 --seed 7                 a shipped scenario with another seed
  clc-sim run voluntary-8 --ticks 39            one school year only
  clc-sim run my.toml --set formation=brokered --set trust_gain=0.05
  clc-sim run results/voluntary-8/20250101-120000-seed1/scenario.toml   re-run a past run exactly
  clc-sim run system-500 --out /tmp/big --no-figures
"""


def add_parser(subparsers):
    from simulation.scenario import DEFAULT_SCENARIO

    p = command_parser(subparsers, "run", "run a scenario and write a results folder",
                       "Run a scenario to its horizon (one tick = one school week, 39 a year) with a progress "
                       "bar. Writes results/<scenario>/<timestamp>-seed<N>/ (see results/README.md) and prints "
                       "a start-versus-end summary.", EXAMPLES)
    add_scenario_argument(p, nargs="?", default=DEFAULT_SCENARIO)
    p.add_argument("--seed", type=int, metavar="N", help="random seed (overrides the scenario's seed)")
    p.add_argument("--ticks", type=int, metavar="N", help="horizon in ticks (overrides the scenario's horizon)")
    p.add_argument("--out", metavar="DIR", help="write the run into exactly this folder")
    p.add_argument("--results", metavar="DIR", default="results",
                   help="root folder for run folders when --out is not given (default: results)")
    p.add_argument("--set", dest="assignments", action="append", metavar="KEY=VALUE", default=[],
                   help="override a model parameter (repeatable); values in TOML syntax, words need no quotes")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures (faster)")
    p.add_argument("--overwrite", action="store_true", help="allow --out to replace a finished run")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary table")
    return p


def run(args) -> int:
    import sys

    from simulation import hubs
    from simulation.commands import Interrupted
    from simulation.results import RunFolderError
    from simulation.runner import run_scenario
    from simulation.scenario import MAX_HORIZON, MAX_SEED, ScenarioError, load_scenario, parse_assignments
    from simulation.summary import format_summary
    from simulation.validation import check_option, check_path

    check_option("--seed", args.seed, 0, MAX_SEED)
    check_option("--ticks", args.ticks, 1, MAX_HORIZON)
    check_path("--out", args.out)
    check_path("--results", args.results)
    scenario = load_scenario(args.scenario)
    params = parse_assignments(args.assignments)
    try:
        scenario = scenario.with_overrides(seed=args.seed, horizon=args.ticks, params=params)
    except ScenarioError as exc:
        if args.ticks is not None and "past the horizon" in exc.message:
            raise CommandError(f"{exc} The horizon was set by --ticks {args.ticks}.") from None
        raise
    for note in hubs.hub_notes(scenario):     # before the run, so it is seen even if the run is stopped
        print(f"clc-sim run: {note}", file=sys.stderr, flush=True)
    try:
        result = run_scenario(scenario, out_dir=args.out, results_root=args.results, progress=not args.quiet,
                              figures=not args.no_figures, overwrite=args.overwrite,
                              metadata={"command": ["clc-sim", *getattr(args, "argv", [])],
                                        "overrides": {"seed": args.seed, "ticks": args.ticks, "set": params}})
    except RunFolderError as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt as exc:
        left = getattr(exc, "run_dir", None)
        raise Interrupted("interrupted before the run finished; " + (
            f"{left} holds no finished run (no metadata.json); run again into it to replace what is there."
            if left else "nothing was written.")) from None
    if not args.quiet:
        sc = result.scenario
        print(f"\n{sc.name}: {hubs.describe(sc.params)}, formation {sc.params['formation']}, seed {sc.seed}, "
              f"{sc.horizon} ticks in {result.metadata['wall_time_s']:.1f} s\n")
        print(format_summary(result.timeseries))
        print()
    print(f"results written to {result.run_dir}")
    return 0
