"""Scenario schema: every shipped scenario validates, and each kind of bad input names field, value and range."""

from __future__ import annotations

import pytest

from simulation.params import DEFAULTS, PARAMS
from simulation.scenario import (Scenario, ScenarioError, load_scenario, parse_assignments, parse_scenario,
                                 read_toml, shipped_scenarios)

REQUIRED = ("isolated-8", "voluntary-8", "forced-8", "brokered-8", "network-30", "system-500",
            "coasting-condoned", "chain-links", "direct-links", "resistant-heads", "otp-capacity",
            "high-challenge-peer-support", "high-challenge-interventionist", "defection-shock")


def test_library_has_the_required_scenarios():
    shipped = shipped_scenarios()
    assert len(shipped) >= 10
    missing = [name for name in REQUIRED if name not in shipped]
    assert not missing, missing


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_shipped_scenario_validates(name):
    sc = load_scenario(name)
    assert sc.name == name, "a shipped scenario's name must equal its file name"
    assert len(sc.description.split()) >= 40, "each scenario needs a one-paragraph description"
    assert "seed 00" in sc.description.lower(), "each description cites the seed passage it rests on"
    assert set(sc.params) == set(PARAMS)
    assert load_scenario(sc.source) == sc


def test_voluntary_8_is_the_default_parameter_set():
    sc = load_scenario("voluntary-8")
    assert dict(sc.params) == DEFAULTS


def test_paired_scenarios_differ_only_where_they_should():
    def diff(a, b):
        pa, pb = load_scenario(a).params, load_scenario(b).params
        return {k for k in pa if pa[k] != pb[k]}

    assert diff("voluntary-8", "forced-8") == {"formation"}
    assert diff("chain-links", "direct-links") == {"link_policy"}
    assert diff("high-challenge-peer-support", "high-challenge-interventionist") == {"high_challenge_strategy"}


def test_resolved_toml_round_trips(tmp_path):
    sc = load_scenario("resistant-heads").with_overrides(seed=9, params={"trust_gain": 0.1 + 0.2})
    path = tmp_path / "resolved.toml"
    path.write_text(sc.to_toml("header line\nsecond line"))
    again = load_scenario(path)
    assert again == sc
    assert again.params["trust_gain"] == 0.1 + 0.2  # floats survive exactly
    assert set(read_toml(path)["params"]) == set(PARAMS)


def _error(data) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, source="x.toml")
    return str(info.value)


@pytest.mark.parametrize("data, expected", [
    ({"description": "no name"}, ["'name'", "missing"]),
    ({"name": "a", "horizn": 10}, ["'horizn'", "did you mean 'horizon'"]),
    ({"name": "a", "trust_gain": 0.1}, ["'trust_gain'", "[params]"]),
    ({"name": "a", "params": {"trust_gian": 0.1}}, ["trust_gian", "did you mean 'trust_gain'"]),
    ({"name": "a", "params": {"trust_gain": 1.5}}, ["params.trust_gain", "1.5", "out of range", "[0.0, 1.0]"]),
    ({"name": "a", "params": {"trust_gain": "0.1"}}, ["params.trust_gain", "wrong type", "a number"]),
    ({"name": "a", "params": {"n_schools": 8.5}}, ["params.n_schools", "8.5", "whole number"]),
    ({"name": "a", "params": {"n_schools": 0}}, ["params.n_schools", "out of range", "[1, 50000]"]),
    ({"name": "a", "params": {"formation": "forcd"}}, ["params.formation", "'forcd'", "'voluntary'",
                                                        "Did you mean 'forced'"]),
    ({"name": "a", "params": {"network_facilitator": 1}}, ["network_facilitator", "true or false"]),
    ({"name": "a", "params": [1, 2]}, ["params", "wrong type", "table"]),
    ({"name": "a", "horizon": 0}, ["horizon", "out of range", "[1, "]),
    ({"name": "a", "horizon": "long"}, ["horizon", "'long'", "wrong type", "an integer"]),
    ({"name": "a", "seed": -1}, ["seed", "-1", "out of range"]),
    ({"name": "a b/c"}, ["name", "'a b/c'", "letters, digits"]),
    ({"name": "a", "description": 3}, ["description", "wrong type"]),
    ({"name": "a", "interventions": {"tick": 1}}, ["interventions", "array of tables"]),
])
def test_bad_scenarios_name_field_value_and_allowed(data, expected):
    message = _error(data)
    assert message.startswith("x.toml: ")
    for text in expected:
        assert text in message, (text, message)


def test_intervention_errors():
    kind = __import__("simulation").INTERVENTIONS[0]
    ok = {"name": "a", "horizon": 50, "params": {"n_schools": 4}}
    assert parse_scenario({**ok, "interventions": [{"tick": 10, "kind": kind, "schools": [0, 3]}]}).interventions
    cases = [
        ({"tick": 51, "kind": kind, "schools": [0]}, ["interventions[1].tick", "51", "past the horizon", "[1, 50]"]),
        ({"tick": 5, "kind": "immersoin", "schools": [0]}, ["interventions[1].kind", "'immersoin'", kind]),
        ({"tick": 5, "kind": kind, "schools": [4]}, ["interventions[1].schools", "4", "[0, 3]", "4 schools"]),
        ({"tick": 5, "kind": kind, "schools": []}, ["interventions[1].schools", "empty"]),
        ({"tick": 5, "kind": kind, "schools": ["x"]}, ["interventions[1].schools", "'x'"]),
        ({"tick": 5, "kind": kind}, ["intervention 1", "'schools'"]),
        ({"tick": 5, "kind": kind, "schools": [0], "target": 1}, ["'interventions[1].target'"]),
        ({"tick": 0, "kind": kind, "schools": [0]}, ["interventions[1].tick", "out of range", "[1, "]),
    ]
    for iv, expected in cases:
        message = _error({**ok, "interventions": [iv]})
        for text in expected:
            assert text in message, (text, message)


def test_file_errors(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario(tmp_path / "nothing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "a"\nhorizon = = 3\n')
    with pytest.raises(ScenarioError, match=r"not valid TOML.*line 2, column \d+"):
        load_scenario(bad)
    with pytest.raises(ScenarioError) as info:
        load_scenario("volutnary-8")
    assert "unknown scenario 'volutnary-8'" in str(info.value)
    assert "Did you mean 'voluntary-8'" in str(info.value)
    assert "forced-8" in str(info.value)


def test_assignments():
    assert parse_assignments(["formation=forced", "trust_gain=0.05", "n_schools=10",
                              "network_facilitator=false", 'link_policy="direct"']) == {
        "formation": "forced", "trust_gain": 0.05, "n_schools": 10, "network_facilitator": False,
        "link_policy": "direct"}
    for item, text in [("trust_gain", "key=value"), ("=3", "key=value"), ("trust_gain=", "key=value"),
                       ("trust_gain=0.1.2", "does not parse"), ("trust_gian=0.1", "did you mean 'trust_gain'"),
                       ("trust_gain=7", "out of range"), ("seed=3", "--seed"), ("n_schools=many", "wrong type")]:
        with pytest.raises(ScenarioError, match=text):
            parse_assignments([item])


def test_with_overrides_revalidates():
    sc = load_scenario("voluntary-8")
    assert isinstance(sc.with_overrides(horizon=10), Scenario)
    assert sc.with_overrides(horizon=10).horizon == 10
    with pytest.raises(ScenarioError, match="out of range"):
        sc.with_overrides(params={"n_schools": -3})
