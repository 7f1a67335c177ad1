"""Kernel benchmark: the transfer kernel against the plain-Python reference and the NumPy version.

What it measures: the time of one tick of the knowledge-transfer kernel, in nanoseconds per link, on
synthetic inputs of 10^3 to 10^6 teachers (10^5 with --quick) with about 5 links each, on a random
network (no locality) and on one ordered by school and hub like the model's, with a model-like
activity mix (90 % of links idle) and a busy one (50 % idle). For every case it times, on the same
inputs one after another: the numba kernel as the model runs it (`TickWorkspace`, serial below
`PARALLEL_MIN_ARCS` arcs, parallel above), the parallel and the one-thread serial numba kernels, the
NumPy version and, up to 600,000 links (60,000 with --quick), the plain-Python reference, and the
serial kernel and the reference again in this thread's CPU time (what they cost without waiting for
a core on a shared machine). It also measures what `exp` costs the kernel: a copy of the kernel
compiled with four multiply-adds in place of every `math.exp` (`kernel_without_exp`, for attribution
only) is timed alternately with the real one, and the share is 1 - t(without exp) / t(kernel).
`kernel_bytes_per_link` counts (does not time) the bytes the kernel moves per link; the report sets
them against the machine's streaming rate from `benchmarks.machine`.

How: every figure is the median over repeats (7, or 5 with --quick; half as many for NumPy and from
2 million links; 3 for the reference, 1 above 20,000 links), after a warm-up call that compiles or
loads the numba kernels; the exp share is the ratio of the medians of alternating rounds.

    python -m benchmarks.kernel            # 10^3 to 10^6 teachers
    python -m benchmarks.kernel --quick    # 10^3 to 10^5 teachers, fewer repeats

Writes results/benchmarks/kernel.csv (one row per network, mix and size) and this run's row of
results/benchmarks/meta.csv.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from numba import njit

from benchmarks.common import command_line, measure, median_time

LINKS_PER_TEACHER = 5          # the model has about 5 links per teacher (2 within, 2 cross, 1 programme)
SCHOOL, HUB = 20, 10           # ordered network: 20 teachers per school, 10 schools per hub

MIXES = {"model-like": 0.9, "busy": 0.5}   # share of idle links: the model runs 93-99 % idle; busy is a stress case


def kernel_inputs(n: int, network: str, seed: int = 0, idle: float = 0.9) -> dict:
    """Kernel inputs for `n` teachers with about 5 links each; `idle` of the links carry no activity.

    random: endpoints uniform over all teachers and links in random order (no locality at all);
    ordered: teachers contiguous by school and schools by hub, 2 links in the school and 3 in the hub
    per teacher, links in teacher order (the model's layout).
    """
    from simulation.kernel import COACHING, EXPERIENCE, INFORMATION, NONE, PROGRAMME, kernel_coefficients
    from simulation.links import CROSS, LinkSet
    from simulation.params import DEFAULT_PARAMS

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
    rates, coef = kernel_coefficients(DEFAULT_PARAMS)
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
            ws.received, ws.colleague_share, ws.nodes, ws.links)


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


# --------------------------------------------------------------------------------------------- bytes per link
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


def run(quick: bool) -> list[dict]:
    """Measure (quick: up to 10^5 teachers, fewer repeats) and write kernel.csv; returns its rows."""
    print("kernel", flush=True)
    sizes = [10**3, 10**4, 10**5] if quick else [10**3, 10**4, 10**5, 10**6]
    return measure("kernel", quick, lambda: bench_kernel(sizes, 60_000 if quick else 600_000, 5 if quick else 7))


def main(argv=None) -> None:
    command_line("kernel", __doc__, run, argv, quick_help="10^3 to 10^5 teachers, fewer repeats")


if __name__ == "__main__":
    main()
