"""The workshop dashboard: a Mesa SolaraViz page with the school network, charts, caption and controls.

Serve it with `clc-sim dashboard [SCENARIO]` (or `solara run simulation.dashboard.app`).
"""

from __future__ import annotations

import collections
import html

import reacton.ipywidgets as rw
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update, update_counter

from simulation import INTERVENTIONS, CLCModel
from simulation.dashboard import controls
from simulation.dashboard.caption import caption_html
from simulation.dashboard.drawing import (
    IMAGE_FORMAT,
    SIZE_BY,
    STAGE_COLOURS,
    STAGE_LABELS,
    charts_image,
    network_image,
    teacher_image,
)

PAGE_TITLE = "clc-sim — schools learning together"

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

def Picture(data: bytes):
    """An image made by drawing.*_image (persistent figures, blitted): sent as is, no re-encoding by Solara."""
    return rw.Image(value=data, format=IMAGE_FORMAT)


# Per-browser-session state (solara scopes module-level reactives to each connection).
scenario_name = solara.reactive(controls.initial_scenario())
selected_school = solara.reactive(0)
size_by = solara.reactive("attainment")
last_action = solara.reactive("")
# Bumped once per Mesa update (step, reset, intervention). Mesa's force_update notifies every component
# that reads its update_counter in a render pass of its own (one pass per component, each visiting the
# whole page); the four views read this instead, so they re-render together in a single pass.
mesa_tick = solara.reactive(0)


def _follow_mesa_updates():
    """Subscribe `mesa_tick` to Mesa's update counter; returns the unsubscribe function (use_effect cleanup)."""
    return update_counter.subscribe(mesa_tick.set)


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
    mesa_tick.get()
    school = min(selected_school.value, model.n_schools - 1)
    picture = network_image(model, size_by=size_by.value, selected=school)
    counts = collections.Counter(model.stage.astype(int).tolist())
    legend = " &nbsp; ".join(
        f'<span style="color:{c};font-size:16px">&#9679;</span> {label}&nbsp;({int(counts.get(i, 0))})'
        for i, (label, c) in enumerate(zip(STAGE_LABELS, STAGE_COLOURS)))
    with solara.Column(classes=["clc-network"]):
        with solara.Row(style={"align-items": "center"}):
            solara.ToggleButtonsSingle(value=size_by, values=list(SIZE_BY), dense=True)
            solara.HTML(tag="div", unsafe_innerHTML=legend, classes=["clc-legend"], style={"font-size": "13px"})
        Picture(picture)


@solara.component
def ChartsView(model):
    """Time series: knowledge by area, trust and moral capital, attainment and value added, stage counts."""
    mesa_tick.get()
    with solara.Column(classes=["clc-charts"]):
        Picture(charts_image(model))


def _school_choice(model):
    """School names, the selected school's index (kept in range) and a callback that selects a school by name."""
    names = [s.name for s in model.school_agents]
    school = min(selected_school.value, len(names) - 1)
    return names, school, lambda name: selected_school.set(names.index(name))


@solara.component
def TeachersView(model):
    """One school's teachers coloured by knowledge, with coaching links distinct from visits and information."""
    mesa_tick.get()
    names, school, pick = _school_choice(model)

    with solara.Column(classes=["clc-teachers"]):
        solara.Select("School shown", values=names, value=names[school], on_value=pick)
        Picture(teacher_image(model, school))


@solara.component
def StoryView(model):
    """What is happening, in plain words, and buttons to intervene at the current week."""
    mesa_tick.get()
    names, school, pick = _school_choice(model)

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

    solara.Title(PAGE_TITLE)
    # Mesa puts its components under a tab bar; with a single page its only tab ("PAGE 0") means nothing
    solara.Style(".v-tabs:not(:has(.v-tab ~ .v-tab)) { display: none; }")
    solara.use_effect(_follow_mesa_updates, [])
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
        play_interval=20,  # pause between frames (ms): a frame of 12 schools takes ~80-150 ms more to draw
    ).key(f"viz-{name}")
