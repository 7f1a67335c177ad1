"""Machine benchmark: the limits of this machine that the kernel's figures are set against.

What it measures, with small numba and NumPy loops and no simulation code apart from setting the
thread count back:
  - streaming bandwidth: copying a 256 MB array with NumPy and with a parallel numba loop (read and
    write counted, GB/s; the faster of the two is the limit);
  - random gather: reading one 64-byte row at random from a 64 MB table (10^6 rows, like the node
    table of 10^6 teachers), 10^7 times, on one thread and on all threads (ns per gather);
  - latency: one dependent read (a pointer chase round a random cycle) through tables of 32 KB to
    64 MB (ns per read);
  - the cost of one `math.exp` in a numba loop, beside a multiply-add loop (ns per call).
The report divides the kernel's bytes per link (`benchmarks.kernel.kernel_bytes_per_link`) by the
streaming rate and takes two row gathers per link as the random-gather limit.

How: every figure is the median over repeats (5, or 3 with --quick), after a warm-up call that
compiles or loads the numba loops.

    python -m benchmarks.machine            # 5 repeats
    python -m benchmarks.machine --quick    # 3 repeats

Writes results/benchmarks/machine.csv (one row) and this run's row of results/benchmarks/meta.csv.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from benchmarks.common import command_line, measure, median_time

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


def run(quick: bool) -> list[dict]:
    """Measure (quick: fewer repeats) and write machine.csv; returns its one row."""
    print("machine", flush=True)
    return measure("machine", quick, lambda: [bench_memory(3 if quick else 5)])


def main(argv=None) -> None:
    command_line("machine", __doc__, run, argv, quick_help="3 repeats instead of 5")


if __name__ == "__main__":
    main()
