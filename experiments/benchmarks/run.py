"""Benchmark suite: kernel vs reference and NumPy, memory limits, whole model at four sizes, cold start.

    python -m experiments.benchmarks            # full run (about 10 minutes on 2 cores)
    python -m experiments.benchmarks --quick    # smaller sizes, fewer ticks (about 2 minutes)

Every figure is the median over repeats. Results go to results/benchmarks/ as CSV files and one
Markdown report (benchmarks.md) that states each figure against its target from issue 7. The whole
model and cold-start figures are measured in fresh subprocesses (peak memory per size; an empty
numba cache for the cold start).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np
from numba import njit, prange

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "results" / "benchmarks"
LINKS_PER_TEACHER = 5          # the model has about 5 links per teacher (2 within, 2 cross, 1 programme)
SCHOOL, HUB = 20, 10           # ordered network: 20 teachers per school, 10 schools per hub

TARGETS = {
    "kernel_vs_reference": 300.0,      # at least this many times faster
    "random_gather_ratio": 3.0,        # kernel ns/link within this factor of the random-gather limit
    "streaming_ratio": 10.0,           # kernel ns/link within this factor of the streaming limit (ordered)
    "national_seconds": 60.0,          # 24,000 schools x 195 ticks end to end
    "national_gb": 4.0,
    "default_run_seconds": 0.3,        # 8 schools x 195 ticks, warm
    "first_tick_seconds": 2.0,         # command to first tick, warm numba cache
}


def median_time(fn, repeats: int, clock=time.perf_counter) -> float:
    """Median over `repeats` calls; `clock=time.thread_time` counts only this thread's CPU time."""
    times = []
    for _ in range(repeats):
        t = clock()
        fn()
        times.append(clock() - t)
    return statistics.median(times)


# --------------------------------------------------------------------------------------------- kernel
MIXES = {"model-like": 0.9, "busy": 0.5}   # share of idle links: the model runs 93-99 % idle; busy is a stress case


def kernel_inputs(n: int, network: str, seed: int = 0, idle: float = 0.9) -> dict:
    """Kernel inputs for `n` teachers with about 5 links each; `idle` of the links carry no activity.

    random: endpoints uniform over all teachers and links in random order (no locality at all);
    ordered: teachers contiguous by school and schools by hub, 2 links in the school and 3 in the hub
    per teacher, links in teacher order (the model's layout).
    """
    from simulation.kernel import COACHING, EXPERIENCE, INFORMATION, NONE, PROGRAMME, kernel_coefficients
    from simulation.links import CROSS, LinkSet
    from simulation.params import DEFAULTS

    rng = np.random.default_rng(seed)
    m = LINKS_PER_TEACHER * n
    if network == "random":
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    else:
        a = np.repeat(np.arange(n), LINKS_PER_TEACHER)
        slot = np.tile(np.arange(LINKS_PER_TEACHER), n)
        block = np.where(slot < 2, SCHOOL, SCHOOL * HUB)
        start = (a // block) * block
        b = np.minimum(start + rng.integers(0, block), n - 1)
    keep = a != b
    a, b = a[keep], b[keep]
    links = LinkSet(n)
    links.add(a, b, CROSS, rng.random(len(a)), rng.random(len(a)))
    m = links.n_links
    rates, coef = kernel_coefficients(DEFAULTS)
    codes = np.array([NONE, INFORMATION, EXPERIENCE, COACHING, PROGRAMME], np.int8)
    return dict(
        knowledge=rng.random((n, 3)), openness=rng.random(n), skill=rng.random(n), effort=rng.random(n),
        indptr=links.indptr, giver=links.giver, arc_link=links.arc_link, trust=links.trust,
        activity=rng.choice(codes, m, p=[idle] + [(1.0 - idle) / 4] * 4),
        intensity=rng.random(m), validity=np.where(rng.random(m) < 0.8, 1.0, -1.0),
        willingness=rng.random(m), rates=rates, coef=coef)


def outputs(inp: dict) -> dict:
    n, arcs = inp["knowledge"].shape[0], len(inp["trust"])
    return dict(new_knowledge=np.empty((n, 3)), new_trust=np.empty(arcs), created=np.empty(n),
                received=np.empty(arcs))


@njit(inline="always")
def _polynomial_exp(x):
    """Stand-in for `math.exp` in the attribution kernel: four multiply-adds (its numbers are wrong on purpose)."""
    return 1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x / 24.0)))


def kernel_without_exp():
    """(parallel, serial) copies of the model's kernel (`_tick_records`) with `_polynomial_exp` in place of
    every `math.exp`: what the kernel would cost if exp were nearly free. For attribution only: not cached
    (a copy shares the kernel's source lines) and its results are not the model's."""
    import types

    from simulation import kernel as K

    cheap = types.ModuleType("polynomial_math")
    cheap.exp = _polynomial_exp

    def copy(fn, **names):
        py = fn.py_func if hasattr(fn, "py_func") else fn
        out = types.FunctionType(py.__code__, dict(py.__globals__, math=cheap, **names), py.__name__ + "_no_exp",
                                 py.__defaults__, py.__closure__)
        out.__qualname__ = py.__qualname__ + "_no_exp"
        return out

    gain = njit(inline="always")(copy(K._gain, gap_response=njit(inline="always")(copy(K.gap_response))))
    body = copy(K._tick_records, _gain=gain, _grown=njit(inline="always")(copy(K._grown)))
    return njit(parallel=True)(body), njit(copy(body))


def records_args(ws, a: dict) -> tuple:
    """The arguments of the transfer pass (`transfer_tick_records` or a copy of it) for inputs `a` whose
    link records `ws.run(**a)` has packed into workspace `ws`; outputs go to the workspace."""
    return (a["knowledge"], a["openness"], a["skill"], a["effort"], a["indptr"], a["giver"], a["arc_link"],
            a["trust"], ws.arc_act, a["rates"], a["coef"], ws.new_knowledge, ws.new_trust, ws.created,
            ws.received, ws.nodes, ws.links)


def exp_share(ws, inp: dict, parallel: bool, repeats: int, without_exp) -> float:
    """Share of the kernel's time (`run_records`, records already packed by `ws.run`) that `exp` takes:
    1 - t(without exp) / t(kernel), timed alternately so both see the same machine."""
    from simulation.kernel import transfer_tick_records, transfer_tick_records_serial

    args = records_args(ws, inp)
    real = transfer_tick_records if parallel else transfer_tick_records_serial
    cheap = without_exp[0] if parallel else without_exp[1]
    cheap(*args)
    t_real, t_cheap = [], []
    for _ in range(repeats):
        t_real.append(median_time(lambda: real(*args), 3))
        t_cheap.append(median_time(lambda: cheap(*args), 3))
    ws.run(**inp, parallel=parallel)           # the real outputs back in the workspace
    return 1.0 - statistics.median(t_cheap) / statistics.median(t_real)


def bench_kernel(sizes, reference_max_links: int, repeats: int) -> list[dict]:
    from simulation.kernel import PARALLEL_MIN_ARCS, TickWorkspace, get_threads, set_threads
    from simulation.kernel_numpy import transfer_tick_numpy
    from simulation.reference import transfer_tick_reference

    rows = []
    threads = get_threads()
    without_exp = kernel_without_exp()
    for network, mix in (("random", "model-like"), ("ordered", "model-like"), ("random", "busy"),
                         ("ordered", "busy")):
        for n in sizes:
            inp = kernel_inputs(n, network, idle=MIXES[mix])
            m = len(inp["activity"])
            ws = TickWorkspace()
            reps = repeats if m < 2_000_000 else max(3, repeats // 2)
            ws.run(**inp, parallel=True)
            ws.run(**inp, parallel=False)
            t_par = median_time(lambda: ws.run(**inp, parallel=True), reps)
            set_threads(1)
            t_ser = median_time(lambda: ws.run(**inp, parallel=False), reps)
            set_threads(threads)
            out = outputs(inp)
            t_ser_cpu = median_time(lambda: ws.run(**inp, parallel=False), reps, time.thread_time)
            t_np = median_time(lambda: transfer_tick_numpy(**inp, **out), max(1, reps // 2))
            t_ref = t_ref_cpu = None
            if m <= reference_max_links:
                ref_reps = 1 if m > 20_000 else 3
                t_ref = median_time(lambda: transfer_tick_reference(**inp, **out), ref_reps)
                t_ref_cpu = median_time(lambda: transfer_tick_reference(**inp, **out), ref_reps, time.thread_time)
            t_auto = t_par if 2 * m >= PARALLEL_MIN_ARCS else t_ser     # what TickWorkspace (the model) runs
            share = exp_share(ws, inp, t_auto is t_par, reps, without_exp)
            row = dict(network=network, mix=mix, teachers=n, links=m, arcs=2 * m,
                       kernel_ns_per_link=1e9 * t_auto, kernel_path="parallel" if t_auto is t_par else "serial",
                       numba_parallel_ns_per_link=1e9 * t_par / m, numba_serial_ns_per_link=1e9 * t_ser / m,
                       numpy_ns_per_link=1e9 * t_np / m,
                       reference_ns_per_link=None if t_ref is None else 1e9 * t_ref / m,
                       speedup_vs_reference=None if t_ref is None else t_ref / t_auto,
                       speedup_vs_numpy=t_np / t_auto, threads=threads,
                       serial_cpu_ns_per_link=1e9 * t_ser_cpu / m,
                       reference_cpu_ns_per_link=None if t_ref_cpu is None else 1e9 * t_ref_cpu / m,
                       cpu_speedup_vs_reference=None if t_ref_cpu is None else t_ref_cpu / t_ser_cpu,
                       exp_share=share)
            row["kernel_ns_per_link"] /= m
            rows.append(row)
            print(f"  kernel {network:7s} {mix:10s} n={n:>8,d}: numba {row['numba_parallel_ns_per_link']:.1f} ns/link "
                  f"({row['numba_serial_ns_per_link']:.1f} serial, model path {row['kernel_path']}), numpy {row['numpy_ns_per_link']:.1f}"
                  + ("" if t_ref is None else f", reference {row['reference_ns_per_link']:.0f} "
                                              f"({row['speedup_vs_reference']:.0f}x)"), flush=True)
            del inp, ws, out
    return rows


# --------------------------------------------------------------------------------------------- memory
@njit(parallel=True, cache=True)
def _copy_parallel(src, dst):
    for i in prange(src.shape[0]):
        dst[i] = src[i]


@njit(parallel=True, cache=True)
def _gather_parallel(table, idx, out):
    for k in prange(idx.shape[0]):
        j = idx[k]
        out[k] = table[j, 0] + table[j, 7]


@njit(cache=True)
def _gather_serial(table, idx, out):
    for k in range(idx.shape[0]):
        j = idx[k]
        out[k] = table[j, 0] + table[j, 7]


def kernel_bytes_per_link(links_per_node: float, active: float) -> dict:
    """Bytes the kernel moves per link when a share `active` of the links carries an activity.

    Arc arrays count whole (trust, giver, arc_link in; new_trust, received out; the int8 arc activity
    zeroed and read): with even 10 % of arcs active every cache line of giver and arc_link is touched.
    An active link adds its three inputs, its 32-byte record written once and read by both arcs, its two
    arc positions, the two scattered activity bytes (a cache line each) and two giver rows.
    """
    arcs = 2 * (8 + 8 + 8 + 8 + 8 + 2)
    link_records = 2 + active * (24 + 32 + 16 + 2 * 64 + 2 * 32)
    giver_rows = active * 2 * 64
    per_node = 48 + 64 + 64 + 8 + 24 + 8     # pack in/out, own row, indptr, new_knowledge, created
    total = arcs + link_records + giver_rows + per_node / links_per_node
    return dict(arc_streams=arcs, link_records=link_records, giver_rows=giver_rows,
                node_streams=per_node / links_per_node, total=total)


@njit(cache=True)
def _chase(next_row, steps):
    """Follow a random cycle through 64-byte rows: each read waits for the last (latency, not throughput)."""
    j = 0
    for _ in range(steps):
        j = next_row[j * 8]
    return j


@njit(cache=True)
def _exp_loop(x):
    total = 0.0
    for v in x:
        total += math.exp(v)
    return total


@njit(cache=True)
def _multiply_loop(x):
    total = 0.0
    for v in x:
        total += v * 1.0001
    return total


LATENCY_KB = (32, 256, 1024, 4096, 16384, 65536)


def bench_latency(repeats: int) -> dict:
    """ns per dependent read through tables of LATENCY_KB, and ns per `math.exp` call in a numba loop."""
    rng = np.random.default_rng(4)
    res = {}
    for kb in LATENCY_KB:
        rows = kb * 1024 // 64
        order = rng.permutation(rows)
        next_row = np.zeros(rows * 8, np.int64)
        next_row[order * 8] = np.roll(order, -1)
        _chase(next_row, 10)
        res[f"latency_{kb}kb_ns"] = 1e9 * median_time(lambda: _chase(next_row, 1_000_000), repeats) / 1e6
    x = -3.0 * rng.random(1_000_000)
    _exp_loop(x[:10])
    _multiply_loop(x[:10])
    res["exp_ns"] = 1e9 * median_time(lambda: _exp_loop(x), repeats) / len(x)
    res["multiply_ns"] = 1e9 * median_time(lambda: _multiply_loop(x), repeats) / len(x)
    print("  latency: " + ", ".join(f"{kb} KB {res[f'latency_{kb}kb_ns']:.1f} ns" for kb in LATENCY_KB)
          + f"; exp {res['exp_ns']:.1f} ns per call", flush=True)
    return res


def bench_memory(repeats: int) -> dict:
    from simulation.kernel import get_threads, set_threads

    n = 32_000_000                           # 256 MB per array: far beyond any cache
    src = np.random.default_rng(1).random(n)
    dst = np.empty_like(src)
    _copy_parallel(src[:10], dst[:10])
    t_np = median_time(lambda: np.copyto(dst, src), repeats)
    t_par = median_time(lambda: _copy_parallel(src, dst), repeats)
    stream = 2 * src.nbytes / min(t_np, t_par) / 1e9
    del src, dst
    rows = 1_000_000                         # the node table of 10^6 teachers: 64 MB of 64-byte rows
    table = np.random.default_rng(2).random((rows, 8))
    idx = np.random.default_rng(3).integers(0, rows, 10_000_000)
    out = np.empty(len(idx))
    _gather_serial(table, idx[:10], out)
    _gather_parallel(table, idx[:10], out)
    threads = get_threads()
    t_g1 = median_time(lambda: _gather_serial(table, idx, out), repeats)
    t_gp = median_time(lambda: _gather_parallel(table, idx, out), repeats)
    set_threads(threads)
    gather = 1e9 * min(t_g1, t_gp) / len(idx)
    res = dict(stream_gb_s=stream, stream_numpy_gb_s=2 * 8 * n / t_np / 1e9,
               stream_parallel_gb_s=2 * 8 * n / t_par / 1e9, gather_ns=gather,
               gather_serial_ns=1e9 * t_g1 / len(idx), gather_parallel_ns=1e9 * t_gp / len(idx))
    print(f"  memory: streaming copy {stream:.1f} GB/s, random 64-byte row gather {gather:.2f} ns", flush=True)
    res.update(bench_latency(repeats))
    return res


# --------------------------------------------------------------------------------------------- model
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
    m._kernel.run = timer(m._kernel.run)
    m._kernel.run_records = timer(m._kernel.run_records)    # the model's path: link records packed in advance
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


# --------------------------------------------------------------------------------------------- cold start
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


# --------------------------------------------------------------------------------------------- report
def write_csv(name: str, rows: list[dict]) -> None:
    if not rows:
        return
    with open(OUT / name, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def fmt(x, spec=".1f"):
    return "–" if x is None else format(x, spec)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(meta: dict, kernel: list, memory: dict | None, model: list, cold: list) -> str:
    from simulation.kernel import PARALLEL_MIN_ARCS

    lines = ["# Benchmarks", "",
             f"Run {meta['date']} on {meta['machine']}, {meta['cpus']} CPUs, numba {meta['numba']} with "
             f"{meta['threads']} threads ({meta['layer']}); load average {meta['load_before']} before and "
             f"{meta['load_after']} after (other work shares this machine: figures are medians and still noisy). "
             f"Mode: {'quick' if meta['quick'] else 'full'}.", ""]
    summary = []
    if kernel:
        lines += ["## Kernel: ns per link per tick", "",
                  "Activity mix: model-like = 90 % of links idle (the model runs 93-99 % idle), busy = 50 % idle, "
                  "the rest spread over information, experience, coaching and programme.", "",
                  "The kernel column is what the model runs (`TickWorkspace`: serial below "
                  f"{PARALLEL_MIN_ARCS:,} arcs, where waking a second thread costs more than it saves; parallel above). "
                  "Ratios use that column.", "",
                  "CPU columns count this thread's CPU time only (serial kernel vs reference, both on one "
                  "thread): on a shared machine they show the code's cost without the time spent waiting for a core.",
                  "",
                  "| network | mix | teachers | links | kernel | numba parallel | numba serial (1 thread) | NumPy "
                  "| Python reference | × reference | × NumPy | serial CPU | reference CPU | × reference (CPU) |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in kernel:
            lines.append(f"| {r['network']} | {r['mix']} | {r['teachers']:,} | {r['links']:,} | **{r['kernel_ns_per_link']:.1f}** "
                         f"| {r['numba_parallel_ns_per_link']:.1f} "
                         f"| {r['numba_serial_ns_per_link']:.1f} | {r['numpy_ns_per_link']:.1f} "
                         f"| {fmt(r['reference_ns_per_link'], '.0f')} | {fmt(r['speedup_vs_reference'], '.0f')} "
                         f"| {r['speedup_vs_numpy']:.1f} | {fmt(r.get('serial_cpu_ns_per_link'))} "
                         f"| {fmt(r.get('reference_cpu_ns_per_link'), '.0f')} "
                         f"| {fmt(r.get('cpu_speedup_vs_reference'), '.0f')} |")
        for mix in MIXES:
            speedups = [r["speedup_vs_reference"] for r in kernel if r["speedup_vs_reference"] and r["mix"] == mix
                        and r["teachers"] >= 10**4]
            if speedups:
                lo = min(speedups)
                summary.append((f"kernel vs Python reference ({mix} mix, ≥ 10,000 teachers, wall)",
                                f"≥ {TARGETS['kernel_vs_reference']:.0f}×", f"{lo:.0f}× – {max(speedups):.0f}×",
                                verdict(lo >= TARGETS["kernel_vs_reference"])))
            cpu = [r["cpu_speedup_vs_reference"] for r in kernel if r.get("cpu_speedup_vs_reference")
                   and r["mix"] == mix and r["teachers"] >= 10**4]
            if cpu:
                summary.append((f"serial kernel vs Python reference ({mix} mix, ≥ 10,000 teachers, CPU time)",
                                f"≥ {TARGETS['kernel_vs_reference']:.0f}×", f"{min(cpu):.0f}× – {max(cpu):.0f}×",
                                verdict(min(cpu) >= TARGETS["kernel_vs_reference"])))
        lines.append("")
        if all("exp_share" in r for r in kernel):
            lines += ["### What `exp` costs the kernel", "",
                      "The same kernel compiled with four multiply-adds in place of every `math.exp`, timed "
                      "alternately with the real one on the same inputs (`kernel_without_exp`; attribution only, "
                      "its numbers are not the model's). The share is of the transfer pass alone; without exp = kernel × (1 − "
                      "share), which charges the packing pass too, so it is a lower bound on the time and the last "
                      "column an upper bound on the ratio.", "",
                      "| network | mix | teachers | kernel | exp share | kernel without exp | × reference "
                      "| × reference without exp |", "|---|---|---:|---:|---:|---:|---:|---:|"]
            for r in kernel:
                free = r["kernel_ns_per_link"] * (1.0 - r["exp_share"])
                ref = r["reference_ns_per_link"]
                lines.append(f"| {r['network']} | {r['mix']} | {r['teachers']:,} | {r['kernel_ns_per_link']:.1f} "
                             f"| {100 * r['exp_share']:.0f} % | {free:.1f} | {fmt(r['speedup_vs_reference'], '.0f')} "
                             f"| {fmt(None if ref is None else ref / free, '.0f')} |")
            lines.append("")
    if memory and kernel:
        lines += ["## Kernel against the memory limits", "",
                  f"Streaming copy: **{memory['stream_gb_s']:.1f} GB/s** (NumPy copy {memory['stream_numpy_gb_s']:.1f}, "
                  f"numba parallel copy {memory['stream_parallel_gb_s']:.1f}; read + write counted). Random gather of "
                  f"one 64-byte row from a 64 MB table: **{memory['gather_ns']:.2f} ns** per gather (1 thread "
                  f"{memory['gather_serial_ns']:.2f}, all threads {memory['gather_parallel_ns']:.2f}).", ""]
        if "exp_ns" in memory:
            lines += ["Latency of one dependent read (a pointer chase) by table size: " + ", ".join(
                f"{kb:,} KB {memory[f'latency_{kb}kb_ns']:.1f} ns" for kb in LATENCY_KB)
                + f". One `math.exp` in a numba loop: {memory['exp_ns']:.1f} ns (a multiply-add loop: "
                f"{memory['multiply_ns']:.1f} ns); an active arc makes up to six.", ""]
        bytes_of = {mix: kernel_bytes_per_link(LINKS_PER_TEACHER, 1.0 - idle) for mix, idle in MIXES.items()}
        lines += ["Kernel bytes per link: " + "; ".join(
            f"{mix} mix **{b['total']:.0f} B** (arc arrays {b['arc_streams']}, active links' records and "
            f"activity {b['link_records']:.0f}, giver rows {b['giver_rows']:.0f}, node streams "
            f"{b['node_streams']:.0f})" for mix, b in bytes_of.items()) + ". The random-gather limit of a link is "
                  "two row gathers (one giver row per arc, as a kernel that visits every arc's giver needs); the "
                  "streaming limit is the kernel's bytes at the streaming rate.", "",
                  "| network | mix | teachers | kernel ns/link | streaming limit ns/link | × streaming "
                  "| gather limit ns/link | × gather |", "|---|---|---:|---:|---:|---:|---:|---:|"]
        for r in kernel:
            s_lim = bytes_of[r["mix"]]["total"] / memory["stream_gb_s"]
            g_lim = 2 * memory["gather_ns"]
            k = r["kernel_ns_per_link"]
            r["x_streaming"], r["x_gather"] = k / s_lim, k / g_lim
            lines.append(f"| {r['network']} | {r['mix']} | {r['teachers']:,} | {k:.1f} | {s_lim:.1f} | {k / s_lim:.1f} | {g_lim:.1f} "
                         f"| {k / g_lim:.1f} |")
        big = max(r["teachers"] for r in kernel)
        for r in kernel:
            if r["teachers"] == big and r["network"] == "random":
                summary.append((f"random network, {r['mix']} mix, {big:,} teachers: × random-gather limit",
                                f"≤ {TARGETS['random_gather_ratio']:.0f}×", f"{r['x_gather']:.1f}×",
                                verdict(r["x_gather"] <= TARGETS["random_gather_ratio"])))
            if r["teachers"] == big and r["network"] == "ordered":
                summary.append((f"ordered network, {r['mix']} mix, {big:,} teachers: × streaming limit",
                                f"≤ {TARGETS['streaming_ratio']:.0f}×", f"{r['x_streaming']:.1f}×",
                                verdict(r["x_streaming"] <= TARGETS["streaming_ratio"])))
        lines.append("")
    if model:
        lines += ["## Whole model", "",
                  "Each size runs in a fresh process (peak memory is that process's peak resident set, VmHWM, "
                  "imports included). Per tick: kernel, data collection (metrics + DataCollector, every tick), "
                  "and everything else in `step`.", "",
                  "| case | teachers | links | construction s | s/tick | kernel | other | collection | ticks | run s "
                  "| process wall s | peak MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in model:
            lines.append(f"| {r['case']} | {r['teachers']:,} | {r['links']:,} | {r['build_s']:.3f} "
                         f"| {r['s_per_tick'] * 1e3:.2f} ms | {r['kernel_s_per_tick'] * 1e3:.2f} ms "
                         f"| {r['other_s_per_tick'] * 1e3:.2f} ms | {r['collect_s_per_tick'] * 1e3:.2f} ms "
                         f"| {r['ticks']} | {r['run_s']:.2f} | {r['wall_s']:.1f} | {r['peak_mb']:.0f} |")
        lines.append("")
        default = model[0]
        summary.append(("default 8 schools, 195 ticks, warm (construction + run)",
                        f"< {TARGETS['default_run_seconds']} s", f"{default['run_s']:.3f} s",
                        verdict(default["run_s"] < TARGETS["default_run_seconds"])))
        nat = model[-1]
        if nat["ticks"] >= 195:
            summary.append(("24,000 schools × 195 ticks, end to end (process wall)",
                            f"< {TARGETS['national_seconds']:.0f} s", f"{nat['wall_s']:.1f} s",
                            verdict(nat["wall_s"] < TARGETS["national_seconds"])))
        else:
            est = nat["import_s"] + nat["build_s"] + 195 * nat["s_per_tick"]
            summary.append(("24,000 schools × 195 ticks (estimated from a quick run)",
                            f"< {TARGETS['national_seconds']:.0f} s", f"≈ {est:.0f} s",
                            verdict(est < TARGETS["national_seconds"])))
        summary.append(("24,000 schools peak memory", f"< {TARGETS['national_gb']:.0f} GB",
                        f"{nat['peak_mb'] / 1024:.2f} GB", verdict(nat["peak_mb"] / 1024 < TARGETS["national_gb"])))
    if cold:
        lines += ["## Cold start (command to first tick, measured outside the process)", "",
                  "In-process parts: import of `simulation.model`, construction of the default model (where numba "
                  "loads, or compiles, the first kernels from its cache) and the first tick. The bound: starting "
                  "the interpreter, and importing the third-party chain alone (numpy, pandas, SciPy's spatial "
                  "module, networkx, numba, mesa: what `import mesa` and the kernels need) in a fresh process.", "",
                  "| numba cache | command to first tick s | import s | construction s | first tick s "
                  "| process wall s (with exit) | interpreter start s | third-party imports alone s |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in cold:
            lines.append(f"| {r['cache']} | {r['command_to_first_tick_s']:.2f} | {r['import_s']:.2f} "
                         f"| {r.get('construction_s', float('nan')):.2f} | {r.get('tick_s', float('nan')):.3f} "
                         f"| {r.get('process_wall_s', float('nan')):.2f} | {r.get('interpreter_start_s', float('nan')):.2f} "
                         f"| {r.get('third_party_import_s', float('nan')):.2f} |")
        lines.append("")
        summary.append(("first tick with a warm numba cache (command to first tick)",
                        f"< {TARGETS['first_tick_seconds']:.0f} s", f"{cold[1]['command_to_first_tick_s']:.2f} s",
                        verdict(cold[1]["command_to_first_tick_s"] < TARGETS["first_tick_seconds"])))
    head = ["## Targets (issue 7)", "", "| figure | target | measured | |", "|---|---|---|---|"]
    head += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary]
    return "\n".join(lines[:4] + head + [""] + lines[4:]) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m experiments.benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer ticks (about 2 minutes)")
    ap.add_argument("--only", default="kernel,memory,model,cold",
                    help="comma-separated sections: kernel, memory, model, cold")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    meta = dict(date=time.strftime("%Y-%m-%d %H:%M"), machine=platform.processor() or platform.machine(),
                cpus=os.cpu_count(), numba=numba.__version__, threads=numba.get_num_threads(),
                layer=os.environ.get("NUMBA_THREADING_LAYER", "default layer"), quick=args.quick,
                load_before=" ".join(f"{x:.1f}" for x in os.getloadavg()))
    sizes = [10**3, 10**4, 10**5] if args.quick else [10**3, 10**4, 10**5, 10**6]
    kernel = memory = model = cold = None
    if "kernel" in only:
        print("kernel", flush=True)
        kernel = bench_kernel(sizes, 60_000 if args.quick else 600_000, 5 if args.quick else 7)
    if "memory" in only:
        print("memory", flush=True)
        memory = bench_memory(3 if args.quick else 5)
    if "model" in only:
        print("whole model", flush=True)
        model = bench_model(args.quick)
    if "cold" in only:
        print("cold start", flush=True)
        cold = bench_cold_start(3 if args.quick else 5)
    meta["load_after"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    # sections not run this time are taken from the previous run's JSON, so one report holds all
    saved = {}
    for name, rows in (("kernel", kernel), ("memory", memory), ("model", model), ("cold", cold)):
        path = OUT / f"{name}.json"
        if rows is not None:
            path.write_text(json.dumps(rows, indent=1))
        elif path.exists():
            saved[name] = json.loads(path.read_text())
    kernel = kernel if kernel is not None else saved.get("kernel")
    memory = memory if memory is not None else saved.get("memory")
    model = model if model is not None else saved.get("model")
    cold = cold if cold is not None else saved.get("cold")
    text = report(meta, kernel or [], memory, model or [], cold or [])
    write_csv("kernel.csv", kernel or [])
    write_csv("memory.csv", [memory] if memory else [])
    write_csv("model.csv", model or [])
    write_csv("cold_start.csv", cold or [])
    (OUT / "benchmarks.md").write_text(text)
    (OUT / "meta.json").write_text(json.dumps(meta, indent=1))
    print(f"\nwrote {OUT}/benchmarks.md and CSVs\n")
    print(text)


if __name__ == "__main__":
    main()
