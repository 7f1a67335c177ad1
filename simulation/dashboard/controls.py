"""Dashboard controls generated from the parameter table, and the scenarios a trainer can open.

Every slider is bounded by the parameter's own lo/hi (narrowed for live use), so no control can
produce a value the model rejects. Labels, units and explanations are in plain words for a workshop
audience; the seed essays are cited by title, not by file number.
"""

from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any

from simulation.params import DEFAULTS, PARAMS

# The parameters a trainer plays with in a workshop, in the order they appear on the page.
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
    "formation": "How the network was formed",
    "link_policy": "How teachers are paired across schools",
    "staff_learning_time": "Time for staff learning",
    "initial_moral_capital": "Moral capital at the start",
    "resistant_head_share": "Heads who hold back",
    "condoned_failure_share": "Schools where failure is accepted",
    "seed": "Random seed",
}
# What the unit means to a trainer; shares (0-1) are shown as percentages.
UNITS = {
    "n_schools": "schools",
    "staff_learning_time": "hours per teacher per week",
    "initial_moral_capital": "on a scale from 0 (none) to 1 (strong)",
    "resistant_head_share": "% of schools",
    "condoned_failure_share": "% of schools",
    "seed": "",
}
PERCENT = {"resistant_head_share", "condoned_failure_share"}
CHOICE_LABELS = {  # short names on the drop-down lists
    "formation": {"none": "No network", "voluntary": "Voluntary", "forced": "Forced", "brokered": "Brokered"},
    "link_policy": {"chain": "Chain of small steps", "direct": "Direct from the best", "random": "Random partners"},
}
CHOICE_HELP = {  # what the chosen option means, shown under the list
    "formation": {
        "none": "each school on its own",
        "voluntary": "schools chose their partners",
        "forced": "schools were told to work together",
        "brokered": "a go-between matched the schools",
    },
    "link_policy": {
        "chain": "each teacher learns from someone a little ahead",
        "direct": "everyone learns from the most expert",
        "random": "partners picked at random",
    },
}
HELP = {
    "n_schools": "How many schools work together. Up to {hub_size} schools form one learning hub; a larger "
                 "system is split into hubs of about that size. The essays put the best size of a network at "
                 "5 to 12 schools [seed 004 less-known 7].",
    "formation": "Voluntary networks start with trust and shared values; forced ones start with little trust "
                 "and must earn it; a broker who matches schools lands in between [seed 004 truths 1-3, "
                 "less-known 2]. With no network each school learns only from its own staff.",
    "link_policy": "Who learns from whom across schools. A chain of small steps (each teacher paired with "
                   "someone a little more expert) passes knowledge on better than pairing everyone with the "
                   "very best, whose practice is too far ahead to copy [seed 002].",
    "staff_learning_time": "Protected time each teacher has every week for visits, coaching and joint work. "
                           "Joint work beyond it is taken from teaching [seed 002].",
    "initial_moral_capital": "The goodwill that makes schools give as well as take. It is hard earned and quickly "
                             "lost; without it sharing becomes a one-way street [seed 002].",
    "resistant_head_share": "Schools whose headteacher holds back from the network. Their staff get less out of "
                            "it than others [seed 004 less-known 4].",
    "condoned_failure_share": "Schools that start with low expectations everyone has got used to. They change "
                              "only when an intervention shakes them up [seed 000].",
    "seed": "The same number gives exactly the same run again; another number tells the same story with "
            "different chance events.",
}
# The seed essays (../shared/seeds/), cited by title on the page.
SOURCES = {
    "000": "“Collaborative learning communities: the journey”",
    "001": "“Collaborative learning communities: the concept”",
    "002": "“Collaborative learning communities: making them work”",
    "003": "“Collaborative learning communities: get your own house in order first”",
    "004": "“Learning from the past”",
}
PARAMETER_DEFAULTS = "parameter-defaults"
SCENARIO_ENV = "CLC_DASHBOARD_SCENARIO"
SEED_MAX = 999
_SEED_TAG = re.compile(r"\[(seed [^\]]+)\]")
_SEED_REF = re.compile(r"\bseeds? (\d{3}(?:\s*(?:,|and)\s*\d{3})*)((?:,? ?(?:truths?|insights?|less-known) "
                       r"[\d\-–, ]*\d)*)", re.IGNORECASE)


def readable_sources(text: str) -> str:
    """`[seed 004 truths 1-3]` and `seed 002` become the essays' titles: "(essay “Learning from the past”, truths 1-3)"."""

    def ref(m: re.Match) -> str:
        titles = [SOURCES.get(num, f"essay {num}") for num in re.findall(r"\d{3}", m.group(1))]
        rest = re.sub(r"\s*,\s*", ", ", m.group(2).strip(" ,"))
        named = ("the essays " + " and ".join(titles)) if len(titles) > 1 else f"the essay {titles[0]}"
        return named + (f", {rest}" if rest else "")

    text = _SEED_TAG.sub(lambda m: "(" + m.group(1) + ")", text)
    return _SEED_REF.sub(ref, text)


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
    """A control spec for one parameter (type, bounds, step, label, unit), bounded by its range, at `value`."""
    p = PARAMS[name]
    label = LABELS.get(name, name.replace("_", " ").capitalize())
    unit = UNITS.get(name, "" if p.unit == "-" else p.unit)
    if p.choices is not None:
        return {"type": "Select", "value": value, "values": list(p.choices), "label": label,
                "labels": dict(CHOICE_LABELS.get(name, {c: c for c in p.choices}))}
    if p.kind is bool:
        return {"type": "Checkbox", "value": bool(value), "label": label}
    lo, hi = LIVE_LIMITS.get(name, (p.lo, p.hi))
    lo, hi = max(lo, p.lo), min(hi, p.hi)
    if p.kind is int:
        lo, hi = int(min(lo, value)), int(max(hi, value))
        return {"type": "SliderInt", "value": int(value), "min": lo, "max": hi, "step": 1, "label": label,
                "unit": unit}
    lo, hi = float(min(lo, value)), float(max(hi, value))
    step = 0.5 if hi - lo > 2 else 0.05
    return {"type": "SliderFloat", "value": float(value), "min": lo, "max": hi, "step": step, "label": label,
            "unit": unit}


def seed_control(seed: int) -> dict[str, Any]:
    """The random seed as an integer slider 0..999 (wider if the scenario's seed is larger)."""
    return {"type": "SliderInt", "value": int(seed), "min": 0, "max": max(SEED_MAX, int(seed)), "step": 1,
            "label": LABELS["seed"], "unit": ""}


def model_params(settings: ScenarioSettings) -> dict[str, Any]:
    """Controls for the seed and the trainer parameters; the scenario's other values fixed, as they are."""
    resolved = {**DEFAULTS, **settings.params}
    out: dict[str, Any] = {k: v for k, v in settings.params.items() if k not in TRAINER_PARAMS}
    out["seed"] = seed_control(settings.seed)
    for name in TRAINER_PARAMS:
        out[name] = control_for(name, resolved[name])
    return out


def format_value(name: str, value: Any) -> str:
    """A control's value as a trainer reads it: "2.0 hours per teacher per week", "20 % of schools"."""
    if name in CHOICE_LABELS:
        return CHOICE_LABELS[name].get(value, str(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    unit = UNITS.get(name, "")
    if name in PERCENT:
        return f"{float(value) * 100:.0f} {unit}".strip()
    if isinstance(value, int) or (isinstance(value, float) and name in ("n_schools", "seed")):
        return f"{int(value)} {unit}".strip()
    text = f"{float(value):.2f}".rstrip("0").rstrip(".") if not math.isnan(float(value)) else "?"
    if name == "staff_learning_time":
        text = f"{float(value):.1f}"
    return f"{text} {unit}".strip()


def format_range(name: str, spec: dict[str, Any]) -> str:
    """The plausible range of a slider in words: "from 2 to 500 schools"."""
    lo, hi = spec["min"], spec["max"]
    if name in PERCENT:
        return f"from {lo * 100:.0f} to {hi * 100:.0f} %"
    unit = spec.get("unit", "")
    if name == "initial_moral_capital":
        unit = ""
    fmt = (lambda v: f"{v:g}")
    return f"from {fmt(lo)} to {fmt(hi)} {unit}".strip()


def check_value(name: str, value: Any) -> Any:
    """`value` for control `name` checked against the parameter table; ValueError with a plain message if not."""
    if name == "seed":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or int(value) != value or value < 0:
            raise ValueError(f"{LABELS['seed']} must be a whole number of 0 or more (got {value!r}).")
        return int(value)
    p = PARAMS[name]
    try:
        return p.check(value)
    except ValueError:
        raise ValueError(f"{LABELS.get(name, name)}: {value!r} is not allowed; expected {p.allowed()}.") from None


def changed_params(params: dict[str, Any], settings: ScenarioSettings, seed: int) -> list[str]:
    """The trainer controls whose value differs from the scenario's, as "500 schools"-style phrases."""
    resolved = {**DEFAULTS, **settings.params}
    out = []
    for name in TRAINER_PARAMS:
        if name in params and params[name] != resolved[name]:
            out.append(f"{LABELS[name].lower()} {format_value(name, params[name])}")
    if int(seed) != int(settings.seed):
        out.append(f"seed {int(seed)}")
    return out


def title_for(settings: ScenarioSettings, params: dict[str, Any], seed: int) -> str:
    """The page title for the model in force: scenario, schools, formation and links, and what was changed."""
    resolved = {**DEFAULTS, **settings.params, **params}
    n = int(resolved["n_schools"])
    formation = {"none": "no network", "voluntary": "voluntary network", "forced": "forced network",
                 "brokered": "brokered network"}.get(resolved["formation"], str(resolved["formation"]))
    links = {"chain": "chain links", "direct": "direct links", "random": "random links"}.get(
        resolved["link_policy"], str(resolved["link_policy"]))
    text = f"{n} schools, {formation}, {links}"
    changes = changed_params(params, settings, seed)
    where = settings.name + (" (changed)" if changes else "")
    return f"{text} · {where}"


def help_html(hub_size: int | None = None) -> str:
    """One paragraph of plain-language help per control: what it means, its unit, its range, its source."""
    hub_size = int(hub_size if hub_size is not None else DEFAULTS["hub_size"])
    items = []
    for name in (*TRAINER_PARAMS, "seed"):
        text = readable_sources(HELP[name].format(hub_size=hub_size))
        spec = seed_control(0) if name == "seed" else control_for(name, DEFAULTS[name])
        if spec["type"].startswith("Slider"):
            text += f" Range: {format_range(name, spec)}."
        items.append(f"<li><b>{html.escape(LABELS[name])}.</b> {html.escape(text)}</li>")
    return ("<p>Moving a control changes nothing until you press <b>Reset</b>: the run then starts again from "
            "week 0 with the new values. Intervention buttons act at once, on the chosen school.</p><ul>"
            + "".join(items) + "</ul>")
