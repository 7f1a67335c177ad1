"""Whole-model benchmark: the model itself at 8, 100, 1,000 and 24,000 schools.

What it measures: for each size, in a fresh Python process of its own, the time to import the model,
to construct it and to run it (195 ticks; with --quick 39 ticks at 1,000 schools and 5 at 24,000),
the time per tick split into the kernel (`TickWorkspace.run` / `run_records`), data collection
(`compute_metrics` and the DataCollector, every tick) and everything else in `step`, the process's
wall time measured from outside (start-up, imports and exit included) and its peak resident set
(VmHWM, imports included). The 24,000-school case is the national system (21 teachers per school,
hubs of 10).

How: the small cases are run several times in their process (7 runs at 8 schools, 3 at 100, 1 from
1,000) with seeds 1, 2, ...: construction and run times are medians over those runs, the per-tick
split is from the last run; the cases run one after another, each in a new process so that peak
memory is that size's own.

    python -m benchmarks.model            # 195 ticks at every size
    python -m benchmarks.model --quick    # fewer ticks at 1,000 and 24,000 schools

Writes results/benchmarks/model.csv (one row per size) and this run's row of results/benchmarks/meta.csv.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time

from benchmarks.common import ROOT, command_line, measure

MODEL_WORKER = r"""
import json, resource, sys, time
t_start = time.perf_counter()
import simulation.model as sm
from simulation.model import CLCModel
kw, ticks, runs = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def peak_mb():
    # VmHWM: this process's own peak resident set (ru_maxrss would include the parent's, copied at fork)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t_import = time.perf_counter() - t_start
acc = dict(kernel=0.0, collect=0.0)
orig_metrics = sm.compute_metrics
def metrics(m):
    t = time.perf_counter(); r = orig_metrics(m); acc["collect"] += time.perf_counter() - t; return r
sm.compute_metrics = metrics
build, run_times, step_times = [], [], []
for r in range(runs):
    acc.update(kernel=0.0, collect=0.0)
    t0 = time.perf_counter()
    m = CLCModel(seed=r + 1, **kw)
    build.append(time.perf_counter() - t0)
    acc.update(kernel=0.0, collect=0.0)
    def timer(fn):
        def timed(*a, **k):
            t = time.perf_counter(); out = fn(*a, **k); acc["kernel"] += time.perf_counter() - t; return out
        return timed
    m.workspace.run = timer(m.workspace.run)
    m.workspace.run_records = timer(m.workspace.run_records)    # the model's path: link records packed in advance
    collect = m.datacollector.collect
    def timed_collect(model):
        t = time.perf_counter(); collect(model); acc["collect"] += time.perf_counter() - t
    m.datacollector.collect = timed_collect
    t1 = time.perf_counter()
    for _ in range(ticks):
        m.step()
    steps = time.perf_counter() - t1
    step_times.append(steps)
    run_times.append(time.perf_counter() - t0)
kernel, collect = acc["kernel"], acc["collect"]
print(json.dumps(dict(teachers=m.n_teachers, links=m.links.n_links, import_s=t_import, build_s=build,
                      run_s=run_times, steps_s=step_times, kernel_s=kernel, collect_s=collect,
                      total_s=time.perf_counter() - t_start,
                      peak_mb=peak_mb())))
"""


def run_model_case(label: str, kw: dict, ticks: int, runs: int) -> dict:
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MODEL_WORKER, json.dumps(kw), str(ticks), str(runs)],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"model benchmark {label} failed:\n{proc.stderr}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    steps = r["steps_s"][-1]
    row = dict(case=label, schools=kw.get("n_schools", 8), teachers=r["teachers"], links=r["links"], ticks=ticks,
               runs=runs, build_s=statistics.median(r["build_s"]), run_s=statistics.median(r["run_s"]),
               s_per_tick=steps / ticks, kernel_s_per_tick=r["kernel_s"] / ticks,
               collect_s_per_tick=r["collect_s"] / ticks,
               other_s_per_tick=(steps - r["kernel_s"] - r["collect_s"]) / ticks,
               import_s=r["import_s"], wall_s=wall, peak_mb=r["peak_mb"])
    print(f"  model {label}: build {row['build_s']:.2f} s, {row['s_per_tick'] * 1e3:.2f} ms/tick (kernel "
          f"{row['kernel_s_per_tick'] * 1e3:.2f}, other {row['other_s_per_tick'] * 1e3:.2f}, collection "
          f"{row['collect_s_per_tick'] * 1e3:.2f}), run {row['run_s']:.2f} s, wall {wall:.1f} s, "
          f"peak {row['peak_mb']:.0f} MB", flush=True)
    return row


def bench_model(quick: bool) -> list[dict]:
    national = dict(n_schools=24000, teachers_per_school=21, hub_size=10)
    cases = [("8 schools (default)", {}, 195, 7),
             ("100 schools", dict(n_schools=100), 195, 3),
             ("1,000 schools", dict(n_schools=1000), 39 if quick else 195, 1),
             ("24,000 schools", national, 5 if quick else 195, 1)]
    return [run_model_case(*case) for case in cases]


def run(quick: bool) -> list[dict]:
    """Measure (quick: fewer ticks at the two large sizes) and write model.csv; returns its rows."""
    print("whole model", flush=True)
    return measure("model", quick, lambda: bench_model(quick))


def main(argv=None) -> None:
    command_line("model", __doc__, run, argv, quick_help="39 ticks at 1,000 schools, 5 at 24,000")


if __name__ == "__main__":
    main()
