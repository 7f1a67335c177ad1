"""Sweeps: many runs of one base scenario over a design (grid, Latin hypercube, Sobol) with replications.

`load_sweep` validates a sweep file into a `SweepSpec`; `run_sweep` runs it on a local process pool or a
Dask cluster, streaming each finished batch to disk so a killed sweep resumes where it stopped;
`simulation.sweep.sensitivity` runs SALib designs through the same engine.
"""

from simulation.sweep.spec import SweepError, SweepSpec, load_sweep, parse_sweep

__all__ = ["SweepError", "SweepSpec", "load_sweep", "parse_sweep", "run_sweep"]


def run_sweep(*args, **kwargs):
    """Run a sweep (see `simulation.sweep.engine.run_sweep`); imported late to keep this package light."""
    from simulation.sweep.engine import run_sweep as _run

    return _run(*args, **kwargs)
