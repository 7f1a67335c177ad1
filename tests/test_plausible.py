"""Plausible ranges: every numeric parameter has one (or a stated reason not to), sweeps and sensitivity
analysis sample them by default, and inside them the model is not degenerate (DESIGN.md, "The science
standard": runs move, trust does not collapse everywhere, attainment is not pinned at its bounds)."""

from __future__ import annotations

import json
import time
import tomllib

import numpy as np
import pytest
from scipy.stats import qmc

from simulation.cli import main
from simulation.model import CLCModel
from simulation.params import DEFAULTS, NO_PLAUSIBLE, PARAMS, RANGE_SOURCES
from simulation.sweep import parse_sweep
from simulation.sweep.spec import SweepError

NUMERIC = [n for n, p in PARAMS.items() if p.choices is None and p.kind is not bool]


# --------------------------------------------------------------------------------------- the table

def test_every_numeric_parameter_has_a_plausible_range_or_a_stated_exemption():
    missing = [n for n in NUMERIC if PARAMS[n].plausible is None and n not in NO_PLAUSIBLE]
    assert not missing, f"numeric parameters without a plausible range or an exemption: {missing}"
    for name, reason in NO_PLAUSIBLE.items():
        assert name in PARAMS and PARAMS[name].plausible is None, name
        assert len(reason.split()) >= 5, f"{name}: the exemption needs a reason"
    assert set(NO_PLAUSIBLE) == {"collect_every"}


@pytest.mark.parametrize("name", [n for n in NUMERIC if PARAMS[n].plausible is not None])
def test_plausible_range_lies_inside_the_allowed_range_around_the_default(name):
    p = PARAMS[name]
    lo, hi = p.plausible
    assert p.lo <= lo < hi <= p.hi, f"{name}: plausible [{lo}, {hi}] is not inside allowed [{p.lo}, {p.hi}]"
    assert lo <= p.default <= hi, f"{name}: the default {p.default} is outside plausible [{lo}, {hi}]"
    if p.kind is int:
        assert isinstance(lo, int) and isinstance(hi, int), f"{name}: an integer parameter needs integer bounds"
    assert p.why.strip(), f"{name}: the plausible range needs a one-line reason"
    assert "\n" not in p.why


def test_choice_and_switch_parameters_have_no_plausible_range():
    for n, p in PARAMS.items():
        if n not in NUMERIC:
            assert p.plausible is None, n


def test_sampling_range_is_plausible_by_default_and_allowed_on_request():
    p = PARAMS["between_school_share"]
    assert p.sampling_range() == p.plausible == (0.1, 0.4)
    assert p.sampling_range("allowed") == (p.lo, p.hi)
    assert PARAMS["collect_every"].sampling_range() == (1, 1000)      # exempt: the allowed range
    with pytest.raises(ValueError):
        p.sampling_range("wide")
    with pytest.raises(ValueError):
        PARAMS["formation"].sampling_range()
    assert RANGE_SOURCES == ("plausible", "allowed")


# --------------------------------------------------------------------------------------- sweeps

def _sweep(ranges_table, section: str = "sample", **kw) -> dict:
    body = {"method": "lhs", "n": 4} if section == "sample" else {"method": "morris", "n": 2}
    return {"name": "plaus", "scenario": {"name": "b", "horizon": 5, "params": {"n_schools": 4,
                                                                            "teachers_per_school": 4}},
            section: {**body, "ranges": ranges_table}, **kw}


def test_a_parameter_named_without_bounds_samples_its_plausible_range_by_default():
    spec = parse_sweep(_sweep(["trust_gain", "hub_size", "formation"]))
    r = spec.sample.ranges
    assert (r["trust_gain"].lo, r["trust_gain"].hi) == PARAMS["trust_gain"].plausible
    assert (r["hub_size"].lo, r["hub_size"].hi) == PARAMS["hub_size"].plausible
    assert isinstance(r["hub_size"].lo, int)
    assert r["formation"].choices == PARAMS["formation"].choices
    assert spec.range_source == "plausible"
    assert spec.sampled_ranges()["trust_gain"] == {"range": list(PARAMS["trust_gain"].plausible), "from": "plausible"}


def test_ranges_allowed_overrides_and_explicit_ranges_still_win():
    data = _sweep({"trust_loss": [0.1, 0.2], "moral_gain": "plausible", "moral_loss": "allowed"})
    spec = parse_sweep(data, ranges="allowed")
    r = spec.sample.ranges
    assert (r["trust_loss"].lo, r["trust_loss"].hi) == (0.1, 0.2) and r["trust_loss"].source == "file"
    assert (r["moral_gain"].lo, r["moral_gain"].hi) == PARAMS["moral_gain"].plausible
    assert (r["moral_loss"].lo, r["moral_loss"].hi) == (0.0, 1.0)
    names = parse_sweep(_sweep(["trust_gain", "collect_every"]), ranges="allowed").sample.ranges
    assert (names["trust_gain"].lo, names["trust_gain"].hi) == (0.0, 1.0)
    assert parse_sweep(_sweep(["collect_every"])).sample.ranges["collect_every"].source == "allowed"


def test_sensitivity_names_only_uses_plausible_ranges_and_refuses_bad_entries():
    spec = parse_sweep(_sweep(["rate_coaching", "trust_gain"], section="sensitivity"))
    assert spec.sensitivity.ranges["rate_coaching"].lo == PARAMS["rate_coaching"].plausible[0]
    with pytest.raises(SweepError, match="numeric"):
        parse_sweep(_sweep(["rate_coaching", "formation"], section="sensitivity"))
    with pytest.raises(SweepError, match="listed twice"):
        parse_sweep(_sweep(["trust_gain", "trust_gain"]))
    with pytest.raises(SweepError, match="not an allowed choice"):
        parse_sweep(_sweep({"trust_gain": "wide"}))
    with pytest.raises(SweepError, match="out of range"):      # an explicit range outside the allowed range
        parse_sweep(_sweep({"trust_gain": [0.1, 2.0]}))
    with pytest.raises(SweepError, match="--ranges"):
        parse_sweep(_sweep(["trust_gain"]), ranges="wide")


def test_the_resolved_ranges_round_trip_and_are_recorded_in_metadata(tmp_path, capsys):
    spec = parse_sweep(_sweep(["trust_gain", "moral_gain"]))
    again = parse_sweep(tomllib.loads(spec.to_toml()))
    assert again.identity() == spec.identity()
    path = tmp_path / "s.toml"
    path.write_text('name = "plaus"\nreplications = 1\n[scenario]\nname = "b"\nhorizon = 3\n'
                    '[scenario.params]\nn_schools = 3\nteachers_per_school = 4\n'
                    '[sample]\nn = 2\nranges = ["trust_gain", "moral_gain"]\n')
    for how in ("plausible", "allowed"):
        out = tmp_path / how
        assert main(["sweep", str(path), "--workers", "1", "--quiet", "--no-plots", "--out", str(out),
                     "--ranges", how]) == 0
        meta = json.loads((out / "metadata.json").read_text())
        assert meta["ranges"] == how
        want = PARAMS["trust_gain"].plausible if how == "plausible" else (0.0, 1.0)
        assert meta["sampled_ranges"]["trust_gain"] == {"range": list(want), "from": how}
    capsys.readouterr()
    # resuming a plausible-range sweep with --ranges allowed would sample another box: refused
    assert main(["sweep", str(path), "--workers", "1", "--quiet", "--no-plots", "--out", str(tmp_path / "plausible"),
                 "--resume", "--ranges", "allowed"]) == 2
    assert "different sweep" in " ".join(capsys.readouterr().err.split())


# --------------------------------------------------------------------------------------- not degenerate

#: structure fixed small, so that 50 runs take seconds; everything else with a plausible range varies together
FIXED = {"n_schools": 8, "formation": "voluntary", "teachers_per_school": 12}
TICKS = 195            # five school years
N_VECTORS = 50
SEED = 20261201


def plausible_vectors(n: int = N_VECTORS, seed: int = SEED) -> list[dict]:
    """`n` parameter vectors from a Latin hypercube over every plausible range (structure fixed)."""
    names = [k for k in NUMERIC if PARAMS[k].plausible is not None and k not in FIXED]
    u = qmc.LatinHypercube(d=len(names), seed=seed).random(n)
    out = []
    for row in u:
        point = {}
        for name, v in zip(names, row):
            p = PARAMS[name]
            lo, hi = p.plausible
            point[name] = (int(lo + min(int(v * (hi - lo + 1)), hi - lo)) if p.kind is int
                           else float(lo + v * (hi - lo)))
        out.append(point)
    return out


def test_the_model_is_not_degenerate_inside_the_plausible_ranges():
    t0 = time.perf_counter()
    results = []
    for i, point in enumerate(plausible_vectors()):
        m = CLCModel(seed=i, **FIXED, **point)
        k0 = m.metrics["mean_knowledge"]
        for _ in range(TICKS):
            m.step()
        pinned = float(np.mean((m.attainment <= 0.0) | (m.attainment >= 1.0)))
        results.append({"run": i, "knowledge_change": m.metrics["mean_knowledge"] - k0,
                        "cross_school_trust": m.metrics["cross_school_trust"], "pinned": pinned})
    moved = [r for r in results if abs(r["knowledge_change"]) > 0.005]
    trusting = [r for r in results if r["cross_school_trust"] > 0.05]
    pinned = [r for r in results if r["pinned"] >= 0.25]
    vectors = plausible_vectors()
    report = "\n".join(f"run {r['run']}: {r} {vectors[r['run']]}" for r in results
                       if abs(r["knowledge_change"]) <= 0.005 or r["cross_school_trust"] <= 0.05
                       or r["pinned"] >= 0.25)
    print(f"{len(moved)} moved, {len(trusting)} kept trust, {len(pinned)} pinned, "
          f"{time.perf_counter() - t0:.1f} s")
    assert len(moved) >= 45, f"only {len(moved)} of {N_VECTORS} runs moved:\n{report}"
    assert len(trusting) >= 40, f"trust collapsed in {N_VECTORS - len(trusting)} of {N_VECTORS} runs:\n{report}"
    assert not pinned, f"{len(pinned)} runs with a quarter or more of schools at attainment 0 or 1:\n{report}"


def test_the_defaults_are_one_of_the_plausible_vectors():
    """The default vector itself lies in the box the test samples."""
    for name in NUMERIC:
        p = PARAMS[name]
        if p.plausible is not None:
            assert p.plausible[0] <= DEFAULTS[name] <= p.plausible[1]
