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
  clc-sim run voluntary-8 --ensemble 20         once at each of 20 calibrated ensemble members: ranges
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
    from simulation.calibration.ensemble import add_argument

    add_argument(p, "run the scenario")
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
    if args.ensemble is not None:
        return _run_ensemble(args, scenario, params)
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


#: the reporters an ensemble run's table and figure show (a run folder per member would be 100 folders)
ENSEMBLE_REPORTERS = ("value_added_sd", "mean_attainment_sd", "mean_knowledge", "knowledge_accessed",
                      "cross_school_trust", "moral_capital", "mean_effort", "schools_withdrawn",
                      "colleague_practice_monthly", "network_learning_yearly", "coached_termly")


def _run_ensemble(args, scenario, params) -> int:
    """`run --ensemble [N]`: the scenario once at each of N ensemble members (its seed); a folder with each
    member's end values (members.csv), the spread over members (ensemble.md, ensemble.png) and metadata.json."""
    import json
    from datetime import datetime
    from pathlib import Path

    import numpy as np
    from matplotlib.figure import Figure

    from simulation.calibration.ensemble import apply, spread_table
    from simulation.commands.checks import ensemble_members
    from simulation.replicate import Task, run_tasks
    from simulation.reporters import reporter_axis, reporter_name
    from simulation.results import RunFolderError, atomic_write, atomic_write_bytes, atomic_write_text, figure_bytes
    from simulation.results import prepare_run_dir, provenance, release_run_dir

    members = ensemble_members(args.ensemble)
    scenarios = [apply(scenario, m) for m in members]
    ivs = [(iv.tick, iv.kind, iv.schools) for iv in scenario.interventions]
    tasks = [Task.make(dict(sc.params), sc.seed, sc.horizon, ivs) for sc in scenarios]
    out = Path(args.out) if args.out else (Path(args.results) / scenario.name /
                                           f"{datetime.now():%Y%m%d-%H%M%S}-ensemble{len(members)}-seed{scenario.seed}")
    try:
        out = prepare_run_dir(out, overwrite=args.overwrite)
    except RunFolderError as exc:
        raise CommandError(str(exc)) from None
    try:
        reps = run_tasks(tasks, progress=not args.quiet, desc=f"{scenario.name} x {len(members)} members")
        series = [r.timeseries for r in reps]
        spread = spread_table(series, ENSEMBLE_REPORTERS)
        ends = [{"member": i, **{k: members[i - 1][k] for k in members[i - 1]},
                 **{f"end_{rep}": float(ts[rep].iloc[-1]) for rep in ENSEMBLE_REPORTERS}}
                for i, ts in enumerate(series, start=1)]
        import pandas as pd

        atomic_write(out / "members.csv", lambda tmp: pd.DataFrame(ends).to_csv(tmp, index=False))
        lines = [f"# {scenario.name} over {len(members)} members of the calibrated ensemble", "",
                 f"Seed {scenario.seed}, {scenario.horizon} ticks; each member's values replace the defaults (the "
                 "scenario's own and --set values win). Median and 5-95 % range over members.", "",
                 "| reporter | start | end | change |", "| --- | --- | --- | --- |"]
        for r in spread.itertuples(index=False):
            lines.append(f"| {reporter_name(r.reporter)} (`{r.reporter}`) | {r.start_median:.3f} | "
                         f"{r.end_median:.3f} [{r.end_p5:.3f}, {r.end_p95:.3f}] | "
                         f"{r.change_median:+.3f} [{r.change_p5:+.3f}, {r.change_p95:+.3f}] |")
        md = "\n".join(lines) + "\n"
        atomic_write_text(out / "ensemble.md", md)
        if not args.no_figures:
            fig = Figure(figsize=(13, 7), layout="constrained")
            fig.suptitle(f"{scenario.name}: median and 5-95 % range over {len(members)} ensemble members")
            ticks = series[0]["tick"].to_numpy()
            for i, rep in enumerate(ENSEMBLE_REPORTERS[:8]):
                ax = fig.add_subplot(2, 4, i + 1)
                block = np.vstack([ts[rep].to_numpy(float) for ts in series])
                ax.fill_between(ticks, np.percentile(block, 5, axis=0), np.percentile(block, 95, axis=0),
                                color="#1f77b4", alpha=0.25, linewidth=0)
                ax.plot(ticks, np.median(block, axis=0), color="#1f77b4")
                name = reporter_name(rep)
                ax.set_title(name[0].upper() + name[1:], fontsize=9)
                ax.set_xlabel("week (tick; 39 a school year)", fontsize=8)
                ax.set_ylabel(reporter_axis(rep), fontsize=8)
                ax.grid(alpha=0.3)
            atomic_write_bytes(out / "ensemble.png", figure_bytes(fig))
        atomic_write_text(out / "metadata.json", json.dumps({
            "scenario": scenario.name, "seed": scenario.seed, "horizon": scenario.horizon,
            "ensemble_members": len(members), "overrides": params, **provenance(),
            "command": ["clc-sim", *getattr(args, "argv", [])]}, indent=2, default=str) + "\n")
    finally:
        release_run_dir(out)
    if not args.quiet:
        print(md)
    print(f"results written to {out}")
    return 0
