"""Dashboard pieces without a browser: controls from PARAMS in plain words, the layout, the session's play loop,
pictures, caption, the Solara page rendered headless, and animations."""

from __future__ import annotations

import io
import threading
import time

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from PIL import Image

from simulation import plots
from simulation.dashboard import app, controls, drawing
from simulation.dashboard.caption import caption_html, state_line
from simulation.dashboard.layout import HEADER, PAD, layout_for
from simulation.dashboard.session import DEFAULT_SPEED, SPEEDS, Session
from simulation.params import PARAMS
from simulation.scenario import load_scenario


def small_model(**overrides):
    settings = controls.load_settings("voluntary-8")
    params = {**settings.params, "teachers_per_school": 8, **overrides}
    return app.ScenarioModel(schedule=settings.interventions, seed=3, **params)


# --- controls -------------------------------------------------------------------------------------------


def test_trainer_controls_are_bounded_by_the_parameter_table_and_plainly_labelled():
    spec = controls.model_params(controls.load_settings("voluntary-8"))
    for name in controls.TRAINER_PARAMS:
        p, c = PARAMS[name], spec[name]
        if p.choices is not None:
            assert c["type"] == "Select" and tuple(c["values"]) == p.choices
            assert set(c["labels"]) == set(p.choices) and "_" not in "".join(c["labels"].values())
        else:
            assert p.lo <= c["min"] <= c["value"] <= c["max"] <= p.hi, name
            assert controls.format_range(name, c).startswith("from ")
        assert c["label"] and "_" not in c["label"]
        assert controls.format_value(name, c["value"])
    assert controls.format_value("staff_learning_time", 2.0) == "2.0 hours per teacher per week"
    assert controls.format_value("resistant_head_share", 0.25) == "25 % of schools"
    assert controls.format_value("n_schools", 500) == "500 schools"
    assert controls.format_range("n_schools", spec["n_schools"]) == "from 2 to 500 schools"


def test_the_explanations_are_plain_language_with_readable_sources():
    text = controls.help_html()
    assert all(controls.LABELS[n] in text for n in controls.TRAINER_PARAMS)
    assert "[seed" not in text and "seed 00" not in text and "[1, 50000]" not in text
    assert "“Learning from the past”" in text and "Reset" in text
    assert controls.readable_sources("how it formed [seed 004 truths 1-3, less-known 2]") == \
        "how it formed (the essay “Learning from the past”, truths 1-3, less-known 2)"
    assert "seed 0" not in controls.readable_sources(load_scenario("voluntary-8").description)


@pytest.mark.parametrize("name", controls.TRAINER_PARAMS)
def test_every_control_extreme_builds_and_steps(name):
    c = controls.control_for(name, PARAMS[name].default)
    values = c["values"] if c["type"] == "Select" else [c["min"], c["max"]]
    for value in values:
        if name == "n_schools" and value > 60:
            value = 60  # the top of the slider is measured in benchmarks/dashboard.py
        model = small_model(**{name: value})
        model.step()
        assert len(model.school_frame()) == model.n_schools


def test_every_scenario_opens_with_its_values_on_the_controls():
    for name in controls.available_scenarios():
        settings = controls.load_settings(name)
        spec = controls.model_params(settings)
        for param in controls.TRAINER_PARAMS:
            want = settings.params.get(param, PARAMS[param].default)
            assert spec[param]["value"] == want, (name, param)


def test_the_title_follows_the_parameters_in_force():
    settings = controls.load_settings("network-30")
    assert controls.title_for(settings, {}, settings.seed) == "30 schools, voluntary network, chain links · network-30"
    assert controls.title_for(settings, {"n_schools": 500}, settings.seed).startswith("500 schools")
    assert controls.title_for(settings, {"n_schools": 500}, settings.seed).endswith("network-30 (changed)")


# --- layout ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080), (1280, 720), (2560, 1440)])
def test_the_network_stages_and_main_chart_fit_a_projector_window(size):
    lay = layout_for(*size)
    width, height = size
    assert HEADER + max(lay.network[1], lay.chart[1]) + PAD <= height
    assert lay.side + lay.network[0] + PAD + lay.chart[0] + 3 * PAD + 16 <= width
    assert min(lay.network + lay.chart) >= 340 and lay.font_px >= drawing.MIN_FONT_PX
    assert layout_for(1920, 1080).font_px > layout_for(1366, 768).font_px  # larger text on a larger screen


# --- the session: the throttled, cancellable play loop ------------------------------------------------


def _session(scenario="voluntary-8"):
    frames = []
    return Session(frames.append, scenario, threaded=False), frames


def test_session_steps_resets_and_keeps_bad_values_off_the_model():
    session, frames = _session()
    assert frames[-1].week == 0 and frames[-1].ready and frames[-1].stage_counts == (8, 0, 0, 0)
    session.step()
    assert frames[-1].week == 1
    session.reset({"n_schools": 12}, 5)
    assert (frames[-1].week, frames[-1].n_schools, frames[-1].seed) == (0, 12, 5)
    assert frames[-1].title.startswith("12 schools") and frames[-1].title.endswith("(changed)")
    model = session.model
    session.reset({"n_schools": float("nan")}, 5)
    assert session.model is model, "a bad value must not replace the model"
    assert frames[-1].error.startswith("Could not reset: Number of schools") and "Traceback" not in frames[-1].error
    session.reset({"n_schools": 12}, -1)
    assert "Random seed must be a whole number" in frames[-1].error
    session.load("no-such-scenario")
    assert "Could not open scenario 'no-such-scenario'" in frames[-1].error and session.model is model
    session.load("network-30")
    assert frames[-1].n_schools == 30 and frames[-1].error == "" and frames[-1].scenario == "network-30"


def test_play_stops_at_the_horizon_and_continue_plays_on(tmp_path):
    toml = tmp_path / "short.toml"
    toml.write_text('name = "short"\ndescription = "a short run"\nhorizon = 6\nseed = 1\n\n[params]\n'
                    'n_schools = 4\nteachers_per_school = 5\n')
    session, frames = _session(str(toml))
    session.set_speed(SPEEDS[-1])  # the fastest: several weeks a frame, but never past the horizon
    session.play()
    for _ in range(10):
        session.advance()
    assert frames[-1].week == 6 and not frames[-1].playing and frames[-1].at_horizon
    session.continue_()
    assert frames[-1].playing and frames[-1].stop_at == 12
    for _ in range(10):
        session.advance()
    assert frames[-1].week == 12 and frames[-1].at_horizon
    session.play()  # play at the horizon is continue too
    session.advance()
    session.pause()
    assert 12 < frames[-1].week <= 18 and not frames[-1].playing
    assert DEFAULT_SPEED * 60 == pytest.approx(195, rel=0.02), "five school years in about a minute"


def test_an_error_while_playing_is_a_message_not_a_crash(monkeypatch):
    session, frames = _session()
    session.play()

    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(session.model, "step", broken)
    session.advance()
    assert not frames[-1].playing
    assert frames[-1].error.startswith("Something went wrong trying to play the next week (RuntimeError: boom)")
    monkeypatch.undo()
    session.step()
    assert frames[-1].error == "" and frames[-1].week == 1


def test_the_worker_thread_plays_throttled_and_stops_when_closed():
    frames, lock = [], threading.Lock()

    def publish(frame):
        with lock:
            frames.append(frame)

    session = Session(publish, "voluntary-8", threaded=True)
    session.start()
    deadline = time.monotonic() + 60
    while not (frames and frames[-1].ready) and time.monotonic() < deadline:
        time.sleep(0.05)
    session.set_speed(SPEEDS[-1])
    session.play()
    while (not frames or frames[-1].week < 10) and time.monotonic() < deadline:
        time.sleep(0.05)
    session.intervene("defection")  # a button pressed while playing is applied between frames
    while not any(f.last_action for f in frames) and time.monotonic() < deadline:
        time.sleep(0.05)
    session.close()
    assert not session._thread.is_alive()
    with lock:
        weeks = [f.week for f in frames]
        assert max(weeks) >= 10 and any("defection" in f.last_action for f in frames)
        count = len(frames)
    time.sleep(0.3)
    assert len(frames) == count, "a closed session publishes nothing"


# --- pictures ------------------------------------------------------------------------------------------


def test_one_palette_and_one_numbering_everywhere():
    assert drawing.STAGE_COLOURS is plots.STAGE_COLOURS and app.STAGE_COLOURS is plots.STAGE_COLOURS
    model = small_model(n_schools=6)
    model.step()
    fig = plots.plot_network(model.school_graph())
    labels = sorted(int(t.get_text()) for t in fig.axes[0].texts)
    assert labels == [1, 2, 3, 4, 5, 6]
    stack = plots.plot_stages(model.datacollector.get_model_vars_dataframe())
    areas = stack.axes[0].collections
    assert areas, "the run figure stacks the stages"
    for area in areas:  # each stage shown in its colour of the one palette
        stage = plots.STAGE_LABELS.index(area.get_label())
        assert np.allclose(area.get_facecolor()[0][:3], matplotlib_rgb(plots.STAGE_COLOURS[stage]), atol=1e-3)


def matplotlib_rgb(colour):
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def test_layout_is_stable_and_groups_hubs():
    model = small_model(n_schools=30, hub_size=10)
    pos0 = drawing.school_positions(model).copy()
    for _ in range(3):
        model.step()
    drawing.network_figure(model)
    assert np.array_equal(drawing.school_positions(model), pos0)
    hubs = model.school_frame()["hub"].to_numpy()
    centres = np.array([pos0[hubs == h].mean(axis=0) for h in np.unique(hubs)])
    within = max(np.linalg.norm(pos0[hubs == h] - centres[i], axis=1).max() for i, h in enumerate(np.unique(hubs)))
    between = min(np.linalg.norm(a - b) for i, a in enumerate(centres) for b in centres[i + 1:])
    assert within < between, "schools of a hub should sit closer to their hub centre than hubs to each other"


def test_a_large_system_is_drawn_as_hubs():
    model = small_model(n_schools=drawing.AGGREGATE_ABOVE + 40, hub_size=12, teachers_per_school=3)
    model.step()
    fig = drawing.network_figure(model)
    net = [a for a in fig.axes[0].collections if len(a.get_offsets()) > 1][0]
    assert len(net.get_offsets()) == len(np.unique(model.hub)), "one circle per hub"
    assert isinstance(drawing.network_artists(fig.axes[0], model), drawing.HubNetworkArtists)


def test_pictures_render_and_change_with_steps(tmp_path):
    model = small_model()
    before = [drawing.network_figure(model), drawing.charts_figure(model), drawing.teacher_figure(model, 0),
              drawing.chart_figure(model, 1)]
    for _ in range(5):
        model.step()
    after = [drawing.network_figure(model), drawing.charts_figure(model), drawing.teacher_figure(model, 0),
             drawing.chart_figure(model, 1)]
    for i, (a, b) in enumerate(zip(before, after)):
        a.savefig(tmp_path / f"a{i}.png")
        b.savefig(tmp_path / f"b{i}.png")
        assert (tmp_path / f"a{i}.png").read_bytes() != (tmp_path / f"b{i}.png").read_bytes()


def test_chart_axes_are_labelled_with_readable_text():
    model = small_model()
    model.step()
    fig = drawing.chart_figure(model, 0)
    ax = fig.axes[0]
    assert ax.get_xlabel() == drawing.X_LABEL and ax.get_ylabel()
    sizes = [t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    sizes += [ax.xaxis.label.get_fontsize(), *(t.get_fontsize() for t in ax.get_legend().get_texts())]
    assert min(sizes) >= drawing.MIN_FONT_PX  # points at 72 dpi are screen pixels


def test_school_links_match_the_models_school_graph():
    model = small_model(n_schools=30, hub_size=10)
    model.step()
    pairs, trust = drawing.school_links(model)
    graph = model.school_graph()
    want = {(min(a, b), max(a, b)): w for a, b, w in graph.edges(data="weight") if a != b}
    assert {tuple(p) for p in pairs.tolist()} == set(want)
    assert np.allclose(trust, [want[tuple(p)] for p in pairs.tolist()])


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        return np.asarray(im.convert("RGB"), dtype=float)


def _figure_pixels(fig) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba(), dtype=float)[..., :3]


@pytest.mark.parametrize("fmt, tolerance", [("png", 0.5), ("jpeg", 1.5)])
def test_blitted_frames_look_like_a_full_drawing(monkeypatch, fmt, tolerance):
    """The dashboard's persistent, blitted pictures equal the same picture drawn from scratch."""
    monkeypatch.setattr(drawing, "IMAGE_FORMAT", fmt)  # lossless PNG: exact check; JPEG (the default): close
    model = small_model(n_schools=12)
    for _ in range(3):
        drawing.network_image(model, selected=2), drawing.charts_image(model), drawing.teacher_image(model, 1)
        drawing.chart_image(model, 2)
        model.step()
    pairs = [
        (drawing.network_image(model, selected=2), drawing.network_figure(model, selected=2)),
        (drawing.charts_image(model), drawing.charts_figure(model)),
        (drawing.chart_image(model, 2), drawing.chart_figure(model, 2)),
        (drawing.teacher_image(model, 1), drawing.teacher_figure(model, 1)),
    ]
    for i, (data, fig) in enumerate(pairs):
        blitted, full = _pixels(data), _figure_pixels(fig)
        assert blitted.shape == full.shape, i
        assert np.abs(blitted - full).mean() < tolerance, i
        assert (np.abs(blitted - full).max(axis=2) > 60).mean() < 0.002, i


def test_persistent_frames_update_in_place_and_go_with_the_model():
    import gc
    import weakref

    def images(model, **kw):
        return [drawing.network_image(model, **kw), drawing.charts_image(model), drawing.teacher_image(model, 0)]

    model = small_model(n_schools=12)
    model.step()
    first = images(model)
    frames = drawing._frames[model]
    figures = {name: entry[1].fig for name, entry in frames.pictures.items()}
    assert images(model) == first
    model.step()
    second = images(model)
    assert all(a != b for a, b in zip(first, second)), "every picture changes with a step"
    assert {name: entry[1].fig for name, entry in frames.pictures.items()} == figures, "figures are reused"
    assert frames.pictures["network"][1].full_draws == 1, "the network's static part is drawn once"
    drawing.network_image(model, size_by="value_added")
    assert frames.pictures["network"][1].full_draws == 2, "the size toggle changes the title: redrawn"
    drawing.network_image(model, size=(500, 400))
    assert frames.pictures["network"][1].fig is not figures["network"], "another size: another figure"
    drawing.teacher_image(model, 1)
    assert frames.pictures["teachers"][2].school == 1
    cached = [frames, *(obj for entry in frames.pictures.values() for obj in entry[1:])]
    referrers = [id(r) for r in gc.get_referrers(model)]
    assert not any(id(vars(obj)) in referrers for obj in cached if hasattr(obj, "__dict__"))
    assert isinstance(drawing._frames, weakref.WeakKeyDictionary)
    for _ in range(drawing.MAX_CACHED_MODELS + 2):
        drawing.network_image(small_model(n_schools=4))
    assert len(drawing._frames) <= drawing.MAX_CACHED_MODELS


def test_caption_reports_state_and_interventions():
    model = small_model()
    assert state_line(model).startswith("Week 0 (year 1, week 1): 8 schools")
    model.step()
    model.apply_intervention("defection", [0])
    text = caption_html(model)
    assert "withdrew" in text and "Week 1" in text


# --- the Solara page, rendered without a browser ------------------------------------------------------


@pytest.fixture
def page(monkeypatch):
    monkeypatch.setattr(app, "THREADED", False)  # commands run at once, in the test's thread
    monkeypatch.setenv(controls.SCENARIO_ENV, "voluntary-8")
    box, rc = solara.render(app.Page(), handle_error=False)
    yield rc
    rc.close()


def _images(rc):
    return [w.value for w in rc.find(ipywidgets.Image).widgets]


def _html(rc) -> str:
    return " ".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def test_solara_page_steps_and_updates_pictures(page):
    step = page.find(v.Btn, children=["Step"])
    step.assert_single()
    images0 = _images(page)
    assert len(images0) == 4  # network, main chart, teachers, all four charts
    assert all(bytes(img[:3]) == b"\xff\xd8\xff" for img in images0)  # JPEG (drawing.IMAGE_FORMAT)
    step.widget.click()
    step.widget.click()
    assert "Week <b>2</b> of 195" in _html(page)
    assert all(a != b for a, b in zip(images0, _images(page)))
    for jargon in ("Use Threads", "Render Interval", "Play Interval", "Page 0"):
        assert jargon not in _html(page)


def test_solara_intervention_button_applies_to_the_model(page):
    button = page.find(v.Btn, children=["School withdraws (defection shock)"])
    button.assert_single()
    button.widget.click()
    assert "School 1 withdrew from joint work" in _html(page)  # the model's own note, via model.events
    texts = " ".join(str(w.children) for w in page.find(v.Html).widgets)
    assert "School withdraws (defection shock) applied to School 1." in texts


def test_solara_page_reports_a_window_size_and_redraws_for_it(page):
    viewport = page.find(app.Viewport)
    viewport.assert_single()
    viewport.widget.size = "1920x1080"
    want = layout_for(1920, 1080)
    widths = sorted(int(w.width) for w in page.find(ipywidgets.Image).widgets)
    assert want.network[0] in widths and want.chart[0] in widths
    assert app.parse_size("bad") is None and app.parse_size("1366x768") == (1366, 768)


# --- animations ----------------------------------------------------------------------------------------


def test_animate_writes_a_gif_at_the_size_asked_with_progress(tmp_path):
    from simulation.animate import render

    sc = load_scenario("voluntary-8").with_overrides(params={"teachers_per_school": 8})
    seen = []
    out = render(sc, tmp_path / "net.gif", ticks=4, every=2, fps=5, size=(640, 360),
                 progress=lambda done, total, started: seen.append((done, total)))
    with Image.open(out) as im:
        assert im.n_frames == 3 and im.size == (640, 360)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert [p.name for p in tmp_path.iterdir()] == ["net.gif"], "no temporary file left behind"


def test_animate_refuses_bad_requests(tmp_path):
    from simulation.animate import AnimationError, parse_size, render

    sc = load_scenario("voluntary-8").with_overrides(params={"teachers_per_school": 8})
    with pytest.raises(AnimationError, match="must end in .gif or .mp4"):
        render(sc, tmp_path / "net.avi", ticks=2)
    with pytest.raises(AnimationError, match="--every"):
        render(sc, tmp_path / "net.gif", ticks=2, every=0)
    with pytest.raises(AnimationError, match="WIDTHxHEIGHT"):
        parse_size("big")
    with pytest.raises(AnimationError, match="at least 320x240"):
        parse_size("100x100")
    assert parse_size("1280x720") == (1280, 720)


def test_cli_knows_dashboard_and_animate(capsys):
    from simulation.cli import main

    assert main(["animate", "voluntary-8", "--out", "x.webm"]) == 2
    assert "must end in .gif or .mp4" in capsys.readouterr().err
    assert main(["animate", "voluntary-8", "--out", "x.gif", "--size", "tiny"]) == 2
    assert "--size" in capsys.readouterr().err
    assert main(["dashboard", "no-such-scenario"]) == 2
    assert main(["dashboard", "--port", "70000"]) == 2
