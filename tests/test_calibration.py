"""Calibration targets: the shipped file loads, bad files are refused naming the field, and the model's value
for each kind of target is computed from the runs it names."""

import subprocess
import sys

import numpy as np
import pytest

from simulation import CLCModel
from simulation.calibration import load_targets, measure
from simulation.outcomes import teacher_effect_sd
from simulation.params import DEFAULT_PARAMS
from simulation.validation import ScenarioError

SMALL = """
[[target]]
name = "level"
what = "colleagues monthly"
kind = "level"
reporter = "colleague_practice_monthly"
horizon = 12
setting = { n_schools = 3, teachers_per_school = 6 }
value = 0.5
tolerance = 0.5
unit = "share"
source = "test"
evidence = "U"

[[target]]
name = "contrast"
what = "voluntary minus isolated"
kind = "contrast"
reporter = "mean_knowledge"
statistic = "gain"
horizon = 10
treatment = { n_schools = 3, teachers_per_school = 6, formation = "voluntary" }
control = { n_schools = 3, teachers_per_school = 6, formation = "none" }
value = 0.0
tolerance = 1.0
unit = "knowledge"
source = "test"
evidence = "U"

[[target]]
name = "dip"
what = "lowest change"
kind = "dip"
reporter = "mean_value_added"
horizon = 8
setting = { n_schools = 3, teachers_per_school = 6 }
value = 0.0
tolerance = 1.0
unit = "attainment"
source = "test"
evidence = "U"

[[target]]
name = "implied"
what = "teacher effect"
kind = "implied"
reporter = "teacher_effect_sd"
horizon = 0
value = 0.25
tolerance = 0.1
unit = "pupil SD"
source = "test"
evidence = "V"
"""


def test_shipped_targets_load_with_sources():
    targets = load_targets()
    assert len(targets) >= 8 and all(t.source and t.evidence in "VSU" for t in targets)
    assert {"network_effect_5y", "teacher_effect", "observe_colleagues_monthly"} <= {t.name for t in targets}


def _run(seed, horizon, **params):
    m = CLCModel(seed=seed, **params)
    for _ in range(horizon):
        m.step()
    return m.timeseries()


def test_each_kind_of_target_is_computed_from_the_runs_it_names(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(SMALL)
    est = {e.target.name: e for e in measure(load_targets(path), seeds=[3, 4], jobs=1)}
    small = dict(n_schools=3, teachers_per_school=6)
    level = [_run(s, 12, **small)["colleague_practice_monthly"].iloc[-1] for s in (3, 4)]
    assert est["level"].mean == pytest.approx(np.mean(level), abs=1e-12)
    gain = [(lambda v, n: (v.iloc[10] - v.iloc[0]) - (n.iloc[10] - n.iloc[0]))(
        _run(s, 12, **small, formation="voluntary")["mean_knowledge"],
        _run(s, 12, **small, formation="none")["mean_knowledge"]) for s in (3, 4)]
    assert est["contrast"].mean == pytest.approx(np.mean(gain), abs=1e-12)   # read at tick 10 of a longer run
    va = [_run(s, 12, **small)["mean_value_added"].to_numpy() for s in (3, 4)]
    assert est["dip"].mean == pytest.approx(np.mean([(v[1:9] - v[0]).min() for v in va]), abs=1e-12)
    assert est["implied"].mean == pytest.approx(teacher_effect_sd(DEFAULT_PARAMS))
    assert est["level"].ci_low <= est["level"].mean <= est["level"].ci_high and est["level"].n == 2


@pytest.mark.parametrize("change, field", [
    ('kind = "level"', "kind"), ('reporter = "colleague_practice_monthly"', "reporter"),
    ('tolerance = 0.5', "tolerance"), ('horizon = 12', "horizon"), ("n_schools = 3,", "setting.n_schools")])
def test_a_bad_targets_file_names_the_field(tmp_path, change, field):
    bad = {"kind": 'kind = "levels"', "reporter": 'reporter = "no_such"', "tolerance": "tolerance = 0",
           "horizon": "horizon = -1", "setting.n_schools": "n_schools = 0,"}[field]
    path = tmp_path / "t.toml"
    path.write_text(SMALL.replace(change, bad, 1))
    with pytest.raises(ScenarioError) as err:
        load_targets(path)
    assert field in str(err.value)


def test_check_prints_every_target_and_exits_0(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(SMALL)
    out = subprocess.run([sys.executable, "-m", "simulation.cli", "calibrate", "--check", "--targets", str(path),
                          "-n", "2", "--jobs", "1", "--quiet"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    for name in ("level", "contrast", "dip", "implied"):
        assert name in out.stdout
    assert "of 4 targets within tolerance" in out.stdout and "Traceback" not in out.stderr
    bad = subprocess.run([sys.executable, "-m", "simulation.cli", "calibrate", "--check", "-n", "1"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--replications" in bad.stderr and "Traceback" not in bad.stderr
