"""The whole benchmark suite: kernel, machine limits, whole model and cold start, then the report.

Runs `benchmarks.kernel`, `benchmarks.machine`, `benchmarks.model` and `benchmarks.cold_start` one
after another (each figure a median over repeats, as each module's docstring says), each writing its
CSV table to results/benchmarks/, then `benchmarks.report`, which writes results/benchmarks/benchmarks.md
with every figure against its target. With --only, the benchmarks not run keep their tables from the
last run and the report uses those.

    python -m benchmarks            # full run (about 10 minutes on 2 cores)
    python -m benchmarks --quick    # smaller sizes, fewer ticks (about 2 minutes)
    python -m benchmarks --only model,cold_start   # some benchmarks; the others come from the last run

The sweep and dashboard benchmarks are not part of it: `python -m benchmarks.sweep`,
`python -m benchmarks.dashboard`.
"""

from __future__ import annotations

import argparse

from benchmarks import cold_start, kernel, machine, model, report
from benchmarks.common import SECTIONS

RUN = dict(kernel=kernel.run, machine=machine.run, model=model.run, cold_start=cold_start.run)
ALIASES = dict(memory="machine", cold="cold_start")      # the section names of the old single-file suite


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer ticks (about 2 minutes)")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help="comma-separated benchmarks: " + ", ".join(SECTIONS) + " (memory and cold also accepted)")
    args = ap.parse_args(argv)
    only = {ALIASES.get(s.strip(), s.strip()) for s in args.only.split(",") if s.strip()}
    unknown = only - set(SECTIONS)
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    for section in SECTIONS:
        if section in only:
            RUN[section](args.quick)
    report.main([])


if __name__ == "__main__":
    main()
