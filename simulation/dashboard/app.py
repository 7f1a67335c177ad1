"""The workshop dashboard: a Solara page around a `Session` (the model, its worker and its frames).

Serve it with `clc-sim dashboard [SCENARIO]` (or `solara run simulation.dashboard.app`).

The page is our own Solara component rather than Mesa's SolaraViz: Mesa's play loop re-rendered the
page from a background task as fast as it could and, on a busy machine, tripped Solara's render-loop
guard and replaced the page with a traceback. Here the model is still an ordinary Mesa model
(`CLCModel`: built from keyword parameters, advanced with `step()`), but a `Session` worker owns it,
and the page only shows the frames it publishes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipyvuetify as v
import reacton.ipywidgets as rw
import solara
import traitlets

from simulation.dashboard import controls
from simulation.dashboard.drawing import AGGREGATE_ABOVE, CHARTS, IMAGE_FORMAT, SIZE_LABELS
from simulation.dashboard.session import (  # noqa: F401 - ScenarioModel and make_model are part of this API
    CHART_NAMES,
    INTERVENTION_LABELS,
    SPEEDS,
    Frame,
    ScenarioModel,
    Session,
    make_model,
)
from simulation.interventions import INTERVENTIONS
from simulation.plots import STAGE_COLOURS, STAGE_LABELS, STAGE_TEXT

PAGE_TITLE = "clc-sim — schools learning together"

CSS = """
.clc-app { font-size: 18px; line-height: 1.35; color: #1a1a1a; }
.clc-app .v-btn { font-size: 17px !important; text-transform: none !important; letter-spacing: 0 !important; }
.clc-side { flex: none; height: 100vh; overflow-y: auto; padding: 12px 12px 40px 12px; background: #f6f7f9;
            border-right: 1px solid #dde1e6; position: sticky; top: 0; }
.clc-side h3 { font-size: 19px; margin: 10px 0 4px 0; }
.clc-main { flex: none; padding: 12px; }
.clc-title { height: 40px; font-size: 23px; font-weight: 600; white-space: nowrap; overflow: hidden;
             text-overflow: ellipsis; }
.clc-toolbar { height: 60px; display: flex; align-items: center; gap: 10px; flex-wrap: nowrap; overflow: hidden; }
.clc-toolbar .v-input { margin-top: 0; padding-top: 0; }
.clc-speed { width: 190px; flex: none; }
.clc-speed-text, .clc-status { font-size: 17px; white-space: nowrap; }
.clc-status b { font-size: 19px; }
.clc-stages { height: 46px; display: flex; align-items: center; gap: 8px; overflow: hidden; white-space: nowrap; }
.clc-chip { border-radius: 16px; padding: 2px 12px; font-size: 18px; font-weight: 600; }
.clc-measures { font-size: 17px; margin-left: 10px; }
.clc-picture-bar { height: 44px; display: flex; align-items: center; gap: 8px; white-space: nowrap; overflow: hidden;
                   font-size: 16px; }
.clc-picture-bar .v-btn-toggle .v-btn { height: 34px !important; font-size: 16px !important; }
.clc-param { margin: 6px 0 10px 0; }
.clc-param-label { font-size: 17px; }
.clc-param-value { font-weight: 700; color: #0b4f8a; }
.clc-param-range { font-size: 16px; color: #555; margin-top: -14px; }
.clc-param .v-input__slot { margin-bottom: 0; }
.clc-param .v-messages { display: none; }
.clc-pending { background: #fff4d6; border: 1px solid #e69f00; border-radius: 6px; padding: 6px 8px; font-size: 17px; }
.clc-help { font-size: 16px; }
.clc-help li { margin-bottom: 6px; }
.clc-story { font-size: 18px; }
.clc-story ul { margin: 4px 0; }
.clc-last-action { color: #0b4f8a; font-weight: 600; }
.clc-interventions { display: flex; flex-wrap: wrap; gap: 6px; }
.clc-error { background: #fdecea; border: 1px solid #d32f2f; color: #5f1410; border-radius: 6px; padding: 8px 12px;
             font-size: 18px; margin: 4px 0; }
.clc-busy { color: #0b4f8a; font-size: 17px; }
.clc-picture img { display: block; }
.v-application .v-select__selection, .v-application .v-label, .v-application .v-list-item__title { font-size: 17px; }
"""


class Viewport(v.VuetifyTemplate):
    """An invisible element that reports the browser window's size ("1366x768") and its changes."""

    template = traitlets.Unicode("""
<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    this.measure();
    this.onResize = () => { clearTimeout(this.timer); this.timer = setTimeout(this.measure, 250); };
    window.addEventListener('resize', this.onResize);
  },
  beforeDestroy() { window.removeEventListener('resize', this.onResize); },
  methods: {
    measure() { this.size = window.innerWidth + 'x' + window.innerHeight; },
  },
};
</script>
""").tag(sync=True)
    size = traitlets.Unicode("").tag(sync=True)


def parse_size(text: str) -> tuple[int, int] | None:
    """"1366x768" -> (1366, 768); None for anything else."""
    try:
        w, h = (int(x) for x in str(text).lower().split("x"))
    except ValueError:
        return None
    return (w, h) if w > 0 and h > 0 else None


def Picture(data: bytes, size: tuple[int, int], name: str):
    """A picture drawn at the size it is shown (so its text keeps its size on the screen)."""
    w, h = size
    with solara.Div(classes=["clc-picture", f"clc-{name}"]):
        rw.Image(value=data, format=IMAGE_FORMAT, width=str(w), height=str(h),
                 layout={"width": f"{w}px", "height": f"{h}px"})


@solara.component
def ParamControl(name: str, spec: dict, value, on_value):
    """One trainer control: its plain label, its value and unit always shown, then the slider and its range."""
    kind = spec["type"]
    with solara.Div(classes=["clc-param", f"clc-param-{name}"]):
        shown = html.escape(controls.format_value(name, value))
        label = html.escape(spec["label"])
        if kind == "Select":
            solara.HTML(tag="div", classes=["clc-param-label"], unsafe_innerHTML=label)
            labels = spec["labels"]
            names = [labels[c] for c in spec["values"]]
            solara.Select(label="", values=names, value=labels.get(value, names[0]),
                          on_value=lambda text: on_value(next(c for c, t in labels.items() if t == text)))
            meaning = controls.CHOICE_HELP.get(name, {}).get(value, "")
            solara.HTML(tag="div", classes=["clc-param-range"],
                        unsafe_innerHTML=f"<span class='clc-param-value'>{shown}</span>: {html.escape(meaning)}")
            return
        solara.HTML(tag="div", classes=["clc-param-label"],
                    unsafe_innerHTML=f"{label}: <span class='clc-param-value'>{shown}</span>")
        if kind == "Checkbox":
            solara.Checkbox(label=spec["label"], value=bool(value), on_value=on_value)
        else:
            slider = solara.SliderInt if kind == "SliderInt" else solara.SliderFloat
            slider(label="", value=value, min=spec["min"], max=spec["max"], step=spec["step"], on_value=on_value,
                   thumb_label=False)
            solara.HTML(tag="div", classes=["clc-param-range"],
                        unsafe_innerHTML=html.escape(controls.format_range(name, spec)))


@dataclass(frozen=True)
class SideInfo:
    """The part of a frame the side panel shows: it changes only when a model is built."""

    scenario: str
    description: str
    params: dict
    seed: int
    version: int
    horizon: int
    schedule: tuple

    @classmethod
    def of(cls, frame: Frame) -> "SideInfo":
        return cls(frame.scenario, frame.description, dict(frame.params), frame.seed, frame.version, frame.horizon,
                   frame.schedule)


@solara.component
def SidePanel(session: Session, frame: SideInfo, draft, draft_seed):
    """Scenario picker, the trainer's controls (applied by Reset) and what they mean."""
    settings_specs = solara.use_memo(lambda: controls.model_params(controls.ScenarioSettings(
        frame.scenario, params=dict(frame.params), seed=frame.seed)), [frame.version])
    names = controls.available_scenarios()
    if frame.scenario and frame.scenario not in names:
        names = [frame.scenario, *names]
    solara.HTML(tag="h3", unsafe_innerHTML="Scenario")
    solara.Select(label="Start from scenario", values=names, value=frame.scenario or names[0],
                  on_value=lambda name: session.load(name), classes=["clc-scenario"])
    solara.Button("Start again with the scenario's values", on_click=lambda: session.load(frame.scenario),
                  text=True, color="primary", classes=["clc-scenario-values"], style={"padding": "0 4px"})
    with solara.Details("About this scenario", expand=False):
        text = html.escape(frame.description or "")
        if frame.schedule:
            text += "<br><b>Scheduled:</b> " + html.escape("; ".join(frame.schedule)) + "."
        solara.HTML(tag="div", unsafe_innerHTML=f"<p>Horizon: {frame.horizon} weeks "
                    f"({frame.horizon / 39:g} school years).</p><p>{text}</p>", classes=["clc-help"])
    solara.HTML(tag="h3", unsafe_innerHTML="Settings")
    changes = [name for name in controls.TRAINER_PARAMS if draft.value.get(name) != frame.params.get(name)]
    if draft_seed.value != frame.seed:
        changes.append("seed")
    # the tree keeps one shape whatever is shown (empty parts are hidden, not left out): a widget that is
    # re-created while a trainer drags it would lose the drag and log a sync error in the browser
    words = ", ".join(controls.LABELS[c].lower() for c in changes)
    solara.HTML(tag="div", classes=["clc-pending"], style={} if changes else {"display": "none"},
                unsafe_innerHTML=f"Changed: {html.escape(words)}. Press <b>Reset</b> to start again with them."
                if changes else "")
    for name in controls.TRAINER_PARAMS:
        spec = settings_specs[name]
        ParamControl(name, spec, draft.value.get(name, spec["value"]),
                     lambda value, name=name: draft.set({**draft.value, name: value})).key(f"param-{name}")
    ParamControl("seed", settings_specs["seed"], draft_seed.value, draft_seed.set).key("param-seed")
    with solara.Details("What the controls mean", expand=False):
        solara.HTML(tag="div", unsafe_innerHTML=controls.help_html(frame.params.get("hub_size")),
                    classes=["clc-help"])


@solara.component
def Toolbar(session: Session, frame: Frame, draft, draft_seed):
    """Reset, play/pause, step, the speed in weeks per second and where the run is."""
    def reset():
        session.reset(dict(draft.value), draft_seed.value)

    with solara.Div(classes=["clc-toolbar"]):
        solara.Button("Reset", on_click=reset, color="primary", outlined=True, classes=["clc-reset"])
        if frame.playing:
            solara.Button("❚❚ Pause", on_click=session.pause, color="primary", classes=["clc-play"])
        elif frame.at_horizon:
            solara.Button(f"▶ Continue {frame.horizon} more weeks", on_click=session.continue_, color="primary",
                          classes=["clc-play", "clc-continue"])
        else:
            solara.Button("▶ Play", on_click=session.play, color="primary", classes=["clc-play"],
                          disabled=not frame.ready)
        solara.Button("Step", on_click=session.step, color="primary", outlined=True, classes=["clc-step"],
                      disabled=not frame.ready)
        with solara.Div(classes=["clc-speed"]):
            solara.SliderInt(label="", value=SPEEDS.index(_nearest_speed(frame.speed)), min=0, max=len(SPEEDS) - 1,
                             step=1, on_value=lambda i: session.set_speed(SPEEDS[int(i)]), thumb_label=False,
                             tick_labels=False)
        seconds = frame.horizon / frame.speed
        speed_text = (f"{frame.speed:g} weeks/s: {frame.horizon} weeks in "
                      + (f"{seconds / 60:.1f} min" if seconds >= 100 else f"{seconds:.0f} s"))
        if frame.actual_speed is not None and frame.actual_speed < 0.85 * frame.speed:
            speed_text += f" (this computer manages {frame.actual_speed:.1f})"
        solara.HTML(tag="div", classes=["clc-speed-text"], unsafe_innerHTML=html.escape(speed_text))
        year, week = frame.year_week
        status = f"Week <b>{frame.week}</b> of {frame.stop_at} (year {year}, week {week})"
        if frame.at_horizon:
            status = f"Reached week <b>{frame.week}</b>: the end of the run"
        if frame.busy:
            status = html.escape(frame.busy)
        solara.HTML(tag="div", classes=["clc-status"], unsafe_innerHTML=status)


def _nearest_speed(speed: float) -> float:
    return min(SPEEDS, key=lambda s: abs(s - speed))


@solara.component
def StageCounts(frame: Frame):
    """How many schools are at each stage, in the stage colours, with trust and moral capital."""
    chips = "".join(
        f'<span class="clc-chip clc-stage-{i}" style="background:{STAGE_COLOURS[i]};color:{STAGE_TEXT[i]}">'
        f"{label} {frame.stage_counts[i]}</span>" for i, label in enumerate(STAGE_LABELS))
    measures = f"Mean trust {frame.mean_trust:.2f} · moral capital {frame.moral_capital:.2f}"
    solara.HTML(tag="div", classes=["clc-stages"],
                unsafe_innerHTML=chips + f'<span class="clc-measures">{measures}</span>')


@solara.component
def MainPictures(session: Session, frame: Frame):
    """The school network and the main chart, side by side, each with its own small switch above."""
    lay = frame.layout
    direction = "column" if lay.main < 760 else "row"
    with solara.Div(style={"display": "flex", "flex-direction": direction, "gap": "12px"}):
        with solara.Div(style={"width": f"{lay.network[0]}px"}):
            with solara.Div(classes=["clc-picture-bar"]):
                solara.Text("Circle size:")
                sizes = {SIZE_LABELS[k]: k for k in SIZE_LABELS}
                solara.ToggleButtonsSingle(value=SIZE_LABELS.get(frame.view.size_by, "attainment"),
                                           values=list(sizes), dense=True,
                                           on_value=lambda label: session.set_view(size_by=sizes[label]))
                if frame.n_schools > AGGREGATE_ABOVE:
                    solara.Text("one circle per hub")
                else:
                    solara.Text("lines: trust")
            Picture(frame.images.get("network", b""), lay.network, "network")
        with solara.Div(style={"width": f"{lay.chart[0]}px"}):
            with solara.Div(classes=["clc-picture-bar"]):
                solara.Text("Chart:")
                solara.ToggleButtonsSingle(value=CHART_NAMES[frame.view.chart % len(CHARTS)], values=list(CHART_NAMES),
                                           dense=True,
                                           on_value=lambda name: session.set_view(chart=CHART_NAMES.index(name)))
            Picture(frame.images.get("chart", b""), lay.chart, "chart")


@solara.component
def StoryView(session: Session, frame: Frame):
    """What is happening, in plain words, and buttons to intervene in one school at the current week."""
    names = list(frame.school_names) or ["School 1"]
    school = min(frame.view.school, len(names) - 1)
    with solara.Div(classes=["clc-story"], style={"width": f"{frame.layout.teachers[0]}px"}):
        solara.HTML(tag="h3", unsafe_innerHTML="What is happening")
        solara.HTML(tag="div", unsafe_innerHTML=frame.caption, classes=["clc-caption"])
        solara.Text(frame.last_action, classes=["clc-last-action"])
        solara.HTML(tag="h3", unsafe_innerHTML="Intervene in one school")
        solara.Select("Chosen school (red ring on the network)", values=names, value=names[school],
                      on_value=lambda name: session.set_view(school=names.index(name)), classes=["clc-schools"])
        with solara.Div(classes=["clc-interventions"]):
            for kind in INTERVENTIONS:
                solara.Button(INTERVENTION_LABELS.get(kind, kind.replace("_", " ")),
                              on_click=lambda kind=kind: session.intervene(kind),
                              color="error" if kind == "defection" else "secondary",
                              outlined=kind != "defection", classes=[f"clc-intervention-{kind}"],
                              disabled=not frame.ready)


@solara.component
def Dashboard(session: Session, frame: Frame, draft, draft_seed):
    """The page's layout for the window it is shown in (see layout.py)."""
    lay = frame.layout
    with solara.Div(classes=["clc-app"], style={"display": "flex", "flex-direction": "column" if lay.stacked else "row"}):
        with solara.Div(classes=["clc-side"], style={"width": f"{lay.side}px" if lay.side else "100%",
                                                     "height": "auto" if lay.stacked else "100vh"}):
            SidePanel(session, SideInfo.of(frame), draft, draft_seed)
        with solara.Div(classes=["clc-main"], style={"width": f"{lay.main + 24}px"}):
            solara.HTML(tag="div", classes=["clc-title"], unsafe_innerHTML=html.escape(frame.title or "clc-sim"))
            Toolbar(session, frame, draft, draft_seed)
            solara.HTML(tag="div", classes=["clc-error"] if frame.error else ["clc-no-error"],
                        style={} if frame.error else {"display": "none"}, unsafe_innerHTML=html.escape(frame.error))
            StageCounts(frame)
            MainPictures(session, frame)
            with solara.Div(style={"display": "flex", "flex-wrap": "wrap", "gap": "12px", "margin-top": "12px"}):
                StoryView(session, frame)
                Picture(frame.images.get("teachers", b""), lay.teachers, "teachers")
            solara.HTML(tag="h3", unsafe_innerHTML="All four charts")
            Picture(frame.images.get("charts", b""), lay.charts, "charts")


THREADED = True  # tests rendering the page without a server set this False: commands then run at once
FIRST_FRAME = Frame(busy="Building the model…")
NO_DRAFT: dict = {}


@solara.component
def Page():
    """The whole dashboard; one Session (model and worker thread) per browser session."""
    frame = solara.use_reactive(FIRST_FRAME)
    draft = solara.use_reactive(NO_DRAFT)
    draft_seed = solara.use_reactive(0)
    session = solara.use_memo(lambda: Session(frame.set, threaded=THREADED), [])

    def run_worker():
        session.start()
        return session.close

    solara.use_effect(run_worker, [])

    current = frame.value

    def follow_model():
        """When a model is built, the controls show the values it was built with."""
        if current.version:
            draft.set(dict(current.params))
            draft_seed.set(int(current.seed))

    solara.use_effect(follow_model, [current.version])

    solara.Title(PAGE_TITLE)
    solara.Style(CSS)
    Viewport.element(on_size=lambda text: _window(session, text))
    if not current.version and not current.error:
        with solara.Div(classes=["clc-app"], style={"padding": "24px"}):
            solara.HTML(tag="div", classes=["clc-busy"], unsafe_innerHTML=html.escape(current.busy or "Starting…"))
        return
    Dashboard(session, current, draft, draft_seed)


def _window(session: Session, text: str) -> None:
    size = parse_size(text)
    if size is not None:
        session.set_view(window=size)
