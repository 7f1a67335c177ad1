"""Hubs visible and explicit: the structure the model builds is said in words by validate, run and the run
summary; a default hub_size that splits "a network of 30" gets a note; network.png groups schools by hub."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from simulation.cli import main
from simulation.hubs import describe, describe_sizes, hub_notes, hub_of, hub_sizes, sweep_hub_notes
from simulation.scenario import load_scenario, parse_scenario

N30 = 'name = "n30"\nhorizon = 3\n\n[params]\nn_schools = 30\nteachers_per_school = 4\n'


@pytest.mark.parametrize("n, size, words", [
    (30, 12, "30 schools in 3 hubs of 10"), (25, 12, "25 schools in 3 hubs of 8 or 9"), (8, 12, "8 schools in one hub"),
    (12, 12, "12 schools in one hub"), (13, 12, "13 schools in 2 hubs of 6 or 7"), (1, 2, "1 school in one hub"),
    (24000, 10, "24000 schools in 2400 hubs of 10"),
])
def test_the_structure_in_words_is_the_one_the_model_builds(n, size, words):
    assert describe_sizes(hub_sizes(n, size)) == words
    sizes = hub_sizes(n, size)
    assert len(sizes) == math.ceil(n / size) and max(sizes) - min(sizes) <= 1 and sum(sizes) == n


def test_hub_of_is_the_models_own_assignment():
    from simulation import CLCModel

    for n, size, formation in ((30, 12, "voluntary"), (25, 12, "forced"), (9, 4, "brokered")):
        model = CLCModel(seed=3, n_schools=n, hub_size=size, formation=formation, teachers_per_school=4)
        assert np.array_equal(np.asarray(model.hub), hub_of(n, size))
    assert describe({"n_schools": 8, "hub_size": 12, "formation": "none"}).startswith("8 isolated schools")


def test_validate_states_hubs_and_notes_a_default_hub_size_that_splits_the_schools(tmp_path, capsys):
    path = tmp_path / "n30.toml"
    path.write_text(N30)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "OK n30: 30 schools in 3 hubs of 10, formation voluntary" in out
    assert "note: n_schools = 30 is more than hub_size = 12 (the default" in out
    assert "Set hub_size = 30 for one network" in " ".join(out.split())
    # an explicit hub_size says what the analyst wants: no note; the shipped network-30 is one hub
    path.write_text(N30 + "hub_size = 12\n")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "30 schools in 3 hubs of 10" in out and "note:" not in out
    assert main(["validate", "network-30", "system-500"]) == 0
    out = capsys.readouterr().out
    assert "30 schools in one hub" in out and "500 schools in 50 hubs of 10" in out and "note:" not in out


def test_notes_follow_the_scenario_not_the_numbers_alone():
    assert hub_notes(parse_scenario({"name": "a", "params": {"n_schools": 30}}))
    assert not hub_notes(parse_scenario({"name": "a", "params": {"n_schools": 30, "hub_size": 12}}))
    assert not hub_notes(parse_scenario({"name": "a", "params": {"n_schools": 30, "formation": "none"}}))
    assert not hub_notes(parse_scenario({"name": "a", "params": {"n_schools": 12}}))
    assert not hub_notes(load_scenario("voluntary-8").with_overrides(params={"n_schools": 30, "hub_size": 30}))


def test_run_prints_the_note_first_and_the_summary_and_metadata_state_the_hubs(tmp_path, capsys):
    path = tmp_path / "n30.toml"
    path.write_text(N30)
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--no-figures"]) == 0
    captured = capsys.readouterr()
    assert "clc-sim run: note: n_schools = 30 is more than hub_size = 12" in captured.err
    assert "n30: 30 schools in 3 hubs of 10, formation voluntary, seed 0, 3 ticks" in captured.out
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["hubs"] == {"hubs": 3, "smallest_hub": 10, "largest_hub": 10, "hub_size": 12,
                            "description": "30 schools in 3 hubs of 10"}
    assert meta["notes"]["hubs"].startswith("note: n_schools = 30")


def test_a_sweep_that_grows_past_a_default_hub_size_is_noted():
    from simulation.sweep import parse_sweep

    base = {"name": "s", "scenario": {"name": "b", "horizon": 3, "params": {"teachers_per_school": 4}}}
    assert "up to n_schools = 30" in sweep_hub_notes(parse_sweep({**base, "grid": {"n_schools": [8, 30]}}))[0]
    assert not sweep_hub_notes(parse_sweep({**base, "grid": {"n_schools": [8, 30], "hub_size": [12, 30]}}))
    assert not sweep_hub_notes(parse_sweep({**base, "params": {"hub_size": 40}, "grid": {"n_schools": [8, 30]}}))


def _graph(n: int, size: int):
    from simulation import CLCModel

    return CLCModel(seed=2, n_schools=n, hub_size=size, teachers_per_school=4).school_graph()


@pytest.mark.parametrize("n, size", [(30, 12), (24, 8), (90, 10)])
def test_network_figure_puts_each_hubs_schools_together_in_its_own_circle(n, size):
    from matplotlib.patches import Circle

    from simulation.plots import HUB_RADIUS, hub_centres, hub_members, network_layout, plot_network

    graph = _graph(n, size)
    pos = network_layout(graph, seed=0)
    hubs = hub_members(graph)
    centres = hub_centres(pos, hubs)
    for hub, members in hubs.items():
        cx, cy = centres[hub]
        assert all(math.dist(pos[v], (cx, cy)) <= HUB_RADIUS * 1.15 for v in members)
    # hubs do not overlap: centres further apart than two circles
    points = list(centres.values())
    assert min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1:]) > 2 * HUB_RADIUS * 1.15
    fig = plot_network(graph, "(test)")
    ax = fig.axes[0]
    assert sum(isinstance(p, Circle) for p in ax.patches) == len(hubs)
    assert ax.get_legend().get_title().get_text().startswith(describe_sizes(hub_sizes(n, size)))
    labels = [t.get_text() for t in ax.texts if t.get_text().startswith("hub ")]
    assert labels == ([f"hub {i + 1} ({len(m)} schools)" for i, m in enumerate(hubs.values())] if len(hubs) <= 12
                      else [])


def test_a_single_hub_is_drawn_without_circles():
    from matplotlib.patches import Circle

    from simulation.plots import plot_network

    ax = plot_network(_graph(8, 12)).axes[0]
    assert not any(isinstance(p, Circle) for p in ax.patches)
    assert ax.get_legend().get_title().get_text() == "8 schools in one hub"
