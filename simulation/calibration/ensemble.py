"""The calibrated ensemble: the parameter vectors the calibration run of record accepted, shipped as ensemble.csv.

A calibration gives a front, not one answer, and its objectives are noisy (a few seeds per point). The
ensemble carries that uncertainty into every result: `load_ensemble()` returns its members as parameter
dicts, and `clc-sim run/compare/experiments ... --ensemble [N]` runs over the first N and reports ranges.

Acceptance (`select`): every evaluated point of the search that ran, distinct vectors only, ranked by its
*worst* objective (the largest of the per-objective mean distances |model - target| / tolerance; below 1
means that objective's targets lie inside their bands on average); the best `size` are accepted and the
threshold they imply (the worst objective of the last one) is recorded. The members are then measured again
on held-out seeds (`held_out`), and written in a shuffled order, so that the first N of the file are a random
sample of the whole (an ensemble of 10 is the first 10 rows, not the 10 best).

Build the shipped file from a search folder (maintainers; docs/CALIBRATION.md):
    python -m simulation.calibration.ensemble results/calibration/<run> [--size 100] [--seeds 1001-1004]
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ENSEMBLE_FILE = Path(__file__).with_name("ensemble.csv")
#: columns of ensemble.csv that are not parameters (the rest are, one per searched parameter)
META_PREFIXES = ("member", "search_", "held_out_")
ORDER_SEED = 20261201


class EnsembleError(ValueError):
    """A bad --ensemble value or ensemble file: names the value and what is allowed."""


def parameter_columns(frame: pd.DataFrame) -> list[str]:
    """The parameter columns of an ensemble table (everything that is not member id or a search/held-out figure)."""
    return [c for c in frame.columns if not c.startswith(META_PREFIXES)]


def _typed(name: str, value: Any):
    from simulation.params import PARAMS

    kind = PARAMS[name].kind
    return int(round(float(value))) if kind is int else float(value)


def load_table(path: Path | str | None = None) -> pd.DataFrame:
    """The ensemble table (members in file order): parameters, the search's figures and the held-out ones."""
    path = Path(path or ENSEMBLE_FILE)
    if not path.is_file():
        raise EnsembleError(f"no ensemble file at {path}: expected the shipped simulation/calibration/ensemble.csv "
                            f"or a file written by `python -m simulation.calibration.ensemble`.")
    frame = pd.read_csv(path, comment="#")
    from simulation.params import PARAMS

    unknown = [c for c in parameter_columns(frame) if c not in PARAMS]
    if unknown:
        raise EnsembleError(f"{path}: columns {unknown} are not model parameters: expected parameter names "
                            f"(`clc-sim list --params`) and the member/search_/held_out_ columns.")
    return frame


def load_ensemble(n: int | None = None, path: Path | str | None = None) -> list[dict[str, Any]]:
    """The ensemble's members as parameter dicts (over the defaults), the first `n` (all when None).

    The file's order is random, so the first n are a random sample of the accepted vectors."""
    frame = load_table(path)
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= len(frame):
            raise EnsembleError(f"--ensemble {n!r} is not allowed: expected a number of members from 1 to "
                                f"{len(frame)} (the ensemble's size), or no number for all of them.")
        frame = frame.iloc[:n]
    cols = parameter_columns(frame)
    return [{c: _typed(c, row[c]) for c in cols} for _, row in frame.iterrows()]


def from_flag(value: int | None) -> list[dict[str, Any]]:
    """The members `--ensemble [N]` names: the first N, or all when N is left out (the flag's value 0)."""
    return load_ensemble(None if value in (None, 0) else value)


def add_argument(parser, what: str) -> None:
    """The `--ensemble [N]` flag of run, compare and experiments."""
    parser.add_argument("--ensemble", type=int, nargs="?", const=0, default=None, metavar="N",
                        help=f"{what} once per member of the calibrated ensemble (the first N members, a random "
                             f"sample; all when N is left out) and report ranges over them (docs/CALIBRATION.md)")


def summary_range(values) -> dict[str, float]:
    """Median and the central 90 % range (5th to 95th percentile) of a quantity over ensemble members."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if not len(v):
        return {"median": math.nan, "p5": math.nan, "p95": math.nan}
    return {"median": float(np.median(v)), "p5": float(np.percentile(v, 5)), "p95": float(np.percentile(v, 95))}


def apply(scenario, member: dict[str, Any]):
    """The scenario at an ensemble member: the member's values replace the defaults; a value the scenario file
    or --set states explicitly wins (a scenario about coaching keeps its coaching rate)."""
    return scenario.with_overrides(params={k: v for k, v in member.items() if k not in scenario.overrides})


def spread_table(series: list[pd.DataFrame], reporters) -> pd.DataFrame:
    """Per reporter, over members (one time series each): the start, the end and the change from the start,
    each as median and 5-95 % range."""
    rows = []
    for rep in reporters:
        start = [ts[rep].iloc[0] for ts in series]
        stop = [ts[rep].iloc[-1] for ts in series]
        row = {"reporter": rep}
        for what, values in (("start", start), ("end", stop), ("change", np.subtract(stop, start))):
            for k, v in summary_range(values).items():
                row[f"{what}_{k}"] = v
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# building the shipped file from a search


def select(points: pd.DataFrame, parameters: list[str], objectives: list[str], size: int) -> tuple[pd.DataFrame, float]:
    """The accepted points: ok, distinct, the `size` with the smallest worst objective; and that threshold."""
    ok = points[points["status"] == "ok"].copy()
    ok = ok.drop_duplicates(subset=parameters)
    ok["search_worst_objective"] = ok[[f"objective_{o}" for o in objectives]].max(axis=1)
    ok = ok.sort_values(["search_worst_objective", "mean_distance"], kind="stable")
    if len(ok) < size:
        raise EnsembleError(f"the search evaluated {len(ok)} distinct points that ran: expected at least {size} "
                            f"to accept an ensemble of {size}.")
    accepted = ok.iloc[:size]
    return accepted, float(accepted["search_worst_objective"].iloc[-1])


def held_out(members: list[dict[str, Any]], targets, objectives: dict[str, tuple[str, ...]], seeds,
             jobs: int | None = None, progress: bool = True) -> pd.DataFrame:
    """Each member measured again on `seeds` (none of the search's): per objective the mean distance, and the
    number of targets within tolerance. All members' runs go to the worker pool together."""
    from simulation.calibration.targets import estimate, objective_distances, plan
    from simulation.replicate import run_tasks

    seeds = [int(s) for s in seeds]
    tasks = [t for m in members for t in plan(targets, m, seeds)]
    reps = {(r.task.params, r.task.seed): r.timeseries
            for r in run_tasks(tasks, jobs=jobs, progress=progress, desc="ensemble, held-out seeds")}
    rows = []
    for m in members:
        est = {e.target.name: e for e in estimate(targets, m, seeds, reps)}
        by_objective = objective_distances({n: e.distance for n, e in est.items()}, objectives)
        row = {f"held_out_{o}": v for o, v in by_objective.items()}
        row["held_out_worst_objective"] = max(row[f"held_out_{o}"] for o in objectives)
        row["held_out_targets_within"] = int(sum(e.within for e in est.values()))
        rows.append(row)
    return pd.DataFrame(rows)


def build(search_dir: Path | str, size: int = 100, seeds=range(1001, 1005), out: Path | str | None = None,
          jobs: int | None = None) -> Path:
    """Accept `size` members from the search in `search_dir`, measure them on held-out `seeds`, write the file."""
    from simulation.calibration.targets import load_targets
    from simulation.results import atomic_write

    search_dir = Path(search_dir)
    if not (search_dir / "metadata.json").is_file():
        raise EnsembleError(f"{search_dir} holds no finished search (no metadata.json): expected a folder written "
                            f"by `clc-sim calibrate` that ran to its end.")
    spec = json.loads((search_dir / "search.json").read_text())["identity"]
    parameters = [d["name"] for d in spec["parameters"]]
    objectives = {k: tuple(v) for k, v in spec["objectives"].items()}
    targets = load_targets(search_dir / "targets.toml")
    points = pd.read_csv(search_dir / "points.csv")
    accepted, threshold = select(points, parameters, list(objectives), size)
    members = [{p: _typed(p, row[p]) for p in parameters} for _, row in accepted.iterrows()]
    checked = held_out(members, targets, objectives, seeds, jobs=jobs)
    table = pd.DataFrame(members)
    table.insert(0, "member", 0)
    table["search_generation"] = accepted["generation"].to_numpy(int)
    for o in objectives:
        table[f"search_{o}"] = accepted[f"objective_{o}"].to_numpy(float)
    table["search_worst_objective"] = accepted["search_worst_objective"].to_numpy(float)
    table = pd.concat([table, checked], axis=1)
    table = table.iloc[np.random.default_rng(ORDER_SEED).permutation(len(table))].reset_index(drop=True)
    table["member"] = np.arange(1, len(table) + 1)
    seeds = [int(s) for s in seeds]
    meta = json.loads((search_dir / "metadata.json").read_text())
    header = (f"# The calibrated ensemble (simulation/calibration/ensemble.py): {size} members accepted from the search "
              f"in {search_dir.name} (git {(meta.get('git') or {}).get('commit', '?')[:7]}), the points with the smallest worst "
              f"objective (threshold {threshold:.3f}), in random order; held_out_ columns: measured again at seeds "
              f"{seeds[0]}-{seeds[-1]}.\n")
    out = Path(out or ENSEMBLE_FILE)

    def write(tmp):
        with open(tmp, "w") as fh:
            fh.write(header)
            table.to_csv(fh, index=False, float_format="%.6g")

    atomic_write(out, write)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m simulation.calibration.ensemble",
                                 description="Accept an ensemble from a finished calibration search and write "
                                             "simulation/calibration/ensemble.csv (or --out).")
    ap.add_argument("search_dir")
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--seeds", default="1001-1004", help="held-out seeds, FIRST-LAST (default 1001-1004)")
    ap.add_argument("--out")
    ap.add_argument("--jobs", type=int)
    args = ap.parse_args(argv)
    try:
        first, last = (int(x) for x in args.seeds.split("-"))
        path = build(args.search_dir, args.size, range(first, last + 1), args.out, args.jobs)
    except (EnsembleError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"ensemble written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
