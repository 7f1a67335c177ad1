"""Designs: the parameter points a sweep runs (full grid, Latin hypercube, Sobol', or a SALib design).

Each point is a dict of swept parameter values; its index is its point id. Sampled designs are drawn
from the sweep seed, so the same file always gives the same points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulation.params import PARAMS
from simulation.sweep.spec import Range, SweepSpec


@dataclass(frozen=True)
class Run:
    """One run of a sweep: run id, design point, replication, the derived seed and the swept values."""

    run_id: int
    point_id: int
    replication: int
    seed: int
    params: dict[str, Any]


def derive_seed(sweep_seed: int, key: int) -> int:
    """A 32-bit model seed from the sweep seed and a run (or replication) index, independent of order."""
    state = np.random.SeedSequence(sweep_seed, spawn_key=(key,)).generate_state(1, dtype=np.uint32)
    return int(state[0])


def _scale(r: Range, u: np.ndarray) -> list:
    """Unit-interval draws mapped onto a range: choices by equal slices, integers by equal-width bins."""
    if r.choices is not None:
        idx = np.minimum((u * len(r.choices)).astype(int), len(r.choices) - 1)
        return [r.choices[i] for i in idx]
    if PARAMS[r.name].kind is int:
        width = r.hi - r.lo + 1
        return [int(r.lo + min(int(v * width), width - 1)) for v in u]
    return [float(r.lo + v * (r.hi - r.lo)) for v in u]


def salib_problem(ranges: dict[str, Range]) -> dict[str, Any]:
    """The SALib problem dict for numeric ranges."""
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [[float(r.lo), float(r.hi)] for r in ranges.values()]}


def salib_sample(spec: SweepSpec) -> np.ndarray:
    """The SALib sample matrix (rows = points) for the spec's sensitivity method; analysis uses it as drawn."""
    s = spec.sensitivity
    problem = salib_problem(s.ranges)
    if s.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, s.n, num_levels=s.levels, seed=spec.seed)
    from SALib.sample import sobol

    return sobol.sample(problem, s.n, calc_second_order=s.second_order, scramble=True, seed=spec.seed)


def _from_matrix(names: list[str], X: np.ndarray) -> list[dict[str, Any]]:
    points = []
    for row in X:
        point = {}
        for name, v in zip(names, row):
            point[name] = int(round(float(v))) if PARAMS[name].kind is int else float(v)
        points.append(point)
    return points


def design_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The sweep's design points in order: grid (first parameter slowest), sampled, SALib, or one base point."""
    if spec.grid:
        names = list(spec.grid)
        return [dict(zip(names, combo)) for combo in itertools.product(*spec.grid.values())]
    if spec.sample:
        names = list(spec.sample.ranges)
        d = len(names)
        from scipy.stats import qmc

        rng = np.random.default_rng(spec.seed)
        if spec.sample.method == "lhs":
            U = qmc.LatinHypercube(d=d, seed=rng).random(spec.sample.n)
        else:
            U = qmc.Sobol(d=d, scramble=True, seed=rng).random(spec.sample.n)
        columns = [_scale(spec.sample.ranges[n], U[:, j]) for j, n in enumerate(names)]
        return [dict(zip(names, values)) for values in zip(*columns)]
    if spec.sensitivity:
        return _from_matrix(list(spec.sensitivity.ranges), salib_sample(spec))
    return [{}]


def plan_runs(spec: SweepSpec, points: list[dict[str, Any]] | None = None) -> list[Run]:
    """Every run of the sweep: run id = point id x replications + replication, with its derived seed."""
    points = design_points(spec) if points is None else points
    R = spec.replications
    runs = []
    for pid, point in enumerate(points):
        for rep in range(R):
            rid = pid * R + rep
            key = rid if spec.seeding == "run" else rep
            runs.append(Run(rid, pid, rep, derive_seed(spec.seed, key), dict(point)))
    return runs
