"""Pattern-oriented validation: one experiment per pattern the seeds report, plus docking and sensitivity.

`REGISTRY` maps each experiment's name to its module (NAME, TITLE, PATTERN, DEPENDS, `run(ctx) -> Result`);
`run_experiment` runs one and writes results/experiments/<name>/, `run_all` runs them all and the report.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from .common import Context, Result, apply_family, write_report, write_result

_MODULES = ("voluntary_forced", "trust_outcome", "moral_capital", "chain_direct", "network_size", "j_curve",
            "knowledge_accessed", "condoned_failure", "resistant_heads", "peer_support", "stages",
            "high_performing", "docking")
REGISTRY = {name: f"experiments.{name}" for name in _MODULES}
#: experiments whose verdict is about the CLC model's defaults (docking tests the kernel alone)
PATTERNS = tuple(n for n in _MODULES if n != "docking")
DEFAULT_ROOT = Path("results") / "experiments"


#: wall time of each experiment on the project's 2-core machine (--jobs 2, warm numba cache), seconds:
#: (quick, full), with the ablation of experiments/ablation.py; each measured alone as the wall time of
#: `clc-sim experiments run <name> [--quick] --jobs 2` (so with Python's start, the ~3 s of starting the worker
#: pool and without the baseline runs `run all` shares between experiments), one pass on 2026-12-01 while other
#: work kept the load average at 3-7, so these are upper bounds (docking: the exact Cowan & Jonard rule, measured
#: the same way while a calibration search ran on both cores)
TYPICAL_SECONDS = {
    "voluntary_forced": (24, 51), "trust_outcome": (16, 26), "moral_capital": (14, 24), "chain_direct": (21, 44),
    "network_size": (43, 150), "j_curve": (12, 37), "knowledge_accessed": (14, 43), "condoned_failure": (44, 198),
    "resistant_heads": (12, 35), "peer_support": (23, 102), "stages": (15, 61), "high_performing": (22, 83),
    "docking": (17, 161),
}


def module(name: str):
    """The experiment module called `name`."""
    return importlib.import_module(REGISTRY[name])


def cost(name: str, quick: bool = False, seeds: int | None = None) -> tuple[int, tuple[int, int]]:
    """(model runs, typical seconds (quick, full)) of experiment `name` at `seeds` replications."""
    from .common import SEEDS_FULL, SEEDS_QUICK

    n = seeds or (SEEDS_QUICK if quick else SEEDS_FULL)
    return int(module(name).runs(quick, n)), TYPICAL_SECONDS.get(name, (0, 0))


def run_experiment(name: str, ctx: Context, root: Path | str = DEFAULT_ROOT, write: bool = True) -> Result:
    """Run one experiment and (unless write=False) write its folder; its findings are their own Holm family."""
    t0 = time.perf_counter()
    result = module(name).run(ctx)
    result.seconds = time.perf_counter() - t0
    result.command = ctx.described().replace(" run all", f" run {name}", 1) if not ctx.command else ctx.command
    if write:
        write_result(result, Path(root))
    return result


def run_all(ctx: Context, root: Path | str = DEFAULT_ROOT, names=None, on_result=None) -> list[Result]:
    """Run every experiment (or `names`), Holm-adjust the pattern findings as one family, write each folder
    and REPORT.md. `on_result(result)` is called as each experiment finishes (before the family verdict)."""
    results = []
    for n in (names or REGISTRY):
        results.append(run_experiment(n, ctx, root, write=False))
        if on_result is not None:
            on_result(results[-1])
    for r in results:
        r.command = ctx.described()
    apply_family([r for r in results if r.name in PATTERNS])
    for r in results:
        write_result(r, Path(root))
    write_report(Path(root), ctx)
    return results
