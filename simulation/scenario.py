"""Scenario files: read TOML, validate it against the parameter table, resolve defaults, write it back.

A scenario is a name, a description, a horizon in ticks, a seed, model parameters (checked against
`simulation.params.PARAMS`, the one source of truth) and optional scheduled interventions.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import tomli_w

from simulation.params import DEFAULTS, PARAMS
from simulation.validation import (ScenarioError, check_int, check_keys, check_param, check_str, did_you_mean,
                                   field_error, show)

DEFAULT_SCENARIO = "voluntary-8"
DEFAULT_HORIZON = 195
DEFAULT_SEED = 0
MAX_HORIZON = 39 * 100
MAX_SEED = 2**32 - 1
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
NAME_ALLOWED = "1-80 letters, digits, '-', '_' or '.', starting with a letter or digit (it names the results folder)"

TOP_FIELDS = ("name", "description", "horizon", "seed", "params", "interventions")
INTERVENTION_FIELDS = ("tick", "kind", "schools", "note")


@dataclass(frozen=True)
class Intervention:
    """One scheduled intervention: at `tick`, apply `kind` to the listed school indices."""

    tick: int
    kind: str
    schools: tuple[int, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tick": self.tick, "kind": self.kind, "schools": list(self.schools)}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Scenario:
    """A validated scenario; `params` holds every model parameter, defaults included."""

    name: str
    description: str
    horizon: int
    seed: int
    params: Mapping[str, Any]
    interventions: tuple[Intervention, ...] = ()
    overrides: Mapping[str, Any] = field(default_factory=dict, compare=False)
    source: str | None = field(default=None, compare=False)

    def to_dict(self, resolved: bool = True) -> dict[str, Any]:
        """Plain data in file order; `resolved=False` writes only the parameters the scenario sets."""
        params = dict(self.params) if resolved else {k: self.params[k] for k in self.overrides}
        out: dict[str, Any] = {"name": self.name, "description": self.description,
                               "horizon": self.horizon, "seed": self.seed, "params": params}
        if self.interventions:
            out["interventions"] = [iv.to_dict() for iv in self.interventions]
        return out

    def to_toml(self, header: str = "") -> str:
        """TOML text that `load_scenario` reads back to an equal scenario (floats round-trip exactly)."""
        lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
        return lines + tomli_w.dumps(self.to_dict(resolved=True))

    def with_overrides(self, *, seed: int | None = None, horizon: int | None = None,
                       params: Mapping[str, Any] | None = None, source: str | None = None) -> "Scenario":
        """A copy with a new seed, horizon or parameter values, validated again as a whole."""
        data = self.to_dict(resolved=False)
        if seed is not None:
            data["seed"] = seed
        if horizon is not None:
            data["horizon"] = horizon
        if params:
            data["params"].update(params)
        return parse_scenario(data, source=source or self.source)

    @property
    def n_schools(self) -> int:
        return int(self.params["n_schools"])


def _top_level_hint(key: str) -> str:
    if key in PARAMS:
        return f" (model parameters go under [params]: write it as params.{key} or in a [params] table)"
    if key in ("intervention", "interventions_"):
        return "; did you mean [[interventions]]?"
    return ""


def parse_scenario(data: Mapping[str, Any], source: str | None = None) -> Scenario:
    """Validate plain data (as read from TOML) into a `Scenario`, or raise `ScenarioError` on the first problem."""
    if not isinstance(data, Mapping):
        raise ScenarioError(f"a scenario must be a table of keys, not {show(data)}.", source=source)
    check_keys(source, data, TOP_FIELDS, "", _top_level_hint)
    if "name" not in data:
        raise ScenarioError(f"the key 'name' is missing: expected {NAME_ALLOWED}.", source=source,
                            field="name", allowed=NAME_ALLOWED)
    name = check_str(source, "name", data["name"])
    if not NAME_PATTERN.match(name):
        raise field_error(source, "name", name, "is not a valid scenario name", NAME_ALLOWED)
    description = check_str(source, "description", data.get("description", ""))
    horizon = check_int(source, "horizon", data.get("horizon", DEFAULT_HORIZON), 1, MAX_HORIZON)
    seed = check_int(source, "seed", data.get("seed", DEFAULT_SEED), 0, MAX_SEED)

    raw_params = data.get("params", {})
    if not isinstance(raw_params, Mapping):
        raise field_error(source, "params", raw_params, "has the wrong type",
                     "a [params] table of parameter = value lines")
    overrides = {key: check_param(key, value, source) for key, value in raw_params.items()}
    params = {**DEFAULTS, **overrides}

    raw_ivs = data.get("interventions", [])
    if not isinstance(raw_ivs, list) or not all(isinstance(iv, Mapping) for iv in raw_ivs):
        raise field_error(source, "interventions", raw_ivs, "has the wrong type",
                     "an array of tables, each written as [[interventions]] with tick, kind and schools")
    interventions = tuple(_parse_intervention(source, i, iv, horizon, int(params["n_schools"]))
                          for i, iv in enumerate(raw_ivs, start=1))
    return Scenario(name=name, description=description, horizon=horizon, seed=seed, params=params,
                    interventions=interventions, overrides=overrides, source=source)


def intervention_kinds() -> tuple[str, ...]:
    """The intervention kinds the model accepts (imported late: the model is the source of truth)."""
    from simulation import INTERVENTIONS

    return tuple(INTERVENTIONS)


def _parse_intervention(source, index: int, data: Mapping[str, Any], horizon: int, n_schools: int) -> Intervention:
    where = f"interventions[{index}]."
    check_keys(source, data, INTERVENTION_FIELDS, where)
    for key in ("tick", "kind", "schools"):
        if key not in data:
            raise ScenarioError(f"intervention {index} has no {key!r}: each [[interventions]] needs tick, kind "
                                f"and schools.", source=source, field=where + key)
    tick = check_int(source, where + "tick", data["tick"], 1, MAX_HORIZON)
    if tick > horizon:
        raise ScenarioError(f"{where}tick = {tick} is past the horizon: the run ends at tick {horizon}, so "
                            f"expected an integer in [1, {horizon}] (or a longer horizon).", source=source,
                            field=where + "tick", value=tick, allowed=f"an integer in [1, {horizon}]")
    kinds = intervention_kinds()
    kind = data["kind"]
    if not isinstance(kind, str):
        raise field_error(source, where + "kind", kind, "has the wrong type", "one of " + ", ".join(map(repr, kinds)))
    if kind not in kinds:
        raise ScenarioError(f"{where}kind = {kind!r} is not a known intervention: expected one of "
                            f"{', '.join(map(repr, kinds))}.{did_you_mean(kind, kinds)}", source=source,
                            field=where + "kind", value=kind, allowed=", ".join(kinds))
    schools = data["schools"]
    if isinstance(schools, int) and not isinstance(schools, bool):
        schools = [schools]
    allowed = f"a non-empty array of school indices in [0, {n_schools - 1}] (the scenario has {n_schools} schools)"
    if not isinstance(schools, list) or not schools:
        raise field_error(source, where + "schools", schools, "has the wrong type" if not isinstance(schools, list)
                     else "is empty", allowed)
    out = []
    for s in schools:
        if isinstance(s, bool) or not isinstance(s, int):
            raise field_error(source, where + "schools", s, "is not a school index", allowed)
        if not 0 <= s < n_schools:
            raise field_error(source, where + "schools", s, "is out of range", allowed)
        if s in out:
            raise field_error(source, where + "schools", s, "is listed twice", allowed + ", each listed once")
        out.append(s)
    note = check_str(source, where + "note", data.get("note", ""))
    return Intervention(tick=tick, kind=kind, schools=tuple(out), note=note)


# ---------------------------------------------------------------------------------------------
# files and names


def scenarios_dir() -> Path:
    """Where the shipped scenarios live: $CLC_SCENARIOS_DIR, else `scenarios/` beside the package."""
    env = os.environ.get("CLC_SCENARIOS_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "scenarios"
    return here if here.is_dir() else Path.cwd() / "scenarios"


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario names (file stems) mapped to their files, sorted by name."""
    folder = scenarios_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.toml"))}


MAX_FILE_BYTES = 16 * 2**20
_NOT_REGULAR = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_file_bytes(path: Path | str, what: str = "scenario file") -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES, or a `ScenarioError` saying why not.

    Opened without blocking and checked before reading: a named pipe, a device or a socket would
    block for ever or never end, so they are refused by what they are.
    """
    path = Path(path)
    shown = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioError(f"{what} {shown!r} does not exist.", field="file", value=shown) from None
    except IsADirectoryError:
        raise ScenarioError(f"{shown!r} is a folder, not a {what}.", field="file", value=shown) from None
    except (OSError, ValueError) as exc:   # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or exc
        raise ScenarioError(f"cannot read {what} {shown!r}: {reason}.", field="file", value=shown) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise ScenarioError(f"{shown!r} is a folder, not a {what}.", field="file", value=shown)
        kind = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
        raise ScenarioError(f"{shown!r} is {kind}, not a regular file: expected a {what} saved on disk "
                            f"(write it to a .toml file first).", field="file", value=shown,
                            allowed="a regular file")
    with os.fdopen(fd, "rb") as handle:
        try:
            os.set_blocking(handle.fileno(), True)
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ScenarioError(f"cannot read {what} {shown!r}: {exc.strerror or exc}.", field="file",
                                value=shown) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(f"{what} {shown!r} is larger than {MAX_FILE_BYTES // 2**20} MB: expected a TOML "
                            f"file of at most that size.", field="file", value=shown,
                            allowed=f"at most {MAX_FILE_BYTES // 2**20} MB")
    return raw


def decode_text(raw: bytes, source: str) -> str:
    """UTF-8 text without a leading byte-order mark (Windows editors add one), or a `ScenarioError`."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError("is not valid TOML: the file is saved as UTF-16 text; save it as UTF-8.",
                            source=source, field="file", allowed="UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(f"is not valid TOML: the file is not UTF-8 text (bad byte at line {line}).",
                            source=source, field="file") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_toml(path: Path | str) -> dict[str, Any]:
    """Parse a TOML file; a missing, unreadable or malformed file raises `ScenarioError` (with line and column)."""
    path = Path(path)
    text = decode_text(read_file_bytes(path), str(path))
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if match:
            where = f"line {match.group(1)}, column {match.group(2)}"
        else:
            where = f"the end of the file (line {text.count(chr(10)) + 1})"
        reason = re.sub(r"\s*\(at [^)]*\)\s*$", "", msg)
        raise ScenarioError(f"is not valid TOML: {reason[:1].lower() + reason[1:]} at {where}.",
                            source=str(path), field="file")
    except ValueError:   # Python refuses to read integers of more than 4300 digits
        raise ScenarioError("is not valid TOML: it holds an integer of more than 4300 digits, far beyond any "
                            "allowed value.", source=str(path), field="file") from None


def scenario_path(name_or_path: str | os.PathLike) -> Path:
    """The file for a shipped scenario name or a path; an unknown name lists the shipped ones."""
    text = os.fspath(name_or_path)
    if not text.strip() or "\0" in text:
        raise ScenarioError(f"the scenario {text!r} is {'empty' if not text.strip() else 'not a valid name'}: "
                            "expected the name of a shipped scenario (see `clc-sim list`) or the path of a .toml file.",
                            field="scenario", value=text, allowed="a shipped scenario name or a .toml path")
    path = Path(text)
    looks_like_path = text.endswith(".toml") or os.sep in text or "/" in text
    if path.is_file() or looks_like_path:
        return path
    shipped = shipped_scenarios()
    if text in shipped:
        return shipped[text]
    if path.exists():
        return path
    names = ", ".join(shipped) or "(none found in " + str(scenarios_dir()) + ")"
    raise ScenarioError(f"unknown scenario {text!r}: it is neither a file nor a shipped scenario."
                        f"{did_you_mean(text, shipped)} Shipped scenarios are: {names}.",
                        field="scenario", value=text, allowed=names)


def load_scenario(name_or_path: str | os.PathLike | Scenario) -> Scenario:
    """A validated `Scenario` from a shipped name (e.g. 'voluntary-8') or a TOML file path."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    path = scenario_path(name_or_path)
    return parse_scenario(read_toml(path), source=str(path))


def parse_assignments(items: list[str] | None, source: str = "--set") -> dict[str, Any]:
    """`key=value` strings (values in TOML syntax; bare words are strings) into checked parameter values."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key or not text:
            raise ScenarioError(f"{source} {item!r} does not parse: expected key=value, e.g. --set formation=forced "
                                f"or --set trust_gain=0.05.", field=source, value=item, allowed="key=value")
        if key in ("seed", "horizon", "ticks"):
            flag = "--seed" if key == "seed" else "--ticks"
            raise ScenarioError(f"{source} {item!r}: {key} is not a model parameter; use {flag} instead.",
                                field=source, value=item)
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", text):
                value = text
            else:
                raise ScenarioError(f"{source} {item!r} does not parse: the value {text!r} is not a number, "
                                    f"true/false or a word.", field=source, value=item)
        out[key] = check_param(key, value, source=source, where="")
    return out
