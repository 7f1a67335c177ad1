"""The model's public API: parameters, agents as views, reporters in range, determinism, Mesa compatibility."""

import inspect

import mesa
import networkx as nx
import numpy as np
import pytest

from simulation import (CLCModel, DEFAULTS, INTERVENTIONS, PARAMS, REPORTERS, ExternalPartner, School, Stage,
                        Teacher)

BOUNDED = ["mean_knowledge", "knowledge_teaching_learning", "knowledge_leadership", "knowledge_coaching",
           "mean_trust", "cross_school_trust", "moral_capital", "mean_attainment", "knowledge_accessed",
           "high_performing_share", "mean_permeability", "mean_commitment"]


def run(ticks=30, seed=1, **params):
    m = CLCModel(seed=seed, **params)
    for _ in range(ticks):
        m.step()
    return m


@pytest.mark.parametrize("n_schools,formation", [(5, "voluntary"), (8, "forced"), (12, "brokered"),
                                                 (30, "none"), (60, "voluntary")])
def test_200_ticks_all_reporters_present_and_in_range(n_schools, formation):
    m = run(200, seed=3, n_schools=n_schools, formation=formation, teachers_per_school=10)
    df = m.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(REPORTERS)
    assert len(df) == 201
    assert not df.isna().any().any()
    for col in BOUNDED:
        assert df[col].between(0, 1).all(), col
    stages = df[["stage_isolation", "stage_initiation", "stage_engagement", "stage_integration"]].sum(axis=1)
    assert (stages == n_schools).all()
    assert (df["transaction_cost"] >= 0).all() and (df["teaching_time_lost"] >= 0).all()
    assert df["knowledge_created"].is_monotonic_increasing


def test_same_seed_same_series_different_seed_differs():
    a = run(60, seed=11).datacollector.get_model_vars_dataframe()
    b = run(60, seed=11).datacollector.get_model_vars_dataframe()
    c = run(60, seed=12).datacollector.get_model_vars_dataframe()
    assert a.equals(b)
    assert not a.equals(c)


def test_schools_and_partners_are_mesa_agents_teachers_are_views_into_arrays():
    m = CLCModel(seed=2, n_schools=6, teachers_per_school=8)
    schools = m.agents_by_type[School]
    assert list(schools) == m.school_agents and [s.idx for s in schools] == list(range(6))
    assert len(m.agents_by_type[ExternalPartner]) == m.n_partners
    assert set(m.agents_by_type) == {School, ExternalPartner} and len(m.agents) == 6 + m.n_partners
    assert len({a.unique_id for a in m.agents}) == len(m.agents)
    assert len(m.teacher_agents) == 48 and isinstance(m.teacher_agents[0], Teacher)
    t = m.teacher_agents[9]
    assert t.school is m.school_agents[1] and t == m.school_agents[1].teachers[1]
    t.knowledge[0] = 0.123
    assert m.knowledge[9, 0] == 0.123                       # agent and array are one
    s = m.school_agents[1]
    assert len(s.teachers) == 8 and s.headteacher.role.label == "headteacher"
    assert isinstance(s.stage, Stage)
    for attr in ("permeability", "attainment", "value_added", "condoned_failure", "context", "commitment"):
        getattr(s, attr)
    for attr in ("role", "sharing_skill", "openness", "effort"):
        getattr(t, attr)
    m.step()
    assert s.permeability == m.permeability[1]


def test_stage_enum_order():
    assert [s.label for s in Stage] == ["Isolation", "Initiation", "Engagement", "Integration"]
    assert Stage.ISOLATION < Stage.INITIATION < Stage.ENGAGEMENT < Stage.INTEGRATION


@pytest.mark.parametrize("name,value", [("n_schools", 0), ("formation", "mandatory"), ("link_policy", 3),
                                        ("contact_rate", 1.5), ("staff_learning_time", float("nan")),
                                        ("network_facilitator", "yes"), ("teachers_per_school", 2.5)])
def test_invalid_parameters_name_the_parameter_value_and_range(name, value):
    with pytest.raises(ValueError) as err:
        CLCModel(**{name: value})
    msg = str(err.value)
    assert name in msg and repr(value) in msg and "expected" in msg


def test_unknown_parameter_suggests_the_closest():
    with pytest.raises(ValueError, match="did you mean 'hub_size'"):
        CLCModel(hub_sise=5)


def test_every_parameter_documented_with_default_in_range():
    for p in PARAMS.values():
        assert p.doc and p.check(p.default) == p.default
    assert {"n_schools", "teachers_per_school", "formation", "link_policy", "hub_size", "initial_moral_capital",
            "staff_learning_time", "max_coaching_share", "condoned_failure_share",
            "resistant_head_share"} <= set(DEFAULTS)


def test_batch_run_over_formations_and_seeds():
    """Mesa's batch_run works on the model on both Mesa versions (seeds: `rng=` from Mesa 3.4, a `seed`
    parameter before)."""
    grid = {"formation": ["voluntary", "forced"], "n_schools": 5, "teachers_per_school": 6}
    if "rng" in inspect.signature(mesa.batch_run).parameters:
        seeding = dict(rng=[1, 2])
    else:
        seeding = dict(iterations=1)
        grid["seed"] = [1, 2]
    results = mesa.batch_run(CLCModel, parameters=grid, max_steps=10, number_processes=1, display_progress=False,
                             **seeding)
    assert len(results) == 4                                   # the last step of each run
    finals = [r for r in results if r["Step"] == 10]
    assert {r["formation"] for r in finals} == {"voluntary", "forced"}
    by_seed = {(r["formation"], r["seed"]): r["mean_knowledge"] for r in finals}
    assert by_seed[("voluntary", 1)] != by_seed[("voluntary", 2)]


def test_school_graph_has_integer_nodes_and_names():
    m = run(10, n_schools=7)
    g = m.school_graph()
    assert sorted(g.nodes) == list(range(7))
    assert all("name" in d and "stage" in d for _, d in g.nodes(data=True))
    assert nx.is_connected(g)
    assert all(0 <= d["weight"] <= 1 for _, _, d in g.edges(data=True))
    tg = m.teacher_graph(2)
    assert sorted(tg.nodes) == list(range(m.p.teachers_per_school))


def test_school_frame_matches_arrays():
    m = run(5, n_schools=4)
    f = m.school_frame()
    assert list(f["school"]) == [0, 1, 2, 3]
    np.testing.assert_array_equal(f["attainment"], m.attainment)
    assert set(f.columns) >= {"stage", "stage_name", "permeability", "value_added", "mean_knowledge",
                              "condoned_failure", "coasting", "hub"}


def test_interventions_validate_kind_school_and_tick():
    m = CLCModel(seed=1, n_schools=4)
    with pytest.raises(ValueError, match="kind"):
        m.schedule_intervention(3, "magic", [0])
    with pytest.raises(ValueError, match="school"):
        m.schedule_intervention(3, "immersion", [9])
    with pytest.raises(ValueError, match="tick"):
        m.schedule_intervention(0, "immersion", [0])
    for kind in INTERVENTIONS:
        m.apply_intervention(kind, [1])
    m.step()
    assert len(m.events) >= len(INTERVENTIONS)


def test_collect_every_thins_the_series():
    m = run(20, collect_every=5)
    assert len(m.datacollector.get_model_vars_dataframe()) == 5


def test_a_mesa_scenario_passed_on_reset_gives_parameters():
    """Mesa 3.4+'s SolaraViz re-creates the model with `scenario=` (a Mesa Scenario: rng and fields)."""
    from types import SimpleNamespace

    m = CLCModel(seed=1, scenario=SimpleNamespace(rng=None, n_schools=5))
    assert m.n_schools == 5
    assert CLCModel(seed=1, scenario=SimpleNamespace(rng=None), n_schools=4).n_schools == 4
    with pytest.raises(ValueError, match="did you mean 'n_schools'"):
        CLCModel(seed=1, scenario=SimpleNamespace(rng=None, n_school=5))


def test_no_mesa_private_names_in_the_package():
    """Mesa is used through its public API only: no private registries, id counters or constructor bypass."""
    import re
    from pathlib import Path

    private = re.compile(r"\._agents\b|\._all_agents\b|\._agents_by_type\b|\._ids\b|object\.__new__|"
                         r"from mesa[.\w]* import _|mesa\.[\w.]*\._\w")
    root = Path(__file__).resolve().parents[1] / "simulation"
    hits = [f"{f.relative_to(root)}:{i}: {line.strip()}" for f in sorted(root.rglob("*.py"))
            for i, line in enumerate(f.read_text().splitlines(), 1) if private.search(line)]
    assert hits == []
    assert private.search("ids = mesa.Agent._ids[model]") and private.search("registry = model._agents")
