"""Sweeps: the same results whatever the worker count, batching or scheduler; kill and resume; failing
runs recorded; bad sweep files rejected with clear errors. Tiny models (4-6 schools of 6, 20 ticks)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli import main
from simulation.sweep import load_sweep, parse_sweep, run_sweep
from simulation.sweep.design import derive_seed, design_points, plan_runs

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
ENV.pop("CLC_DEBUG", None)

# School 5 exists only when n_schools = 6: the n_schools = 4 runs raise (a failing combination).
TINY = """
name = "tiny"
seed = 5
replications = 3
batch = 1

[scenario]
name = "tiny-base"
horizon = 20
seed = 1

[scenario.params]
n_schools = 6
teachers_per_school = 6

[[scenario.interventions]]
tick = 10
kind = "immersion"
schools = [5]

[grid]
formation = ["voluntary", "forced"]
n_schools = [6, 4]

[output]
every = 5
"""
N_RUNS = 12
VOLATILE = ["wall_time_s", "traceback"]


def _file(tmp: Path, text: str = TINY, name: str = "tiny.toml") -> Path:
    path = tmp / name
    path.write_text(text)
    return path


def _flat(text: str) -> str:
    """Error text with every run of whitespace made one space: the CLI wraps messages to the terminal, so a
    phrase may be split over two lines wherever the paths before it end."""
    return " ".join(text.split())


def _same(a, b) -> None:
    """Run for run equal: every column but timing, bit for bit; time series too."""
    pd.testing.assert_frame_equal(a.runs.drop(columns=VOLATILE), b.runs.drop(columns=VOLATILE), check_exact=True)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory) -> Path:
    return _file(tmp_path_factory.mktemp("sweepfile"))


@pytest.fixture(scope="module")
def reference(sweep_file, tmp_path_factory):
    """The tiny sweep on one worker process, uninterrupted."""
    return run_sweep(load_sweep(sweep_file), tmp_path_factory.mktemp("ref") / "out", workers=1, progress=False)


def test_reference_sweep_writes_every_output_and_records_failures(reference, sweep_file):
    out = reference.out_dir
    for name in ("runs.parquet", "timeseries.parquet", "sweep.toml", "metadata.json", "design.parquet",
                 "plots/formation.png", "plots/n_schools.png"):
        assert (out / name).is_file(), name
    runs = reference.runs
    assert list(runs["run_id"]) == list(range(N_RUNS))
    failed = runs[runs["status"] == "failed"]
    assert sorted(failed["n_schools"].unique()) == [4] and len(failed) == 6      # the sweep went on
    assert failed["error"].str.contains("interventions\\[1\\].schools").all()
    assert failed["traceback"].str.contains("Traceback").all()
    ok = runs[runs["status"] == "ok"]
    assert ok["mean_knowledge"].notna().all() and failed["mean_knowledge"].isna().all()
    assert {"mean_knowledge_mean", "mean_knowledge_change", "mean_knowledge_min", "mean_knowledge_max"} <= set(runs)
    # seeds come from the sweep seed and the run id alone
    assert list(runs["seed"]) == [derive_seed(5, i) for i in range(N_RUNS)]
    assert ok["seed"].nunique() == len(ok)
    # kept ticks: every 5 from 0 to the horizon, only for runs that worked
    ts = reference.timeseries
    assert sorted(ts["run_id"].unique()) == sorted(ok["run_id"])
    assert sorted(ts["tick"].unique()) == [0, 5, 10, 15, 20]
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["runs_failed"] == 6 and meta["runs_recorded"] == N_RUNS
    assert meta["execution"]["backend"] == "process-pool"
    assert not list((out / "parts" / "runs").glob("*.parquet"))       # merged
    # the resolved sweep.toml reads back to the same sweep
    assert load_sweep(out / "sweep.toml").identity() == load_sweep(sweep_file).identity()


def test_two_workers_and_other_batching_give_the_same_runs(reference, sweep_file, tmp_path):
    other = run_sweep(load_sweep(sweep_file), tmp_path / "w2", workers=2, batch=3, progress=False, plots=False)
    _same(reference, other)


def test_dask_local_cluster_gives_the_same_runs(reference, sweep_file, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        other = run_sweep(load_sweep(sweep_file), tmp_path / "dask", scheduler=cluster.scheduler_address,
                          progress=False, plots=False)
    assert other.metadata["execution"]["backend"] == "dask"
    _same(reference, other)


def _start(sweep_file: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simulation.cli", "sweep", str(sweep_file), "--out", str(out),
                             "--workers", "1", "--quiet", "--no-plots", *extra], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for_parts(proc: subprocess.Popen, out: Path, at_least: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = len(list((out / "parts" / "runs").glob("part-*.parquet")))
        if n >= at_least:
            return n
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended before it could be interrupted: {proc.stderr.read()}")
        time.sleep(0.01)
    pytest.fail("no batch finished in time")


def test_killed_then_interrupted_sweep_resumes_to_the_same_table(reference, sweep_file, tmp_path):
    out = tmp_path / "killed"
    # 1. SIGKILL the whole process group (parent, fork server, worker) once a batch is on disk
    proc = _start(sweep_file, out)
    _wait_for_parts(proc, out, 1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert not (out / "metadata.json").exists() and not (out / "runs.parquet").exists()
    parts = [pd.read_parquet(p) for p in (out / "parts" / "runs").glob("part-*.parquet")]
    killed = set().union(*(set(p["run_id"]) for p in parts))
    assert 1 <= len(killed) < N_RUNS, "the kill should land part-way"
    # 2. resume, and Ctrl-C (KeyboardInterrupt in the parent) after one more batch: the pool stops at once,
    #    the finished runs are merged and metadata.json says "interrupted"
    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_sweep(sweep_file), out, workers=1, resume=True, progress=False, on_batch=interrupt)
    merged = pd.read_parquet(out / "runs.parquet")
    assert merged["run_id"].is_unique and set(merged["run_id"]) > killed
    assert json.loads((out / "metadata.json").read_text())["status"] == "interrupted"
    # 3. resume to the end: only the missing runs run, and the table equals the uninterrupted one
    done = run_sweep(load_sweep(sweep_file), out, workers=1, resume=True, progress=False, plots=False)
    assert done.ran == N_RUNS - len(merged)
    assert done.runs["run_id"].is_unique and len(done.runs) == N_RUNS
    _same(reference, done)
    # a finished sweep resumed again runs nothing
    again = run_sweep(load_sweep(sweep_file), out, resume=True, progress=False, plots=False)
    assert again.ran == 0 and again.complete


def test_ctrl_c_on_the_command_line_exits_130_with_a_resume_hint(sweep_file, tmp_path, capsys, monkeypatch):
    import simulation.sweep.engine as engine

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "run_sweep", interrupted)
    assert main(["sweep", str(sweep_file), "--out", str(tmp_path / "o"), "--quiet"]) == 130
    err = _flat(capsys.readouterr().err)
    assert "interrupted" in err and f"--out {tmp_path / 'o'} --resume" in err


def test_a_started_folder_needs_resume_and_refuses_another_sweep(reference, sweep_file, capsys):
    assert main(["sweep", str(sweep_file), "--out", str(reference.out_dir), "--quiet"]) == 2
    assert "pass --resume" in _flat(capsys.readouterr().err)
    other = sweep_file.parent / "other.toml"
    other.write_text(TINY.replace("seed = 5", "seed = 6"))
    assert main(["sweep", str(other), "--out", str(reference.out_dir), "--resume", "--quiet"]) == 2
    err = _flat(capsys.readouterr().err)
    assert "different sweep" in err and "seed" in err


def test_seeds_and_designs_do_not_depend_on_order(sweep_file):
    spec = load_sweep(sweep_file)
    runs = plan_runs(spec)
    assert [r.run_id for r in runs] == list(range(N_RUNS))
    assert [r.params for r in runs[::3]] == [{"formation": f, "n_schools": n}
                                            for f in ("voluntary", "forced") for n in (6, 4)]
    # common random numbers: every design point of replication r shares a seed
    crn = parse_sweep({**_toml(TINY), "seeding": "replication"})
    assert {r.seed for r in plan_runs(crn) if r.replication == 1} == {derive_seed(5, 1)}
    # sampled designs are drawn from the sweep seed: the same file gives the same points
    lhs = load_sweep(ROOT / "scenarios/sweeps/trust-lhs.toml")
    a, b = design_points(lhs), design_points(lhs)
    assert a == b and len(a) == 64
    assert all(0.01 <= p["trust_gain"] <= 0.1 and p["link_policy"] in ("chain", "direct", "random") for p in a)
    assert len({p["link_policy"] for p in a}) == 3


def _toml(text: str) -> dict:
    import tomllib

    return tomllib.loads(text)


def test_grid_ranges_expand_inclusively():
    data = _toml(TINY)
    data["grid"] = {"hub_size": {"start": 2, "stop": 8, "step": 3}, "trust_gain": {"start": 0.0, "stop": 0.1, "num": 3}}
    spec = parse_sweep(data)
    assert spec.grid == {"hub_size": [2, 5, 8], "trust_gain": [0.0, 0.05, 0.1]}
    assert len(plan_runs(spec)) == 9 * 3


BAD = [
    ("unknown-key", TINY.replace("replications", "replicatons"), ["replicatons", "did you mean 'replications'"]),
    ("grid-out-of-range", TINY.replace('formation = ["voluntary", "forced"]', "trust_gain = [0.1, 1.5]"),
     ["grid.trust_gain", "1.5", "out of range", "[0.0, 1.0]"]),
    ("grid-bad-choice", TINY.replace('"forced"]', '"forcd"]'), ["grid.formation", "'forcd'", "'forced'"]),
    ("grid-unknown-param", TINY.replace("formation = [", "formaton = ["), ["formaton", "did you mean 'formation'"]),
    ("grid-empty", TINY.replace('["voluntary", "forced"]', "[]"), ["grid.formation", "is empty"]),
    ("range-no-stop", TINY.replace("n_schools = [6, 4]", "n_schools = {start = 4, step = 2}"),
     ["grid.n_schools", "'stop'"]),
    ("replications-zero", TINY.replace("replications = 3", "replications = 0"),
     ["replications = 0", "out of range", "[1, 100000]"]),
    ("seeding", TINY.replace("batch = 1", 'seeding = "per-run"'), ["seeding", "'per-run'", "'replication'"]),
    ("grid-and-sample", TINY + '\n[sample]\nmethod = "lhs"\nn = 4\n[sample.ranges]\ntrust_gain = [0.0, 0.1]\n',
     ["both [grid] and [sample]"]),
    ("fixed-and-swept", TINY.replace("[grid]", "[params]\nformation = \"forced\"\n\n[grid]"),
     ["'formation'", "both fixed", "[grid]"]),
    ("unknown-reporter", TINY.replace("every = 5", 'every = 5\nmetrics = ["mean_knowlege"]'),
     ["output.metrics", "'mean_knowlege'", "did you mean 'mean_knowledge'"]),
    ("sample-bad-range", TINY.split("[grid]")[0] + '[sample]\nn = 4\n[sample.ranges]\ntrust_gain = [0.2, 0.1]\n',
     ["sample.ranges.trust_gain", "low < high"]),
    ("sensitivity-choice", TINY.split("[grid]")[0] + '[sensitivity]\n[sensitivity.ranges]\nformation = '
     '["voluntary", "forced"]\ntrust_gain = [0.0, 0.1]\n', ["sensitivity.ranges.formation", "numeric"]),
    ("sobol-n", TINY.split("[grid]")[0] + '[sensitivity]\nmethod = "sobol"\nn = 12\n[sensitivity.ranges]\n'
     'trust_gain = [0.0, 0.1]\ntrust_loss = [0.0, 0.1]\n', ["sensitivity.n = 12", "power of two", "8 or 16"]),
    ("bad-base", TINY.replace("teachers_per_school = 6", "teachers_per_school = 2"),
     ["params.teachers_per_school", "out of range", "[3, 200]"]),
    ("bad-scenario-name", TINY.replace('[scenario]\nname = "tiny-base"\nhorizon = 20\nseed = 1\n\n[scenario.params]\n'
                                       'n_schools = 6\nteachers_per_school = 6\n\n[[scenario.interventions]]\ntick = 10\n'
                                       'kind = "immersion"\nschools = [5]\n', 'scenario = "volutnary-8"\n'),
     ["scenario = 'volutnary-8'", "voluntary-8"]),
    ("malformed", "name = \"x\nseed = 1\n", ["not valid TOML", "line 1"]),
]


@pytest.mark.parametrize("case, text, words", BAD, ids=[c[0] for c in BAD])
def test_bad_sweep_files_get_clear_errors(tmp_path, capsys, case, text, words):
    path = _file(tmp_path, text)
    assert main(["sweep", str(path), "--quiet", "--out", str(tmp_path / "out")]) == 2
    err = _flat(capsys.readouterr().err)
    for word in words:
        assert word in err, f"{word!r} not in: {err}"
    assert not (tmp_path / "out").exists()


def test_bad_command_line_values(tmp_path, sweep_file, capsys):
    assert main(["sweep", str(sweep_file), "--workers", "0"]) == 2
    assert "--workers 0" in _flat(capsys.readouterr().err)
    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2
    assert "does not exist" in _flat(capsys.readouterr().err)
    assert main(["sweep", str(sweep_file), "--scheduler", str(tmp_path / "no-scheduler.json"), "--out",
                 str(tmp_path / "o"), "--quiet"]) == 2
    assert "neither an address nor an existing scheduler file" in _flat(capsys.readouterr().err)
