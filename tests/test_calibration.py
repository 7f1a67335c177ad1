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


def test_a_contrast_per_unit_divides_each_seed_by_the_treatments_share(tmp_path):
    block = SMALL.split("[[target]]")[2]          # the contrast target
    assert 'kind = "contrast"' in block
    path = tmp_path / "per.toml"
    path.write_text("[[target]]" + block.replace('name = "contrast"', 'name = "per"').replace(
        'kind = "contrast"', 'kind = "contrast"\nper = "coached_termly"'))
    (est,) = measure(load_targets(path), seeds=[3, 4], jobs=1)
    small = dict(n_schools=3, teachers_per_school=6)
    ratios = []
    for s in (3, 4):
        v, n = _run(s, 12, **small, formation="voluntary"), _run(s, 12, **small, formation="none")
        share = v["coached_termly"].iloc[10]
        gain = (v["mean_knowledge"].iloc[10] - v["mean_knowledge"].iloc[0]) - (
            n["mean_knowledge"].iloc[10] - n["mean_knowledge"].iloc[0])
        ratios.append(gain / share if share > 0 else np.nan)
    assert est.mean == pytest.approx(np.mean(ratios), abs=1e-12) or (np.isnan(est.mean) and np.isnan(ratios).any())
    path.write_text(path.read_text().replace('kind = "contrast"', 'kind = "level"\nsetting = {}'))
    with pytest.raises(ScenarioError, match="per"):
        load_targets(path)


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


# --- the search (`clc-sim calibrate` without --check) -----------------------------------------------------

SEARCH = """
[search]
parameters = ["contact_rate", "attainment_teaching"]
population = 4
generations = 2
replications = 1
"""


def _search_targets(tmp_path):
    """SMALL with two objectives and a tiny [search] table."""
    text = SMALL.replace('name = "level"\n', 'name = "level"\nobjective = "frequency"\n')
    for name in ("contrast", "dip", "implied"):
        text = text.replace(f'name = "{name}"\n', f'name = "{name}"\nobjective = "effects"\n')
    path = tmp_path / "targets.toml"
    path.write_text(text + SEARCH)
    return path


def _cli(*argv, timeout=240):
    return subprocess.run([sys.executable, "-m", "simulation.cli", "calibrate", *argv], capture_output=True, text=True,
                          timeout=timeout)


OUTPUTS = ("search.json", "targets.toml", "state.pkl", "points.csv", "front.csv", "diagnostics.csv", "front.png",
           "distance.png", "best.toml", "metadata.json")


def test_a_killed_search_resumes_to_the_requested_generations(tmp_path):
    import json
    import signal
    import time
    import tomllib

    import pandas as pd

    targets, out = _search_targets(tmp_path), tmp_path / "cal"
    proc = subprocess.Popen([sys.executable, "-m", "simulation.cli", "calibrate", "--targets", str(targets), "--out",
                             str(out), "--generations", "8", "--jobs", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (out / "diagnostics.csv").exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert (out / "points.csv").exists() and not (out / "metadata.json").exists()   # killed part-way
    done = set(pd.read_csv(out / "points.csv")["generation"])
    assert done and max(done) < 8
    again = _cli("--out", str(out), "--resume", "--jobs", "2", "--quiet")
    assert again.returncode == 0, again.stderr
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    points = pd.read_csv(out / "points.csv")
    assert sorted(points["generation"].value_counts().items()) == [(g, 4) for g in range(1, 9)]
    assert list(points["point"]) == list(range(len(points)))
    diag = pd.read_csv(out / "diagnostics.csv")
    assert list(diag["generation"]) == list(range(1, 9))
    assert {"best_frequency", "median_effects", "within_all"} <= set(diag.columns)
    front = pd.read_csv(out / "front.csv")
    assert len(front) >= 1 and {"model_level", "objective_effects"} <= set(front.columns)
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["generations"] == 8 and meta["resumed_from_generation"] == max(done)
    assert meta["seeds"] == [1] and meta["budget"]["points"] == 32 and meta["versions"]["pymoo"].startswith("0.6")
    best = tomllib.loads((out / "best.toml").read_text())["params"]
    assert set(best) == {"contact_rate", "attainment_teaching"}
    assert 0.1 <= best["contact_rate"] <= 0.6           # inside the plausible range
    # best.toml is usable with `clc-sim run --set`
    sets = [a for k, v in best.items() for a in ("--set", f"{k}={v}")]
    run = subprocess.run([sys.executable, "-m", "simulation.cli", "run", "voluntary-8", "--ticks", "2", "--set",
                          "n_schools=3", "--set", "teachers_per_school=6", *sets, "--out", str(tmp_path / "run"),
                          "--no-figures"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_a_search_point_is_what_check_measures_and_a_resume_is_the_same_search(tmp_path):
    import pandas as pd

    from simulation.calibration.search import make_spec, run_calibration, search_defaults

    path = _search_targets(tmp_path)
    targets, d = load_targets(path), search_defaults(path)
    spec = make_spec(targets, d["parameters"], 4, 2, 1, 5)
    run_calibration(spec, path, tmp_path / "a", workers=2, progress=False, plots=False)
    run_calibration(spec, path, tmp_path / "a", workers=2, progress=False, plots=False, resume=True,
                    requested={"generations": 3})
    straight = make_spec(targets, d["parameters"], 4, 3, 1, 5)
    run_calibration(straight, path, tmp_path / "b", workers=2, progress=False, plots=False)
    a, b = pd.read_csv(tmp_path / "a" / "points.csv"), pd.read_csv(tmp_path / "b" / "points.csv")
    pd.testing.assert_frame_equal(a, b)                  # resumed = uninterrupted, to the last digit
    row = a.iloc[-1]
    params = {"contact_rate": row["contact_rate"], "attainment_teaching": row["attainment_teaching"]}
    for e in measure(targets, params, seeds=[5], jobs=1):
        assert row[f"model_{e.target.name}"] == pytest.approx(e.mean, abs=1e-12)


@pytest.mark.parametrize("argv, flag", [
    (["--population", "2"], "--population"), (["--generations", "0"], "--generations"),
    (["--replications", "0"], "--replications"), (["--jobs", "0"], "--jobs"), (["--seed", "-1"], "--seed"),
    (["--resume"], "--resume"), (["--out", ""], "--out"), (["--check", "--population", "8"], "--population"),
    (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    (["--set", "contact_rate=0.2"], "--set")])
def test_a_bad_search_flag_is_refused_naming_it(tmp_path, capsys, monkeypatch, argv, flag):
    from simulation.cli import main

    monkeypatch.chdir(tmp_path)         # the default folder would be results/calibration/<timestamp> here
    status = main(["calibrate", "--targets", str(_search_targets(tmp_path)), *argv, "--quiet"])
    err = capsys.readouterr().err
    assert status == 2 and flag in err and "Traceback" not in err and err.count("\n") <= 4, err
    assert not (tmp_path / "results").exists()
