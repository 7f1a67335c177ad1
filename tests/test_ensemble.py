"""The calibrated ensemble: the shipped file, acceptance, and `--ensemble` on run, compare and experiments."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from simulation.calibration import ensemble as ens
from simulation.cli import main
from simulation.params import PARAMS


def test_the_shipped_ensemble_has_at_least_100_members_inside_their_plausible_ranges():
    members = ens.load_ensemble()
    assert len(members) >= 100
    names = set(members[0])
    assert names and all(set(m) == names for m in members)
    for m in members:
        for k, v in m.items():
            lo, hi = PARAMS[k].plausible
            assert lo - 1e-9 <= v <= hi + 1e-9, (k, v)
            assert isinstance(v, PARAMS[k].kind)
    assert len({tuple(sorted(m.items())) for m in members}) == len(members), "members are distinct"
    assert ens.load_ensemble(5) == members[:5]


def test_the_shipped_file_records_its_acceptance_and_held_out_check():
    table = ens.load_table()
    assert (table["member"] == np.arange(1, len(table) + 1)).all()
    for col in ("search_worst_objective", "held_out_worst_objective", "held_out_targets_within"):
        assert col in table.columns and table[col].notna().all()
    # accepted by the search's worst objective, shuffled: the file is not sorted by it
    assert not table["search_worst_objective"].is_monotonic_increasing


@pytest.mark.parametrize("n", [0, -1, 10**6, True])
def test_a_bad_ensemble_size_names_the_value_and_what_is_allowed(n):
    with pytest.raises(ens.EnsembleError, match=r"expected a number of members from 1 to \d+"):
        ens.load_ensemble(n)


def test_select_accepts_the_points_with_the_smallest_worst_objective_distinct_and_ok():
    pts = pd.DataFrame({"a": [1.0, 1.0, 2.0, 3.0, 4.0], "objective_x": [0.1, 0.1, 0.5, 0.2, 0.05],
                        "objective_y": [0.3, 0.3, 0.1, 0.25, 9.0], "mean_distance": [0.2, 0.2, 0.3, 0.22, 4.5],
                        "status": ["ok", "ok", "ok", "ok", "failed"]})
    chosen, threshold = ens.select(pts, ["a"], ["x", "y"], 2)
    assert list(chosen["a"]) == [3.0, 1.0] and threshold == pytest.approx(0.3)
    with pytest.raises(ens.EnsembleError, match="at least 4"):
        ens.select(pts, ["a"], ["x", "y"], 4)


def test_a_member_replaces_defaults_but_not_what_the_scenario_states():
    from simulation.scenario import load_scenario

    sc = load_scenario("voluntary-8").with_overrides(params={"contact_rate": 0.5})
    out = ens.apply(sc, {"contact_rate": 0.02, "rate_coaching": 0.123})
    assert out.params["contact_rate"] == 0.5 and out.params["rate_coaching"] == 0.123


def test_summary_range_is_median_and_central_90_percent():
    r = ens.summary_range(np.arange(101.0))
    assert r == {"median": 50.0, "p5": 5.0, "p95": 95.0}


def test_run_with_ensemble_writes_members_spread_and_metadata_last(tmp_path, capsys):
    out = tmp_path / "ens"
    assert main(["run", "voluntary-8", "--ensemble", "3", "--ticks", "6", "--out", str(out), "--quiet",
                 "--no-figures"]) == 0
    members = pd.read_csv(out / "members.csv")
    assert list(members["member"]) == [1, 2, 3]
    first = ens.load_ensemble(3)
    assert members["contact_rate"].tolist() == pytest.approx([m["contact_rate"] for m in first])
    assert members["end_mean_knowledge"].nunique() == 3, "different members, different runs"
    assert "over 3 members" in (out / "ensemble.md").read_text()
    assert json.loads((out / "metadata.json").read_text())["ensemble_members"] == 3


def test_run_with_too_large_an_ensemble_is_refused_before_running(tmp_path, capsys):
    assert main(["run", "voluntary-8", "--ensemble", "100000", "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--ensemble 100000 is not allowed" in err and "Traceback" not in err
    assert not (tmp_path / "x" / "metadata.json").exists()


def test_compare_with_ensemble_reports_per_member_rows_and_shares(tmp_path):
    out = tmp_path / "cmp"
    assert main(["compare", "voluntary-8", "forced-8", "--ensemble", "2", "-n", "2", "--ticks", "6",
                 "--metric", "value_added_sd", "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    table = pd.read_csv(out / "compare.csv")
    assert sorted(table["member"].unique()) == [1, 2] and set(table["metric"]) == {"value_added_sd"}
    md = (out / "compare.md").read_text()
    assert "over the calibrated ensemble" in md and "A > B in" in md


def test_experiments_over_the_ensemble_report_the_share_of_members_holding(tmp_path):
    from experiments.common import Context
    from experiments.ensemble import run_ensemble, shares

    ctx = Context.make(quick=True, replications=2, seed=1, jobs=1)
    frame = run_ensemble(ctx, ens.load_ensemble(2), tmp_path, ["trust_outcome"])
    assert list(frame["member"]) == [1, 2] and frame["effect"].notna().all()
    table = shares(frame)
    row = table.iloc[0]
    assert row["members"] == 2 and 0 <= row["share_ci95_low"] <= row["share"] <= row["share_ci95_high"] <= 1
    assert (tmp_path / "ensemble" / "members.csv").exists() and (tmp_path / "ensemble" / "table.md").exists()


def test_wilson_interval_matches_its_formula():
    from experiments.ensemble import wilson

    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0
