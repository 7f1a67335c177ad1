"""The one validation path: every value a user gives (scenario file, sweep file, `--set`, the dashboard,
`CLCModel(**params)`) is checked here, and every problem is told the same way: the field, the value
as written, what is wrong and what is allowed, with a did-you-mean for misspelt names.
"""

from __future__ import annotations

import difflib
import math
import os
import warnings
from typing import Any, Mapping

from simulation.params import PARAMS, RETIRED


class ScenarioError(ValueError):
    """A problem with a scenario, in one paragraph naming the field, the value given and what is allowed."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None,
                 value: Any = None, allowed: str | None = None):
        self.source, self.field, self.value, self.allowed = source, field, value, allowed
        self.message = message
        super().__init__(f"{source}: {message}" if source else message)



LONG_INT = 10**40


def _show_long_int(value: int) -> str:
    """A very long integer by its first digits and its length (Python refuses to print the longest ones)."""
    if value.bit_length() < 10_000:
        text = repr(value)
        return f"{text[:12]}... (an integer of {len(text.lstrip('-'))} digits)"
    digits = int(abs(value).bit_length() * 0.30103) + 1
    return f"{'-' if value < 0 else ''}... (an integer of about {digits} digits)"


def show(value: Any, with_type: bool = False) -> str:
    """A value as the user wrote it in TOML, with its type when the type is the problem."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= LONG_INT:
        return _show_long_int(value)
    if isinstance(value, bool):
        return ("true" if value else "false") + (" (a boolean)" if with_type else "")
    if isinstance(value, str):
        return f"{value!r}" + (" (text in quotes)" if with_type else "")
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if not isinstance(value, (int, float)):
        return f"{value} (a {type(value).__name__})"
    if with_type:
        return f"{value!r} ({'an integer' if isinstance(value, int) else 'a number'})"
    return repr(value)


def close_match(name: str, candidates) -> str | None:
    """The closest of `candidates` to a misspelt `name`, or None if none is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def closest(name: str, candidates) -> str:
    """"; did you mean 'x'?" inside a sentence, or ""."""
    match = close_match(name, candidates)
    return f"; did you mean {match!r}?" if match else ""


def did_you_mean(name: str, candidates) -> str:
    """" Did you mean 'x'?" after a sentence, for the closest of `candidates` to a misspelt `name`, or ""."""
    match = close_match(name, candidates)
    return f" Did you mean {match!r}?" if match else ""


def field_error(source, where: str, value: Any, problem: str, allowed: str) -> ScenarioError:
    """`where = value problem: expected allowed.` as a ScenarioError (the type is shown when it is the problem)."""
    shown = show(value, with_type=problem == "has the wrong type")
    return ScenarioError(f"{where} = {shown} {problem}: expected {allowed}.",
                         source=source, field=where, value=value, allowed=allowed)


def check_int(source, where: str, value: Any, lo: int, hi: int) -> int:
    """An integer in [lo, hi] (a whole float is accepted), or a ScenarioError saying which."""
    allowed = f"an integer in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise field_error(source, where, value, "has the wrong type", allowed)
    if not lo <= value <= hi:
        raise field_error(source, where, value, "is out of range", allowed)
    return value


def check_str(source, where: str, value: Any) -> str:
    """A string, or a ScenarioError."""
    if not isinstance(value, str):
        raise field_error(source, where, value, "has the wrong type", "a string in quotes")
    return value


def check_keys(source, table: Mapping[str, Any], known, where: str, extra_hint=None) -> None:
    """Every key of `table` is in `known`, or a ScenarioError naming the first unknown one, with a hint."""
    for key in table:
        if key not in known:
            hint = (extra_hint(key) if extra_hint else "") or closest(key, known)
            allowed = ", ".join(known)
            scope = f" in {where.rstrip('.')}" if where else ""
            raise ScenarioError(f"unknown key {where + key!r}{hint} (allowed keys{scope}: {allowed}).",
                                source=source, field=where + key, value=key, allowed=allowed)


def check_param(name: str, value: Any, source: str | None = None, where: str = "params.") -> Any:
    """One parameter value checked by the parameter table; wrong type and out of range are told apart."""
    label = f"{where}{name}"
    if name in RETIRED:
        warnings.warn(f"parameter {label!r} is retired and ignored: {RETIRED[name]}", DeprecationWarning, stacklevel=2)
        return None
    if name not in PARAMS:
        allowed = "a parameter name listed by `clc-sim list --params`"
        raise ScenarioError(f"unknown parameter {label!r}{closest(name, PARAMS)} (see `clc-sim list --params` "
                            f"for all {len(PARAMS)} parameters).", source=source, field=label, value=name,
                            allowed=allowed)
    p = PARAMS[name]
    try:
        return p.check(value)
    except (ValueError, OverflowError):  # OverflowError: int(inf) inside Param.check
        pass
    allowed = f"{p.allowed()} ({p.doc}; unit {p.unit})" if p.unit != "-" else f"{p.allowed()} ({p.doc})"
    if p.choices is not None:
        if isinstance(value, str):
            raise ScenarioError(f"{label} = {value!r} is not an allowed choice: expected {allowed}."
                                f"{did_you_mean(value, p.choices)}", source=source, field=label, value=value,
                                allowed=p.allowed())
        raise field_error(source, label, value, "has the wrong type", allowed)
    if p.kind is bool or isinstance(value, bool) or not isinstance(value, (int, float)):
        raise field_error(source, label, value, "has the wrong type", allowed)
    if isinstance(value, float) and not math.isfinite(value):
        raise field_error(source, label, value, "is not a finite number", allowed)
    if p.kind is int and isinstance(value, float) and not value.is_integer():   # ints are whole, however long
        raise field_error(source, label, value, "is not a whole number", allowed)
    raise field_error(source, label, value, "is out of range", allowed)


def check_option(flag: str, value: int | None, lo: int, hi: int, why: str = "") -> int | None:
    """A command-line integer (`--seed N`) in [lo, hi], compared exactly; None (not given) passes."""
    if value is None:
        return None
    allowed = f"an integer in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ScenarioError(f"{flag} {show(value)} is out of range: expected {allowed}{why}.", field=flag,
                            value=value, allowed=allowed)
    return value


def check_seed_span(seed_flag: str, seed: int, count: int, count_flag: str, max_seed: int) -> None:
    """Seeds `seed` .. `seed + count - 1` (one per replication) all lie in [0, max_seed], as `run --seed` needs."""
    check_option(seed_flag, seed, 0, max_seed)
    last = seed + count - 1
    if last > max_seed:
        allowed = f"{seed_flag} in [0, {max_seed - count + 1}] for {count} replications"
        raise ScenarioError(f"{seed_flag} {seed} with {count} replications uses seeds {seed}..{last}, past the "
                            f"largest seed {max_seed}: expected {allowed} (or fewer {count_flag}).",
                            field=seed_flag, value=seed, allowed=allowed)


def check_path(flag: str, value: Any, what: str = "folder") -> Any:
    """A path given on the command line (or in a file): refused when empty or blank, which would mean
    the current folder, or when it holds a NUL byte; None (not given) passes."""
    if value is None:
        return None
    text = os.fspath(value)
    problem = ("is empty" if text == "" else "is blank" if not text.strip() else
               "holds a NUL byte" if "\0" in text else None)
    if problem:
        allowed = f"the path of a {what}, e.g. {flag} results/my-{what}" if flag.startswith("--") else \
            f"the path of a {what}"
        raise ScenarioError(f"{flag} {text!r} {problem}: expected {allowed} (an empty path would mean the current "
                            f"folder).", field=flag, value=text, allowed=f"a non-empty path of a {what}")
    return value
