"""Dashboard controls generated from the parameter table, and the scenarios a trainer can open.

Every slider is bounded by the parameter's own lo/hi (narrowed for live use), so no control can
produce a value the model rejects.
"""

from __future__ import annotations

import os
import html
from dataclasses import dataclass, field
from typing import Any

from simulation.params import DEFAULTS, PARAMS

# The parameters a trainer plays with in a workshop, in the order they appear in the sidebar.
TRAINER_PARAMS = (
    "n_schools",
    "formation",
    "link_policy",
    "staff_learning_time",
    "initial_moral_capital",
    "resistant_head_share",
    "condoned_failure_share",
)
# Live-use limits tighter than the model's own range: the dashboard must stay responsive.
LIVE_LIMITS = {"n_schools": (2, 500)}
LABELS = {
    "n_schools": "Number of schools",
    "formation": "Network formation",
    "link_policy": "Learning-link policy",
    "staff_learning_time": "Staff-learning time (h/teacher/week)",
    "initial_moral_capital": "Initial moral capital",
    "resistant_head_share": "Share of resistant heads",
    "condoned_failure_share": "Share of condoned-failure schools",
}
PARAMETER_DEFAULTS = "parameter-defaults"
SCENARIO_ENV = "CLC_DASHBOARD_SCENARIO"


@dataclass
class ScenarioSettings:
    """What the dashboard needs from a scenario: its name, parameters, seed, horizon and schedule."""

    name: str
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    horizon: int = 195
    description: str = ""
    interventions: tuple = ()


def available_scenarios() -> list[str]:
    """Names a trainer can pick: every shipped scenario, then the bare parameter defaults."""
    from simulation.scenario import shipped_scenarios

    return list(shipped_scenarios()) + [PARAMETER_DEFAULTS]


def load_settings(name: str | None) -> ScenarioSettings:
    """Resolve a scenario name or path to the settings the dashboard builds its model from."""
    if name == PARAMETER_DEFAULTS:
        return ScenarioSettings(PARAMETER_DEFAULTS, description="Every parameter at its documented default.")
    from simulation.scenario import load_scenario

    sc = load_scenario(name or initial_scenario())
    return ScenarioSettings(name=sc.name, params=dict(sc.params), seed=int(sc.seed), horizon=int(sc.horizon),
                            description=sc.description, interventions=tuple(sc.interventions))


def initial_scenario() -> str:
    """The scenario the dashboard opens on: the one given on the command line, else the shipped default."""
    from simulation.scenario import DEFAULT_SCENARIO, shipped_scenarios

    chosen = os.environ.get(SCENARIO_ENV)
    if chosen:
        return chosen
    return DEFAULT_SCENARIO if DEFAULT_SCENARIO in shipped_scenarios() else PARAMETER_DEFAULTS


def control_for(name: str, value: Any) -> dict[str, Any]:
    """A Mesa SolaraViz user-input spec for one parameter, bounded by its range, starting at `value`."""
    p = PARAMS[name]
    label = LABELS.get(name, name.replace("_", " ").capitalize())
    if p.choices is not None:
        return {"type": "Select", "value": value, "values": list(p.choices), "label": label}
    if p.kind is bool:
        return {"type": "Checkbox", "value": bool(value), "label": label}
    lo, hi = LIVE_LIMITS.get(name, (p.lo, p.hi))
    lo, hi = max(lo, p.lo), min(hi, p.hi)
    if p.kind is int:
        lo, hi = int(min(lo, value)), int(max(hi, value))
        return {"type": "SliderInt", "value": int(value), "min": lo, "max": hi, "step": 1, "label": label}
    lo, hi = float(min(lo, value)), float(max(hi, value))
    step = 0.5 if hi - lo > 2 else 0.05
    return {"type": "SliderFloat", "value": float(value), "min": lo, "max": hi, "step": step, "label": label}


def model_params(settings: ScenarioSettings) -> dict[str, Any]:
    """SolaraViz `model_params`: sliders for the trainer parameters, the scenario's other values fixed."""
    resolved = {**DEFAULTS, **settings.params}
    out: dict[str, Any] = {k: v for k, v in settings.params.items() if k not in TRAINER_PARAMS}
    out["seed"] = {"type": "SliderInt", "value": int(settings.seed), "min": 0,
                   "max": max(999, int(settings.seed)), "step": 1, "label": "Random seed"}
    for name in TRAINER_PARAMS:
        out[name] = control_for(name, resolved[name])
    return out


def help_html() -> str:
    """One line of help per trainer control: what it means, its unit and its range."""
    items = []
    for name in TRAINER_PARAMS:
        p = PARAMS[name]
        unit = "" if p.unit == "-" else f" ({p.unit})"
        items.append(f"<li><b>{html.escape(LABELS[name])}</b>{html.escape(unit)}: "
                     f"{html.escape(p.doc)}; {html.escape(p.allowed())}.</li>")
    return ("<p>Changes to the model parameters take effect when you press <b>Reset</b>. "
            "Intervention buttons act at once, on the chosen school.</p><ul>" + "".join(items) + "</ul>")
