"""The dashboard's engine: one worker thread per browser session owns the model; the page only asks and shows.

Every change to the model (build, step, play, intervention) and every picture is made by the worker,
one thing at a time, so nothing can step the model while it is being drawn. Buttons and sliders only
queue a command or set a flag, so the page stays responsive whatever the model is doing. The worker
sends finished `Frame`s (pictures already encoded, text already written) to `publish`; the page
renders a frame without touching the model.

Playing is a throttled, cancellable loop: at most MAX_FPS frames a second, several weeks per frame
when the speed asks for more, and at least a rest after each frame (REST_SHARE of the time it took),
so button presses are handled at once even when the machine is busy. It stops by itself at the
scenario's horizon (`continue_` plays on for another horizon). Errors never escape: they become a
plain message on the frame and the model is left as it was.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from simulation import CLCModel
from simulation.dashboard import controls
from simulation.dashboard.caption import caption_html, now_measures
from simulation.dashboard.layout import Layout, layout_for
from simulation.plots import STAGE_LABELS, TICKS_PER_YEAR

log = logging.getLogger(__name__)

SPEEDS = (0.5, 1.0, 2.0, 3.25, 5.0, 8.0, 13.0, 20.0, 39.0)  # weeks per second on the speed control
DEFAULT_SPEED = 3.25  # five school years (195 weeks) in a minute
MAX_FPS = 8.0  # frames a second at most; faster speeds step several weeks per frame
MIN_REST = 0.03  # seconds of rest after every frame while playing
REST_SHARE = 0.25  # ... or this share of the time the frame took, whichever is longer
MAX_QUEUED_STEPS = 20  # Step presses beyond this many waiting are dropped
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
CHART_NAMES = ("Knowledge", "Trust", "Attainment", "Stages")


class ScenarioModel(CLCModel):
    """CLCModel built from a scenario's settings, with its interventions scheduled (for the dashboard's Reset)."""

    def __init__(self, schedule=(), **kwargs):
        super().__init__(**kwargs)
        for iv in schedule:
            # a trainer may have lowered the number of schools: keep only schools that exist
            schools = [int(s) for s in iv.schools if 0 <= int(s) < self.n_schools]
            if schools:
                self.schedule_intervention(int(iv.tick), iv.kind, schools)


def make_model(settings: controls.ScenarioSettings, **params) -> ScenarioModel:
    """A fresh model for a scenario, with its seed, parameters (`params` override) and scheduled interventions."""
    return ScenarioModel(schedule=settings.interventions, seed=settings.seed, **{**settings.params, **params})


@dataclass(frozen=True)
class View:
    """What the page asks to see: window size, chosen school, circle size, main chart."""

    window: tuple[int, int] | None = None
    school: int = 0
    size_by: str = "attainment"
    chart: int = 0


@dataclass(frozen=True)
class Frame:
    """Everything the page shows at one moment, made by the worker (the page never reads the model)."""

    seq: int = 0
    version: int = 0  # bumped whenever a model is built: the page resets its controls to `params`
    scenario: str = ""
    description: str = ""
    title: str = ""
    params: dict = field(default_factory=dict)  # the trainer parameters in force
    seed: int = 0
    horizon: int = 195
    stop_at: int = 195
    week: int = 0
    n_schools: int = 0
    n_hubs: int = 1
    stage_counts: tuple = (0, 0, 0, 0)
    mean_trust: float = 0.0
    moral_capital: float = 0.0
    caption: str = ""
    last_action: str = ""
    school_names: tuple = ()
    schedule: tuple = ()  # the scenario's scheduled interventions, in words
    playing: bool = False
    at_horizon: bool = False
    speed: float = DEFAULT_SPEED
    actual_speed: float | None = None
    busy: str = ""
    error: str = ""
    layout: Layout = field(default_factory=lambda: layout_for(None, None))
    view: View = field(default_factory=View)
    images: dict = field(default_factory=dict)  # picture name -> encoded bytes

    @property
    def ready(self) -> bool:
        return bool(self.images)

    @property
    def year_week(self) -> tuple[int, int]:
        year, wk = divmod(int(self.week), TICKS_PER_YEAR)
        return year + 1, wk + 1


def describe_schedule(settings: controls.ScenarioSettings) -> tuple[str, ...]:
    """The scenario's scheduled interventions as sentences, schools numbered 1..n as on the page."""
    out = []
    for iv in settings.interventions:
        schools = ", ".join(f"School {int(s) + 1}" for s in iv.schools)
        out.append(f"Week {int(iv.tick)}: {INTERVENTION_LABELS.get(iv.kind, iv.kind)} for {schools}")
    return tuple(out)


class Session:
    """One browser session's model, its worker thread, and the frames it publishes.

    `threaded=False` runs every command at once in the caller's thread (for tests); `advance()` then
    plays one frame's worth of weeks.
    """

    def __init__(self, publish: Callable[[Frame], None], scenario: str | None = None, threaded: bool = True):
        self._publish_cb = publish
        self._threaded = threaded
        self._queue: queue.Queue = queue.Queue()
        self._flags = threading.Lock()
        self._playing = False
        self._speed = DEFAULT_SPEED
        self._view = View()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        # worker-owned state
        self.model = None
        self.settings: controls.ScenarioSettings | None = None
        self.params: dict[str, Any] = {}
        self.seed = 0
        self.stop_at = 195
        self.version = 0
        self.seq = 0
        self.last_action = ""
        self.error = ""
        self.frame = Frame()
        self._played: list[tuple[float, int]] = []  # (time, week) of recent frames while playing
        self._pending_steps = 0  # Step presses queued and not yet run
        self._submit(("scenario", scenario or controls.initial_scenario()))

    # --- called by the page (any thread) -----------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread (threaded sessions); commands queued before are run first."""
        if self._threaded and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="clc-dashboard-session", daemon=True)
            self._thread.start()

    def close(self) -> None:
        """Stop playing and end the worker (it finishes the command it is running, then exits)."""
        self._closed.set()
        with self._flags:
            self._playing = False
        self._queue.put(("wake",))
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def play(self) -> None:
        """Play from here; at the horizon, play on for another horizon (as `continue_`)."""
        self._submit(("play",))

    def pause(self) -> None:
        with self._flags:
            self._playing = False
        self._submit(("pause",))

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self.playing:
            self.pause()
        else:
            self.play()

    def continue_(self) -> None:
        self._submit(("continue",))

    def step(self) -> None:
        """One week (pauses first if playing)."""
        with self._flags:
            self._playing = False
        with self._flags:
            if self._pending_steps >= MAX_QUEUED_STEPS:
                return
            self._pending_steps += 1
        self._submit(("step",))

    def reset(self, params: dict[str, Any], seed: int) -> None:
        """Start again from week 0 with these trainer parameters and seed (the scenario's others kept)."""
        with self._flags:
            self._playing = False
        self._submit(("reset", dict(params), seed))

    def load(self, scenario: str) -> None:
        """Open another scenario: its values on the controls and a fresh model."""
        with self._flags:
            self._playing = False
        self._submit(("scenario", scenario))

    def intervene(self, kind: str) -> None:
        """Apply intervention `kind` to the chosen school now, at the current week."""
        self._submit(("intervene", kind))

    def set_speed(self, weeks_per_second: float) -> None:
        try:
            speed = float(weeks_per_second)
        except (TypeError, ValueError):
            return
        if math.isfinite(speed) and speed > 0:
            with self._flags:
                self._speed = min(max(speed, SPEEDS[0]), SPEEDS[-1])
            self._submit(("view",))

    def set_view(self, **changes) -> None:
        """Change what is shown (window, school, size_by, chart) and redraw."""
        with self._flags:
            self._view = replace(self._view, **changes)
        self._submit(("view",))

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def view(self) -> View:
        return self._view

    # --- the worker --------------------------------------------------------------------------------

    def _submit(self, command: tuple) -> None:
        self._queue.put(command)
        if not self._threaded:
            self._run_queued()

    def _run_queued(self, first: tuple | None = None) -> bool:
        """Run `first` and every queued command, in order (redraws coalesce); publish one frame if needed."""
        changed = self._run_safely(first) if first is not None else False
        while not self._closed.is_set() or not self._threaded:
            try:
                command = self._queue.get_nowait()
            except queue.Empty:
                break
            changed |= self._run_safely(command)
        if changed:
            self._publish()
        return changed

    def _loop(self) -> None:
        next_due = 0.0
        while not self._closed.is_set():
            wait = max(0.0, next_due - time.monotonic()) if self._playing else 0.5
            try:
                first = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                first = None
            if self._closed.is_set():
                break
            try:
                self._run_queued(first)
                if self._playing and time.monotonic() >= next_due:
                    started = time.monotonic()
                    self.advance()
                    took = time.monotonic() - started
                    interval = self._weeks_per_frame() / self._speed
                    # keep to the schedule (a slow frame is made up by the next ones), but never sooner than a
                    # rest after this frame, and never more than one frame behind (no bursts after a stall)
                    ideal = max(next_due, started - interval) + interval
                    next_due = max(ideal, started + took + max(MIN_REST, REST_SHARE * took))
            except Exception:  # noqa: BLE001 - the worker must survive anything; _run reports to the page
                log.exception("dashboard worker")
                time.sleep(0.1)

    def _weeks_per_frame(self) -> int:
        return max(1, math.ceil(self._speed / MAX_FPS))

    def advance(self) -> None:
        """Play one frame: up to a frame's worth of weeks, stopping at the horizon; then publish."""
        if not self._playing or self.model is None:
            return
        weeks = min(self._weeks_per_frame(), max(self.stop_at - int(self.model.steps), 0))
        if weeks > 0:
            ok = self._guard("play the next week", lambda: [self.model.step() for _ in range(weeks)])
            if not ok:
                with self._flags:
                    self._playing = False
        if int(self.model.steps) >= self.stop_at:
            with self._flags:
                self._playing = False
        now = time.monotonic()
        self._played = [(t, w) for t, w in self._played if now - t < 5.0] + [(now, int(self.model.steps))]
        self._publish()

    def _guard(self, doing: str, action: Callable[[], Any]) -> bool:
        """Run `action`; on any error keep a plain message for the page (the traceback goes to the log)."""
        try:
            action()
            return True
        except ValueError as exc:
            self.error = f"Could not {doing}: {exc}"
        except Exception as exc:  # noqa: BLE001
            log.error("dashboard: error while %s\n%s", doing, traceback.format_exc())
            self.error = (f"Something went wrong trying to {doing} ({type(exc).__name__}: {exc}). Press Reset "
                          "to start again.")
        return False

    def _run_safely(self, command: tuple) -> bool:
        """`_run`, with anything unexpected turned into a message on the page."""
        try:
            return self._run(command)
        except Exception as exc:  # noqa: BLE001
            log.error("dashboard: command %r failed\n%s", command[0], traceback.format_exc())
            self.error = f"Something went wrong ({type(exc).__name__}: {exc}); press Reset to start again."
            with self._flags:
                self._playing = False
            return True

    def _run(self, command: tuple) -> bool:
        """Run one command; return whether the page needs a new frame."""
        kind = command[0]
        if kind == "wake":
            return False
        if kind == "view":
            return True
        if kind == "pause":
            with self._flags:  # again here: a Play queued before this Pause must not win
                self._playing = False
            self._played = []
            return True
        if kind in ("play", "continue"):
            if self.model is None:
                return False
            if kind == "continue" or int(self.model.steps) >= self.stop_at:
                self.stop_at = max(self.stop_at, int(self.model.steps)) + self.settings.horizon
            self.error = ""
            with self._flags:
                self._playing = True
            self._played = []
            return True
        if kind == "step":
            with self._flags:
                self._playing = False
                self._pending_steps = max(0, self._pending_steps - 1)
            if self.model is None:
                return False
            self.error = ""
            self._guard("step the model", self.model.step)
            return True
        if kind == "intervene":
            return self._intervene(command[1])
        if kind == "scenario":
            return self._load(command[1])
        if kind == "reset":
            return self._reset(command[1], command[2])
        return False

    def _intervene(self, kind: str) -> bool:
        if self.model is None:
            return False
        if kind not in INTERVENTION_LABELS:
            self.error = f"There is no intervention called {kind!r}."
            return True
        school = min(max(int(self._view.school), 0), int(self.model.n_schools) - 1)
        name = self.model.school_agents[school].name
        label = INTERVENTION_LABELS[kind]
        if self._guard(f"apply {label.lower()}", lambda: self.model.apply_intervention(kind, [school])):
            self.error = ""
            self.last_action = f"Week {int(self.model.steps)}: {label} applied to {name}."
        return True

    def _load(self, name: str) -> bool:
        self._announce(f"Opening scenario {name}…")
        self.error = ""
        try:
            settings = controls.load_settings(name)
        except Exception as exc:  # noqa: BLE001 - a bad file or name: say so, keep what is shown
            self.error = f"Could not open scenario {name!r}: {exc}"
            if self.settings is not None:
                return True
            settings = controls.load_settings(controls.PARAMETER_DEFAULTS)
            self.error += " Showing the parameter defaults instead."
        resolved = {**controls.DEFAULTS, **settings.params}
        params = {k: resolved[k] for k in controls.TRAINER_PARAMS}
        keep_error = self.error
        if self._build(settings, params, settings.seed) and keep_error:
            self.error = keep_error
        return True

    def _reset(self, params: dict[str, Any], seed: Any) -> bool:
        if self.settings is None:
            return False
        try:
            checked = {k: controls.check_value(k, v) for k, v in params.items() if k in controls.TRAINER_PARAMS}
            seed = controls.check_value("seed", seed)
        except ValueError as exc:
            self.error = f"Could not reset: {exc} Nothing was changed."
            return True
        self._build(self.settings, {**self.params, **checked}, seed)
        return True

    def _build(self, settings: controls.ScenarioSettings, params: dict[str, Any], seed: int) -> bool:
        """A fresh model for `settings` with the trainer `params` and `seed`; on failure the old one stays."""
        n = int(params.get("n_schools", 0) or 0)
        self._announce(f"Building a model of {n} schools…" if n else "Building the model…")
        holder = {}

        def build():
            holder["model"] = ScenarioModel(schedule=settings.interventions, seed=int(seed),
                                            **{**settings.params, **params})

        if not self._guard("build the model", build):
            return False
        with self._flags:
            self._playing = False
        self.model = holder["model"]
        self.settings, self.params, self.seed = settings, dict(params), int(seed)
        self.stop_at = int(settings.horizon)
        self.version += 1
        self.last_action = ""
        self.error = ""
        self._played = []
        return True

    def _announce(self, busy: str) -> None:
        """Tell the page what the worker is busy with (long builds), keeping the last pictures."""
        if self._threaded:
            self.seq += 1
            self.frame = replace(self.frame, seq=self.seq, busy=busy, playing=False)
            self._send(self.frame)

    def _send(self, frame: Frame) -> None:
        try:
            self._publish_cb(frame)
        except Exception:  # noqa: BLE001 - a page that went away, or a render error: the worker goes on
            log.exception("dashboard: publishing a frame failed")

    def _actual_speed(self) -> float | None:
        if not self._playing or len(self._played) < 3:
            return None
        (t0, w0), (t1, w1) = self._played[0], self._played[-1]
        return (w1 - w0) / (t1 - t0) if t1 > t0 else None

    def _publish(self) -> None:
        """Make the frame for the model as it is now (text and pictures) and hand it to the page."""
        self.seq += 1
        model = self.model
        if model is None:
            self.frame = replace(self.frame, seq=self.seq, busy="", error=self.error)
            self._send(self.frame)
            return
        view = self._view
        lay = layout_for(*(view.window or (None, None)))
        school = min(max(int(view.school), 0), int(model.n_schools) - 1)
        images = dict(self.frame.images) if self.frame.version == self.version else {}
        holder = {}
        if self._guard("draw the pictures", lambda: holder.update(self._pictures(model, view, lay, school))):
            images = holder
        counts = np.bincount(np.clip(np.asarray(model.stage, dtype=int), 0, 3), minlength=len(STAGE_LABELS))
        measures = {"mean_trust": float("nan"), "moral_capital": float("nan")}
        measured = self._guard("measure trust", lambda: measures.update(now_measures(model)))
        caption = ""
        try:
            caption = caption_html(model, now=measures if measured else None)
        except Exception:  # noqa: BLE001
            log.exception("dashboard caption")
        settings = self.settings
        self.frame = Frame(
            seq=self.seq, version=self.version, scenario=settings.name,
            description=controls.readable_sources(settings.description), title=controls.title_for(
                settings, self.params, self.seed), params=dict(self.params), seed=self.seed,
            horizon=int(settings.horizon), stop_at=int(self.stop_at), week=int(model.steps),
            n_schools=int(model.n_schools), n_hubs=len(np.unique(model.hub)),
            stage_counts=tuple(int(c) for c in counts[:4]), mean_trust=measures["mean_trust"],
            moral_capital=measures["moral_capital"], caption=caption, last_action=self.last_action,
            school_names=tuple(s.name for s in model.school_agents), schedule=describe_schedule(settings),
            playing=self._playing, at_horizon=(not self._playing and int(model.steps) >= self.stop_at),
            speed=self._speed, actual_speed=self._actual_speed(), busy="", error=self.error, layout=lay,
            view=replace(view, school=school), images=images)
        self._send(self.frame)

    def _pictures(self, model, view: View, lay: Layout, school: int) -> dict[str, bytes]:
        from simulation.dashboard import drawing

        horizon = int(self.settings.horizon)
        big, small = drawing.Type(px=lay.font_px), drawing.Type(px=drawing.MIN_FONT_PX)
        return {
            "network": drawing.network_image(model, size_by=view.size_by, selected=school, size=lay.network,
                                             legend=False, title=False, type_=big),
            "chart": drawing.chart_image(model, int(view.chart) % len(drawing.CHARTS), size=lay.chart,
                                         min_weeks=horizon, type_=big),
            "charts": drawing.charts_image(model, size=lay.charts, min_weeks=horizon, type_=small),
            "teachers": drawing.teacher_image(model, school, size=lay.teachers, type_=small),
        }
