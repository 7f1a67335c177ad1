"""Which mechanism makes each pattern: the pattern's size with each mechanism switched off in turn (ablation).

`MECHANISMS` maps a plain-language mechanism name to the parameter overrides that switch it off, with a
sentence on what it does. `ASSUMED_INPUTS` holds, per experiment, the overrides that remove the input
differences the seeds themselves state as causes (trust set higher for voluntary networks, heads set to resist,
condoned schools set to be closed). `ablate(ctx, module)` reruns the module's headline effect,
`module.effect(ctx, overrides)`, with the assumed inputs removed and then without each of the module's
`MECHANISMS`, and labels the pattern:

- *assumed*: removing the stated input differences removes it (the model gives back what it was given);
- *emergent*: it survives that, so it comes from the dynamics;
- *absent*: the headline effect is not there as run (nothing to explain).

An ablated effect "removes" the pattern when its 95 % CI includes 0, it falls below the experiment's smallest
effect of interest in the pattern's direction, or it changes sign. A mechanism whose parameter the model does
not have yet is reported as not run (a row with no effect), never silently dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulation.params import PARAMS


@dataclass(frozen=True)
class Switch:
    """Parameter overrides that switch something off, and a sentence on what they switch off."""

    overrides: dict[str, Any]
    what: str
    note: str = ""


#: mechanism -> the overrides that switch it off (names marked "new" are being added to the model: a switch
#: whose parameter is missing is reported as not run; see `missing`)
MECHANISMS: dict[str, Switch] = {
    "effort dynamics": Switch({"effort_rate": 0.0},
                              "each week a teacher's effort moves towards its target (reciprocity, one-way "
                              "experiences, moral capital, overload, liberation); off: effort stays where it starts"),
    "reciprocity raises effort": Switch({"effort_reciprocity": 0.0},
                                        "reciprocated joint work raises the effort target"),
    "one-way experiences lower effort": Switch({"effort_one_way": 0.0},
                                               "one-way experiences (giving and getting nothing back, offers to a "
                                               "withdrawn school) lower the effort target"),
    "moral capital raises effort": Switch({"effort_moral": 0.0},
                                          "the hub's moral capital above its starting level raises the effort target"),
    "overload lowers effort": Switch({"effort_overload": 0.0},
                                     "a week's demand beyond the dedicated time lowers effort"),
    "wider canvas (liberation) raises effort": Switch(
        {"liberation_effect": 0.0},
        "working with a wider, more diverse set of schools adds discretionary effort (liberation from context)"),
    "heads withdraw and rejoin": Switch({"commitment_weeks": 100000},
                                        "a head reconsiders after commitment_weeks in the network and may withdraw "
                                        "or rejoin (off: 100000 weeks, heads never reconsider)"),
    "trust grows with joint work": Switch({"trust_gain": 0.0}, "trust on a link grows with sustained joint work"),
    "one-way work destroys trust": Switch({"trust_loss": 0.0}, "unreciprocated work on a link lowers its trust"),
    "moral capital accrues": Switch({"moral_gain": 0.0}, "reciprocal joint work builds the network's moral capital"),
    "moral capital is lost to one-way work": Switch({"moral_loss": 0.0},
                                                    "defection and one-way work destroy moral capital"),
    "moral capital gates sharing": Switch({"moral_sharing_floor": 1.0},
                                          "how much staff share depends on the network's moral capital (floor 1: it "
                                          "never limits sharing)"),
    "coordination cost": Switch({"coordination_cost": 0.0}, "coordinating more schools costs hours per teacher"),
    "newness overhead": Switch({"newness_overhead": 0.0}, "new links cost extra hours at first (transaction cost)"),
    "time taken from students": Switch({"time_cost_attainment": 0.0},
                                       "hours spent on collaboration are taken from teaching, lowering attainment"),
    "knowledge creation": Switch({"creation_rate": 0.0}, "joint work between trusting peers creates new knowledge"),
    "shared programme": Switch({"programme_rate": 0.0}, "the network's shared programme spreads knowledge"),
    "external partners": Switch({"partners_per_hub": 0}, "each hub has external partners (universities, agencies)"),
    "coaching": Switch({"rate_coaching": 0.0}, "coaching and mentoring transfer knowledge"),
    "heads unlearn": Switch({"unlearning_rate": 0.0}, "heads' commitment rises with trust and moral capital"),
    "boundaries open": Switch({"permeability_rate": 0.0}, "school boundaries become more permeable with joint work"),
    "colleagues share inside the school": Switch(
        {"within_contact_base": 0.0, "org_full_hours": 1000.0},
        "teachers learn from colleagues in their own building (off: no contact without dedicated time, and "
        "dedicated time buys next to none)"),
    "absorptive capacity (gap hump)": Switch({"gap_scale": 1.0},
                                             "transfer peaks at a modest knowledge gap (gap scale 1: it rises with the "
                                             "gap over the whole range instead)"),
}


def _commitment_mean(ctx) -> float:
    return float(ctx.overrides.get("commitment_mean", PARAMS["commitment_mean"].default))


def _intervention_trust(ctx) -> float:
    return float(ctx.overrides.get("intervention_trust", PARAMS["intervention_trust"].default))


#: experiment -> the input differences its seeds state as causes, switched off (a callable gets the Context, for
#: values that depend on the run's overrides). Experiments not listed state no input difference.
ASSUMED_INPUTS: dict[str, Any] = {
    "voluntary_forced": Switch(
        {"trust_voluntary": 0.3, "trust_forced": 0.3, "trust_sd_forced": 0.05, "voluntarism_effort": 0.0,
         "alignment_effect": 0.0, "poor_history_share": 0.0},
        "voluntary and forced networks start with the same trust (0.3, the spread 0.05 the model gives voluntary "
        "networks, simulation/network.py), no extra voluntary effort, no effect of values alignment and no pairs "
        "with a poor history"),
    "resistant_heads": lambda ctx: Switch(
        {"resistant_commitment": _commitment_mean(ctx), "resistant_unlearning": 1.0},
        "resistant heads start as committed as the others (resistant_commitment = commitment_mean) and unlearn "
        "as fast"),
    "condoned_failure": Switch(
        {"condoned_openness": 1.0, "coasting_entrenchment": 0.0},
        "staff of condoned-failure schools are as open as others and their openness responds to interventions "
        "as anyone's"),
    "peer_support": lambda ctx: Switch(
        {"directive_penalty": 0.0, "trust_forced": _intervention_trust(ctx)},
        "an imposed plan costs no effort (directive_penalty 0) and its links start at the trust a peer-support "
        "link starts at (trust_forced = intervention_trust; a voluntary network uses trust_forced nowhere else)"),
}


def missing(overrides: dict) -> list[str]:
    """The names in `overrides` the model does not have (yet)."""
    return [k for k in overrides if k not in PARAMS]


def assumed_inputs(ctx, name: str) -> Switch | None:
    """The assumed-input switch of experiment `name` for this context, or None if it states no input difference."""
    s = ASSUMED_INPUTS.get(name)
    return s(ctx) if callable(s) else s


def mechanism_table() -> pd.DataFrame:
    """Every mechanism: the overrides that switch it off, what it does, and whether the model has its parameters."""
    rows = []
    for name, s in MECHANISMS.items():
        gone = missing(s.overrides)
        rows.append({"mechanism": name, "switched off by": ", ".join(f"{k}={v}" for k, v in s.overrides.items()),
                     "what it does": s.what,
                     "note": f"not in the model yet: {', '.join(gone)} (skipped)" if gone else ""})
    return pd.DataFrame(rows)


def removes(stat, sesoi: float, direction: int = 1) -> bool:
    """The effect is gone: no estimate, its 95 % CI includes 0, it is below the SESOI in the pattern's
    direction, or it has changed sign."""
    d, lo, hi = stat.diff, stat.ci_low, stat.ci_high
    if not all(map(math.isfinite, (d, lo, hi))):
        return True
    return bool(lo <= 0.0 <= hi or direction * d < sesoi or np.sign(d) != direction)


def _row(condition: str, stat, full: float, sesoi: float, direction: int, overrides: dict, note: str = "") -> dict:
    if stat is None:
        return {"condition": condition, "effect": math.nan, "ci95_low": math.nan, "ci95_high": math.nan,
                "share_of_full": math.nan, "removes": False, "n": 0,
                "overrides": ", ".join(f"{k}={v}" for k, v in overrides.items()), "note": note}
    share = stat.diff / full if full and math.isfinite(full) else math.nan
    return {"condition": condition, "effect": stat.diff, "ci95_low": stat.ci_low, "ci95_high": stat.ci_high,
            "share_of_full": share, "removes": removes(stat, sesoi, direction), "n": stat.n,
            "overrides": ", ".join(f"{k}={v}" for k, v in overrides.items()), "note": note}


def _sesoi(module) -> tuple[float, int]:
    s = module.SESOI_EFFECT
    return float(getattr(s, "value", s)), int(getattr(module, "DIRECTION", 1))


def ablate(ctx, module, full=None) -> tuple[pd.DataFrame, str, str]:
    """(table, label, remover) for an experiment module: its headline `effect` as run, with the assumed inputs
    removed, and without each mechanism of `module.MECHANISMS`.

    `full` is the headline `stats.Paired` as run, if the caller has it (else it is computed; replications are
    memoised, so that costs nothing new). `label` is assumed / emergent / absent (see the module docstring);
    `remover` names the mechanism(s) whose ablation removes the pattern, comma-separated, or "none".
    """
    sesoi, direction = _sesoi(module)
    full = module.effect(ctx, {}) if full is None else full
    rows = [_row("as run", full, full.diff, sesoi, direction, {})]
    absent = removes(full, sesoi, direction)
    inputs = assumed_inputs(ctx, module.NAME)
    assumed_gone = False
    if inputs is not None:
        gone = missing(inputs.overrides)
        over = {k: v for k, v in inputs.overrides.items() if k not in gone}
        note = inputs.what + (f" (not in the model yet, skipped: {', '.join(gone)})" if gone else "")
        st = module.effect(ctx, over)
        rows.append(_row("assumed inputs removed", st, full.diff, sesoi, direction, over, note))
        assumed_gone = rows[-1]["removes"]
    else:
        rows.append(_row("assumed inputs removed", None, full.diff, sesoi, direction, {},
                         "the seeds state no input difference for this pattern"))
    removers = []
    for name in module.MECHANISMS:
        sw = MECHANISMS[name]
        gone = missing(sw.overrides)
        if gone:
            rows.append(_row(f"without {name}", None, full.diff, sesoi, direction, sw.overrides,
                             f"not run: {', '.join(gone)} not in the model yet"))
            continue
        st = module.effect(ctx, dict(sw.overrides))
        rows.append(_row(f"without {name}", st, full.diff, sesoi, direction, sw.overrides, sw.what))
        if rows[-1]["removes"]:
            removers.append(name)
    if absent:          # nothing to remove: which switches would remove it is not a question
        return pd.DataFrame(rows), "absent", "n/a (absent as run)"
    return pd.DataFrame(rows), ("assumed" if assumed_gone else "emergent"), ", ".join(removers) or "none"


def ablation_runs(module, per_effect: int, seeds: int, mechanisms=None) -> int:
    """Model runs the ablation adds: `per_effect` runs per seed for each switch the model can apply (the "as run"
    row is the experiment's own run, memoised)."""
    names = module.MECHANISMS if mechanisms is None else mechanisms
    n = sum(not missing(MECHANISMS[m].overrides) for m in names)
    n += module.NAME in ASSUMED_INPUTS
    return n * per_effect * seeds


def explain(ctx, module, full=None) -> dict:
    """The `Result` fields of the ablation: ablation (table), label, remover and headline (what the effect is);
    only the headline when `ctx.ablate` leaves this experiment out (False, or a tuple of other names)."""
    wanted = getattr(ctx, "ablate", True)
    if not (wanted is True or (wanted and module.NAME in wanted)):
        return {"headline": module.EFFECT}
    table, label, remover = ablate(ctx, module, full)
    return {"ablation": table, "label": label, "remover": remover, "headline": module.EFFECT}
