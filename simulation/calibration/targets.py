"""The calibration targets (targets.toml beside this file): loading them, and the model's value for each.

A target names a reporter, a horizon and a setting, the value the evidence gives with a tolerance, and its
source. `measure` computes the model's value for a list of targets at one parameter vector over replications
(one pool of workers for all of them, `simulation.replicate`), with a 95 % confidence interval over seeds.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulation.validation import ScenarioError, check_param

TARGETS_FILE = Path(__file__).with_name("targets.toml")
KINDS = ("level", "contrast", "dip", "implied")
STATISTICS = ("gain", "end")
EVIDENCE = ("V", "S", "U")


@dataclass(frozen=True)
class Target:
    """One target: the model's `reporter` (in `setting`, or treatment minus control) at `horizon` ticks should
    lie within `value` +- `tolerance`."""

    name: str
    what: str
    kind: str
    reporter: str
    horizon: int
    value: float
    tolerance: float
    unit: str
    source: str
    evidence: str
    statistic: str = "gain"
    setting: dict[str, Any] = field(default_factory=dict)
    treatment: dict[str, Any] = field(default_factory=dict)
    control: dict[str, Any] = field(default_factory=dict)
    #: the calibration objective this target counts towards (`clc-sim calibrate`: the mean distance of its targets)
    objective: str = "all"
    #: a contrast per unit of this reporter: each seed's contrast divided by the treatment's value of `per` at
    #: the horizon (e.g. per coached teacher: over the share of teachers coached); empty for none
    per: str = ""

    def settings(self) -> list[dict[str, Any]]:
        """The parameter settings (over the vector being checked) this target needs runs of."""
        if self.kind == "contrast":
            return [self.treatment, self.control]
        return [self.setting] if self.kind in ("level", "dip") else []

    def within(self, estimate: float) -> bool:
        return abs(estimate - self.value) <= self.tolerance


@dataclass(frozen=True)
class Estimate:
    """The model's value for a target: mean over seeds and a 95 % t interval (nan when not defined)."""

    target: Target
    mean: float
    ci_low: float
    ci_high: float
    n: int

    @property
    def within(self) -> bool:
        return self.target.within(self.mean)

    @property
    def distance(self) -> float:
        """|model - value| / tolerance: below 1 inside the band (the calibration's objective per target)."""
        return abs(self.mean - self.target.value) / self.target.tolerance


def _fail(source: str, field_name: str, value: Any, allowed: str) -> ScenarioError:
    return ScenarioError(f"{field_name} = {value!r} is not allowed: expected {allowed}.", source=source,
                         field=field_name, value=value, allowed=allowed)


def load_targets(path: Path | str | None = None) -> list[Target]:
    """The targets of `path` (default: the shipped targets.toml), each field checked; bad input is a
    `ScenarioError` naming the field, the value and what is allowed."""
    from simulation.reporters import REPORTERS

    path = Path(path) if path is not None else TARGETS_FILE
    src = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read the targets file {src}: {exc}", source=src) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"the targets file {src} is not valid TOML: {exc}", source=src) from None
    rows = data.get("target")
    if not isinstance(rows, list) or not rows:
        raise _fail(src, "target", rows, "one or more [[target]] tables")
    targets, seen = [], set()
    for i, row in enumerate(rows):
        where = f"target[{i}]"
        if not isinstance(row, dict):
            raise _fail(src, where, row, "a table")
        for key in ("name", "what", "kind", "reporter", "horizon", "value", "tolerance", "unit", "source", "evidence"):
            if key not in row:
                raise _fail(src, f"{where}.{key}", None, "a value (the field is missing)")
        name = row["name"]
        if not isinstance(name, str) or not name or name in seen:
            raise _fail(src, f"{where}.name", name, "a name not used by another target")
        seen.add(name)
        if row["kind"] not in KINDS:
            raise _fail(src, f"{where}.kind", row["kind"], "one of " + ", ".join(KINDS))
        if row.get("statistic", "gain") not in STATISTICS:
            raise _fail(src, f"{where}.statistic", row.get("statistic"), "one of " + ", ".join(STATISTICS))
        if row["evidence"] not in EVIDENCE:
            raise _fail(src, f"{where}.evidence", row["evidence"], "one of V, S, U")
        if row["kind"] != "implied" and row["reporter"] not in REPORTERS:
            raise _fail(src, f"{where}.reporter", row["reporter"], "a reporter listed by `clc-sim list --reporters`")
        horizon = row["horizon"]
        if isinstance(horizon, bool) or not isinstance(horizon, int) or not 0 <= horizon <= 100_000:
            raise _fail(src, f"{where}.horizon", horizon, "an integer number of ticks in [0, 100000]")
        for key in ("value", "tolerance"):
            v = row[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise _fail(src, f"{where}.{key}", v, "a finite number")
        if row["tolerance"] <= 0:
            raise _fail(src, f"{where}.tolerance", row["tolerance"], "a number above 0")
        for key in ("setting", "treatment", "control"):
            for pname, pvalue in row.get(key, {}).items():
                check_param(pname, pvalue, source=src, where=f"{where}.{key}.")
        objective = row.get("objective", "all")
        if not isinstance(objective, str) or not objective.strip():
            raise _fail(src, f"{where}.objective", objective,
                        "the name of a calibration objective (a non-empty string)")
        per = row.get("per", "")
        if per and (row["kind"] != "contrast" or per not in REPORTERS):
            raise _fail(src, f"{where}.per", per, "a reporter, for a contrast only (its value in the treatment "
                        "at the horizon divides the contrast)")
        if row["kind"] == "contrast" and not (row.get("treatment") or row.get("control")):
            raise _fail(src, f"{where}.treatment", None, "treatment and control settings for a contrast")
        targets.append(Target(**{k: row[k] for k in row if k in Target.__dataclass_fields__}))
    return targets


def plan(targets: list[Target], params: dict[str, Any] | None = None, seeds=range(1, 11)) -> list:
    """The replications (`simulation.replicate.Task`) the targets need at `params` over `seeds`: each setting
    once per seed, run to the longest horizon any target reads it at."""
    from simulation.replicate import Task

    params = dict(params or {})
    seeds = [int(s) for s in seeds]
    horizon: dict[tuple, int] = {}                  # each setting runs once, to the longest horizon it is read at
    for t in targets:
        for setting in t.settings():
            key = tuple(sorted({**params, **setting}.items()))
            horizon[key] = max(horizon.get(key, 1), t.horizon)
    return [Task.make(dict(key), s, h) for key, h in horizon.items() for s in seeds]


def estimate(targets: list[Target], params: dict[str, Any] | None, seeds, timeseries) -> list[Estimate]:
    """The estimates from the runs `plan` named: `timeseries` maps (task params, seed) to that run's reporter
    series (a frame with `tick` and the targets' reporters)."""
    from simulation.outcomes import teacher_effect_sd
    from simulation.params import resolve
    from simulation.stats import mean_ci

    params = dict(params or {})
    seeds = [int(s) for s in seeds]

    def series(setting, seed, upto):
        """The setting's reporter series for `seed`, ticks 0..upto."""
        ts = timeseries[(tuple(sorted({**params, **setting}.items())), seed)]
        return ts[ts["tick"] <= upto]

    out = []
    for t in targets:
        if t.kind == "implied":
            v = teacher_effect_sd(resolve(params)) if t.reporter == "teacher_effect_sd" else math.nan
            out.append(Estimate(t, float(v), math.nan, math.nan, 0))
            continue
        values = []
        for s in seeds:
            if t.kind == "level":
                values.append(series(t.setting, s, t.horizon)[t.reporter].iloc[-1])
            elif t.kind == "dip":
                col = series(t.setting, s, t.horizon)[t.reporter].to_numpy()
                values.append(float((col[1:] - col[0]).min()))
            else:
                pair = []
                for setting in (t.treatment, t.control):
                    col = series(setting, s, t.horizon)[t.reporter].to_numpy()
                    pair.append(col[-1] - col[0] if t.statistic == "gain" else col[-1])
                contrast = pair[0] - pair[1]
                if t.per:
                    share = float(series(t.treatment, s, t.horizon)[t.per].iloc[-1])
                    contrast = contrast / share if share > 0 else math.nan
                values.append(contrast)
        mean, lo, hi = mean_ci(np.asarray(values, float))
        out.append(Estimate(t, float(mean), float(lo), float(hi), len(values)))
    return out


def objective_distances(distances: dict[str, float], objectives: dict[str, Any], failed: float = math.nan
                        ) -> dict[str, float]:
    """Per calibration objective, the mean of its targets' distances (`Estimate.distance`, by target name);
    `failed` where any of them is not finite."""
    out = {}
    for name, members in objectives.items():
        d = [distances[m] for m in members]
        out[name] = float(np.mean(d)) if all(np.isfinite(d)) else failed
    return out


def measure(targets: list[Target], params: dict[str, Any] | None = None, seeds=range(1, 11),
            jobs: int | None = None, progress: bool = False) -> list[Estimate]:
    """The model's estimate of every target at the parameter vector `params` (over the defaults), over
    `seeds` (paired across the settings of a contrast)."""
    from simulation.replicate import run_tasks

    seeds = [int(s) for s in seeds]
    tasks = plan(targets, params, seeds)
    reps = {(r.task.params, r.task.seed): r.timeseries for r in run_tasks(tasks, jobs=jobs, progress=progress,
                                                                            desc="calibration runs")}
    return estimate(targets, params, seeds, reps)
