"""`clc-sim sensitivity`: SALib Morris or Sobol' analysis of a sweep file's [sensitivity] table."""

from __future__ import annotations

import textwrap

from simulation.commands import CommandError, command_parser
from simulation.commands.sweep import add_execution_arguments, check_execution_arguments, execute

EXAMPLES = """
  clc-sim sensitivity scenarios/sweeps/sensitivity-transfer.toml --method morris
  clc-sim sensitivity scenarios/sweeps/sensitivity-transfer.toml --method sobol --n 64 --workers 2
  clc-sim sensitivity my.toml --method sobol --scheduler tcp://10.0.0.5:8786 --resume
"""


def add_parser(subparsers):
    p = command_parser(subparsers, "sensitivity", "global sensitivity analysis (SALib Morris or Sobol')",
                       "Sample the parameter ranges of a sweep file's [sensitivity] table with SALib, run the "
                       "design through the sweep engine (all cores or a Dask cluster, resumable), and compute "
                       "Morris mu* or Sobol' S1/ST indices with 95 % confidence intervals for the chosen metrics. "
                       "Writes sensitivity.csv, sensitivity.md and sensitivity.png beside the sweep outputs.",
                       EXAMPLES)
    p.add_argument("file", metavar="FILE", help="a sweep file with a [sensitivity] table")
    p.add_argument("--method", choices=("morris", "sobol"),
                   help="morris (elementary effects, cheap screening) or sobol (variance shares); default: the "
                        "file's sensitivity.method, else morris")
    p.add_argument("--n", type=int, metavar="N",
                   help="Morris trajectories or Sobol' base sample (a power of two); default: the file's n")
    add_execution_arguments(p)
    return p


def run(args) -> int:
    from simulation.commands import Interrupted
    from simulation.sweep.sensitivity import SensitivityError, analyse, write_report
    from simulation.sweep.spec import MAX_SENSITIVITY_N, load_sweep
    from simulation.validation import check_option

    check_execution_arguments(args)
    check_option("--n", args.n, 2, MAX_SENSITIVITY_N)     # the design's size is then checked against the run cap
    spec = load_sweep(args.file, ranges=args.ranges).with_sensitivity(args.method, args.n)
    outcome, status = execute(args, spec, "sensitivity")
    if outcome is None:
        return status
    if not outcome.complete:
        raise CommandError(f"the sweep is incomplete ({len(outcome.runs)} of {outcome.total} runs); finish it with "
                           f"--resume before the indices can be computed.")
    try:
        table = analyse(spec, outcome.runs)
        write_report(outcome.out_dir, spec, table)
    except SensitivityError as exc:
        raise CommandError(str(exc)) from None
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted while computing the indices; all {outcome.total} runs are saved in "
                          f"{outcome.out_dir}; compute them with: clc-sim sensitivity {args.file} --method "
                          f"{spec.sensitivity.method} --n {spec.sensitivity.n} --ranges {spec.range_source} "
                          f"--out {outcome.out_dir} --resume") from None
    from simulation.sweep.sensitivity import SCALING

    key = "mu_star" if spec.sensitivity.method == "morris" else "ST"
    print(textwrap.fill(SCALING[spec.sensitivity.method], 100))
    for metric, part in table.groupby("metric", sort=False):
        ranked = ", ".join(f"{r.parameter} {getattr(r, key):.3g}±{getattr(r, key + '_conf'):.2g}"
                           for r in part.itertuples())
        print(f"{metric} ({key}, 95 % CI): {ranked}")
    print(f"indices written to {outcome.out_dir}/sensitivity.csv, .md and .png")
    return 0
