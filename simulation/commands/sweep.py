"""`clc-sim sweep`: run a sweep file on all local cores or a Dask cluster, resumable, with a progress bar."""

from __future__ import annotations

import signal
import sys
from collections import Counter
from contextlib import contextmanager

from simulation.commands import CommandError, command_parser
from simulation.params import RANGE_SOURCES as RANGE_CHOICES

EXAMPLES = """
  clc-sim sweep scenarios/sweeps/quick.toml                    all cores, results/sweeps/quick/
  clc-sim sweep scenarios/sweeps/formation-hub-size.toml --workers 2
  clc-sim sweep my-sweep.toml --out /data/sweep1 --resume      finish only the runs that are missing
  clc-sim sweep my-sweep.toml --scheduler tcp://10.0.0.5:8786  the same sweep on a Dask cluster
  clc-sim sweep my-sweep.toml --scheduler scheduler.json       ... found through its scheduler file
"""


def add_execution_arguments(p) -> None:
    """The options shared by `sweep` and `sensitivity`: where it runs, where it writes, resume."""
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: all cores)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on an existing Dask cluster: tcp://host:port or a scheduler file")
    p.add_argument("--out", metavar="DIR", help="the sweep folder (default: results/sweeps/<name>)")
    p.add_argument("--results", metavar="DIR", default="results",
                   help="root for the default sweep folder (default: results)")
    p.add_argument("--resume", action="store_true",
                   help="continue a sweep in its folder: run only the runs not yet recorded")
    p.add_argument("--batch", type=int, metavar="N", help="runs per task (default: chosen from the run cost)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG figures")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--ranges", choices=RANGE_CHOICES, default="plausible",
                   help="where a parameter the sweep file names without bounds takes its range: plausible (its "
                        "plausible range in the parameter table, the default) or allowed (everything the code "
                        "accepts); explicit [low, high] ranges in the file always win")


def add_parser(subparsers):
    p = command_parser(subparsers, "sweep", "run a parameter sweep (grid or sampled design) with replications",
                       "Run every run of a sweep file (a base scenario, a grid or sampled design, replications; see "
                       "docs/SWEEPS.md) on all local cores, or on a Dask cluster with --scheduler. Each finished "
                       "batch is written at once, so an interrupted sweep loses only the runs in flight and "
                       "--resume finishes the rest. Writes summary.csv (one row per design point: mean, SD, "
                       "95 % CI and n of each kept reporter at the end and its gain) and runs.csv for a "
                       "spreadsheet, runs.parquet, timeseries.parquet, sweep.toml, metadata.json and plots/ in "
                       "the sweep folder.", EXAMPLES)
    p.add_argument("file", metavar="FILE", help="a sweep file (.toml), or the name of one in scenarios/sweeps/")
    add_execution_arguments(p)
    return p


MAX_WORKERS = 1024
MAX_BATCH = 100_000


def check_execution_arguments(args) -> None:
    """Every option of `sweep` and `sensitivity` checked before anything is read, sampled or started."""
    from simulation.validation import check_option, check_path

    check_option("--workers", args.workers, 1, MAX_WORKERS)
    if args.workers is not None and args.scheduler is not None:
        raise CommandError("--workers and --scheduler exclude each other: the cluster decides its workers.")
    check_option("--batch", args.batch, 1, MAX_BATCH)
    check_path("--out", args.out)
    check_path("--results", args.results)
    check_path("--scheduler", args.scheduler, "scheduler file or tcp://host:port address")
    check_path("FILE", args.file, "sweep file")


@contextmanager
def sigterm_as_interrupt():
    """Treat SIGTERM like Ctrl-C while the sweep runs, so a terminated sweep is merged before it ends."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def execute(args, spec, command: str):
    """Run `spec` as the arguments say; report and return (outcome, exit status)."""
    from simulation.sweep.engine import SweepRunError, default_out_dir, run_sweep
    from simulation.sweep.spec import SweepError

    from simulation.hubs import sweep_hub_notes

    out = args.out or default_out_dir(spec, args.results)
    for note in sweep_hub_notes(spec):
        print(f"clc-sim {command}: {note}", file=sys.stderr, flush=True)
    try:
        with sigterm_as_interrupt():
            outcome = run_sweep(spec, out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                                progress=not args.quiet, batch=args.batch, plots=not args.no_plots)
    except KeyboardInterrupt as exc:
        method = f" --method {spec.sensitivity.method}" if command == "sensitivity" else ""
        n = f" --n {spec.sensitivity.n}" if command == "sensitivity" else ""
        ranges = f" --ranges {spec.range_source}" if spec.range_source != "plausible" else ""
        again = f"clc-sim {command} {args.file}{method}{n}{ranges} --out {out} --resume"
        print(f"clc-sim {command}: {interrupted_message(exc, out, again)}", file=sys.stderr)
        return None, 130
    except SweepRunError as exc:
        print(f"clc-sim {command}: error: {exc}", file=sys.stderr)
        return None, 1
    except SweepError:
        raise
    report(outcome)
    return outcome, 0


def interrupted_message(exc: BaseException, out, again: str) -> str:
    """One line saying what a Ctrl-C left, true at every stage of a sweep, and the command that goes on."""
    from simulation.sweep.engine import SweepInterrupted

    stage = getattr(exc, "stage", None) if isinstance(exc, SweepInterrupted) else None
    if stage == "design":
        return f"interrupted before any run started; nothing more was written to {out}."
    if stage == "finish":
        return f"interrupted after the last run; all {exc.recorded} recorded runs and the tables are saved in {out}."
    if stage == "plots":
        return (f"interrupted while drawing the plots; all {exc.recorded} runs and the tables are saved in {out} "
                f"(metadata.json says plots 'interrupted'); draw the plots with: {again}")
    if stage == "runs":
        if exc.recorded >= exc.total:
            return f"interrupted; all {exc.total} runs are saved in {out}; finish the tables and plots with: {again}"
        return (f"interrupted; {exc.recorded} of {exc.total} runs are saved in {out}; run the other "
                f"{exc.total - exc.recorded} with: {again}")
    return f"interrupted; finished runs are saved in {out}; finish the rest with: {again}"


def report(outcome) -> None:
    meta = outcome.metadata
    ex = meta.get("execution") or {}
    where = (f"Dask at {ex.get('scheduler')} ({ex.get('threads')} threads)" if ex.get("backend") == "dask"
             else f"{ex.get('workers')} worker processes" if ex.get("workers") else ex.get("backend", ""))
    print(f"{meta['sweep']}: {outcome.ran} runs this time on {where} in {outcome.wall_time_s:.1f} s; "
          f"{len(outcome.runs)} of {outcome.total} runs recorded, {outcome.failed} failed.")
    if outcome.failed:
        errors = Counter(outcome.runs.loc[outcome.runs["status"] != "ok", "error"])
        for error, count in errors.most_common(3):
            print(f"  {count} run(s) failed with: {error}")
        print("  (their rows in runs.parquet have status 'failed', the error and the traceback)")
    print(f"results written to {outcome.out_dir}: summary.csv (one row per design point: mean, SD, 95 % CI and n "
          f"of each kept reporter at the end and its gain), runs.csv (one row per run), Parquet tables and plots")


def run(args) -> int:
    from simulation.sweep.spec import load_sweep

    check_execution_arguments(args)
    spec = load_sweep(args.file, ranges=args.ranges)
    _, status = execute(args, spec, "sweep")
    return status
