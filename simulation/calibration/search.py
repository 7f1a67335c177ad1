"""`clc-sim calibrate`: a multi-objective search (pymoo's NSGA-II) of the plausible ranges against the targets.

What is searched: the parameters listed under `[search]` in the targets file, each over its plausible
range (`Param.plausible`, else its allowed range), on a log scale when the range spans a factor of ten
or more. The objectives: one per `objective` group of targets, each the mean of |model - value| /
tolerance over its targets (`Estimate.distance`), all minimised. Every point is measured exactly as
`calibrate --check` measures it (`targets.plan` and `targets.estimate`), over the same seeds at every
point (common random numbers), with the whole generation's replications sent to the sweep engine's
workers at once (`PoolBackend`, or `DaskBackend` on a cluster address) from a vectorised pymoo `Problem`.

The output folder (one process at a time: the run folders' lock, `folder_lock`):
  search.json     the search as started (parameters and ranges, objectives, budget, seeds), written first
  targets.toml    a copy of the targets it calibrates against (a resume reads this one)
  state.pkl       after every generation: the NSGA-II object (ask/tell; its random generator inside) and
                  every evaluated point, so a killed search goes on from its last finished generation
  points.csv, diagnostics.csv, front.csv    rewritten from state.pkl after every generation
  front.png, distance.png, best.toml        at the end
  metadata.json   last: a folder without it is a search still running, killed, or interrupted
Every file is written under a temporary name and renamed.
"""

from __future__ import annotations

import json
import math
import pickle
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.calibration.targets import (TARGETS_FILE, Target, estimate, load_targets, objective_distances,
                                            plan)

#: the objective value of a point that failed (a run raised, or a target could not be computed)
PENALTY = 1e6
STATE_FORMAT = 1
MAX_POPULATION = 10_000
MAX_GENERATIONS = 100_000
#: the search's own settings a resume must not change (the flag that sets each)
FIXED_ON_RESUME = {"population": "--population", "replications": "--replications", "seed": "--seed"}


class CalibrationError(ValueError):
    """Bad calibration input (a targets file's [search] table, a flag, an output folder): one paragraph,
    naming what is wrong, the value and what is allowed."""


class CalibrationRunError(RuntimeError):
    """The search could not go on (the worker pool broke, the cluster went away); finished generations are kept."""


class CalibrationInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the search; `message` says what is saved and how to go on."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


# ---------------------------------------------------------------------------------------------
# the search's definition


@dataclass(frozen=True)
class Dimension:
    """One searched parameter: its range and scale (the search moves in log10 of it when scale is "log")."""

    name: str
    lo: float
    hi: float
    scale: str
    integer: bool = False

    @property
    def bounds(self) -> tuple[float, float]:
        return (math.log10(self.lo), math.log10(self.hi)) if self.scale == "log" else (self.lo, self.hi)

    def value(self, x: float):
        v = 10.0 ** float(x) if self.scale == "log" else float(x)
        v = min(max(v, self.lo), self.hi)
        return int(round(v)) if self.integer else v


@dataclass(frozen=True)
class SearchSpec:
    """The search: dimensions, objectives (name -> target names), budget, seeds and fixed parameters."""

    dimensions: tuple[Dimension, ...]
    objectives: dict[str, tuple[str, ...]]
    population: int
    generations: int
    replications: int
    seed: int
    base: dict[str, Any] = field(default_factory=dict)

    @property
    def seeds(self) -> list[int]:
        """Replication i uses seed `seed + i`, at every point (common random numbers)."""
        return list(range(self.seed, self.seed + self.replications))

    def params(self, x) -> dict[str, Any]:
        """The parameter vector of a search point `x` (over the fixed `base`)."""
        return {**self.base, **{d.name: d.value(v) for d, v in zip(self.dimensions, x)}}

    def identity(self) -> dict[str, Any]:
        """What must not change between a search and its resume (all but `generations`)."""
        return {"parameters": [{"name": d.name, "lo": d.lo, "hi": d.hi, "scale": d.scale} for d in self.dimensions],
                "objectives": {k: list(v) for k, v in self.objectives.items()}, "population": self.population,
                "replications": self.replications, "seed": self.seed, "base": dict(sorted(self.base.items()))}


def dimension(name: str, source: str) -> Dimension:
    """The searched range of parameter `name`: its plausible range, else its allowed one."""
    from simulation.params import PARAMS

    p = PARAMS.get(name)
    if p is None:
        from difflib import get_close_matches

        close = get_close_matches(name, list(PARAMS), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise CalibrationError(f"{source}: [search] parameters names {name!r}, which is not a model parameter{hint}: "
                               f"expected parameters listed by `clc-sim list --params`.")
    if p.kind not in (int, float) or p.kind is bool:
        raise CalibrationError(f"{source}: [search] parameters names {name!r}, a {p.kind.__name__} parameter: expected "
                               f"numeric parameters (a search moves along a range).")
    lo, hi = getattr(p, "plausible", None) or (p.lo, p.hi)
    if lo is None or hi is None or not hi > lo:
        raise CalibrationError(f"{source}: [search] parameter {name!r} has no range to search ({lo}, {hi}): expected "
                               f"parameters with a plausible or allowed range.")
    lo, hi = float(lo), float(hi)
    scale = "log" if lo > 0 and hi / lo >= 9.99 else "linear"
    return Dimension(name, lo, hi, scale, integer=p.kind is int)


def _positive_int(source: str, key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise CalibrationError(f"{source}: [search] {key} = {value!r} is not allowed: expected an integer in "
                               f"[{lo}, {hi}].")
    return value


def search_defaults(path: Path | str | None = None) -> dict[str, Any]:
    """The `[search]` table of a targets file: parameters, population, generations, replications (checked)."""
    path = Path(path) if path is not None else TARGETS_FILE
    src = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CalibrationError(f"cannot read the targets file {src}: {exc}") from None
    table = data.get("search")
    if not isinstance(table, dict):
        raise CalibrationError(f"{src} has no [search] table: expected one naming the searched parameters "
                               f"(parameters = [...]) and the budget (population, generations, replications), "
                               f"as the shipped targets.toml does.")
    names = table.get("parameters")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise CalibrationError(f"{src}: [search] parameters = {names!r} is not allowed: expected a list of one or "
                               f"more parameter names.")
    if len(set(names)) != len(names):
        raise CalibrationError(f"{src}: [search] parameters lists a parameter twice: expected each once.")
    unknown = sorted(set(table) - {"parameters", "population", "generations", "replications"})
    if unknown:
        raise CalibrationError(f"{src}: [search] has unknown key(s) {', '.join(unknown)}: expected parameters, "
                               f"population, generations, replications.")
    return {"parameters": names,
            "population": _positive_int(src, "population", table.get("population", 40), 4, MAX_POPULATION),
            "generations": _positive_int(src, "generations", table.get("generations", 20), 1, MAX_GENERATIONS),
            "replications": _positive_int(src, "replications", table.get("replications", 4), 1, 100_000),
            "source": src}


def make_spec(targets: list[Target], parameters: list[str], population: int, generations: int, replications: int,
              seed: int, base: dict[str, Any] | None = None, source: str = "targets") -> SearchSpec:
    objectives: dict[str, list[str]] = {}
    for t in targets:
        objectives.setdefault(t.objective, []).append(t.name)
    base = dict(base or {})
    clash = sorted(set(base) & set(parameters))
    if clash:
        raise CalibrationError(f"--set {clash[0]}=... is not allowed: {clash[0]!r} is searched; expected --set only "
                               f"for parameters the search keeps fixed.")
    return SearchSpec(tuple(dimension(n, source) for n in parameters), {k: tuple(v) for k, v in objectives.items()},
                      population, generations, replications, seed, base)


# ---------------------------------------------------------------------------------------------
# the pymoo problem and its evaluation on the sweep workers


def _quiet_pymoo() -> None:
    """No note from pymoo about its compiled modules (the search's cost is the model runs, not pymoo)."""
    try:
        from pymoo.config import Config

        Config.warnings["not_compiled"] = False
    except (ImportError, AttributeError, KeyError, TypeError):
        pass


_quiet_pymoo()
from pymoo.core.problem import Problem  # noqa: E402  (after quieting it)


class CalibrationProblem(Problem):
    """The search as a pymoo problem, vectorised: `_evaluate` gets the whole generation and hands it to the
    evaluator (`PointEvaluator`) in one go, which sends every replication of every point to the workers."""

    def __init__(self, spec: SearchSpec):
        xl, xu = zip(*(d.bounds for d in spec.dimensions))
        super().__init__(n_var=len(spec.dimensions), n_obj=len(spec.objectives), xl=np.array(xl, float),
                         xu=np.array(xu, float), elementwise=False)
        self.runtime = None

    def _evaluate(self, X, out, *args, **kwargs):
        out["F"] = self.runtime(np.atleast_2d(X))

    def __getstate__(self):     # the evaluator (workers, progress bar) is not part of the saved state
        state = dict(self.__dict__)
        state["runtime"] = None
        return state


class PointEvaluator:
    """Measures a generation's points on a sweep backend: all their replications submitted at once."""

    def __init__(self, spec: SearchSpec, targets: list[Target], backend, bar=None):
        self.spec, self.targets, self.backend, self.bar = spec, targets, backend, bar
        self.reporters = sorted({r for t in targets if t.kind != "implied" for r in (t.reporter, t.per) if r})
        self.last_rows: list[dict[str, Any]] = []
        self.model_runs = 0

    def __call__(self, X: np.ndarray) -> np.ndarray:
        from simulation.calibration.worker import run_replications

        seeds = self.spec.seeds
        points = [self.spec.params(x) for x in X]
        need: dict[Any, list[int]] = {}
        for i, p in enumerate(points):
            for task in plan(self.targets, p, seeds):
                need.setdefault(task, []).append(i)
        pending = [0] * len(points)
        for task, owners in need.items():
            for i in set(owners):
                pending[i] += 1
        series: dict[Any, Any] = {}
        errors: dict[int, str] = {}
        order = sorted(need, key=lambda t: -dict(t.params).get("n_schools", 8) * t.horizon)
        slots = max(1, getattr(self.backend, "slots", 1))
        size = max(1, min(8, math.ceil(len(order) / (4 * slots))))
        futures = {}
        from simulation.lifeline import ctrl_c_deferred

        for k in range(0, len(order), size):
            chunk = order[k:k + size]
            with ctrl_c_deferred():       # a submit may start workers: record them before a Ctrl-C lands
                futures[self.backend.submit(run_replications, chunk, self.reporters)] = chunk
        for i, n in enumerate(pending):   # points with nothing to run (only implied targets)
            if n == 0 and self.bar is not None:
                self.bar.update(1)
        while futures:
            for fut in self.backend.wait_first(list(futures)):
                chunk = futures.pop(fut)
                try:
                    results = fut.result()
                except Exception as exc:
                    raise CalibrationRunError(f"a batch of {len(chunk)} model runs could not be run "
                                              f"({type(exc).__name__}: {exc}). Finished generations are saved; fix "
                                              f"the cause and go on with --resume.") from exc
                for task, ts, error in results:
                    self.model_runs += 1
                    for i in set(need[task]):
                        if error:
                            errors.setdefault(i, error)
                        pending[i] -= 1
                        if pending[i] == 0 and self.bar is not None:
                            self.bar.update(1)
                    if ts is not None:
                        series[(task.params, task.seed)] = ts
        rows, F = [], []
        for i, p in enumerate(points):
            row: dict[str, Any] = {**{d.name: p[d.name] for d in self.spec.dimensions}}
            est = None
            if i not in errors:
                try:
                    est = {e.target.name: e for e in estimate(self.targets, p, seeds, series)}
                except Exception as exc:   # a reporter series that cannot be read: the point fails, the search goes on
                    errors[i] = f"{type(exc).__name__}: {exc}"
            for t in self.targets:
                e = est.get(t.name) if est else None
                row[f"model_{t.name}"] = e.mean if e else math.nan
                row[f"distance_{t.name}"] = e.distance if e else math.nan
            objectives = objective_distances({t.name: row[f"distance_{t.name}"] for t in self.targets},
                                             self.spec.objectives, failed=PENALTY)
            for name, value in objectives.items():
                row[f"objective_{name}"] = value
            dist = [row[f"distance_{t.name}"] for t in self.targets]
            row["mean_distance"] = float(np.mean(dist)) if all(np.isfinite(dist)) else PENALTY
            row["targets_within"] = int(sum(bool(np.isfinite(v) and v <= 1.0) for v in dist))
            row["within_all"] = row["targets_within"] == len(self.targets)
            row["status"] = "failed" if i in errors or row["mean_distance"] >= PENALTY else "ok"
            row["error"] = errors.get(i, "" if row["status"] == "ok" else "a target could not be computed (nan)")
            rows.append(row)
            F.append([objectives[name] for name in self.spec.objectives])
        self.last_rows = rows
        return np.asarray(F, float)


# ---------------------------------------------------------------------------------------------
# the folder


def default_out_dir(root: str | Path = "results") -> Path:
    """`<root>/calibration/<YYYYmmdd-HHMMSS>`, with -2, -3... if that folder already exists."""
    base = Path(root) / "calibration" / datetime.now().strftime("%Y%m%d-%H%M%S")
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


@dataclass
class CalibrationOutcome:
    out_dir: Path
    points: pd.DataFrame
    front: pd.DataFrame
    diagnostics: pd.DataFrame
    best: dict[str, Any]
    generations: int
    ran_generations: int
    wall_time_s: float
    metadata: dict[str, Any]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CalibrationError(f"cannot read {str(path)!r} ({exc}): the folder does not hold a readable "
                               f"calibration; choose another --out.") from None


def open_folder(out_dir: Path, resume: bool):
    """Create (or reopen, with `resume`) the search folder and take its lock; return the lock."""
    from simulation.folder_lock import FolderBusy, lock_folder

    if out_dir.exists() and not out_dir.is_dir():
        raise CalibrationError(f"--out {str(out_dir)!r} is a file, not a folder: expected a folder for the search.")
    if resume and not (out_dir / "search.json").is_file():
        raise CalibrationError(f"--out {str(out_dir)!r} holds no calibration to resume (no search.json): expected "
                               f"the folder of a search started with clc-sim calibrate, or leave out --resume.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CalibrationError(f"--out {str(out_dir)!r}: cannot create the folder ({exc.strerror or exc}).") from None
    try:
        lock = lock_folder(out_dir)
    except FolderBusy:
        raise CalibrationError(f"--out {str(out_dir)!r}: another clc-sim process is writing into this folder right "
                               f"now; wait for it to finish, or choose another --out.") from None
    if not resume:
        if (out_dir / "search.json").exists():
            lock.release()
            raise CalibrationError(f"--out {str(out_dir)!r} already holds a calibration: pass --resume to go on with "
                                   f"it, or choose another --out.")
        if any(not p.name.startswith(".") for p in out_dir.iterdir()):
            lock.release()
            raise CalibrationError(f"--out {str(out_dir)!r} is not empty and holds no calibration: expected a new or "
                                   f"empty folder.")
    return lock


def _state(out_dir: Path) -> dict[str, Any] | None:
    path = out_dir / "state.pkl"
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh:
            state = pickle.load(fh)
    except Exception as exc:  # noqa: BLE001 - any unreadable pickle is the same problem to the user
        raise CalibrationError(f"cannot read the saved search {str(path)!r} ({type(exc).__name__}: {exc}); resume "
                               f"with the pymoo and clc-sim versions it was started with, or choose another "
                               f"--out.") from None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise CalibrationError(f"{str(path)!r} is not a saved search of this clc-sim version: choose another --out.")
    return state


def _points_frame(spec: SearchSpec, targets: list[Target], rows: list[dict]) -> pd.DataFrame:
    cols = (["generation", "point"] + [d.name for d in spec.dimensions] + [f"objective_{o}" for o in spec.objectives]
            + ["mean_distance", "targets_within", "within_all"] + [f"model_{t.name}" for t in targets]
            + [f"distance_{t.name}" for t in targets] + ["status", "error"])
    return pd.DataFrame(rows).reindex(columns=cols)


def _front_mask(frame: pd.DataFrame, objectives) -> np.ndarray:
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    mask = np.zeros(len(frame), bool)
    ok = np.flatnonzero((frame["status"] == "ok").to_numpy())
    if len(ok):
        F = frame.iloc[ok][[f"objective_{o}" for o in objectives]].to_numpy(float)
        front = NonDominatedSorting().do(F, only_non_dominated_front=True)
        mask[ok[np.asarray(front, int)]] = True
    return mask


def _diagnostics(spec: SearchSpec, points: pd.DataFrame, seconds: dict[int, float]) -> pd.DataFrame:
    rows = []
    for g in sorted(points["generation"].unique()):
        gen = points[points["generation"] == g]
        upto = points[points["generation"] <= g]
        ok = gen[gen["status"] == "ok"]
        row: dict[str, Any] = {"generation": int(g), "points": len(gen), "failed": int((gen["status"] != "ok").sum())}
        for o in spec.objectives:
            col = ok[f"objective_{o}"]
            row[f"best_{o}"] = float(col.min()) if len(col) else math.nan
            row[f"median_{o}"] = float(col.median()) if len(col) else math.nan
        row["best_mean_distance"] = float(ok["mean_distance"].min()) if len(ok) else math.nan
        row["median_mean_distance"] = float(ok["mean_distance"].median()) if len(ok) else math.nan
        row["within_all"] = int(gen["within_all"].sum())
        row["within_all_so_far"] = int(upto["within_all"].sum())
        row["most_targets_within"] = int(gen["targets_within"].max())
        row["front_size_so_far"] = int(_front_mask(upto, spec.objectives).sum())
        row["seconds"] = round(float(seconds.get(int(g), math.nan)), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def _write_tables(out_dir: Path, spec: SearchSpec, targets, rows,
                  seconds: dict[int, float]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from simulation.results import atomic_write

    points = _points_frame(spec, targets, rows)
    front = points[_front_mask(points, spec.objectives)].sort_values("mean_distance") if len(points) else points
    diagnostics = _diagnostics(spec, points, seconds) if len(points) else pd.DataFrame()
    atomic_write(out_dir / "points.csv", lambda tmp: points.to_csv(tmp, index=False))
    atomic_write(out_dir / "front.csv", lambda tmp: front.to_csv(tmp, index=False))
    atomic_write(out_dir / "diagnostics.csv", lambda tmp: diagnostics.to_csv(tmp, index=False))
    return points, front, diagnostics


def _words(objective: str) -> str:
    return objective.replace("_", " ")


def _plots(out_dir: Path, spec: SearchSpec, points: pd.DataFrame, front: pd.DataFrame, diagnostics: pd.DataFrame,
           best_point: int | None) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simulation.results import atomic_write_bytes, figure_bytes

    from matplotlib.ticker import FuncFormatter, NullFormatter

    def plain_log(ax, axis="y"):
        """A log axis with plain tick labels (no mathtext, which needs fonts a server may not have)."""
        for a in ([ax.xaxis] if axis in ("x", "xy") else []) + ([ax.yaxis] if axis in ("y", "xy") else []):
            a.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            a.set_minor_formatter(NullFormatter())

    objs = list(spec.objectives)
    label = {o: f"{_words(o)}\n(mean distance: |model − target| / tolerance)" for o in objs}
    ok = points[points["status"] == "ok"]
    pairs = [(a, b) for i, a in enumerate(objs) for b in objs[i + 1:]]
    if not pairs:    # one objective: the objective of every point by generation, the front (best) marked
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        ax.scatter(ok["generation"], ok[f"objective_{objs[0]}"], s=10, c="0.6", label="evaluated points")
        ax.scatter(front["generation"], front[f"objective_{objs[0]}"], s=30, c="tab:red", label="best point")
        ax.set_xlabel("generation")
        ax.set_ylabel(label[objs[0]])
        ax.legend()
    else:
        n = len(pairs)
        cols = min(n, 3)
        rws = math.ceil(n / cols)
        fig, axes = plt.subplots(rws, cols, figsize=(5.2 * cols, 4.4 * rws), squeeze=False)
        for ax, (a, b) in zip(axes.flat, pairs):
            ax.scatter(ok[f"objective_{a}"], ok[f"objective_{b}"], s=10, c=ok["generation"], cmap="Greys",
                       vmin=-1, label="evaluated points (darker: later generation)")
            ax.scatter(front[f"objective_{a}"], front[f"objective_{b}"], s=34, c="tab:red", edgecolor="k",
                       linewidth=0.4, label="non-dominated front")
            if best_point is not None and best_point in set(front["point"]):
                bp = front[front["point"] == best_point].iloc[0]
                ax.scatter([bp[f"objective_{a}"]], [bp[f"objective_{b}"]], s=140, marker="*", c="gold",
                           edgecolor="k", label="best.toml (lowest mean distance)")
            ax.axvline(1.0, color="tab:green", lw=0.8, ls="--")
            ax.axhline(1.0, color="tab:green", lw=0.8, ls="--")
            ax.set_xlabel(label[a])
            ax.set_ylabel(label[b])
            if len(ok) and (ok[[f"objective_{a}", f"objective_{b}"]].max().max() > 20):
                ax.set_xscale("log")
                ax.set_yscale("log")
                plain_log(ax, "xy")
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        axes.flat[0].legend(fontsize=7, loc="best")
    fig.suptitle("Calibration: objectives of every evaluated point (dashed: within tolerance on average)")
    atomic_write_bytes(out_dir / "front.png", figure_bytes(fig))
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for k, o in enumerate(objs):
        colour = f"C{k}"
        ax.plot(diagnostics["generation"], diagnostics[f"best_{o}"], "-o", ms=3, color=colour,
                label=f"{_words(o)}: best")
        ax.plot(diagnostics["generation"], diagnostics[f"median_{o}"], "--", color=colour,
                label=f"{_words(o)}: median")
    ax.axhline(1.0, color="tab:green", lw=0.8, ls=":", label="within tolerance (1)")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel("mean distance of the objective's targets\n(|model − target| / tolerance)")
    ax.set_yscale("log")
    plain_log(ax)
    ax.legend(fontsize=7)
    ax.set_title("Calibration: distance to the targets by generation")
    atomic_write_bytes(out_dir / "distance.png", figure_bytes(fig))
    plt.close(fig)
    return ["front.png", "distance.png"]


def _fmt(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float) or isinstance(v, np.floating):
        return repr(float(f"{float(v):.6g}"))
    return json.dumps(str(v))


def _best_toml(out_dir: Path, spec: SearchSpec, targets, front: pd.DataFrame) -> dict[str, Any]:
    from simulation.results import atomic_write_text

    if not len(front):
        return {}
    best = front.sort_values("mean_distance").iloc[0]
    params = {**spec.base, **{d.name: best[d.name] for d in spec.dimensions}}
    params = {k: (int(v) if isinstance(v, (np.integer,)) else v) for k, v in params.items()}
    sets = " ".join(f"--set {k}={_fmt(v)}" for k, v in params.items())
    within = int(best["targets_within"])
    lines = [f"# The calibrated parameters of the search in {out_dir}: the point on the non-dominated front with",
             f"# the lowest mean distance over all {len(targets)} targets (point {int(best['point'])}, generation "
             f"{int(best['generation'])}; mean distance {best['mean_distance']:.3f};",
             f"# {within} of {len(targets)} targets within tolerance, over {spec.replications} replication(s)).",
             "# Objectives: " + "; ".join(f"{_words(o)} {best[f'objective_{o}']:.3f}" for o in spec.objectives) + ".",
             "# Use the [params] table in a scenario file, or on the command line:",
             f"#   clc-sim run voluntary-8 {sets}",
             f"#   clc-sim calibrate --check {sets}    (the targets at these values, 10 seeds)",
             "", "[params]"]
    lines += [f"{k} = {_fmt(v)}" for k, v in params.items()]
    atomic_write_text(out_dir / "best.toml", "\n".join(lines) + "\n")
    return {"point": int(best["point"]), "generation": int(best["generation"]),
            "mean_distance": float(best["mean_distance"]), "targets_within": within,
            "params": {k: (float(v) if isinstance(v, (float, np.floating)) else v) for k, v in params.items()}}


def _pymoo_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pymoo")
    except PackageNotFoundError:
        return "not installed"


def run_calibration(spec: SearchSpec, targets_path: Path | str | None, out_dir: Path | str, *, resume: bool = False,
                    workers: int | None = None, scheduler: str | None = None, progress: bool = True,
                    plots: bool = True, command: list[str] | None = None,
                    requested: dict[str, Any] | None = None) -> CalibrationOutcome:
    """Run (or, with `resume`, go on with) the search in `out_dir` to `spec.generations` generations.

    On resume the folder's own search.json and targets.toml define the search; `requested` holds the
    flags given (name -> value or None), each of which must agree with it (only generations may grow).
    """
    from simulation.lifeline import ctrl_c_deferred
    from simulation.results import atomic_write_bytes, atomic_write_text, provenance
    from simulation.sweep.engine import DaskBackend, PoolBackend, default_workers

    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    lock = open_folder(out_dir, resume)
    backend = None
    try:
        if resume:
            saved = _read_json(out_dir / "search.json")
            targets_path = out_dir / "targets.toml"
            targets = load_targets(targets_path)
            for key, flag in FIXED_ON_RESUME.items():
                given = (requested or {}).get(key)
                if given is not None and given != saved["identity"][key]:
                    raise CalibrationError(f"{flag} {given} is not allowed with --resume: the search in "
                                           f"{str(out_dir)!r} was started with {flag} {saved['identity'][key]}; "
                                           f"expected the same value, or leave the flag out.")
            given_base = (requested or {}).get("base")
            if given_base and given_base != saved["identity"]["base"]:
                raise CalibrationError(f"--set is not allowed to change with --resume: the search in "
                                       f"{str(out_dir)!r} fixes {saved['identity']['base'] or 'nothing'}; leave "
                                       f"--set out.")
            ident = saved["identity"]
            generations = (requested or {}).get("generations") or saved["generations"]
            spec = SearchSpec(tuple(Dimension(p["name"], p["lo"], p["hi"], p["scale"],
                                              integer=bool(p.get("integer", False))) for p in saved["dimensions"]),
                              {k: tuple(v) for k, v in ident["objectives"].items()}, ident["population"],
                              generations, ident["replications"], ident["seed"], dict(ident["base"]))
            (out_dir / "metadata.json").unlink(missing_ok=True)   # the folder reads as unfinished from now on
        else:
            targets = load_targets(targets_path)
            source = Path(targets_path) if targets_path is not None else TARGETS_FILE
            atomic_write_text(out_dir / "targets.toml", source.read_text(encoding="utf-8-sig"))
        info = {"identity": spec.identity(), "generations": spec.generations,
                "dimensions": [{"name": d.name, "lo": d.lo, "hi": d.hi, "scale": d.scale, "integer": d.integer}
                               for d in spec.dimensions],
                "seeds": spec.seeds, "targets_source": str(targets_path or TARGETS_FILE),
                "resume": f"clc-sim calibrate --out {out_dir} --resume",
                "started_with": (saved.get("started_with") if resume else
                                 (["clc-sim", *command] if command is not None else None))}
        atomic_write_text(out_dir / "search.json", json.dumps(info, indent=2) + "\n")

        from pymoo.algorithms.moo.nsga2 import NSGA2
        from pymoo.operators.sampling.lhs import LHS

        state = _state(out_dir) if resume else None
        if state is None:
            problem = CalibrationProblem(spec)
            algorithm = NSGA2(pop_size=spec.population, sampling=LHS(), eliminate_duplicates=True)
            algorithm.setup(problem, termination=("n_gen", 10 ** 9), seed=spec.seed, verbose=False)
            state = {"format": STATE_FORMAT, "generation": 0, "algorithm": algorithm, "rows": [], "wall_time_s": 0.0,
                     "model_runs": 0, "seconds": {}}
        algorithm = state["algorithm"]
        problem = algorithm.problem
        done_before = state["generation"]
        rows: list[dict] = list(state["rows"])
        from tqdm import tqdm

        todo = max(0, spec.generations - done_before)
        bar = tqdm(total=spec.generations * spec.population,
                   initial=min(done_before, spec.generations) * spec.population,
                   unit="point", desc="calibration", disable=not progress or todo == 0, file=sys.stderr,
                   dynamic_ncols=True, smoothing=0.1)
        execution: dict[str, Any] = {"backend": "none (no generation left to run)"}
        runs_this_call = 0
        try:
            if todo:
                backend = DaskBackend(scheduler) if scheduler else PoolBackend(workers or default_workers())
                execution = backend.describe()
            evaluator = PointEvaluator(spec, targets, backend, bar)
            problem.runtime = evaluator
            while state["generation"] < spec.generations:
                g = state["generation"] + 1
                bar.set_postfix(generation=g, refresh=True)
                tg = time.perf_counter()
                pop = algorithm.ask()
                evaluator.last_rows = []     # (an offspring pymoo could not make new is not evaluated again)
                algorithm.evaluator.eval(problem, pop)
                algorithm.tell(infills=pop)
                first = len(rows)
                for k, row in enumerate(evaluator.last_rows):
                    rows.append({"generation": g, "point": first + k, **row})
                runs_this_call += evaluator.model_runs
                with ctrl_c_deferred():   # the generation is saved whole, or not at all
                    state.setdefault("seconds", {})[g] = time.perf_counter() - tg
                    state.update(generation=g, rows=rows,
                                 wall_time_s=state["wall_time_s"] + (time.perf_counter() - tg),
                                 model_runs=state["model_runs"] + evaluator.model_runs)
                    evaluator.model_runs = 0
                    problem.runtime = None
                    blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
                    problem.runtime = evaluator
                    atomic_write_bytes(out_dir / "state.pkl", blob)
                    _write_tables(out_dir, spec, targets, rows, state["seconds"])
        except KeyboardInterrupt:
            bar.close()
            if backend is not None:
                with ctrl_c_deferred():
                    backend.close(cancel=True)
                    backend = None
            raise CalibrationInterrupted(
                f"interrupted; {state['generation']} of {spec.generations} generations are saved in {out_dir}; go on "
                f"with: clc-sim calibrate --out {out_dir} --resume") from None
        bar.close()
        if backend is not None:
            backend.close()
            backend = None
        try:
            with ctrl_c_deferred():   # the final files, metadata.json last, are written whole
                points, front, diagnostics = _write_tables(out_dir, spec, targets, rows, state.get("seconds", {}))
                best = _best_toml(out_dir, spec, targets, front)
                files = ["search.json", "targets.toml", "state.pkl", "points.csv", "front.csv", "diagnostics.csv"]
                if best:
                    files.append("best.toml")
                if plots and len(points):
                    files += _plots(out_dir, spec, points, front, diagnostics, best.get("point"))
                wall = time.perf_counter() - t0
                n_points = len(points)
                prov = provenance()
                prov["versions"]["pymoo"] = _pymoo_version()
                meta = {"status": "complete", "method": f"NSGA-II (pymoo {_pymoo_version()}), Latin hypercube start",
                        "generations": spec.generations, "generations_this_call": spec.generations - done_before
                        if spec.generations > done_before else 0,
                        "resumed_from_generation": done_before if resume else None,
                        "population": spec.population, "replications": spec.replications, "seed": spec.seed,
                        "seeds": spec.seeds, "common_random_numbers": True,
                        "parameters": {d.name: {"lo": d.lo, "hi": d.hi, "scale": d.scale} for d in spec.dimensions},
                        "fixed": spec.base, "objectives": {k: list(v) for k, v in spec.objectives.items()},
                        "budget": {"points": n_points, "model_runs": state["model_runs"],
                                   "search_seconds": round(state["wall_time_s"], 2),
                                   "seconds_per_point": (round(state["wall_time_s"] / n_points, 3)
                                                         if n_points else None)},
                        "front_size": len(front),
                        "points_within_all": int(points["within_all"].sum()) if n_points else 0,
                        "best": best, "targets": len(targets), "started": started.isoformat(timespec="seconds"),
                        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        "wall_time_s": round(wall, 3), "model_runs_this_call": runs_this_call,
                        "execution": execution, **prov, "files": files + ["metadata.json"]}
                if command is not None:
                    meta["command"] = ["clc-sim", *command]
                meta["started_with"] = info["started_with"]
                atomic_write_text(out_dir / "metadata.json", json.dumps(meta, indent=2, default=str) + "\n")
        except KeyboardInterrupt:
            done = (out_dir / "metadata.json").exists()
            raise CalibrationInterrupted(
                f"interrupted after the last generation; all {state['generation']} generations are saved in "
                f"{out_dir}" + (" with every output file." if done else f"; write the final files with: "
                f"clc-sim calibrate --out {out_dir} --resume")) from None
        return CalibrationOutcome(out_dir, points, front, diagnostics, best, spec.generations,
                                  max(0, spec.generations - done_before), wall, meta)
    finally:
        if backend is not None:
            backend.close(cancel=True)
        lock.release()
