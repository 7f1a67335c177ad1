"""The workshop dashboard: a Mesa SolaraViz page with the school network, charts, caption and controls.

Serve it with `clc-sim dashboard [SCENARIO]` (or `solara run simulation.dashboard.app`).
"""

from __future__ import annotations

import html

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from simulation import INTERVENTIONS, CLCModel
from simulation.dashboard import controls
from simulation.dashboard.caption import caption_html
from simulation.dashboard.drawing import (
    SIZE_BY,
    STAGE_COLOURS,
    STAGE_LABELS,
    charts_figure,
    network_figure,
    teacher_figure,
)

INTERVENTION_LABELS = {
    "immersion": "Immersion programme",
    "family_of_schools": "Family of schools",
    "expert_head_coach": "Expert head as coach",
    "appoint_key_staff": "Appoint key staff",
    "executive_move": "Move executive responsibility",
    "peer_support": "Peer evaluation and support",
    "interventionist": "Interventionist strategy",
    "defection": "School withdraws (defection shock)",
}

# Per-browser-session state (solara scopes module-level reactives to each connection).
scenario_name = solara.reactive(controls.initial_scenario())
selected_school = solara.reactive(0)
size_by = solara.reactive("attainment")
last_action = solara.reactive("")


class ScenarioModel(CLCModel):
    """CLCModel built from a scenario's settings, with its interventions scheduled (for SolaraViz's Reset)."""

    def __init__(self, schedule=(), **kwargs):  # named kwargs: SolaraViz's parameter check expects it
        super().__init__(**kwargs)
        for iv in schedule:
            # a trainer may have lowered the number of schools: keep only schools that exist
            schools = [int(s) for s in iv.schools if 0 <= int(s) < self.n_schools]
            if schools:
                self.schedule_intervention(int(iv.tick), iv.kind, schools)


def make_model(settings: controls.ScenarioSettings) -> ScenarioModel:
    """A fresh model for a scenario, with its seed, parameters and scheduled interventions."""
    return ScenarioModel(schedule=settings.interventions, seed=settings.seed, **settings.params)


@solara.component
def NetworkView(model):
    """The school network coloured by stage, sized by attainment or value added, links weighted by trust."""
    update_counter.get()
    n = len(model.school_frame())
    school = min(selected_school.value, n - 1)
    fig = network_figure(model, size_by=size_by.value, selected=school)
    counts = model.school_frame()["stage"].value_counts()
    legend = " &nbsp; ".join(
        f'<span style="color:{c};font-size:16px">&#9679;</span> {label}&nbsp;({int(counts.get(i, 0))})'
        for i, (label, c) in enumerate(zip(STAGE_LABELS, STAGE_COLOURS)))
    with solara.Column(classes=["clc-network"]):
        with solara.Row(style={"align-items": "center"}):
            solara.ToggleButtonsSingle(value=size_by, values=list(SIZE_BY), dense=True)
            solara.HTML(tag="div", unsafe_innerHTML=legend, classes=["clc-legend"], style={"font-size": "13px"})
        solara.FigureMatplotlib(fig, format="png")


@solara.component
def ChartsView(model):
    """Time series: knowledge by area, trust and moral capital, attainment and value added, stage counts."""
    update_counter.get()
    with solara.Column(classes=["clc-charts"]):
        solara.FigureMatplotlib(charts_figure(model), format="png")


@solara.component
def TeachersView(model):
    """One school's teachers coloured by knowledge, with coaching links distinct from visits and information."""
    update_counter.get()
    frame = model.school_frame()
    names = [str(x) for x in frame["name"]]
    school = min(selected_school.value, len(names) - 1)

    def pick(name):
        selected_school.set(names.index(name))

    with solara.Column(classes=["clc-teachers"]):
        solara.Select("School shown", values=names, value=names[school], on_value=pick)
        solara.FigureMatplotlib(teacher_figure(model, school), format="png")


@solara.component
def StoryView(model):
    """What is happening, in plain words, and buttons to intervene at the current week."""
    update_counter.get()
    frame = model.school_frame()
    names = [str(x) for x in frame["name"]]
    school = min(selected_school.value, len(names) - 1)

    def pick(name):
        selected_school.set(names.index(name))

    def apply(kind):
        model.apply_intervention(kind, [school])
        last_action.set(f"Week {model.steps}: {INTERVENTION_LABELS.get(kind, kind)} applied to {names[school]}.")
        force_update()

    with solara.Column(classes=["clc-story"], style={"overflow-y": "auto", "max-height": "100%"}):
        solara.HTML(tag="div", unsafe_innerHTML=caption_html(model), style={"font-size": "15px"},
                    classes=["clc-caption"])
        if last_action.value:
            solara.Text(last_action.value, classes=["clc-last-action"], style={"color": "#1565c0"})
        solara.Select("Intervene in school", values=names, value=names[school], on_value=pick)
        with solara.Row(style={"flex-wrap": "wrap", "gap": "2px"}):
            for kind in INTERVENTIONS:
                solara.Button(
                    INTERVENTION_LABELS.get(kind, kind.replace("_", " ")),
                    on_click=lambda kind=kind: apply(kind),
                    color="error" if kind == "defection" else "secondary",
                    x_small=True,
                    outlined=kind != "defection",
                    classes=[f"clc-intervention-{kind}"],
                )


COMPONENTS = [(StoryView, 0), (NetworkView, 0), (ChartsView, 0), (TeachersView, 0)]


@solara.component
def Page():
    """The whole dashboard: a scenario picker and help in the sidebar around Mesa's SolaraViz."""
    name = scenario_name.value
    settings = solara.use_memo(lambda: controls.load_settings(name), [name])
    model = solara.use_memo(lambda: make_model(settings), [name])

    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("Scenario", values=controls.available_scenarios(), value=scenario_name)
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(f"Horizon {settings.horizon} weeks. {settings.description}"))
        with solara.Details("What the controls mean"):
            solara.HTML(tag="div", unsafe_innerHTML=controls.help_html())

    SolaraViz(
        model,
        components=COMPONENTS,
        model_params={**controls.model_params(settings), "schedule": settings.interventions},
        name=f"Collaborative learning networks: {settings.name}",
        play_interval=150,
    ).key(f"viz-{name}")
