"""Run a sweep on a local process pool or a Dask cluster, streaming each finished batch to disk.

Storage (the sweep folder):
  sweep.toml, design.parquet   the resolved sweep and its design points, written before any run
  parts/runs/*.parquet         one file per finished batch: a row per run (the record of what is done)
  parts/timeseries/*.parquet   the same batch's kept time series, written just before its runs part
  runs.parquet, timeseries.parquet, metadata.json, plots/   merged from the parts at the end
  runs.csv, design.csv, summary.csv   the same tables for a spreadsheet (`tables`), written with them
Every file is written under a temporary name and renamed, so a killed sweep (SIGINT or SIGKILL)
leaves only whole parts and loses only the runs in flight; `resume=True` runs the run ids no part
holds. Each run's seed comes from the sweep seed and its run id, so the results do not depend on
worker count, batching, order or scheduler.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from simulation.lifeline import ctrl_c_deferred
from simulation.params import PARAMS
from simulation.results import atomic_write, atomic_write_text, provenance
from simulation.sweep.design import Run, design_points, plan_runs
from simulation.sweep.spec import (SweepError, SweepSpec, check_run_count, design_size, design_words, metric_columns,
                                   parse_sweep)
from simulation.sweep.worker import run_batch
from simulation.validation import check_path

ID_COLUMNS = ("run_id", "point_id", "replication", "seed", "status", "error")
ID_DTYPES = {"run_id": "int64", "point_id": "int64", "replication": "int64", "seed": "int64", "status": "str",
             "error": "str"}
TARGET_BATCH_SECONDS = 5.0


class SweepRunError(RuntimeError):
    """The sweep could not go on (the worker pool broke, the scheduler is unreachable); finished runs are kept."""


@dataclass
class SweepOutcome:
    """What a sweep call did: the merged tables, counts, timing and where it wrote."""

    out_dir: Path
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    total: int
    ran: int
    failed: int
    wall_time_s: float
    status: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.runs) == self.total


def default_out_dir(spec: SweepSpec, root: str | Path = "results") -> Path:
    """`<root>/sweeps/<sweep name>`: fixed, so `--resume` finds the sweep again."""
    return Path(root) / "sweeps" / spec.name


# ---------------------------------------------------------------------------------------------
# storage


class SweepStore:
    """The sweep folder: part files streamed per batch, merged into runs.parquet and timeseries.parquet."""

    def __init__(self, out_dir: str | Path):
        self.dir = Path(out_dir)
        self.runs_parts = self.dir / "parts" / "runs"
        self.ts_parts = self.dir / "parts" / "timeseries"
        self._lock = None

    # -- setup
    def open(self, spec: SweepSpec, points: list[dict], resume: bool) -> None:
        """Create or reopen the folder; refuse another sweep's folder, or a started one without `resume`."""
        if self.dir.exists() and not self.dir.is_dir():
            raise SweepError(f"the output path {str(self.dir)!r} is a file, not a folder.", field="--out",
                             value=str(self.dir))
        existing = self.dir / "sweep.toml"
        if existing.exists():
            from simulation.scenario import read_toml

            try:
                old = parse_sweep(read_toml(existing), source=str(existing))
            except SweepError as exc:
                raise SweepError(f"the folder {str(self.dir)!r} holds a sweep.toml that no longer validates "
                                 f"({exc.message}); choose another --out.", field="--out", value=str(self.dir))
            old_id, new_id = old.identity(), spec.identity()
            if old_id != new_id:
                diff = sorted(k for k in set(old_id) | set(new_id) if old_id.get(k) != new_id.get(k))
                raise SweepError(f"the folder {str(self.dir)!r} holds a different sweep ({old.name!r}; differs in "
                                 f"{', '.join(diff)}): choose another --out, or resume it with its own file "
                                 f"{str(existing)!r}.", field="--out", value=str(self.dir))
            if not resume and self._has_runs():
                raise SweepError(f"the folder {str(self.dir)!r} already holds this sweep: pass --resume to finish "
                                 f"the runs it is missing, or choose another --out.", field="--out",
                                 value=str(self.dir), allowed="--resume or another --out")
            design = self.dir / "design.parquet"
            if design.exists() and not _same_design(pd.read_parquet(design), points):
                raise SweepError(f"the design stored in {str(design)!r} differs from the one this sweep file draws "
                                 f"now (another SALib/SciPy version?); resume with the versions it was started "
                                 f"with, or choose another --out.", field="--out", value=str(self.dir))
        try:
            self.runs_parts.mkdir(parents=True, exist_ok=True)
            self.ts_parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SweepError(f"cannot create the sweep folder {str(self.dir)!r}: {exc.strerror or exc}.",
                             field="--out", value=str(self.dir))
        self._take_lock()
        if not existing.exists():
            header = (f"Resolved sweep '{spec.name}': the base scenario and every design value written out.\n"
                      f"Re-run or resume it with: clc-sim sweep <this file> --out {self.dir} --resume\n"
                      f"Source: {spec.source or 'in memory'}")
            atomic_write(self.dir / "design.parquet",
                         lambda tmp: _design_frame(points).to_parquet(tmp, index=False))
            atomic_write_text(existing, spec.to_toml(header))

    def _has_runs(self) -> bool:
        return (self.dir / "runs.parquet").exists() or bool(self._parts(self.runs_parts))

    def _take_lock(self) -> None:
        """One sweep process per folder at a time (an advisory lock, released when the process ends)."""
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock
            return
        handle = open(self.dir / ".lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise SweepError(f"another clc-sim process is running a sweep in {str(self.dir)!r}; wait for it or "
                             f"choose another --out.", field="--out", value=str(self.dir))
        self._lock = handle

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # -- streaming
    def write_batch(self, rows: list[dict], timeseries: pd.DataFrame | None, columns: list[str]) -> None:
        """Write one finished batch: its time series part first, then its runs part (the commit)."""
        name = f"part-{min(r['run_id'] for r in rows):09d}-{uuid.uuid4().hex[:8]}.parquet"
        if timeseries is not None and len(timeseries):
            atomic_write(self.ts_parts / name, lambda tmp: timeseries.to_parquet(tmp, index=False))
        frame = _runs_frame(rows, columns)
        atomic_write(self.runs_parts / name, lambda tmp: frame.to_parquet(tmp, index=False))

    def _parts(self, folder: Path) -> list[Path]:
        return sorted(p for p in folder.glob("part-*.parquet")) if folder.is_dir() else []

    def done_ids(self) -> set[int]:
        """Run ids already recorded (finished or failed), from the merged table and the parts."""
        ids: set[int] = set()
        merged = self.dir / "runs.parquet"
        if merged.exists():
            ids.update(pd.read_parquet(merged, columns=["run_id"])["run_id"].tolist())
        for part in self._parts(self.runs_parts):
            ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
        return ids

    def merge(self, columns: list[str], ts_columns: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Merge the parts into runs.parquet and timeseries.parquet (sorted, one row per run), then drop them.

        A time series part without its runs part (killed between the two writes) is left out: its runs
        were not recorded and run again on resume.
        """
        run_sources = [self.dir / "runs.parquet"] if (self.dir / "runs.parquet").exists() else []
        run_parts = self._parts(self.runs_parts)
        frames = [pd.read_parquet(p) for p in run_sources + run_parts]
        runs = (pd.concat(frames, ignore_index=True) if frames else _runs_frame([], columns))
        runs = runs.drop_duplicates("run_id", keep="first").sort_values("run_id").reset_index(drop=True)
        runs = _typed(runs.reindex(columns=list(dict.fromkeys([*columns, *runs.columns]))), columns)
        committed = {p.name for p in run_parts}
        ts_sources = [self.dir / "timeseries.parquet"] if (self.dir / "timeseries.parquet").exists() else []
        ts_parts = [p for p in self._parts(self.ts_parts) if p.name in committed]
        ts_frames = [pd.read_parquet(p) for p in ts_sources + ts_parts]
        if ts_frames:
            ts = pd.concat(ts_frames, ignore_index=True)
            ts = ts.drop_duplicates(["run_id", "tick"], keep="first").sort_values(["run_id", "tick"])
            ts = ts.reset_index(drop=True).astype({"run_id": "int64", "tick": "int64",
                                                   **{c: "float64" for c in ts_columns if c in ts}})
        else:
            ts = pd.DataFrame({"run_id": pd.Series(dtype="int64"), "tick": pd.Series(dtype="int64"),
                               **{c: pd.Series(dtype="float64") for c in ts_columns}})
        atomic_write(self.dir / "runs.parquet", lambda tmp: runs.to_parquet(tmp, index=False))
        atomic_write(self.dir / "timeseries.parquet", lambda tmp: ts.to_parquet(tmp, index=False))
        for part in run_parts:  # merged: the merged tables now hold them
            part.unlink(missing_ok=True)
        for part in self._parts(self.ts_parts):
            part.unlink(missing_ok=True)
        return runs, ts


def _design_frame(points: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(points) if points and points[0] else pd.DataFrame(index=range(len(points)))
    frame.insert(0, "point_id", range(len(points)))
    return frame


def _same_design(stored: pd.DataFrame, points: list[dict]) -> bool:
    fresh = _design_frame(points)
    if list(stored.columns) != list(fresh.columns) or len(stored) != len(fresh):
        return False
    return all(list(stored[c]) == list(fresh[c]) for c in fresh.columns)


def _runs_frame(rows: list[dict], columns) -> pd.DataFrame:
    """Rows as a runs table with the sweep's fixed column types, however few rows (none, or all failed)."""
    return _typed(pd.DataFrame(rows).reindex(columns=list(columns)), columns)


def _typed(frame: pd.DataFrame, schema) -> pd.DataFrame:
    """`frame` with each column of `schema` (name -> dtype; a plain list of names types only the id and text
    columns) in its type, so runs.parquet has the same column types after any interruption."""
    if not isinstance(schema, Mapping):
        schema = {c: ID_DTYPES[c] for c in schema if c in ID_DTYPES}
    for c, dtype in schema.items():
        if c not in frame:
            continue
        if dtype == "str":
            frame[c] = frame[c].fillna("").astype(str)
        else:
            frame[c] = frame[c].astype(dtype)
    return frame


def runs_schema(spec: SweepSpec) -> dict[str, str]:
    """Every runs-table column and its dtype, fixed by the sweep file alone (not by which runs finished)."""
    swept = {}
    for name in spec.swept:
        kind = PARAMS[name].kind
        swept[name] = "int64" if kind is int else "float64" if kind is float else "bool" if kind is bool else "object"
    return {**ID_DTYPES, **swept, **{c: "float64" for c in metric_columns(spec.metrics)}, "wall_time_s": "float64",
            "traceback": "str"}


# ---------------------------------------------------------------------------------------------
# backends


class PoolBackend:
    """A local process pool (forkserver where available, else spawn: never fork under numba threads)."""

    kind = "process-pool"

    def __init__(self, workers: int):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        from simulation.lifeline import children_ignore_ctrl_c

        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        ctx = mp.get_context(method)
        self.slots = self.workers = workers
        self.start_method = method
        # the forkserver (and the resource tracker) start now, with Ctrl-C blocked, so every worker they
        # fork is deaf to it from birth: Ctrl-C reaches the sweep alone, which stops them (see lifeline)
        with children_ignore_ctrl_c():
            if method == "forkserver":
                from multiprocessing import forkserver

                ctx.set_forkserver_preload(["simulation.sweep.worker"])
                forkserver.ensure_running()
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                                initializer=_init_pool_worker, initargs=(os.getpid(),))

    def submit(self, fn, *args):
        return self.executor.submit(fn, *args)

    def wait_first(self, futures):
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(futures, timeout=1.0, return_when=FIRST_COMPLETED)
        return done

    def close(self, cancel: bool = False) -> None:
        if cancel:
            processes = list(getattr(self.executor, "_processes", {}).values())
            self.executor.shutdown(wait=False, cancel_futures=True)
            for proc in processes:  # runs in flight are lost by design; do not wait for them
                if proc.is_alive():
                    proc.terminate()
            for proc in processes:
                proc.join(timeout=5)
        else:
            self.executor.shutdown(wait=True)

    def describe(self) -> dict[str, Any]:
        return {"backend": self.kind, "workers": self.workers, "start_method": self.start_method}


def _init_pool_worker(parent_pid: int | None = None) -> None:
    from simulation.sweep.worker import init_pool_worker

    init_pool_worker(parent_pid)


class DaskBackend:
    """An existing Dask distributed cluster, by address (tcp://host:port) or scheduler file."""

    kind = "dask"

    def __init__(self, address: str, timeout: float = 20.0):
        try:
            from distributed import Client
        except ImportError:
            raise SweepError("--scheduler needs the 'distributed' package: pip install distributed.",
                             field="--scheduler", value=address)
        self.address = address
        if "://" not in address and not Path(address).is_file():
            raise SweepError(f"--scheduler {address!r} is neither an address nor an existing scheduler file: expected "
                             f"tcp://host:port of a running Dask scheduler, or the path of its scheduler file.",
                             field="--scheduler", value=address, allowed="tcp://host:port or a scheduler file")
        try:
            if Path(address).is_file():
                self.client = Client(scheduler_file=address, timeout=timeout)
            else:
                self.client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(f"--scheduler {address!r}: cannot connect to a Dask scheduler ({exc}). Expected "
                             f"tcp://host:port of a running scheduler, or the path of its scheduler file.",
                             field="--scheduler", value=address,
                             allowed="tcp://host:port or a scheduler file") from None
        info = self.client.scheduler_info()
        workers = info.get("workers", {})
        self.workers = len(workers)
        self.slots = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
        self._n = 0
        self._token = uuid.uuid4().hex[:8]
        self._submitted: set = set()

    def submit(self, fn, *args):
        self._n += 1
        future = self.client.submit(fn, *args, pure=False, key=f"clc-sweep-{self._token}-{self._n}")
        self._submitted.add(future)
        return future

    def wait_first(self, futures):
        from distributed import wait

        try:
            done, _ = wait(list(futures), timeout=1.0, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        self._submitted -= set(done)  # drop our references so finished results leave the cluster
        return done

    def close(self, cancel: bool = False) -> None:
        try:
            pending = [f for f in self._submitted if not f.done()]
            if cancel and pending:
                self.client.cancel(pending)
        finally:
            self.client.close()

    def describe(self) -> dict[str, Any]:
        return {"backend": self.kind, "scheduler": self.address, "workers": self.workers, "threads": self.slots}


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def estimate_run_seconds(spec: SweepSpec) -> float:
    """A rough cost of one run, from teachers x ticks (measured on the default scenario), to size batches."""
    p = spec.base.params
    teachers = int(p["n_schools"]) * int(p["teachers_per_school"])
    if spec.grid and "n_schools" in spec.grid:
        teachers = max(spec.grid["n_schools"]) * int(p["teachers_per_school"])
    return 0.05 + 2e-5 * teachers * spec.base.horizon


def choose_batch(spec: SweepSpec, n_runs: int, slots: int, batch: int | None = None) -> int:
    """Runs per batch: the file's or caller's value, else enough per batch to hide per-task overhead while
    keeping several batches per worker (for balance and so that little is in flight)."""
    batch = batch or spec.batch
    if batch:
        return batch
    per_run = estimate_run_seconds(spec)
    cap = max(1, int(TARGET_BATCH_SECONDS / per_run))
    return max(1, min(cap, math.ceil(n_runs / (4 * slots))))


# ---------------------------------------------------------------------------------------------
# the loop


def _job(spec: SweepSpec) -> dict[str, Any]:
    return {"scenario": spec.base.to_dict(resolved=True), "metrics": list(spec.metrics),
            "timeseries": list(spec.timeseries), "every": spec.every}


def _columns(spec: SweepSpec) -> dict[str, str]:
    return runs_schema(spec)


def run_sweep(spec: SweepSpec, out_dir: str | Path | None = None, *, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, progress: bool = True, batch: int | None = None,
              plots: bool = True,
              on_batch: Callable[[int, int], None] | None = None) -> SweepOutcome:
    """Run every run of `spec` not yet in `out_dir`, streaming batches to disk; merge, plot and return.

    `workers` is the local pool size (default: all cores); `scheduler` a Dask address or scheduler file
    (then `workers` is ignored). KeyboardInterrupt (Ctrl-C, or SIGTERM on the command line) at any
    stage raises `SweepInterrupted` saying what is saved: while runs go, the pool stops at once, the
    finished runs are merged and metadata.json says "interrupted"; while plotting, every table and
    metadata.json are already written.
    """
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    check_path("--out", out_dir)
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(spec)
    check_run_count(spec.source, design_size(spec), spec.replications, design_words(spec))  # before sampling
    try:
        points = design_points(spec)
        runs = plan_runs(spec, points)
    except KeyboardInterrupt:
        raise SweepInterrupted("design", out_dir, None, design_size(spec) * spec.replications) from None
    store = SweepStore(out_dir)
    try:
        with ctrl_c_deferred():
            store.open(spec, points, resume)
    except KeyboardInterrupt:
        store.close()
        raise SweepInterrupted("design", out_dir, None, len(runs)) from None
    columns = _columns(spec)
    try:
        execution: dict[str, Any] = {"backend": "none (nothing left to run)"}
        counts = {"ran": 0, "failed": 0}
        backend = None
        try:
            done = store.done_ids()
            todo = [r for r in runs if r.run_id not in done]
            if todo:
                backend = DaskBackend(scheduler) if scheduler else PoolBackend(workers or default_workers())
                size = choose_batch(spec, len(todo), backend.slots, batch)
                execution = {**backend.describe(), "batch": size}
                _drive(spec, backend, store, todo, size, len(runs), len(runs) - len(todo), columns, progress,
                       on_batch, counts)
                with ctrl_c_deferred():
                    backend.close()
                    backend = None
        except BaseException as exc:
            recorded = None
            try:
                with ctrl_c_deferred():       # a second Ctrl-C must not leave the merge half done
                    if backend is not None:
                        backend.close(cancel=True)
                    status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped"
                    recorded = len(_finish(spec, store, columns, runs, started, t0, status, counts, execution,
                                           plots=False).runs)
            except KeyboardInterrupt:         # held back until the merge was written: nothing more to stop
                pass
            if isinstance(exc, KeyboardInterrupt):
                if recorded is None:
                    recorded = len(store.done_ids())
                raise SweepInterrupted("runs", store.dir, recorded, len(runs)) from None
            raise
        return _finish(spec, store, columns, runs, started, t0, "complete", counts, execution, plots=plots)
    finally:
        store.close()


def _drive(spec, backend, store, todo: list[Run], size: int, total: int, already: int, columns, progress,
           on_batch, counts: dict[str, int]) -> None:
    """Submit batches (a bounded number in flight) and store each as it finishes, counting into `counts`."""
    from tqdm import tqdm

    job = _job(spec)
    batches = deque([todo[i:i + size] for i in range(0, len(todo), size)])
    window = max(2, 2 * backend.slots)
    inflight: dict[Any, list[Run]] = {}
    with tqdm(total=total, initial=already, unit="run", desc=spec.name, disable=not progress, file=sys.stderr,
              dynamic_ncols=True, smoothing=0.1) as bar:
        bar.set_postfix(done=already, failed=0, refresh=False)
        while batches or inflight:
            while batches and len(inflight) < window:
                chunk = batches.popleft()
                payload = [{"run_id": r.run_id, "point_id": r.point_id, "replication": r.replication,
                            "seed": r.seed, "params": r.params} for r in chunk]
                # a submit may start worker processes: a Ctrl-C is held until they are recorded, so that
                # the pool stops every one (a worker left half-started would fail loudly on its own)
                with ctrl_c_deferred():
                    inflight[backend.submit(run_batch, job, payload)] = chunk
            for fut in backend.wait_first(list(inflight)):
                chunk = inflight.pop(fut)
                try:
                    result = fut.result()
                except Exception as exc:
                    raise SweepRunError(f"a batch of runs {chunk[0].run_id}-{chunk[-1].run_id} could not be run "
                                        f"({type(exc).__name__}: {exc}). Finished runs are saved; fix the cause "
                                        f"and run again with --resume.") from exc
                store.write_batch(result["rows"], result["timeseries"], columns)
                counts["ran"] += len(chunk)
                counts["failed"] += sum(row["status"] != "ok" for row in result["rows"])
                bar.set_postfix(done=already + counts["ran"], failed=counts["failed"], refresh=False)
                bar.update(len(chunk))
                if on_batch is not None:
                    on_batch(already + counts["ran"], total)


def _finish(spec, store: SweepStore, columns, runs: list[Run], started, t0, status, counts, info,
            plots: bool) -> SweepOutcome:
    """Merge the parts, write the tables (Parquet and CSV) and metadata.json together, then the plots.

    The tables and the metadata that counts their rows are written with Ctrl-C held back, so they always
    agree; metadata.json is written before the plots (its "plots" says "pending" meanwhile), so a sweep
    interrupted while plotting still says truly that every run is saved, and which plots exist.
    """
    ran = counts["ran"]
    try:
        merged, ts, meta, files, will_plot, wall, n_failed, status = _merge_and_record(
            spec, store, columns, runs, started, t0, status, counts, info, plots)
    except KeyboardInterrupt:      # held back until the tables and metadata.json were written
        if status != "complete":
            raise
        meta = json.loads((store.dir / "metadata.json").read_text(encoding="utf-8"))
        if meta.get("plots") == "pending":
            with ctrl_c_deferred():
                meta["plots"] = "interrupted"
                _write_metadata(store, meta)
            raise SweepInterrupted("plots", store.dir, meta["runs_recorded"], len(runs)) from None
        raise SweepInterrupted("finish", store.dir, meta["runs_recorded"], len(runs)) from None
    outcome = SweepOutcome(out_dir=store.dir, runs=merged, timeseries=ts, total=len(runs), ran=ran,
                           failed=n_failed, wall_time_s=wall, status=status, metadata=meta)
    if will_plot:
        from simulation.sweep.plots import save_sweep_plots

        try:
            plotted = save_sweep_plots(store.dir, spec, merged)
        except KeyboardInterrupt:
            with ctrl_c_deferred():
                meta["plots"] = "interrupted"
                meta["files"] = files + sorted(f"plots/{p.name}" for p in (store.dir / "plots").glob("*.png"))
                _write_metadata(store, meta)
            raise SweepInterrupted("plots", store.dir, len(merged), len(runs)) from None
        with ctrl_c_deferred():
            meta["plots"] = "complete"
            meta["files"] = files + list(plotted)
            _write_metadata(store, meta)
    return outcome


def _merge_and_record(spec, store: SweepStore, columns, runs: list[Run], started, t0, status, counts, info,
                      plots: bool):
    """The merged tables, their CSV and metadata.json, written together with Ctrl-C held back."""
    from simulation.sweep.tables import write_tables

    ran, failed = counts["ran"], counts["failed"]
    with ctrl_c_deferred():
        merged, ts = store.merge(columns, list(spec.timeseries))
        wall = time.perf_counter() - t0
        n_failed = int((merged["status"] != "ok").sum()) if len(merged) else 0
        if status == "complete" and len(merged) < len(runs):
            status = "incomplete"
        meta = {"sweep": spec.name, "status": status, "runs_total": len(runs), "runs_recorded": len(merged),
                "runs_failed": n_failed, "ran_this_call": ran, "failed_this_call": failed,
                "design_points": int(merged["point_id"].nunique()) if len(merged) else 0,
                "replications": spec.replications, "seed": spec.seed, "seeding": spec.seeding,
                "swept": list(spec.swept), "ranges": spec.range_source, "sampled_ranges": spec.sampled_ranges(),
                "started": started.isoformat(timespec="seconds"),
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "wall_time_s": round(wall, 3),
                "runs_per_minute": round(60 * ran / wall, 2) if wall > 0 and ran else None,
                "execution": info, **provenance()}
        files = ["sweep.toml", "design.parquet", "runs.parquet", "timeseries.parquet", "metadata.json"]
        files += write_tables(store.dir, spec, merged, pd.read_parquet(store.dir / "design.parquet"))
        will_plot = plots and len(merged) and (merged["status"] == "ok").any()
        meta["plots"] = "pending" if will_plot else "none"
        meta["files"] = files
        _write_metadata(store, meta)
    return merged, ts, meta, files, bool(will_plot), wall, n_failed, status


def _write_metadata(store: SweepStore, meta: dict[str, Any]) -> None:
    atomic_write_text(store.dir / "metadata.json", json.dumps(meta, indent=2, default=str) + "\n")


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a sweep: at which stage ("design": before any run; "runs"; "finish": after
    the last run, tables written; "plots") and how many of its runs are recorded in `out_dir` (None when not
    looked at), for a true one-line message."""

    def __init__(self, stage: str, out_dir: Path, recorded: int | None, total: int):
        self.stage, self.out_dir, self.recorded, self.total = stage, Path(out_dir), recorded, total
        super().__init__(f"sweep interrupted during {stage}")
