"""Dashboard pieces without a browser: controls from PARAMS, pictures, caption, Solara components, animate."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from PIL import Image

from simulation.dashboard import app, controls, drawing
from simulation.dashboard.caption import caption_html, state_line
from simulation.params import PARAMS
from simulation.scenario import load_scenario


def small_model(**overrides):
    settings = controls.load_settings("voluntary-8")
    params = {**settings.params, "teachers_per_school": 8, **overrides}
    return app.ScenarioModel(schedule=settings.interventions, seed=3, **params)


def test_trainer_controls_are_bounded_by_the_parameter_table():
    spec = controls.model_params(controls.load_settings("voluntary-8"))
    for name in controls.TRAINER_PARAMS:
        p, c = PARAMS[name], spec[name]
        if p.choices is not None:
            assert c["type"] == "Select" and tuple(c["values"]) == p.choices
        else:
            assert p.lo <= c["min"] <= c["value"] <= c["max"] <= p.hi, name
        assert c["label"]
    help_text = controls.help_html()
    assert all(controls.LABELS[n] in help_text for n in controls.TRAINER_PARAMS)


@pytest.mark.parametrize("name", controls.TRAINER_PARAMS)
def test_every_control_extreme_builds_and_steps(name):
    c = controls.control_for(name, PARAMS[name].default)
    values = c["values"] if c["type"] == "Select" else [c["min"], c["max"]]
    for value in values:
        if name == "n_schools" and value > 60:
            value = 60  # the top of the slider is checked for speed in benchmarks/dashboard.py
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


def test_pictures_render_and_change_with_steps(tmp_path):
    model = small_model()
    before = [drawing.network_figure(model), drawing.charts_figure(model), drawing.teacher_figure(model, 0)]
    for _ in range(5):
        model.step()
    after = [drawing.network_figure(model), drawing.charts_figure(model), drawing.teacher_figure(model, 0)]
    for i, (a, b) in enumerate(zip(before, after)):
        a.savefig(tmp_path / f"a{i}.png")
        b.savefig(tmp_path / f"b{i}.png")
        assert (tmp_path / f"a{i}.png").read_bytes() != (tmp_path / f"b{i}.png").read_bytes()


def test_school_links_match_the_models_school_graph():
    model = small_model(n_schools=30, hub_size=10)
    model.step()
    pairs, trust = drawing.school_links(model)
    graph = model.school_graph()
    want = {(min(a, b), max(a, b)): w for a, b, w in graph.edges(data="weight") if a != b}
    assert {tuple(p) for p in pairs.tolist()} == set(want)
    assert np.allclose(trust, [want[tuple(p)] for p in pairs.tolist()])


def _pixels(data: bytes) -> np.ndarray:
    import io

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
        model.step()
    pairs = [
        (drawing.network_image(model, selected=2), drawing.network_figure(model, selected=2)),
        (drawing.charts_image(model), drawing.charts_figure(model)),
        (drawing.teacher_image(model, 1), drawing.teacher_figure(model, 1)),
    ]
    for i, (data, fig) in enumerate(pairs):
        blitted, full = _pixels(data), _figure_pixels(fig)
        assert blitted.shape == full.shape, i
        # the same picture: only the legends over moving lines are blended instead of drawn with alpha
        assert np.abs(blitted - full).mean() < tolerance, i
        assert (np.abs(blitted - full).max(axis=2) > 60).mean() < 0.002, i


def test_persistent_frames_update_in_place_and_go_with_the_model():
    import gc
    import weakref

    model = small_model(n_schools=12)
    model.step()
    first = [drawing.network_image(model), drawing.charts_image(model), drawing.teacher_image(model, 0)]
    frames = drawing._frames[model]
    figures = [frames.network[0].fig, frames.charts[0].fig, frames.teachers[0].fig]
    assert [drawing.network_image(model), drawing.charts_image(model), drawing.teacher_image(model, 0)] == first
    model.step()
    second = [drawing.network_image(model), drawing.charts_image(model), drawing.teacher_image(model, 0)]
    assert all(a != b for a, b in zip(first, second)), "every picture changes with a step"
    assert [frames.network[0].fig, frames.charts[0].fig, frames.teachers[0].fig] == figures, "figures are reused"
    assert frames.network[0].full_draws == 1, "the network's static part is drawn once"
    drawing.network_image(model, size_by="value_added")
    assert frames.network[0].full_draws == 2, "the size toggle changes the title: redrawn"
    drawing.teacher_image(model, 1)
    assert frames.teachers[1].school == 1
    # cached per model in a WeakKeyDictionary: nothing cached may point back at the model itself
    cached = [frames, *frames.network, frames.charts[0], *frames.charts[1], *frames.teachers]
    referrers = [id(r) for r in gc.get_referrers(model)]
    assert not any(id(vars(obj)) in referrers for obj in cached)
    assert isinstance(drawing._frames, weakref.WeakKeyDictionary)
    # Mesa keeps old models alive, so the cache is bounded: a workshop's many Resets do not pile up figures
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


def _find_page():
    app.scenario_name.set("voluntary-8")
    app.last_action.set("")
    box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    return box, rc


def _images(rc):
    return [w.value for w in rc.find(ipywidgets.Image).widgets]


def test_solara_page_steps_and_updates_pictures():
    box, rc = _find_page()
    step = rc.find(v.Btn, children=["Step"])
    step.assert_single()
    images0 = _images(rc)
    assert len(images0) == 3  # network, charts, teachers
    assert all(bytes(img[:3]) == b"\xff\xd8\xff" for img in images0)  # JPEG (drawing.IMAGE_FORMAT)
    step.widget.click()
    step.widget.click()
    # Mesa's own counter: "Step: 2" on Mesa 3.3, "Time: 2.0" on Mesa 3.4+
    assert rc.find(children=["Step: 2"]).widgets or rc.find(children=["Time: 2.0"]).widgets
    images1 = _images(rc)
    assert all(a != b for a, b in zip(images0, images1))
    rc.close()


def test_solara_intervention_button_applies_to_the_model():
    box, rc = _find_page()
    button = rc.find(v.Btn, children=["School withdraws (defection shock)"])
    button.assert_single()
    button.widget.click()
    shown = " ".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)
    assert "School 1 withdrew from joint work" in shown  # the model's own note, via model.events
    assert app.last_action.value.endswith("School withdraws (defection shock) applied to School 1.")
    rc.close()


def test_animate_writes_a_gif_and_refuses_bad_output(tmp_path):
    from simulation.animate import AnimationError, render

    sc = load_scenario("voluntary-8").with_overrides(params={"teachers_per_school": 8})
    out = render(sc, tmp_path / "net.gif", ticks=4, every=2, fps=5, dpi=40)
    with Image.open(out) as im:
        assert im.n_frames == 3
    with pytest.raises(AnimationError, match="must end in .gif or .mp4"):
        render(sc, tmp_path / "net.avi", ticks=2)
    with pytest.raises(AnimationError, match="--every"):
        render(sc, tmp_path / "net.gif", ticks=2, every=0)


def test_cli_knows_dashboard_and_animate(capsys):
    from simulation.cli import main

    assert main(["animate", "voluntary-8", "--out", "x.webm"]) == 2
    assert "must end in .gif or .mp4" in capsys.readouterr().err
    assert main(["dashboard", "no-such-scenario"]) == 2
    assert main(["dashboard", "--port", "70000"]) == 2
