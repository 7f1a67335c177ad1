"""Cold-start benchmark: from the command to the end of the first tick of the default model.

What it measures: fresh Python processes that import `simulation.model`, construct the default
8-school model and run one tick, first with an empty numba cache (everything compiled) and then with
the cache it left (warm, as every later run): the time from launching the process to the end of its
first tick (wall clock, measured from outside), split into the import, the construction (where numba
loads, or compiles, the first kernels) and the tick, and the process's whole wall time including the
interpreter's exit. Beside them, the bound the project does not control: starting the interpreter
(`python -c pass`) and importing the third-party chain alone (numpy, pandas, SciPy's spatial module,
networkx, numba, mesa) in a fresh process.

How: one cold process, then 5 warm ones (3 with --quick), in a temporary numba cache directory; the
warm row is the median over the warm processes, and interpreter start and third-party imports are
medians over as many processes.

    python -m benchmarks.cold_start            # 5 warm repeats
    python -m benchmarks.cold_start --quick    # 3 warm repeats

Writes results/benchmarks/cold_start.csv (an empty-cache row and a warm-cache row) and this run's row
of results/benchmarks/meta.csv.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.common import ROOT, command_line, measure

#: command to first tick: import, construction of the default model, one tick (times printed by the process)
FIRST_TICK = ("import time; t = time.perf_counter(); from simulation.model import CLCModel; t1 = time.perf_counter(); "
              "m = CLCModel(seed=1); t2 = time.perf_counter(); m.step(); t3 = time.perf_counter(); "
              "print(t3 - t, t1 - t, t2 - t1, t3 - t2, time.time())")
#: the third-party import chain alone: what Mesa imports (pandas, SciPy's spatial module, networkx) and numba
THIRD_PARTY = ("import time; t = time.perf_counter(); import numpy, pandas, scipy.spatial.distance, networkx, numba, "
               "mesa; print(time.perf_counter() - t)")


def bench_cold_start(repeats: int) -> list[dict]:
    """Command to the end of the first tick in fresh processes, empty then warm numba cache, split into
    import, construction (where numba loads or compiles the first kernels) and the tick; plus the bound:
    interpreter start-up and the third-party import chain alone."""
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ["empty numba cache"] + ["warm numba cache"] * repeats:
            t, t_epoch = time.perf_counter(), time.time()
            proc = subprocess.run([sys.executable, "-c", FIRST_TICK], capture_output=True, text=True, env=env,
                                  cwd=ROOT)
            wall = time.perf_counter() - t
            if proc.returncode:
                raise RuntimeError(proc.stderr)
            in_process, imp, build, tick, tick_epoch = map(float, proc.stdout.strip().splitlines()[-1].split())
            # command to first tick: from launching the process to the end of its first tick (wall clock);
            # the process's whole wall time also counts the interpreter's exit after the tick
            rows.append(dict(cache=label, command_to_first_tick_s=tick_epoch - t_epoch, process_wall_s=wall,
                             in_process_s=in_process, import_s=imp, construction_s=build, tick_s=tick))
    starts, chain = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, cwd=ROOT)
        starts.append(time.perf_counter() - t)
        proc = subprocess.run([sys.executable, "-c", THIRD_PARTY], capture_output=True, text=True, check=True,
                              cwd=ROOT)
        chain.append(float(proc.stdout.strip().splitlines()[-1]))
    cold = rows[0]
    warm = {key: statistics.median(r[key] for r in rows[1:]) for key in cold if key != "cache"}
    warm["cache"] = "warm numba cache"
    for r in (cold, warm):
        r["interpreter_start_s"] = statistics.median(starts)
        r["third_party_import_s"] = statistics.median(chain)
        print(f"  cold start, {r['cache']}: {r['command_to_first_tick_s']:.2f} s command to first tick (import "
              f"{r['import_s']:.2f}, construction {r['construction_s']:.2f}, tick {r['tick_s']:.2f}; third-party "
              f"imports alone {r['third_party_import_s']:.2f})", flush=True)
    return [cold, warm]


def run(quick: bool) -> list[dict]:
    """Measure (quick: fewer warm repeats) and write cold_start.csv; returns its rows."""
    print("cold start", flush=True)
    return measure("cold_start", quick, lambda: bench_cold_start(3 if quick else 5))


def main(argv=None) -> None:
    command_line("cold_start", __doc__, run, argv, quick_help="3 warm repeats instead of 5")


if __name__ == "__main__":
    main()
