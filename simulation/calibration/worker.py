"""What runs inside a sweep worker (a pool process or a Dask worker) for a calibration: a batch of replications.

Each replication is a `simulation.replicate.Task`, run exactly as `calibrate --check` runs it
(`replicate.run_task`), so a point of the search and `measure` at the same parameters and seeds agree
to the last digit. Only the reporters the targets read travel back. A replication that raises is
returned as its error (the point it belongs to is marked failed); the batch goes on.
"""

from __future__ import annotations

import traceback
from typing import Any


def run_replications(tasks: list, reporters: list[str]) -> list[tuple[Any, Any, str]]:
    """Run each task; return (task, its tick + reporter series or None, error text or "")."""
    from simulation.replicate import run_task
    from simulation.sweep.worker import one_numba_thread

    one_numba_thread()
    out = []
    for task in tasks:
        try:
            ts = run_task(task).timeseries
            out.append((task, ts[["tick", *reporters]].reset_index(drop=True), ""))
        except Exception as exc:  # recorded against its point; the search goes on
            out.append((task, None, f"{type(exc).__name__}: {exc} | {traceback.format_exc(limit=3)[-600:]}"))
    return out
