"""Sensitivity analysis: a Morris screening through the real command line ranks an inert parameter last;
the Sobol' path computes indices with confidence intervals (checked on a known function)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simulation.cli import main
from simulation.sweep import load_sweep, parse_sweep
from simulation.sweep.design import design_points, salib_sample
from simulation.sweep.sensitivity import analyse

ROOT = Path(__file__).resolve().parent.parent
QUICK = ROOT / "scenarios" / "sweeps" / "sensitivity-quick.toml"


def test_morris_ranks_a_parameter_the_model_ignores_last(tmp_path, capsys):
    # key_staff_count is used only by the appoint_key_staff intervention, never scheduled here
    out = tmp_path / "morris"
    assert main(["sensitivity", str(QUICK), "--method", "morris", "--workers", "2", "--out", str(out),
                 "--quiet", "--no-plots"]) == 0
    assert "mean_knowledge (mu_star, 95 % CI): quality_mean" in capsys.readouterr().out
    table = pd.read_csv(out / "sensitivity.csv")
    assert {"mu_star", "mu_star_conf", "mu", "sigma", "rank"} <= set(table.columns)
    part = table[table["metric"] == "mean_knowledge"].set_index("parameter")
    assert part.loc["key_staff_count", "mu_star"] == 0.0
    assert part.loc["key_staff_count", "rank"] == len(part)
    assert (part.drop(index="key_staff_count")["mu_star"] > 0).all()
    assert part["rank"].idxmin() == "quality_mean"
    for name in ("sensitivity.md", "sensitivity.png", "runs.parquet", "sweep.toml"):
        assert (out / name).is_file()
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 5 * (4 + 1) and runs["seed"].nunique() == 1     # common random numbers


def test_sobol_indices_on_a_known_function():
    data = {"name": "sobol-check", "seed": 3, "horizon": 5, "seeding": "replication",
            "sensitivity": {"method": "sobol", "n": 256, "metrics": ["mean_knowledge"],
                            "ranges": {"trust_gain": [0.0, 1.0], "trust_loss": [0.0, 1.0],
                                       "trust_decay": [0.0, 1.0]}}}
    spec = parse_sweep(data).with_sensitivity("sobol")
    X = salib_sample(spec)
    assert len(design_points(spec)) == len(X) == 256 * (3 + 2)
    y = 4 * X[:, 0] + X[:, 1] ** 2           # trust_decay has no effect
    runs = pd.DataFrame({"run_id": range(len(y)), "point_id": range(len(y)), "status": "ok", "error": "",
                         "mean_knowledge": y})
    table = analyse(spec, runs).set_index("parameter")
    assert table["rank"].to_dict() == {"trust_gain": 1, "trust_loss": 2, "trust_decay": 3}
    assert abs(table.loc["trust_decay", "ST"]) < 0.02
    assert table.loc["trust_gain", "ST"] > 0.8
    assert np.isfinite(table["ST_conf"]).all() and (table["ST_conf"] >= 0).all()


def test_shipped_sweep_files_validate():
    for path in sorted((ROOT / "scenarios" / "sweeps").glob("*.toml")):
        spec = load_sweep(path)
        if spec.sensitivity is not None:
            spec = spec.with_sensitivity()
        assert design_points(spec), path.name
