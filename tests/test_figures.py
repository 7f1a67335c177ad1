"""Figures for people: every figure kind (run, network, sweep, compare, sensitivity) is rendered and has a
plain-language title, axis labels (with units where the quantity has one) and a legend naming only what is
drawn; categorical sweep parameters are points with error bars, not lines with bands. The experiments'
figures are checked the same way in test_experiments.py (they need the shared quick run)."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import ErrorbarContainer

from simulation import CLCModel
from simulation.reporters import REPORTER_UNITS, REPORTERS, reporter_label


def _render(fig) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    assert buf.tell() > 0


def _labelled(ax) -> set[str]:
    """Labels of the artists drawn in `ax` (lines, collections, patches, error bars)."""
    artists = [*ax.lines, *ax.collections, *ax.patches, *ax.containers]
    return {a.get_label() for a in artists if not a.get_label().startswith("_")}


def assert_readable(fig) -> None:
    """A title; on every visible axes a y label and an x label (or one on an axes sharing its x axis); legends
    name only artists that are drawn; no code names outside parentheses."""
    _render(fig)
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    visible = [ax for ax in fig.axes if ax.axison]
    titles = [suptitle] + [ax.get_title() for ax in fig.axes]
    assert any(t.strip() for t in titles), "the figure has no title"
    for ax in visible:
        twins = [o for o in visible if o is not ax and o.get_position().bounds == ax.get_position().bounds]
        assert ax.get_ylabel().strip(), f"axes {ax.get_title()!r} has no y label"
        shared = [o for o in ax.get_shared_x_axes().get_siblings(ax) if o is not ax]
        assert ax.get_xlabel().strip() or any(o.get_xlabel().strip() for o in twins + shared), \
            f"axes {ax.get_title()!r} has no x label (nor does an axes sharing its x axis)"
        assert ax.get_title().strip() or suptitle.strip() or any(o.get_title().strip() for o in twins), \
            "a panel without a title under no figure title"
        legend = ax.get_legend()
        if legend is not None:
            drawn = _labelled(ax).union(*(_labelled(o) for o in twins))
            names = [t.get_text() for t in legend.get_texts()]
            assert names, "an empty legend"
            assert set(names) <= drawn, f"legend entries {set(names) - drawn} name nothing drawn"
    for text in titles + [ax.get_xlabel() for ax in visible] + [ax.get_ylabel() for ax in visible]:
        outside = re.sub(r"\([^)]*\)", "", text.split(":", 1)[-1] if text.startswith("Sweep ") else text)
        assert "_" not in outside, f"a code name where plain words belong: {text!r}"


def test_every_reporter_has_a_plain_name_and_unit():
    assert set(REPORTER_UNITS) == set(REPORTERS)
    assert reporter_label("transaction_cost") == "collaboration overhead (hours per teacher per week)"
    assert reporter_label("mean_value_added", change=True).startswith("change in value added (")
    assert reporter_label("cross_school_trust_change") == ("change in trust between teachers of different schools "
                                                           "over the run (0-1)")


@pytest.fixture(scope="module")
def run_data():
    model = CLCModel(seed=3, n_schools=6, teachers_per_school=8)
    for _ in range(40):
        model.step()
    return model.timeseries(), model.school_graph()


def test_run_figures_are_titled_and_labelled(run_data):
    from simulation.plots import FIGURES, plot_network

    ts, graph = run_data
    for name, plot in FIGURES.items():
        fig = plot(ts, "(test)")
        assert_readable(fig)
        assert "(test)" in (fig.get_suptitle() or fig.axes[0].get_title()), name
    net = plot_network(graph, "(test)")
    _render(net)
    ax = net.axes[0]
    assert ax.get_title().startswith("The school network") and "colour: stage" in ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Isolation", "Initiation", "Engagement",
                                                                   "Integration"]


def _sweep_runs(spec) -> pd.DataFrame:
    from simulation.sweep.design import plan_runs

    rng = np.random.default_rng(0)
    rows = []
    for run in plan_runs(spec):
        row = {"run_id": run.run_id, "point_id": run.point_id, "status": "ok", **run.params}
        for metric in spec.plot:
            row[metric] = float(rng.random())
        rows.append(row)
    return pd.DataFrame(rows)


def test_sweep_figures_draw_categories_as_points_and_label_units():
    from simulation.sweep import parse_sweep
    from simulation.sweep.plots import plot_parameter

    spec = parse_sweep({"name": "figure-check", "seed": 1, "replications": 3, "horizon": 5,
                        "grid": {"formation": ["voluntary", "forced", "brokered"], "hub_size": [4, 8, 12]},
                        "output": {"plot": ["mean_knowledge", "transaction_cost"]}})
    runs = _sweep_runs(spec)
    by_formation = plot_parameter(spec, runs, "formation")
    assert_readable(by_formation)
    for ax in by_formation.axes:
        assert not any(isinstance(c, PolyCollection) for c in ax.collections), "a category drawn with a band"
        assert any(isinstance(c, ErrorbarContainer) for c in ax.containers), "categories need error bars"
        assert [t.get_text() for t in ax.get_xticklabels()] == ["voluntary", "forced", "brokered"]
    assert by_formation.axes[1].get_ylabel() == "hours per teacher per week"
    assert by_formation.axes[0].get_title() == "Teachers' knowledge (mean of three areas)"
    by_size = plot_parameter(spec, runs, "hub_size")
    assert_readable(by_size)
    assert by_size.axes[0].get_xlabel() == "schools per hub (hub_size; schools)"
    assert [t.get_text() for t in by_size.axes[0].get_legend().get_texts()] == [
        "formation = brokered", "formation = forced", "formation = voluntary"]


def _replicas(level: float, n: int = 4):
    from simulation.replicate import Replica

    rng = np.random.default_rng(int(level * 100))
    out = []
    for _ in range(n):
        ts = pd.DataFrame({"tick": np.arange(10)})
        for metric in ("mean_value_added", "cross_school_trust"):
            ts[metric] = level + rng.normal(0, 0.01, 10).cumsum()
        out.append(Replica(None, ts))
    return out


def test_compare_figure_is_titled_and_labelled():
    from simulation.commands.compare import figure

    fig = figure(_replicas(0.3), _replicas(0.1), ["mean_value_added", "cross_school_trust"], "voluntary-8", "forced-8")
    assert_readable(fig)
    assert "voluntary-8 (A) against forced-8 (B)" in fig.get_suptitle()
    assert fig.axes[1].get_title() == "Trust between teachers of different schools"
    assert fig.axes[1].get_ylabel() == "level (0-1)"


@pytest.mark.parametrize("method", ["morris", "sobol"])
def test_sensitivity_figure_says_what_the_index_is(method):
    from simulation.sweep.sensitivity import RANKING, plot_indices

    key, other = RANKING[method]
    params = ["trust_gain", "rate_coaching", "quality_mean"]
    table = pd.DataFrame([{"metric": m, "parameter": p, key: v, f"{key}_conf": 0.1 * v, other: 0.5 * v,
                           f"{other}_conf": 0.05 * v}
                          for m in ("mean_knowledge", "cross_school_trust") for p, v in zip(params, (0.3, 0.2, 0.1))])
    fig = plot_indices(table, method, "Which parameters matter most")
    assert_readable(fig)
    xlabel = fig.axes[0].get_xlabel()
    if method == "morris":
        assert "full range" in xlabel and "0-1" in xlabel
        assert fig.axes[0].get_legend().get_texts()[0].get_text().startswith("mu*")
    else:
        assert "variance" in xlabel
