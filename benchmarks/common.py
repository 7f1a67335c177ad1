"""What the benchmark modules share: where results go, the targets, the median timer and the CSV writer.

Nothing here measures anything. `median_time` is the timer every benchmark uses (the median over
repeated calls); `measure` runs one benchmark, writes its rows to results/benchmarks/<name>.csv and
records the run (date, machine, numba threads, load average before and after, quick or full) as that
benchmark's row of results/benchmarks/meta.csv, which the report states in its heading.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "benchmarks"

TARGETS = {
    "kernel_vs_reference": 300.0,      # at least this many times faster
    "random_gather_ratio": 3.0,        # kernel ns/link within this factor of the random-gather limit
    "streaming_ratio": 10.0,           # kernel ns/link within this factor of the streaming limit (ordered)
    "national_seconds": 60.0,          # 24,000 schools x 195 ticks end to end
    "national_gb": 4.0,
    "default_run_seconds": 0.3,        # 8 schools x 195 ticks, warm
    "first_tick_seconds": 2.0,         # command to first tick, warm numba cache
}

#: the measuring benchmarks, in the order `python -m benchmarks` runs them; each writes <name>.csv
SECTIONS = ("kernel", "machine", "model", "cold_start")
META = "meta.csv"


def median_time(fn, repeats: int, clock=time.perf_counter) -> float:
    """Median over `repeats` calls; `clock=time.thread_time` counts only this thread's CPU time."""
    times = []
    for _ in range(repeats):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


def write_csv(name: str, rows: list[dict]) -> None:
    if not rows:
        return
    with open(OUT / name, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def measure(section: str, quick: bool, bench) -> list[dict]:
    """Run `bench()` (a list of rows), write them to results/benchmarks/<section>.csv and this run's
    row of meta.csv (the other benchmarks' rows are kept), and return the rows."""
    import numba

    OUT.mkdir(parents=True, exist_ok=True)
    meta = dict(section=section, date=time.strftime("%Y-%m-%d %H:%M"),
                machine=platform.processor() or platform.machine(), cpus=os.cpu_count(),
                numba=numba.__version__, threads=numba.get_num_threads(),
                layer=os.environ.get("NUMBA_THREADING_LAYER", "default layer"), quick=quick,
                load_before=_load())
    rows = bench()
    meta["load_after"] = _load()
    write_csv(f"{section}.csv", rows)
    previous = []
    if (OUT / META).exists():
        with open(OUT / META, newline="") as f:
            previous = [r for r in csv.DictReader(f) if r.get("section") in SECTIONS and r["section"] != section]
    write_csv(META, sorted(previous + [meta], key=lambda r: SECTIONS.index(r["section"])))
    return rows


def command_line(section: str, doc: str, run, argv=None, quick_help: str = "smaller sizes, fewer repeats") -> None:
    """Command line of one benchmark module: `python -m benchmarks.<section> [--quick]`."""
    ap = argparse.ArgumentParser(prog=f"python -m benchmarks.{section}", description=doc.strip().splitlines()[0])
    ap.add_argument("--quick", action="store_true", help=quick_help)
    args = ap.parse_args(argv)
    run(args.quick)
    print(f"\nwrote {OUT / (section + '.csv')} (python -m benchmarks.report writes benchmarks.md)")
