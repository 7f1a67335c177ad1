"""`clc-sim calibrate`: search the plausible ranges against the calibration targets (NSGA-II), or, with
`--check`, every target with the model's value at one parameter vector."""

from __future__ import annotations

import sys

from simulation.commands import CommandError, command_parser

EXAMPLES = """
  clc-sim calibrate                              the search of targets.toml's [search] table, all cores
  clc-sim calibrate --generations 5 --population 20 --replications 2   a quick, rough search
  clc-sim calibrate --out results/calibration/run1 --resume     go on after a kill or Ctrl-C (or add generations)
  clc-sim calibrate --scheduler tcp://10.0.0.5:8786              the same search on a Dask cluster
  clc-sim calibrate --check                      every target at the current defaults (10 seeds)
  clc-sim calibrate --check --replications 20    more seeds, narrower intervals
  clc-sim calibrate --check --set contact_rate=0.1   at other values
  clc-sim calibrate --check --targets my-targets.toml
"""

#: flags of the search that --check does not take
SEARCH_ONLY = ("--out", "--resume", "--population", "--generations", "--scheduler", "--no-plots")


def add_parser(subparsers):
    p = command_parser(subparsers, "calibrate", "calibrate the model to the targets, or compare it with them",
                       "Without --check: a multi-objective search (NSGA-II, pymoo) of the parameters listed in the "
                       "targets file's [search] table over their plausible ranges, minimising per objective group "
                       "the mean distance |model - target| / tolerance, each point over the same replications "
                       "(common random numbers), on all local cores or a Dask cluster (--scheduler). Every "
                       "generation is saved at once, so a killed search loses no finished generation and "
                       "--resume goes on. Writes points.csv, front.csv, diagnostics.csv, front.png, "
                       "distance.png, best.toml and metadata.json (last) into --out; see docs/CALIBRATION.md. "
                       "With --check, print every calibration target (the published figure, its tolerance, the "
                       "reporter and horizon it is computed from, its source) beside the model's value at the "
                       "current defaults (or with --set) over paired replications, with a 95 % confidence "
                       "interval, and whether it lies within the tolerance. Exit status 0 whether or not the "
                       "targets are met (it reports; it does not judge).", EXAMPLES)
    p.add_argument("--check", action="store_true",
                   help="print each target with the model's value and whether it is within tolerance (no search)")
    p.add_argument("--targets", metavar="FILE", help="a targets file (default: the shipped targets.toml)")
    p.add_argument("--replications", "-n", type=int, metavar="N",
                   help="seeds per setting (--check: default 10; search: default from [search])")
    p.add_argument("--seed", type=int, metavar="N",
                   help="first seed; replication i uses N+i, at every point of a search, which NSGA-II's own "
                        "draws also start from (default 1)")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                   help="a parameter value for every run (repeatable); in a search, a parameter kept fixed")
    p.add_argument("--jobs", "--workers", dest="jobs", type=int, metavar="N",
                   help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="search on an existing Dask cluster: tcp://host:port or a scheduler file (as `sweep`)")
    p.add_argument("--out", metavar="DIR", help="the search folder (default: results/calibration/<timestamp>)")
    p.add_argument("--resume", action="store_true",
                   help="go on with the search in --out from its last finished generation (--generations may "
                        "raise the total)")
    p.add_argument("--population", type=int, metavar="N", help="points per generation (default from [search])")
    p.add_argument("--generations", type=int, metavar="N", help="generations in all (default from [search])")
    p.add_argument("--no-plots", action="store_true", help="skip front.png and distance.png")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def table(estimates) -> str:
    """The check as a plain-text table, one target per line, then the sources."""
    rows = [("target", "evidence", "model (95 % CI)", "within", "reporter @ tick", "unit")]
    for e in estimates:
        t = e.target
        ci = "" if e.ci_low != e.ci_low else f" [{e.ci_low:+.3f}, {e.ci_high:+.3f}]"
        rows.append((t.name, f"{t.value:+.3f} ± {t.tolerance:.3f} ({t.evidence})", f"{e.mean:+.3f}{ci}",
                     "yes" if e.within else "NO", f"{t.reporter}{' / ' + t.per if t.per else ''} @ {t.horizon}", t.unit))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    met = sum(e.within for e in estimates)
    lines.append(f"\n{met} of {len(estimates)} targets within tolerance.\n\nSources:")
    lines += [f"  {e.target.name}: {e.target.source}" for e in estimates]
    return "\n".join(lines)


def _given(args, flag: str) -> bool:
    value = getattr(args, flag[2:].replace("-", "_"))
    return bool(value) if isinstance(value, bool) else value is not None


def run(args) -> int:
    if args.targets is not None and not str(args.targets).strip():
        raise CommandError("--targets '' is not allowed: expected the path of a targets file.")
    if args.check:
        given = [f for f in SEARCH_ONLY if _given(args, f)]
        if given:
            raise CommandError(f"{given[0]} is not allowed with --check: it belongs to the search (calibrate without "
                               f"--check); --check takes --targets, --replications, --seed, --set and --jobs.")
        return check(args)
    return search(args)


def check(args) -> int:
    from simulation.calibration import load_targets, measure
    from simulation.commands.checks import check_replication_arguments
    from simulation.scenario import parse_assignments

    args.replications = 10 if args.replications is None else args.replications
    args.seed = 1 if args.seed is None else args.seed
    check_replication_arguments(args, least=2, why="a confidence interval needs at least 2")
    params = parse_assignments(args.assignments)
    targets = load_targets(args.targets)
    seeds = range(args.seed, args.seed + args.replications)
    estimates = measure(targets, params, seeds, jobs=args.jobs, progress=not args.quiet)
    print(table(estimates))
    return 0


def search(args) -> int:
    from simulation.calibration import load_targets
    from simulation.calibration.search import (MAX_GENERATIONS, MAX_POPULATION, CalibrationInterrupted,
                                               CalibrationRunError, default_out_dir, make_spec, run_calibration,
                                               search_defaults)
    from simulation.commands.checks import MAX_JOBS, MAX_REPLICATIONS
    from simulation.commands.sweep import sigterm_as_interrupt
    from simulation.scenario import MAX_SEED, parse_assignments
    from simulation.validation import check_option, check_path, check_seed_span

    check_option("--population", args.population, 4, MAX_POPULATION, " (NSGA-II needs a few points to mate)"
                 if args.population is not None and args.population < 4 else "")
    check_option("--generations", args.generations, 1, MAX_GENERATIONS)
    check_option("--replications", args.replications, 1, MAX_REPLICATIONS)
    check_option("--jobs", args.jobs, 1, MAX_JOBS)
    if args.jobs is not None and args.scheduler is not None:
        raise CommandError("--jobs and --scheduler exclude each other: the cluster decides its workers.")
    check_path("--out", args.out)
    check_path("--scheduler", args.scheduler, "scheduler file or tcp://host:port address")
    check_path("--targets", args.targets, "targets file")
    if args.resume and args.out is None:
        raise CommandError("--resume needs --out: expected the folder of the search to go on with, e.g. "
                           "--out results/calibration/20260101-120000 --resume.")
    if args.resume and args.targets is not None:
        raise CommandError("--targets is not allowed with --resume: a search goes on against the targets it "
                           "started with (the copy in its folder); leave --targets out.")
    base = parse_assignments(args.assignments)
    if args.resume:
        if args.seed is not None:
            check_option("--seed", args.seed, 0, MAX_SEED)
        spec = None
        targets_path = None
    else:
        defaults = search_defaults(args.targets)
        replications = args.replications or defaults["replications"]
        seed = 1 if args.seed is None else args.seed
        check_seed_span("--seed", seed, replications, "--replications", MAX_SEED)
        targets = load_targets(args.targets)
        spec = make_spec(targets, defaults["parameters"], args.population or defaults["population"],
                         args.generations or defaults["generations"], replications, seed, base,
                         source=defaults["source"])
        targets_path = args.targets
    out = args.out or default_out_dir()
    requested = {"population": args.population, "replications": args.replications, "seed": args.seed,
                 "generations": args.generations, "base": base}
    try:
        with sigterm_as_interrupt():
            outcome = run_calibration(spec, targets_path, out, resume=args.resume, workers=args.jobs,
                                      scheduler=args.scheduler, progress=not args.quiet, plots=not args.no_plots,
                                      command=list(getattr(args, "argv", []) or []), requested=requested)
    except CalibrationInterrupted:
        raise
    except CalibrationRunError as exc:
        print(f"clc-sim calibrate: error: {exc}", file=sys.stderr)
        return 1
    report(outcome)
    return 0


def report(outcome) -> None:
    meta = outcome.metadata
    budget = meta["budget"]
    ex = meta.get("execution") or {}
    where = (f"Dask at {ex.get('scheduler')} ({ex.get('threads')} threads)" if ex.get("backend") == "dask"
             else f"{ex.get('workers')} worker processes" if ex.get("workers") else ex.get("backend", ""))
    print(f"calibration: {outcome.ran_generations} generation(s) this time on {where} in {outcome.wall_time_s:.1f} s; "
          f"{outcome.generations} generations, {budget['points']} points, {budget['model_runs']} model runs in all "
          f"({budget['seconds_per_point']} s per point).")
    best = outcome.best
    if best:
        print(f"best point (lowest mean distance on the front of {meta['front_size']}): mean distance "
              f"{best['mean_distance']:.3f}, {best['targets_within']} of {meta['targets']} "
              f"targets within tolerance; its parameters are in best.toml.")
    print(f"results written to {outcome.out_dir}: points.csv, front.csv, diagnostics.csv, best.toml, "
          f"{'front.png, distance.png, ' if 'front.png' in meta['files'] else ''}metadata.json")
