"""Replications on all cores: run many (parameters, seed) tasks in a spawn process pool.

Each worker runs with NUMBA_NUM_THREADS=1 (parallelism comes from the pool, not from numba threads) and
returns a compact `Replica`: the model-level time series, per-school tables at requested ticks and the
stage history. The pool is created once per process and reused, because a worker pays a few seconds to
import Mesa and load the compiled kernels. Results are memoised per task within the process, so the
experiments that share a baseline (voluntary-8 at one seed) run it once.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd


#: school selectors an intervention may name instead of indices: the model's boolean school arrays
SELECTORS = ("condoned", "resistant")


@dataclass(frozen=True)
class Task:
    """One replication: parameter overrides, seed, horizon, scheduled interventions, school snapshots."""

    params: tuple[tuple[str, Any], ...]
    seed: int
    horizon: int
    interventions: tuple[tuple[int, str, tuple[int, ...]], ...] = ()
    school_ticks: tuple[int, ...] = ()

    @staticmethod
    def make(params: dict, seed: int, horizon: int, interventions: Iterable = (), school_ticks: Iterable[int] = ()):
        ivs = tuple((int(t), str(k), tuple(s if s in SELECTORS else int(s) for s in ss))
                    for t, k, ss in interventions)
        return Task(tuple(sorted(params.items())), int(seed), int(horizon), ivs,
                    tuple(sorted({int(t) for t in school_ticks})))


@dataclass
class Replica:
    """What one replication returns."""

    task: Task
    timeseries: pd.DataFrame
    schools: dict[int, pd.DataFrame] = field(default_factory=dict)
    stages: np.ndarray | None = None      # (n_schools, horizon + 1) stage codes


def school_snapshot(m) -> pd.DataFrame:
    """The model's school frame plus access share, resistant flag, within-school spread and knowledge accessed."""
    from simulation.outcomes import within_school_sd

    n_s, tps = m.n_schools, m.p.teachers_per_school
    frame = m.school_frame()
    frame["access_share"] = m.access.reshape(n_s, tps).mean(axis=1)
    frame["resistant"] = m.resistant.copy()
    frame["condoned_at_start"] = m.condoned_start.copy()     # set by `run_task` before the first tick
    frame["within_sd"] = within_school_sd(m.knowledge, n_s, tps)
    frame["knowledge_accessed"] = m.knowledge_accessed()
    frame["high_performing"] = ((m.value_added >= m.reference.va_top_quartile)
                                & (frame["within_sd"].to_numpy() <= m.reference.within_sd_median))
    return frame


def run_task(task: Task) -> Replica:
    """Run one replication in this process."""
    from simulation import CLCModel

    model = CLCModel(seed=task.seed, **dict(task.params))
    model.condoned_start = model.condoned.copy()
    for tick, kind, schools in task.interventions:
        if schools and schools[0] in SELECTORS:         # e.g. ("condoned",): chosen once the model is drawn
            schools = [int(s) for s in np.flatnonzero(getattr(model, schools[0]))]
        if len(schools):
            model.schedule_intervention(tick, kind, list(schools))
    wanted = set(task.school_ticks)
    snaps: dict[int, pd.DataFrame] = {}
    stages = np.empty((model.n_schools, task.horizon + 1), np.int8)
    stages[:, 0] = model.stage
    if 0 in wanted:
        snaps[0] = school_snapshot(model)
    for tick in range(1, task.horizon + 1):
        model.step()
        stages[:, tick] = model.stage
        if tick in wanted:
            snaps[tick] = school_snapshot(model)
    return Replica(task, model.timeseries(), snaps, stages)


_POOL = None
_POOL_SIZE = 0
_CACHE: dict[Task, Replica] = {}


def default_jobs() -> int:
    """Worker count: CLC_JOBS if set, else every core."""
    env = os.environ.get("CLC_JOBS")
    if env:
        return max(1, int(env))
    return max(1, os.cpu_count() or 1)


def _init_worker(parent_pid: int) -> None:
    """Pool initializer: Ctrl-C is the parent's to handle, and the worker ends when the parent does."""
    import signal

    from simulation.lifeline import watch_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_parent(parent_pid)


def _pool(jobs: int):
    global _POOL, _POOL_SIZE
    if _POOL is not None and _POOL_SIZE == jobs:
        return _POOL
    shutdown()
    from simulation.lifeline import children_ignore_ctrl_c

    old = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = "1"          # inherited by spawned workers only
    try:
        # workers start with Ctrl-C ignored (the parent stops them) and end when the parent ends
        with children_ignore_ctrl_c():
            _POOL = mp.get_context("spawn").Pool(jobs, initializer=_init_worker, initargs=(os.getpid(),))
    finally:
        if old is None:
            os.environ.pop("NUMBA_NUM_THREADS", None)
        else:
            os.environ["NUMBA_NUM_THREADS"] = old
    _POOL_SIZE = jobs
    return _POOL


def shutdown() -> None:
    """Close the worker pool (it is re-created on demand)."""
    global _POOL, _POOL_SIZE
    if _POOL is not None:
        _POOL.terminate()
        _POOL.join()
    _POOL, _POOL_SIZE = None, 0


atexit.register(shutdown)


def clear_cache() -> None:
    """Forget every memoised replica (an ensemble run clears it between members, which share no runs)."""
    _CACHE.clear()


def run_tasks(tasks: Sequence[Task], jobs: int | None = None, progress: bool = False,
              desc: str = "replications") -> list[Replica]:
    """Run every task (memoised), in a process pool when more than one job; results in task order."""
    jobs = default_jobs() if jobs is None else max(1, jobs)
    todo = list(dict.fromkeys(t for t in tasks if t not in _CACHE))
    if todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=desc, unit="run", disable=not progress, file=sys.stderr,
                   dynamic_ncols=True)
        if jobs == 1 or len(todo) == 1:
            for t in todo:
                _CACHE[t] = run_task(t)
                bar.update(1)
        else:
            # longest first (size dominates run time) keeps both cores busy to the end
            order = sorted(todo, key=lambda t: -dict(t.params).get("n_schools", 8) * t.horizon)
            for rep in _pool(jobs).imap_unordered(run_task, order, chunksize=1):
                _CACHE[rep.task] = rep
                bar.update(1)
        bar.close()
    return [_CACHE[t] for t in tasks]
