"""Pattern-oriented validation: one experiment per pattern the seeds report, plus docking and sensitivity.

`REGISTRY` maps each experiment's name to its module (NAME, TITLE, PATTERN, DEPENDS, `run(ctx) -> Result`);
`run_experiment` runs one and writes results/experiments/<name>/, `run_all` runs them all and the report.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from .common import Context, Result, write_report, write_result

_MODULES = ("voluntary_forced", "trust_outcome", "moral_capital", "chain_direct", "network_size", "j_curve",
            "knowledge_accessed", "condoned_failure", "resistant_heads", "peer_support", "stages",
            "high_performing", "docking")
REGISTRY = {name: f"experiments.{name}" for name in _MODULES}
#: experiments whose verdict is about the CLC model's defaults (docking tests the kernel alone)
PATTERNS = tuple(n for n in _MODULES if n != "docking")
DEFAULT_ROOT = Path("results") / "experiments"


def module(name: str):
    """The experiment module called `name`."""
    return importlib.import_module(REGISTRY[name])


def run_experiment(name: str, ctx: Context, root: Path | str = DEFAULT_ROOT, write: bool = True) -> Result:
    """Run one experiment and (unless write=False) write its folder."""
    result = module(name).run(ctx)
    if write:
        write_result(result, Path(root))
    return result


def run_all(ctx: Context, root: Path | str = DEFAULT_ROOT, names=None) -> list[Result]:
    """Run every experiment (or `names`), write each folder and REPORT.md."""
    results = [run_experiment(n, ctx, root) for n in (names or REGISTRY)]
    write_report(Path(root), ctx)
    return results
