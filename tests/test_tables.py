"""Tables an analyst opens in a spreadsheet: every run-folder table as CSV beside its Parquet, and every sweep
writes summary.csv (one row per design point: mean, SD, 95 % CI and n of each kept reporter at the end and
for its gain) and runs.csv, which read back to the same numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation.cli import main
from simulation.sweep import load_sweep, run_sweep
from simulation.sweep.tables import STATISTICS, summary_columns

TINY = 'name = "tiny"\nhorizon = 8\nseed = 3\n\n[params]\nn_schools = 5\nteachers_per_school = 4\n'
# school 4 exists only with five schools: the n_schools = 4 points fail (a design point with no finished run)
SWEEP = """
name = "tables"
seed = 4
replications = 3
batch = 2

[scenario]
name = "tables-base"
horizon = 8

[scenario.params]
n_schools = 5
teachers_per_school = 4

[[scenario.interventions]]
tick = 4
kind = "immersion"
schools = [4]

[grid]
formation = ["voluntary", "forced"]
n_schools = [5, 4]

[output]
metrics = ["mean_knowledge", "cross_school_trust", "stage_engagement"]
every = 4
"""


def test_every_run_folder_table_has_a_csv_beside_its_parquet(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-figures"]) == 0
    for table in ("timeseries", "schools"):
        parquet = pd.read_parquet(out / f"{table}.parquet")
        csv = pd.read_csv(out / f"{table}.csv")
        assert list(csv.columns) == list(parquet.columns) and len(csv) == len(parquet) > 0
        pd.testing.assert_frame_equal(csv, parquet.reset_index(drop=True), check_dtype=False, check_exact=False,
                                      rtol=1e-12)
    meta = json.loads((out / "metadata.json").read_text())
    assert {"timeseries.csv", "schools.csv", "timeseries.parquet", "schools.parquet"} <= set(meta["files"])


def test_a_school_table_too_long_for_a_spreadsheet_is_parquet_only_and_says_so(tmp_path, monkeypatch):
    import simulation.results as results

    monkeypatch.setattr(results, "SPREADSHEET_ROWS", 10)
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-figures"]) == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert not (out / "schools.csv").exists() and "schools.csv" not in meta["files"]
    assert "more than a spreadsheet opens" in meta["notes"]["schools.csv"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    path = folder / "tables.toml"
    path.write_text(SWEEP)
    spec = load_sweep(path)
    return spec, run_sweep(spec, folder / "out", workers=1, progress=False, plots=False)


def test_summary_has_one_row_per_design_point_with_every_statistic(sweep):
    spec, outcome = sweep
    summary = pd.read_csv(outcome.out_dir / "summary.csv")
    design = pd.read_parquet(outcome.out_dir / "design.parquet")
    assert list(summary["point_id"]) == list(design["point_id"]) == [0, 1, 2, 3]
    pd.testing.assert_frame_equal(summary[["formation", "n_schools"]], design[["formation", "n_schools"]])
    assert list(summary["runs_planned"]) == [3] * 4
    assert list(summary["runs_ok"]) == [3, 0, 3, 0] and list(summary["runs_failed"]) == [0, 3, 0, 3]
    for metric in spec.metrics:
        assert set(summary_columns(metric)) <= set(summary.columns)
    assert len(STATISTICS) == 5 and summary.shape[1] == 6 + 10 * len(spec.metrics)
    # the points whose runs all failed keep their row, with n = 0 and empty cells
    failed = summary[summary["runs_ok"] == 0]
    assert (failed["mean_knowledge_end_n"] == 0).all() and failed["mean_knowledge_end_mean"].isna().all()


@pytest.mark.parametrize("metric", ["mean_knowledge", "cross_school_trust", "stage_engagement"])
def test_summary_statistics_are_those_of_the_runs(sweep, metric):
    spec, outcome = sweep
    summary = pd.read_csv(outcome.out_dir / "summary.csv").set_index("point_id")
    runs = outcome.runs[outcome.runs["status"] == "ok"]
    for point, group in runs.groupby("point_id"):
        for measure, column in (("end", metric), ("gain", f"{metric}_change")):
            x = group[column].to_numpy(float)
            half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
            row = summary.loc[point]
            assert row[f"{metric}_{measure}_n"] == len(x) == 3
            assert row[f"{metric}_{measure}_mean"] == pytest.approx(x.mean(), rel=1e-12, abs=1e-15)
            assert row[f"{metric}_{measure}_sd"] == pytest.approx(x.std(ddof=1), rel=1e-9, abs=1e-15)
            assert row[f"{metric}_{measure}_ci95_low"] == pytest.approx(x.mean() - half, rel=1e-9, abs=1e-15)
            assert row[f"{metric}_{measure}_ci95_high"] == pytest.approx(x.mean() + half, rel=1e-9, abs=1e-15)
    # gain is the end minus tick 0, from the time series
    ts = outcome.timeseries
    first = ts[ts["tick"] == 0].set_index("run_id")[metric]
    last = ts[ts["tick"] == 8].set_index("run_id")[metric]
    np.testing.assert_allclose(runs.set_index("run_id")[f"{metric}_change"], (last - first).loc[runs["run_id"]])


def test_runs_csv_and_design_csv_read_back_to_the_parquet_tables(sweep):
    spec, outcome = sweep
    runs_csv = pd.read_csv(outcome.out_dir / "runs.csv", keep_default_na=False, na_values=[""])
    parquet = pd.read_parquet(outcome.out_dir / "runs.parquet").drop(columns=["traceback"])
    assert list(runs_csv.columns) == list(parquet.columns) and "traceback" not in runs_csv.columns
    parquet["error"] = parquet["error"].replace("", np.nan)
    pd.testing.assert_frame_equal(runs_csv, parquet, check_dtype=False)
    pd.testing.assert_frame_equal(pd.read_csv(outcome.out_dir / "design.csv"),
                                  pd.read_parquet(outcome.out_dir / "design.parquet"), check_dtype=False)
    meta = json.loads((outcome.out_dir / "metadata.json").read_text())
    assert {"runs.csv", "summary.csv", "design.csv"} <= set(meta["files"])


def test_the_sweep_command_names_the_spreadsheet_tables(tmp_path, capsys):
    path = tmp_path / "tables.toml"
    path.write_text(SWEEP.replace("replications = 3", "replications = 2"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--workers", "1", "--quiet", "--no-plots"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "summary.csv (one row per design point" in out and "runs.csv (one row per run)" in out
