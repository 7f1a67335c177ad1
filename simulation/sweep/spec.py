"""Sweep files: a base scenario, a design (grid or sampled), replications and what to keep, validated.

A sweep file is TOML (see docs/SWEEPS.md). Every mistake raises `SweepError` (a `ScenarioError`, so the
command line reports it in one paragraph and exits 2) naming the field, the value given and what is
allowed, in the same words as scenario errors. Parameter values are checked by the parameter table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from simulation.params import PARAMS, RANGE_SOURCES
from simulation.reporters import REPORTERS
from simulation.scenario import (MAX_HORIZON, MAX_SEED, NAME_ALLOWED, NAME_PATTERN, Scenario, load_scenario,
                                 parse_scenario, read_toml, scenarios_dir)
from simulation.validation import (ScenarioError, check_int, check_keys, check_param, check_str, closest,
                                   field_error)

TOP_FIELDS = ("name", "description", "scenario", "seed", "replications", "seeding", "horizon", "batch",
              "params", "grid", "sample", "sensitivity", "output")
SAMPLE_FIELDS = ("method", "n", "ranges")
SENSITIVITY_FIELDS = ("method", "metrics", "n", "levels", "second_order", "ranges")
OUTPUT_FIELDS = ("metrics", "timeseries", "every", "plot")
RANGE_FIELDS = ("start", "stop", "step", "num")
SEEDINGS = ("run", "replication")
SAMPLE_METHODS = ("lhs", "sobol")
SENSITIVITY_METHODS = ("morris", "sobol")
#: per-run summaries of each kept reporter in runs.parquet: `<reporter>` is its final value
SUMMARIES = ("mean", "min", "max", "change")
DEFAULT_PLOT = ("mean_knowledge", "cross_school_trust", "moral_capital", "mean_attainment", "knowledge_accessed",
                "mean_value_added")
DEFAULT_EVERY = 13
#: the one cap on runs, for grids, samples and SALib designs alike, checked before any design point is made;
#: a sweep's plan is held in memory (about 0.4 GB and 10 s per million runs) and a million runs of even
#: the smallest model take hours
MAX_RUNS = 1_000_000
MAX_GRID_VALUES = 100_000
MAX_SAMPLE_N = 1_000_000
MAX_SENSITIVITY_N = 1_000_000


class SweepError(ScenarioError):
    """A problem with a sweep file, naming the field, the value given and what is allowed."""


@dataclass(frozen=True)
class Range:
    """A sampled parameter: numbers in [lo, hi] (integers rounded) or one of `choices`; `source` says where
    the range came from: "file" (given in the sweep file), "plausible" or "allowed" (the parameter table's)."""

    name: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple | None = None
    source: str = field(default="file", compare=False)

    def to_toml(self) -> list:
        return list(self.choices) if self.choices is not None else [self.lo, self.hi]


@dataclass(frozen=True)
class SampleSpec:
    """A sampled design: `n` points from a Latin hypercube or a scrambled Sobol sequence over `ranges`."""

    method: str
    n: int
    ranges: dict[str, Range]


@dataclass(frozen=True)
class SensitivitySpec:
    """A global sensitivity analysis: SALib design over numeric `ranges`, indices for `metrics`."""

    method: str
    metrics: tuple[str, ...]
    n: int
    levels: int
    second_order: bool
    ranges: dict[str, Range]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: the base scenario (horizon and fixed params applied) and the design around it."""

    name: str
    description: str
    base: Scenario
    seed: int
    replications: int
    seeding: str
    grid: dict[str, list] | None = None
    sample: SampleSpec | None = None
    sensitivity: SensitivitySpec | None = None
    metrics: tuple[str, ...] = REPORTERS
    timeseries: tuple[str, ...] = REPORTERS
    every: int = DEFAULT_EVERY
    plot: tuple[str, ...] = DEFAULT_PLOT
    batch: int | None = None
    source: str | None = field(default=None, compare=False)
    #: where ranges the file names without bounds were taken from: "plausible" (default) or "allowed"
    range_source: str = field(default="plausible", compare=False)

    @property
    def swept(self) -> tuple[str, ...]:
        """The parameters this sweep varies, in file order."""
        if self.grid:
            return tuple(self.grid)
        if self.sample:
            return tuple(self.sample.ranges)
        if self.sensitivity:
            return tuple(self.sensitivity.ranges)
        return ()

    def sampled_ranges(self) -> dict[str, dict[str, Any]]:
        """name -> {"range": [lo, hi] or the choices, "from": "file" | "plausible" | "allowed"} for every
        sampled or sensitivity parameter (recorded in metadata.json)."""
        design = self.sample or self.sensitivity
        if design is None:
            return {}
        return {k: {"range": r.to_toml(), "from": r.source} for k, r in design.ranges.items()}

    def identity(self) -> dict[str, Any]:
        """Everything that decides which runs exist and what they compute (not batch size or wording)."""
        data = self.to_dict()
        data.pop("description", None)
        data.pop("batch", None)
        return data

    def to_dict(self) -> dict[str, Any]:
        """Plain data in file order, the base scenario written out in full (resolved)."""
        out: dict[str, Any] = {"name": self.name, "description": self.description, "seed": self.seed,
                               "replications": self.replications, "seeding": self.seeding}
        if self.batch is not None:
            out["batch"] = self.batch
        out["scenario"] = self.base.to_dict(resolved=True)
        if self.grid:
            out["grid"] = {k: list(v) for k, v in self.grid.items()}
        if self.sample:
            out["sample"] = {"method": self.sample.method, "n": self.sample.n,
                             "ranges": {k: r.to_toml() for k, r in self.sample.ranges.items()}}
        if self.sensitivity:
            s = self.sensitivity
            out["sensitivity"] = {"method": s.method, "metrics": list(s.metrics), "n": s.n, "levels": s.levels,
                                  "second_order": s.second_order,
                                  "ranges": {k: r.to_toml() for k, r in s.ranges.items()}}
        out["output"] = {"metrics": list(self.metrics), "timeseries": list(self.timeseries), "every": self.every,
                         "plot": list(self.plot)}
        return out

    def to_toml(self, header: str = "") -> str:
        """TOML text that `parse_sweep` reads back to an equal spec."""
        import tomli_w

        lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
        return lines + tomli_w.dumps(self.to_dict())

    def with_sensitivity(self, method: str | None = None, n: int | None = None) -> "SweepSpec":
        """This spec set up for `clc-sim sensitivity`: the method and sample size chosen on the command line."""
        if self.sensitivity is None:
            raise SweepError("has no [sensitivity] table: a sensitivity analysis needs [sensitivity] with "
                             "metrics and ranges (see docs/SWEEPS.md).", source=self.source, field="sensitivity",
                             allowed="a [sensitivity] table")
        s = self.sensitivity
        method = method or s.method
        if method not in SENSITIVITY_METHODS:
            raise SweepError(f"--method {method!r} is not allowed: expected one of "
                             f"{', '.join(map(repr, SENSITIVITY_METHODS))}.", field="method", value=method,
                             allowed=", ".join(SENSITIVITY_METHODS))
        if n is not None:
            _again(check_int, None, "--n", n, 2, MAX_SENSITIVITY_N)
        new = SensitivitySpec(method=method, metrics=s.metrics, n=n or s.n, levels=s.levels,
                              second_order=s.second_order, ranges=s.ranges)
        _check_sensitivity_size(self.source, new)
        spec = replace(self, sensitivity=new, grid=None, sample=None)
        check_run_count(self.source, design_size(spec), spec.replications, design_words(spec))
        return spec


def metric_columns(metrics) -> tuple[str, ...]:
    """The runs-table columns of the kept reporters: final value, then each summary."""
    return tuple(m for m in metrics) + tuple(f"{m}_{s}" for m in metrics for s in SUMMARIES)


# ---------------------------------------------------------------------------------------------
# validation


def _hint(key: str) -> str:
    if key in PARAMS:
        return (f" (a fixed parameter goes under [params], a swept one under [grid] or [sample.ranges]: "
                f"write params.{key} or grid.{key})")
    if key in ("replicates", "reps", "repetitions"):
        return "; did you mean 'replications'?"
    return ""


def _reporter_list(source, where: str, value: Any, allowed_names, what: str) -> tuple[str, ...]:
    allowed = f"an array of {what}: " + ", ".join(allowed_names)
    if not isinstance(value, list) or not value:
        raise _sweep_error(source, where, value, "has the wrong type" if not isinstance(value, list) else "is empty",
                           allowed)
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise _sweep_error(source, where, item, "has the wrong type", allowed)
        if item not in allowed_names:
            raise SweepError(f"{where} lists {item!r}, which is not one of the {what}{closest(item, allowed_names)}: "
                             f"expected {', '.join(allowed_names)}.", source=source, field=where, value=item,
                             allowed=", ".join(allowed_names))
        if item in out:
            raise _sweep_error(source, where, item, "is listed twice", allowed + ", each listed once")
        out.append(item)
    return tuple(out)


def _sweep_error(source, where, value, problem, allowed) -> SweepError:
    err = field_error(source, where, value, problem, allowed)
    return SweepError(err.message, source=source, field=where, value=value, allowed=allowed)


def _again(fn, *args):
    """Call a scenario validator and re-raise its `ScenarioError` as a `SweepError`."""
    try:
        return fn(*args)
    except SweepError:
        raise
    except ScenarioError as exc:
        raise SweepError(exc.message, source=exc.source, field=exc.field, value=exc.value,
                         allowed=exc.allowed) from None


def _grid_values(source, name: str, raw: Any) -> list:
    """The checked values of one grid entry, each once."""
    return _grid_entry(source, name, raw)[1]()


def _grid_entry(source, name: str, raw: Any) -> tuple[int, Callable[[], list]]:
    """How many values one grid entry gives, counted from its range or array before any value is made or
    compared (so a huge grid is refused at once), and the function that makes them."""
    where = f"grid.{name}"
    allowed = ("an array of values, e.g. [4, 8, 12], or a range table {start = 4, stop = 12, step = 4} "
               "(stop included) or {start = 0.1, stop = 0.5, num = 5}")
    if isinstance(raw, Mapping):
        return _grid_range(source, name, raw, where, allowed)
    if isinstance(raw, list):
        if not raw:
            raise _sweep_error(source, where, raw, "is empty", allowed)
        if len(raw) > MAX_GRID_VALUES:
            raise _sweep_error(source, where, f"an array of {len(raw)} values", "has too many values",
                               f"at most {MAX_GRID_VALUES} values in one grid entry")
        return len(raw), lambda: _checked_values(source, name, where, raw)
    return 1, lambda: _checked_values(source, name, where, [raw])


def _checked_values(source, name: str, where: str, raw_list: list) -> list:
    """Each value checked by the parameter table; a value given twice is refused (one pass, by hash)."""
    values: dict[Any, None] = {}
    for v in raw_list:
        checked = _again(check_param, name, v, source, "grid.")
        key = (type(checked), checked)
        if key in values:
            raise _sweep_error(source, where, v, "is listed twice", "each value once")
        values[key] = None
    return [checked for _, checked in values]


def _grid_range(source, name: str, raw: Mapping, where: str, allowed: str) -> tuple[int, Callable[[], list]]:
    """A {start, stop, step | num} range: its size, then its values (integers rounded, repeats dropped)."""
    _again(check_keys, source, raw, RANGE_FIELDS, where + ".")
    for key in ("start", "stop"):
        if key not in raw:
            raise SweepError(f"{where} has no {key!r}: a range needs start, stop and either step or num.",
                             source=source, field=f"{where}.{key}", allowed=allowed)
    if ("step" in raw) == ("num" in raw):
        raise SweepError(f"{where} needs exactly one of 'step' and 'num' (got "
                         f"{'both' if 'step' in raw else 'neither'}).", source=source, field=where,
                         allowed=allowed)
    p = PARAMS[name]
    if p.choices is not None or p.kind is bool:
        raise _sweep_error(source, where, raw, "has the wrong type",
                           f"an array of values ({name} takes {p.allowed()})")
    start, stop = (_again(check_param, name, raw[k], source, "grid.") for k in ("start", "stop"))
    if "num" in raw:
        num = _again(check_int, source, f"{where}.num", raw["num"], 1, MAX_GRID_VALUES)
        count = num

        def raw_values() -> list:
            return [start + (stop - start) * i / (num - 1) for i in range(num)] if num > 1 else [start]
    else:
        step = raw["step"]
        if (isinstance(step, bool) or not isinstance(step, (int, float)) or not step > 0
                or (isinstance(step, float) and not math.isfinite(step))):
            raise _sweep_error(source, f"{where}.step", step, "is not a positive number",
                               "a positive number (the range counts up from start to stop)")
        if stop < start:
            raise SweepError(f"{where}.stop = {stop!r} is below start = {start!r}: expected stop >= start.",
                             source=source, field=f"{where}.stop", value=stop, allowed=f"a number >= {start}")
        # compared before dividing: a huge integer step cannot become a float, a tiny one gives inf
        ratio = 0.0 if step > stop - start else (stop - start) / step
        if not ratio < MAX_GRID_VALUES:
            raise _sweep_error(source, f"{where}.step", step, "gives too many values",
                               f"at most {MAX_GRID_VALUES} values in one range")
        count = int(math.floor(ratio + 1e-9)) + 1

        def raw_values() -> list:
            return [start + i * step for i in range(count)]
    if p.kind is int:
        count = min(count, abs(int(stop) - int(start)) + 1)      # rounded integers repeat

    def make() -> list:
        values = raw_values()
        if p.kind is int:
            values = [int(round(v)) for v in values]
        else:
            values = [round(float(v), 12) for v in values]
        return _checked_values(source, name, where, list(dict.fromkeys(values)))

    return count, make


def _table_range(name: str, how: str) -> Range:
    """A parameter's range from the parameter table: its plausible range (`how="plausible"`; the allowed range
    where it has none, see `params.NO_PLAUSIBLE`) or its allowed range; every choice of a choice or switch."""
    p = PARAMS[name]
    if p.choices is not None:
        return Range(name, choices=tuple(p.choices), source=how)
    if p.kind is bool:
        return Range(name, choices=(False, True), source=how)
    lo, hi = p.sampling_range(how)
    if how == "plausible" and p.plausible is None:
        how = "allowed"
    if p.kind is float:
        lo, hi = float(lo), float(hi)
    return Range(name, lo=lo, hi=hi, source=how)


def _ranges(source, where: str, raw: Any, numeric_only: bool, default: str = "plausible") -> dict[str, Range]:
    allowed = ("a table of parameter = [low, high]" + ("" if numeric_only else " or parameter = [\"choice\", ...]")
               + ", parameter = \"plausible\" or \"allowed\" (the parameter table's range), or an array of "
               "parameter names (each over its plausible range, or its allowed range with --ranges allowed)")
    if isinstance(raw, list) and raw and all(isinstance(v, str) for v in raw):
        raw = {name: None for name in _unique_names(source, where, raw)}
    if not isinstance(raw, Mapping) or not raw:
        raise _sweep_error(source, where, raw,
                           "is empty" if isinstance(raw, (Mapping, list)) and not raw else "has the wrong type",
                           allowed)
    out: dict[str, Range] = {}
    for name, value in raw.items():
        label = f"{where}.{name}"
        if name not in PARAMS:
            _again(check_param, name, None, source, f"{where}.")
        p = PARAMS[name]
        if value is None or isinstance(value, str):
            how = default if value is None else value
            if how not in RANGE_SOURCES:
                raise _sweep_error(source, label, value, "is not an allowed choice",
                                   "[low, high], or \"plausible\" or \"allowed\" for the parameter table's range")
            if numeric_only and (p.choices is not None or p.kind is bool):
                raise SweepError(f"{label}: {name} takes {p.allowed()}, and a sensitivity analysis needs numeric "
                                 f"parameters: expected a numeric parameter.", source=source, field=label,
                                 value=name, allowed="a numeric parameter")
            out[name] = _table_range(name, how)
            continue
        if p.choices is not None or p.kind is bool:
            if numeric_only:
                raise SweepError(f"{label}: {name} takes {p.allowed()}, and a sensitivity analysis needs numeric "
                                 f"parameters: expected a numeric parameter with [low, high].", source=source,
                                 field=label, value=value, allowed="a numeric parameter")
            if not isinstance(value, list) or len(value) < 2:
                raise _sweep_error(source, label, value, "has the wrong type",
                                   f"an array of at least two choices ({p.allowed()})")
            choices = tuple(_again(check_param, name, v, source, f"{where}.") for v in value)
            if len(set(choices)) != len(choices):
                raise _sweep_error(source, label, value, "lists a choice twice", "each choice once")
            out[name] = Range(name, choices=choices)
            continue
        if not isinstance(value, list) or len(value) != 2:
            raise _sweep_error(source, label, value, "has the wrong type",
                               f"[low, high] with both in {p.allowed().split(' in ', 1)[-1]}")
        lo, hi = (_again(check_param, name, v, source, f"{where}.") for v in value)
        if not lo < hi:
            raise SweepError(f"{label} = [{lo!r}, {hi!r}] is empty: expected low < high.", source=source,
                             field=label, value=value, allowed="[low, high] with low < high")
        out[name] = Range(name, lo=float(lo) if p.kind is float else lo, hi=float(hi) if p.kind is float else hi)
    return out


def _unique_names(source, where: str, names: list) -> list:
    seen: list = []
    for name in names:
        if name in seen:
            raise _sweep_error(source, where, name, "is listed twice", "each parameter once")
        seen.append(name)
    return seen


def _check_sensitivity_size(source, s: SensitivitySpec) -> None:
    if s.method == "sobol" and s.n & (s.n - 1):
        raise SweepError(f"sensitivity.n = {s.n} is not a power of two: Sobol' sampling needs n = 2^k, e.g. "
                         f"{1 << max(s.n.bit_length() - 1, 1)} or {1 << s.n.bit_length()}.", source=source,
                         field="sensitivity.n", value=s.n, allowed="a power of two")


def _base(source, raw: Any, base_dir: Path | None) -> Scenario:
    if raw is None:
        return _again(load_scenario, "voluntary-8")
    if isinstance(raw, Mapping):
        return _again(parse_scenario, raw, source)
    if not isinstance(raw, str):
        raise _sweep_error(source, "scenario", raw, "has the wrong type",
                           "a shipped scenario name, a path to a scenario file, or an inline [scenario] table")
    candidate = Path(raw)
    if base_dir is not None and not candidate.is_absolute() and (base_dir / candidate).is_file():
        raw = str(base_dir / candidate)
    try:
        return load_scenario(raw)
    except ScenarioError as exc:
        raise SweepError(f"scenario = {raw!r}: {exc.message}", source=source, field="scenario", value=raw,
                         allowed=exc.allowed) from None


def parse_sweep(data: Mapping[str, Any], source: str | None = None, base_dir: Path | None = None,
                ranges: str = "plausible") -> SweepSpec:
    """Validate plain data (as read from TOML) into a `SweepSpec`, or raise `SweepError` on the first problem.

    `ranges` says where a parameter named in [sample.ranges] or [sensitivity.ranges] without bounds takes its
    range: "plausible" (the parameter table's plausible range, the default) or "allowed" (`--ranges allowed`)."""
    if ranges not in RANGE_SOURCES:
        raise SweepError(f"--ranges {ranges!r} is not allowed: expected one of {', '.join(map(repr, RANGE_SOURCES))}.",
                         field="ranges", value=ranges, allowed=", ".join(RANGE_SOURCES))
    ranges_from = ranges
    if not isinstance(data, Mapping):
        raise SweepError("a sweep must be a table of keys.", source=source)
    _again(check_keys, source, data, TOP_FIELDS, "", _hint)
    if "name" not in data:
        raise SweepError(f"the key 'name' is missing: expected {NAME_ALLOWED}.", source=source, field="name",
                         allowed=NAME_ALLOWED)
    name = _again(check_str, source, "name", data["name"])
    if not NAME_PATTERN.match(name):
        raise _sweep_error(source, "name", name, "is not a valid sweep name", NAME_ALLOWED)
    description = _again(check_str, source, "description", data.get("description", ""))
    seed = _again(check_int, source, "seed", data.get("seed", 0), 0, MAX_SEED)
    replications = _again(check_int, source, "replications", data.get("replications", 1), 1, 100_000)
    seeding = data.get("seeding", "run")
    if seeding not in SEEDINGS:
        raise _sweep_error(source, "seeding", seeding, "is not an allowed choice",
                           "'run' (each run its own seed) or 'replication' (every design point of a replication "
                           "shares a seed: common random numbers)")
    batch = data.get("batch")
    if batch is not None:
        batch = _again(check_int, source, "batch", batch, 1, 100_000)

    base = _base(source, data.get("scenario"), base_dir)
    fixed_raw = data.get("params", {})
    if not isinstance(fixed_raw, Mapping):
        raise _sweep_error(source, "params", fixed_raw, "has the wrong type", "a [params] table of parameter = value")
    fixed = {k: _again(check_param, k, v, source) for k, v in fixed_raw.items()}
    horizon = data.get("horizon")
    if horizon is not None:
        horizon = _again(check_int, source, "horizon", horizon, 1, MAX_HORIZON)
    if fixed or horizon is not None:
        try:
            base = base.with_overrides(horizon=horizon, params=fixed, source=source)
        except ScenarioError as exc:
            raise SweepError(f"the base scenario with this sweep's horizon and [params] is not valid: {exc.message}",
                             source=source, field=exc.field, value=exc.value, allowed=exc.allowed) from None

    grid = sample = sensitivity = None
    if "grid" in data and "sample" in data:
        raise SweepError("has both [grid] and [sample]: a sweep is either a grid or a sampled design, not both.",
                         source=source, field="grid", allowed="one of [grid] or [sample]")
    if "grid" in data:
        raw = data["grid"]
        if not isinstance(raw, Mapping) or not raw:
            raise _sweep_error(source, "grid", raw, "is empty" if isinstance(raw, Mapping) else "has the wrong type",
                               "a [grid] table of parameter = [values]")
        entries = {}
        for key, value in raw.items():
            if key not in PARAMS:
                _again(check_param, key, None, source, "grid.")
            if key in fixed:
                raise SweepError(f"{key!r} is both fixed in [params] and swept in [grid]: keep one.", source=source,
                                 field=f"grid.{key}", value=key, allowed="a parameter in one of the two tables")
            entries[key] = _grid_entry(source, key, value)
        sizes = " x ".join(f"grid.{k} ({n} value{'s' if n != 1 else ''})" for k, (n, _) in entries.items())
        check_run_count(source, math.prod(n for n, _ in entries.values()), replications, sizes)
        grid = {key: make() for key, (_, make) in entries.items()}
    if "sample" in data:
        raw = data["sample"]
        if not isinstance(raw, Mapping):
            raise _sweep_error(source, "sample", raw, "has the wrong type", "a [sample] table")
        _again(check_keys, source, raw, SAMPLE_FIELDS, "sample.")
        method = raw.get("method", "lhs")
        if method not in SAMPLE_METHODS:
            raise SweepError(f"sample.method = {method!r} is not an allowed choice{closest(str(method), SAMPLE_METHODS)}: "
                             f"expected 'lhs' (Latin hypercube) or 'sobol' (scrambled Sobol' sequence).",
                             source=source, field="sample.method", value=method, allowed="lhs, sobol")
        if "n" not in raw:
            raise SweepError("sample has no 'n': expected the number of design points, e.g. n = 64.",
                             source=source, field="sample.n", allowed="an integer in [1, 1000000]")
        n = _again(check_int, source, "sample.n", raw["n"], 1, MAX_SAMPLE_N)
        ranges = _ranges(source, "sample.ranges", raw.get("ranges"), numeric_only=False, default=ranges_from)
        for key in ranges:
            if key in fixed:
                raise SweepError(f"{key!r} is both fixed in [params] and sampled in [sample.ranges]: keep one.",
                                 source=source, field=f"sample.ranges.{key}", value=key)
        sample = SampleSpec(method, n, ranges)

    output = data.get("output", {})
    if not isinstance(output, Mapping):
        raise _sweep_error(source, "output", output, "has the wrong type", "an [output] table")
    _again(check_keys, source, output, OUTPUT_FIELDS, "output.")
    metrics = (_reporter_list(source, "output.metrics", output["metrics"], REPORTERS, "reporters")
               if "metrics" in output else REPORTERS)
    timeseries = (_reporter_list(source, "output.timeseries", output["timeseries"], REPORTERS, "reporters")
                  if "timeseries" in output else metrics)
    every = _again(check_int, source, "output.every", output.get("every", DEFAULT_EVERY), 1, MAX_HORIZON)
    collect = int(base.params["collect_every"])
    if every % collect:
        raise SweepError(f"output.every = {every} is not a multiple of the scenario's collect_every = {collect}: "
                         f"only collected ticks can be kept.", source=source, field="output.every", value=every,
                         allowed=f"a multiple of {collect}")
    plot = (_reporter_list(source, "output.plot", output["plot"], metrics, "kept metrics (output.metrics)")
            if "plot" in output else tuple(m for m in DEFAULT_PLOT if m in metrics) or metrics[:6])

    if "sensitivity" in data:
        raw = data["sensitivity"]
        if not isinstance(raw, Mapping):
            raise _sweep_error(source, "sensitivity", raw, "has the wrong type", "a [sensitivity] table")
        _again(check_keys, source, raw, SENSITIVITY_FIELDS, "sensitivity.")
        method = raw.get("method", "morris")
        if method not in SENSITIVITY_METHODS:
            raise SweepError(f"sensitivity.method = {method!r} is not an allowed choice: expected 'morris' or "
                             f"'sobol'.", source=source, field="sensitivity.method", value=method,
                             allowed="morris, sobol")
        columns = metric_columns(metrics)
        s_metrics = _reporter_list(source, "sensitivity.metrics", raw.get("metrics", ["mean_knowledge"]), columns,
                                   "runs-table metrics (a kept reporter, or reporter_mean/_min/_max/_change)")
        n = _again(check_int, source, "sensitivity.n", raw.get("n", 8), 2, MAX_SENSITIVITY_N)
        levels = _again(check_int, source, "sensitivity.levels", raw.get("levels", 4), 2, 100)
        second = raw.get("second_order", False)
        if not isinstance(second, bool):
            raise _sweep_error(source, "sensitivity.second_order", second, "has the wrong type", "true or false")
        ranges = _ranges(source, "sensitivity.ranges", raw.get("ranges"), numeric_only=True, default=ranges_from)
        for key in ranges:
            if key in fixed:
                raise SweepError(f"{key!r} is both fixed in [params] and varied in [sensitivity.ranges]: keep one.",
                                 source=source, field=f"sensitivity.ranges.{key}", value=key)
        if len(ranges) < 2:
            raise SweepError("sensitivity.ranges has one parameter: a sensitivity analysis compares at least two.",
                             source=source, field="sensitivity.ranges", allowed="two or more parameters")
        sensitivity = SensitivitySpec(method, s_metrics, n, levels, second, ranges)
        _check_sensitivity_size(source, sensitivity)

    spec = SweepSpec(name=name, description=description, base=base, seed=seed, replications=replications,
                     seeding=seeding, grid=grid, sample=sample, sensitivity=sensitivity, metrics=metrics,
                     timeseries=timeseries, every=every, plot=plot, batch=batch, source=source,
                     range_source=ranges_from)
    check_run_count(source, design_size(spec), replications, design_words(spec))
    return spec


def sensitivity_points(s: SensitivitySpec) -> int:
    """Design points of a SALib design, counted before it is drawn: Morris n (k + 1), Sobol' n (k + 2), or
    n (2k + 2) with second-order indices, for k parameters."""
    k = len(s.ranges)
    if s.method == "morris":
        return s.n * (k + 1)
    return s.n * (2 * k + 2 if s.second_order else k + 2)


def design_size(spec: SweepSpec) -> int:
    """How many design points `design.design_points` will make for `spec`, without making them."""
    if spec.grid:
        return math.prod(len(v) for v in spec.grid.values())
    if spec.sample:
        return spec.sample.n
    if spec.sensitivity:
        return sensitivity_points(spec.sensitivity)
    return 1


def design_words(spec: SweepSpec) -> str:
    """The design in words, for the run-cap message: its grid entries and sizes, or the sample or SALib size."""
    if spec.grid:
        return " x ".join(f"grid.{k} ({len(v)} values)" for k, v in spec.grid.items())
    if spec.sample:
        return f"sample.n = {spec.sample.n}"
    if spec.sensitivity:
        s = spec.sensitivity
        k = len(s.ranges)
        formula = ("n (k + 1)" if s.method == "morris" else "n (2k + 2)" if s.second_order else "n (k + 2)")
        return f"a {s.method} design of {formula} with n = {s.n}, k = {k} parameters"
    return "the base scenario alone"


def check_run_count(source, points: int, replications: int, design: str) -> None:
    """The one run cap for every kind of design (grid, sample, SALib), applied before any point is made."""
    runs = points * replications
    if runs > MAX_RUNS:
        raise SweepError(f"the sweep has {design} = {points} design points x {replications} replications = "
                         f"{runs} runs: expected at most {MAX_RUNS} runs in all (fewer values, a smaller n or "
                         f"fewer replications).", source=source, field="replications", value=runs,
                         allowed=f"at most {MAX_RUNS} runs in all")


def load_sweep(path: str | Path, ranges: str = "plausible") -> SweepSpec:
    """A validated `SweepSpec` from a sweep file (or the name of a shipped one in scenarios/sweeps/);
    relative scenario paths are read beside the file; `ranges` as for `parse_sweep`."""
    path = Path(path)
    shipped = scenarios_dir() / "sweeps" / f"{path}.toml"
    if not path.is_file() and not path.suffix and len(path.parts) == 1 and shipped.is_file():
        path = shipped
    try:
        data = read_toml(path)
    except ScenarioError as exc:
        raise SweepError(exc.message.replace("scenario file", "sweep file"), source=exc.source, field=exc.field,
                         value=exc.value) from None
    return parse_sweep(data, source=str(path), base_dir=path.parent, ranges=ranges)
