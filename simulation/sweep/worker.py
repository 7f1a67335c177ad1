"""What runs inside a worker (a pool process or a Dask worker): a batch of runs, each caught on its own.

A run that raises becomes a row with status "failed" and its error; the batch goes on. Each worker
uses one numba thread, so N workers use N cores and never oversubscribe them.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from typing import Any

import pandas as pd



def one_numba_thread() -> None:
    """Limit numba to one thread in this process (or Dask thread): the pool gives the parallelism."""
    if "numba" not in sys.modules:
        os.environ["NUMBA_NUM_THREADS"] = "1"
    import numba

    if numba.get_num_threads() != 1:
        numba.set_num_threads(1)


def init_pool_worker(parent_pid: int | None = None) -> None:
    """Process-pool initializer: Ctrl-C is the parent's to handle, the worker ends when the sweep's process
    `parent_pid` ends (even by SIGKILL), and numba gets one thread."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        from simulation.lifeline import watch_parent

        watch_parent(parent_pid)
    one_numba_thread()


def _summaries(frame: pd.DataFrame, metrics) -> dict[str, float]:
    out: dict[str, float] = {}
    last = frame.iloc[-1]
    first = frame.iloc[0]
    for m in metrics:
        col = frame[m].to_numpy(dtype=float)
        out[m] = float(last[m])
        out[f"{m}_mean"] = float(col.mean())
        out[f"{m}_min"] = float(col.min())
        out[f"{m}_max"] = float(col.max())
        out[f"{m}_change"] = float(last[m]) - float(first[m])
    return out


def run_one(job: dict[str, Any], run: dict[str, Any]) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Run one sweep run; return its runs-table row and its kept time series (None if it failed)."""
    from simulation.reporters import compute_metrics
    from simulation.runner import build_model
    from simulation.scenario import parse_scenario

    row: dict[str, Any] = {"run_id": run["run_id"], "point_id": run["point_id"],
                           "replication": run["replication"], "seed": run["seed"], **run["params"]}
    t0 = time.perf_counter()
    try:
        data = dict(job["scenario"])
        data["params"] = {**data["params"], **run["params"]}
        data["seed"] = run["seed"]
        scenario = parse_scenario(data, source=f"run {run['run_id']}")
        model = build_model(scenario)
        for _ in range(scenario.horizon):
            model.step()
        frame = model.timeseries()
        if frame["tick"].iloc[-1] != scenario.horizon:  # the horizon is not a collection tick
            final = {"tick": scenario.horizon, **compute_metrics(model)}
            frame = pd.concat([frame, pd.DataFrame([final])], ignore_index=True)
        row.update(status="ok", error="", traceback="")
        row.update(_summaries(frame, job["metrics"]))
        keep = (frame["tick"] % job["every"] == 0) | (frame["tick"] == scenario.horizon)
        ts = frame.loc[keep, ["tick", *job["timeseries"]]].copy()
        ts.insert(0, "run_id", run["run_id"])
        ts = ts.astype({c: "float64" for c in job["timeseries"]})
    except Exception as exc:  # a failing run is recorded and the sweep goes on
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc()[-4000:])
        ts = None
    row["wall_time_s"] = time.perf_counter() - t0
    return row, ts


def run_batch(job: dict[str, Any], runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Run a batch of runs in order; return their rows and their kept time series as one table."""
    one_numba_thread()
    rows, series = [], []
    for run in runs:
        row, ts = run_one(job, run)
        rows.append(row)
        if ts is not None:
            series.append(ts)
    return {"rows": rows, "timeseries": pd.concat(series, ignore_index=True) if series else None,
            "pid": os.getpid()}
