"""How a system's schools are nested into hubs, in words: "30 schools in 3 hubs of 10".

The model puts `n_schools` schools into ceil(n_schools / hub_size) hubs of near-equal size (`hub_of`),
with most cross-school links inside a hub and a few (`inter_hub_share`) between hubs. A scenario with
more schools than `hub_size` that leaves `hub_size` at its default therefore does not model "a network
of 30" but three hubs of ten, and the answer differs: `hub_notes` says so wherever a scenario is checked
or run.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np


def hub_of(n_schools: int, hub_size: int) -> np.ndarray:
    """Each school's hub (schools are numbered hub by hub): ceil(n / hub_size) hubs, sizes differing by at most one."""
    n_hubs = math.ceil(n_schools / hub_size)
    return ((np.arange(n_schools) * n_hubs) // n_schools).astype(np.int64)


def hub_sizes(n_schools: int, hub_size: int) -> list[int]:
    """The number of schools in each hub, in hub order."""
    return np.bincount(hub_of(n_schools, hub_size)).tolist()


def _hubs_phrase(sizes: list[int]) -> str:
    """'3 hubs of 10', '3 hubs of 8 or 9', 'one hub'."""
    if len(sizes) <= 1:
        return "one hub"
    lo, hi = min(sizes), max(sizes)
    each = f"{lo}" if lo == hi else f"{lo} or {hi}" if hi == lo + 1 else f"{lo} to {hi}"
    return f"{len(sizes)} hubs of {each}"


def describe_sizes(sizes) -> str:
    """'30 schools in 3 hubs of 10', '25 schools in 3 hubs of 8 or 9', '8 schools in one hub'."""
    sizes = [int(s) for s in sizes]
    n = sum(sizes)
    return f"{n} school{'s' if n != 1 else ''} in {_hubs_phrase(sizes)}"


def describe(params: Mapping[str, Any]) -> str:
    """The hub structure of a parameter set in words; isolated schools (formation 'none') are said to be so."""
    n, size = int(params["n_schools"]), int(params["hub_size"])
    if params.get("formation") == "none":
        return f"{n} isolated school{'s' if n != 1 else ''} (formation 'none': no links between schools)"
    return describe_sizes(hub_sizes(n, size))


def summary(params: Mapping[str, Any]) -> dict[str, Any]:
    """The hub structure for metadata.json: hub count, smallest and largest hub, and the words."""
    sizes = hub_sizes(int(params["n_schools"]), int(params["hub_size"]))
    return {"hubs": len(sizes), "smallest_hub": min(sizes), "largest_hub": max(sizes),
            "hub_size": int(params["hub_size"]), "description": describe(params)}


def hub_notes(scenario) -> list[str]:
    """A note when the schools are split into hubs by a `hub_size` the scenario never set (left at its
    default), since "n schools" then silently means several smaller networks."""
    params, set_here = scenario.params, scenario.overrides
    n, size = int(params["n_schools"]), int(params["hub_size"])
    if n <= size or "hub_size" in set_here or params.get("formation") == "none":
        return []
    return [note_text(n, size, float(params.get("inter_hub_share", 0.0)))]


def sweep_hub_notes(spec) -> list[str]:
    """The same note for a sweep whose largest design point has more schools than a default `hub_size`."""
    base = spec.base
    if "hub_size" in base.overrides or "hub_size" in spec.swept or base.params.get("formation") == "none":
        return []
    most = int(base.params["n_schools"])
    if spec.grid and "n_schools" in spec.grid:
        most = max(spec.grid["n_schools"])
    for design in (spec.sample, spec.sensitivity):
        if design is not None and "n_schools" in design.ranges:
            most = int(design.ranges["n_schools"].hi)
    size = int(base.params["hub_size"])
    if most <= size:
        return []
    return [f"note: this sweep runs up to n_schools = {most}, more than hub_size = {size} (the default; the sweep "
            f"does not set it), so every design point with more than {size} schools is nested into hubs "
            f"({describe_sizes(hub_sizes(most, size))}), not one network. Fix or sweep hub_size to choose."]


def note_text(n_schools: int, hub_size: int, inter_hub_share: float) -> str:
    """The words of the note: what the model does with these numbers and how to ask for one network."""
    return (f"note: n_schools = {n_schools} is more than hub_size = {hub_size} (the default; this scenario does "
            f"not set it), so the model nests the schools into {_hubs_phrase(hub_sizes(n_schools, hub_size))} "
            f"with only a share of {inter_hub_share:g} of cross-school links between hubs, not one network of "
            f"{n_schools}. Set hub_size = {n_schools} for one network, or set hub_size explicitly to keep the "
            f"hubs and silence this note.")
