"""The ten fault classes of issue 16, each fixed in general and each tested here with cases of its own:
one run owns its folder; every design size is checked against the run cap before sampling; grid sizes are
counted before values are made or compared; empty paths are refused; a byte-order mark is accepted; integers
are range-checked exactly; compare's (and experiments') seeds are checked like `run --seed`; non-regular
files are refused; runs.parquet keeps its column types across interruptions; workers die with their parent
and Ctrl-C gives one clean line at every stage, with metadata that agrees with the tables."""

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
from simulation.scenario import MAX_SEED, load_scenario
from simulation.sweep import load_sweep, parse_sweep, run_sweep
from simulation.sweep.spec import MAX_RUNS

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
ENV.pop("CLC_DEBUG", None)
TINY = 'name = "tiny"\nhorizon = 6\nseed = 3\n\n[params]\nn_schools = 4\nteachers_per_school = 4\n'
TINY_SWEEP = """
name = "tiny-sweep"
seed = 2
replications = 2
batch = 1

[scenario]
name = "tiny-base"
horizon = 6

[scenario.params]
n_schools = 4
teachers_per_school = 4

[grid]
formation = ["voluntary", "forced"]
n_schools = [4, 5]

[output]
every = 3
"""


def flat(text: str) -> str:
    return " ".join(text.split())


def clc(*args, cwd=None, timeout=120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulation.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=ENV, timeout=timeout, **kw)


def bad(args, capsys, *words) -> str:
    """`main(args)` exits 2 with one paragraph holding every word, and no traceback."""
    try:
        status = main(list(args))
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    for word in words:
        assert word in flat(err), (word, err)
    return err


@pytest.fixture()
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


@pytest.fixture()
def tiny_sweep(tmp_path) -> Path:
    path = tmp_path / "tiny-sweep.toml"
    path.write_text(TINY_SWEEP)
    return path


# --- 1. one run owns its output folder ----------------------------------------------------------------


def test_a_second_run_into_a_folder_being_written_is_refused_at_once(tiny, tmp_path):
    from simulation.results import own_run_dir, release_run_dir

    out = tmp_path / "owned"
    out.mkdir()
    own_run_dir(out)                       # this test process stands for the run that writes there now
    try:
        proc = clc("run", str(tiny), "--seed", "9", "--out", str(out), "--quiet", "--no-figures")
    finally:
        release_run_dir(out)
    assert proc.returncode == 2, proc.stderr
    assert "another clc-sim run is writing into the folder" in flat(proc.stderr)
    assert list(out.iterdir()) == []       # nothing of the refused run was written


def test_two_runs_started_together_never_mix_their_files(tmp_path):
    out = tmp_path / "both"
    args = ["run", "voluntary-8", "--ticks", "60", "--out", str(out), "--quiet"]
    procs = [subprocess.Popen([sys.executable, "-m", "simulation.cli", *args, "--seed", str(seed)], cwd=ROOT,
                              env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in (11, 12)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results        # whatever the timing, exactly one run writes the folder
    loser = next(err for code, err in results if code == 2)
    assert "another clc-sim run is writing" in flat(loser) or "already holds a finished run" in flat(loser)
    meta = json.loads((out / "metadata.json").read_text())
    assert load_scenario(out / "scenario.toml").seed == meta["seed"]
    assert set(meta["files"]) == {p.name for p in out.iterdir() if not p.name.startswith(".")}


def test_what_a_dead_run_left_is_cleared_before_the_next_run_writes(tiny, tmp_path, capsys):
    out = tmp_path / "half"
    out.mkdir()
    (out / "network.png").write_bytes(b"a figure of another run")      # a run killed after its first figure
    (out / "timeseries.csv").write_text("tick\n0\n")
    (out / ".timeseries.parquet.tmp-999").write_bytes(b"half a file")
    (out / "my-notes.txt").write_text("the user's own file")
    assert main(["run", str(tiny), "--out", str(out), "--quiet", "--no-figures"]) == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert not (out / "network.png").exists() and not list(out.glob(".*tmp*"))
    assert (out / "my-notes.txt").exists()                              # only a run's own files are cleared
    assert {p.name for p in out.iterdir()} - {"my-notes.txt"} == set(meta["files"])
    # --overwrite of a finished run with figures by one without: the old run's figures go too
    full = tmp_path / "full"
    assert main(["run", str(tiny), "--out", str(full), "--quiet"]) == 0
    assert (full / "network.png").exists()
    assert main(["run", str(tiny), "--out", str(full), "--quiet", "--no-figures", "--overwrite", "--seed", "8"]) == 0
    meta = json.loads((full / "metadata.json").read_text())
    assert meta["seed"] == 8 and not list(full.glob("*.png"))
    assert {p.name for p in full.iterdir()} == set(meta["files"])
    capsys.readouterr()


# --- 2. every design size checked against the one run cap, before sampling -----------------------------


def test_sensitivity_sizes_are_checked_before_any_sampling(tmp_path, capsys, monkeypatch):
    import simulation.sweep.design as design

    def no_sampling(*args, **kwargs):
        raise AssertionError("a design was sampled before its size was checked")

    monkeypatch.setattr(design, "salib_sample", no_sampling)
    quick = str(ROOT / "scenarios/sweeps/sensitivity-quick.toml")
    for method, n in (("sobol", "1099511627776"), ("morris", "1000000000"), ("morris", "-3")):
        bad(["sensitivity", quick, "--method", method, "--n", n, "--out", str(tmp_path / "s"), "--quiet"], capsys,
            f"--n {n}", "out of range")
    # within the n range but over the run cap: (k + 1) n Morris points x replications
    bad(["sensitivity", quick, "--method", "morris", "--n", "400000", "--out", str(tmp_path / "s"), "--quiet"],
        capsys, "morris design", "2000000 design points", f"at most {MAX_RUNS} runs")
    text = (ROOT / "scenarios/sweeps/sensitivity-quick.toml").read_text().replace("n = 5", "n = 1000000")
    path = tmp_path / "big-sensitivity.toml"
    path.write_text(text)
    bad(["sweep", str(path), "--out", str(tmp_path / "s"), "--quiet"], capsys, "5000000 design points", "runs")
    bad(["sensitivity", str(path), "--out", str(tmp_path / "s"), "--quiet"], capsys, "5000000 design points")
    assert not (tmp_path / "s").exists()
    # a spec built in code is held to the same cap when it is run
    spec = load_sweep(ROOT / "scenarios/sweeps/sensitivity-quick.toml")
    import dataclasses

    huge = dataclasses.replace(spec, sensitivity=dataclasses.replace(spec.sensitivity, n=10**7))
    with pytest.raises(ValueError, match="design points"):
        run_sweep(huge, tmp_path / "code", progress=False)


# --- 3. grid sizes counted before values are made or duplicates looked for ----------------------------


def test_huge_grids_are_refused_before_any_value_is_made(monkeypatch):
    import simulation.sweep.spec as spec_module

    def no_values(*args, **kwargs):
        raise AssertionError("grid values were made before the grid's size was checked")

    monkeypatch.setattr(spec_module, "_checked_values", no_values)
    base = {"name": "g", "scenario": {"name": "b", "horizon": 3, "params": {"n_schools": 4, "teachers_per_school": 4}}}
    grid = {"trust_gain": {"start": 0.0, "stop": 1.0, "num": 100000},
            "trust_loss": {"start": 0.0, "stop": 1.0, "num": 100000}}
    with pytest.raises(ValueError, match=r"grid.trust_gain \(100000 values\) x grid.trust_loss \(100000 values\)"):
        parse_sweep({**base, "grid": grid})
    with pytest.raises(ValueError, match="1000000000 runs"):   # one long array x many replications
        parse_sweep({**base, "replications": 100000, "grid": {"trust_gain": [0.1] * 10000}})
    with pytest.raises(ValueError, match="gives too many values"):
        parse_sweep({**base, "grid": {"trust_gain": {"start": 0.0, "stop": 1.0, "step": 5e-324}}})


def test_grid_duplicates_are_found_in_one_pass_and_ranges_still_expand():
    base = {"name": "g", "scenario": {"name": "b", "horizon": 3, "params": {"n_schools": 4, "teachers_per_school": 4}}}
    spec = parse_sweep({**base, "grid": {"trust_gain": {"start": 0.0, "stop": 1.0, "num": 100000}}})
    assert len(spec.grid["trust_gain"]) == 100000 and spec.grid["trust_gain"][-1] == 1.0
    ints = parse_sweep({**base, "grid": {"hub_size": {"start": 2, "stop": 4, "num": 100}}})
    assert ints.grid["hub_size"] == [2, 3, 4]                 # rounded integers collapse, counted as such
    huge_step = parse_sweep({**base, "grid": {"trust_gain": {"start": 0.1, "stop": 0.2, "step": 10**400}}})
    assert huge_step.grid["trust_gain"] == [0.1]
    for values, twice in (([0.1, 0.2, 0.1], "0.1"), ([1, 1.0], "1.0"), (["forced", "voluntary", "forced"], "'forced'")):
        name = "formation" if isinstance(values[0], str) else "trust_gain"
        with pytest.raises(ValueError, match="is listed twice") as info:
            parse_sweep({**base, "grid": {name: values}})
        assert twice in str(info.value)


# --- 4. empty paths refused ---------------------------------------------------------------------------


@pytest.mark.parametrize("args, flag", [
    (["run", "{tiny}", "--out", ""], "--out"),
    (["run", "{tiny}", "--results", ""], "--results"),
    (["run", ""], "scenario ''"),
    (["validate", ""], "scenario ''"),
    (["dashboard", "", "--port", "0"], "scenario ''"),
    (["sweep", "{sweep}", "--out", ""], "--out"),
    (["sweep", "{sweep}", "--results", " "], "--results"),
    (["sweep", "{sweep}", "--scheduler", ""], "--scheduler"),
    (["sweep", ""], "FILE"),
    (["sensitivity", str(ROOT / "scenarios/sweeps/sensitivity-quick.toml"), "--out", ""], "--out"),
    (["compare", "{tiny}", "{tiny}", "--out", ""], "--out"),
    (["compare", "{tiny}", "{tiny}", "--results", ""], "--results"),
    (["experiments", "run", "all", "--out", ""], "--out"),
    (["experiments", "report", "--out", ""], "--out"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_empty_paths_are_refused_and_nothing_lands_in_the_current_folder(args, flag, tiny, tiny_sweep, tmp_path,
                                                                         capsys, monkeypatch):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    args = [a.format(tiny=tiny, sweep=tiny_sweep) for a in args]
    bad(args, capsys, flag)
    assert list(work.iterdir()) == []


def test_library_calls_refuse_empty_output_paths(tiny, tmp_path, monkeypatch):
    from simulation.runner import run_scenario

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="--out '' is empty"):
        run_scenario(str(tiny), out_dir="", progress=False)
    with pytest.raises(ValueError, match="--out '' is empty"):
        run_sweep(parse_sweep(__import__("tomllib").loads(TINY_SWEEP)), "", progress=False)
    assert list(tmp_path.iterdir()) == [tmp_path / "tiny.toml"]


# --- 5. a byte-order mark is accepted -----------------------------------------------------------------


def test_files_saved_with_a_byte_order_mark_read_like_any_other(tmp_path, capsys):
    scenario = tmp_path / "bom.toml"
    scenario.write_bytes(b"\xef\xbb\xbf" + TINY.encode())
    assert main(["validate", str(scenario)]) == 0
    assert "OK tiny: 4 schools in one hub" in capsys.readouterr().out
    assert load_scenario(scenario) == load_scenario_text(tmp_path, TINY)
    sweep = tmp_path / "bom-sweep.toml"
    sweep.write_bytes("\ufeff".encode() + TINY_SWEEP.encode())
    assert load_sweep(sweep).grid == {"formation": ["voluntary", "forced"], "n_schools": [4, 5]}
    utf16 = tmp_path / "utf16.toml"
    utf16.write_text(TINY, encoding="utf-16")
    bad(["validate", str(utf16)], capsys, "UTF-16", "save it as UTF-8")
    # a mark in the middle of a file is still a mistake, told with its place
    middle = tmp_path / "middle.toml"
    middle.write_text(TINY + "\ufeffx = 1\n")
    bad(["validate", str(middle)], capsys, "not valid TOML", "line 8")


def load_scenario_text(folder: Path, text: str):
    path = folder / "plain.toml"
    path.write_text(text)
    return load_scenario(path)


# --- 6. integers range-checked exactly ----------------------------------------------------------------


@pytest.mark.parametrize("line, words", [
    ("n_schools = 1000000000000000000000000000000", ["params.n_schools", "1000000000000000000000000000000",
                                                     "out of range", "[1, 50000]"]),
    ("n_schools = -99999999999999999999999999999999", ["params.n_schools", "out of range"]),
    ("trust_gain = 1000000000000000000000000000000", ["params.trust_gain", "out of range", "[0.0, 1.0]"]),
    ("n_schools = " + "9" * 400, ["params.n_schools", "an integer of 400 digits", "out of range"]),
    ("trust_gain = " + "9" * 400, ["params.trust_gain", "out of range"]),
    ("n_schools = " + "9" * 5000, ["not valid TOML", "more than 4300 digits"]),
    ("n_schools = 2.5", ["params.n_schools", "2.5", "not a whole number"]),
])
def test_long_integers_are_out_of_range_not_fractions(line, words, tmp_path, capsys):
    path = tmp_path / "long.toml"
    path.write_text(TINY.replace("n_schools = 4", line))
    bad(["validate", str(path)], capsys, *words)


def test_long_integers_elsewhere_are_range_checked_too(tiny, tmp_path, capsys):
    big = "1" + "0" * 30
    bad(["run", str(tiny), "--set", f"teachers_per_school={big}"], capsys, "teachers_per_school", "out of range")
    bad(["run", str(tiny), "--seed", big], capsys, f"--seed {big}", "out of range")
    bad(["run", str(tiny), "--ticks", big], capsys, f"--ticks {big}", "out of range")
    sweep = tmp_path / "s.toml"
    sweep.write_text(TINY_SWEEP.replace("n_schools = [4, 5]", f"n_schools = [4, {big}]"))
    bad(["sweep", str(sweep), "--out", str(tmp_path / "o")], capsys, "grid.n_schools", "out of range")
    sweep.write_text(TINY_SWEEP.replace("replications = 2", f"replications = {big}"))
    bad(["sweep", str(sweep), "--out", str(tmp_path / "o")], capsys, "replications", "out of range")
    for flag in ("--workers", "--batch"):
        bad(["sweep", str(tiny), flag, big], capsys, f"{flag} {big}", "out of range")
    with pytest.raises(ValueError, match="out of range"):
        from simulation import CLCModel

        CLCModel(seed=1, n_schools=10**31)


# --- 7. compare's and experiments' seeds checked like run --seed, before any worker -------------------


@pytest.mark.parametrize("extra, words", [
    (["--seed", "-5"], ["--seed -5", "out of range", f"[0, {MAX_SEED}]"]),
    (["--seed", str(MAX_SEED + 1)], [f"--seed {MAX_SEED + 1}", "out of range"]),
    (["--seed", str(MAX_SEED - 5)], [f"--seed {MAX_SEED - 5} with 20 replications", f"past the largest seed {MAX_SEED}",
                                     f"[0, {MAX_SEED - 19}]"]),
    (["--seed", str(MAX_SEED - 1), "--replications", "2"], []),
    (["--replications", "1"], ["--replications 1", "at least 2"]),
    (["--replications", "10000000"], ["--replications 10000000", "out of range"]),
    (["--jobs", "0"], ["--jobs 0", "out of range"]),
    (["--ticks", "0"], ["--ticks 0", "out of range"]),
])
def test_compare_checks_its_seeds_like_run_before_any_worker_starts(extra, words, tiny, tmp_path, capsys,
                                                                     monkeypatch):
    import simulation.replicate as replicate

    ran = []
    monkeypatch.setattr(replicate, "run_tasks", lambda tasks, **kw: ran.append(tasks) or (_ for _ in ()).throw(
        KeyboardInterrupt))
    args = ["compare", str(tiny), str(tiny), *extra, "--out", str(tmp_path / "c"), "--quiet"]
    if words:
        bad(args, capsys, *words)
        assert not ran
    else:                                   # the last seed is MAX_SEED exactly: allowed, and the runs start
        assert main(args) == 130
        assert [t.seed for t in ran[0]][:2] == [MAX_SEED - 1, MAX_SEED]


def test_experiments_check_every_seed_they_use(capsys, tmp_path):
    bad(["experiments", "run", "all", "--seed", "-1", "--out", str(tmp_path)], capsys, "--seed -1")
    bad(["experiments", "run", "all", "--quick", "--seed", str(MAX_SEED - 3), "--out", str(tmp_path)], capsys,
        "with 10 replications", "past the largest seed")


# --- 8. non-regular files refused ---------------------------------------------------------------------


def test_named_pipes_and_devices_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    sweep_fifo = tmp_path / "sweep.toml"
    os.mkfifo(sweep_fifo)
    for args, kind in ((["validate", str(fifo)], "a named pipe"), (["run", str(fifo)], "a named pipe"),
                       (["sweep", str(sweep_fifo)], "a named pipe"), (["validate", "/dev/zero"], "a character device"),
                       (["dashboard", str(fifo), "--port", "0"], "a named pipe")):
        proc = clc(*args, timeout=60)          # a blocking read would time out here
        assert proc.returncode == 2, (args, proc.stderr)
        assert kind in flat(proc.stderr) and "not a regular file" in flat(proc.stderr), proc.stderr
        assert "Traceback" not in proc.stderr


def test_oversized_files_are_refused(tmp_path, capsys):
    from simulation.scenario import MAX_FILE_BYTES

    path = tmp_path / "huge.toml"
    with open(path, "wb") as f:
        f.write(TINY.encode())
        f.seek(MAX_FILE_BYTES + 10)
        f.write(b"\n")
    bad(["validate", str(path)], capsys, "larger than 16 MB")


# --- 9. runs.parquet keeps its column types across interruptions --------------------------------------


def test_column_types_are_the_same_however_far_a_sweep_got(tiny_sweep, tmp_path, monkeypatch):
    import simulation.sweep.engine as engine
    from simulation.sweep.engine import SweepInterrupted

    spec = load_sweep(tiny_sweep)
    complete = run_sweep(spec, tmp_path / "complete", workers=1, progress=False, plots=False)
    want = pd.read_parquet(tmp_path / "complete" / "runs.parquet").dtypes
    assert want["n_schools"] == "int64" and want["seed"] == "int64" and want["mean_knowledge"] == "float64"

    def interrupted_at_once(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "_drive", interrupted_at_once)   # Ctrl-C before the first run finished
    with pytest.raises(SweepInterrupted) as info:
        run_sweep(spec, tmp_path / "none", workers=1, progress=False)
    assert info.value.stage == "runs" and info.value.recorded == 0
    empty = pd.read_parquet(tmp_path / "none" / "runs.parquet")
    assert len(empty) == 0
    pd.testing.assert_series_equal(empty.dtypes, want)
    meta = json.loads((tmp_path / "none" / "metadata.json").read_text())
    assert meta["status"] == "interrupted" and meta["runs_recorded"] == 0
    summary = pd.read_csv(tmp_path / "none" / "summary.csv")
    assert len(summary) == 4 and (summary["runs_ok"] == 0).all()        # one row per design point, n = 0
    monkeypatch.undo()
    # resumed to the end, the table equals the uninterrupted one, types included
    done = run_sweep(spec, tmp_path / "none", workers=1, resume=True, progress=False, plots=False)
    pd.testing.assert_frame_equal(done.runs.drop(columns=["wall_time_s", "traceback"]),
                                  complete.runs.drop(columns=["wall_time_s", "traceback"]))
    # a batch whose every run failed keeps the types too
    from simulation.sweep.engine import _runs_frame, runs_schema

    failed = _runs_frame([{"run_id": 0, "point_id": 0, "replication": 0, "seed": 1, "status": "failed",
                           "error": "boom", "traceback": "", "formation": "forced", "n_schools": 5}],
                         runs_schema(spec))
    pd.testing.assert_series_equal(failed.dtypes, want)


# --- 10. workers die with their parent; Ctrl-C is one clean line at every stage -----------------------


SLOW_SWEEP = """
name = "slow"
seed = 1
replications = 30
batch = 1

[scenario]
name = "slow-base"
horizon = 150

[scenario.params]
n_schools = 8

[output]
every = 50
"""


def _group(pgid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every live process in a process group, read from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _start_sweep(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    path = tmp_path / "slow.toml"
    path.write_text(SLOW_SWEEP)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "simulation.cli", "sweep", str(path), "--out", str(out),
                             "--workers", "2", "--quiet", *extra], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    return proc, out


def _wait_for(condition, proc, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended first: {proc.stderr.read()}")
        time.sleep(0.02)
    pytest.fail("timed out waiting for the sweep")


def _workers_started(pgid: int):
    procs = _group(pgid)
    forked = [p for p in procs if "forkserver" in p[1]]
    return procs if len(forked) >= 3 else None        # the fork server and both workers


def _kill_main_expect_no_survivors(proc, what: str) -> None:
    """SIGKILL the main process alone (it can clean nothing up), then expect its whole process group gone
    within 30 s; whatever is left is killed afterwards either way."""
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group(proc.pid) == [], f"{what} outlived the main process"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate(timeout=30)


def test_workers_fork_server_and_resource_tracker_end_when_the_sweep_is_killed(tmp_path):
    proc, out = _start_sweep(tmp_path)
    try:
        _wait_for(lambda: _workers_started(proc.pid), proc)
    finally:
        _kill_main_expect_no_survivors(proc, "the sweep's workers, forkserver or resource tracker")


def test_compare_workers_end_when_compare_is_killed(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "simulation.cli", "compare", "voluntary-8", "forced-8", "--jobs", "2",
                             "--quiet", "--out", str(tmp_path / "c")], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(lambda: len([p for p in _group(proc.pid) if "spawn_main" in p[1]]) >= 2, proc)
        time.sleep(2)                             # the workers are past their initializer and running
    finally:
        _kill_main_expect_no_survivors(proc, "compare's workers")


def test_ctrl_c_while_the_pool_starts_is_one_line_and_leaves_consistent_metadata(tmp_path):
    proc, out = _start_sweep(tmp_path)
    try:
        _wait_for(lambda: any("forkserver" in cmd for _, cmd in _group(proc.pid)), proc)
        os.killpg(proc.pid, signal.SIGINT)        # what Ctrl-C in a terminal does: the whole group
        _, err = proc.communicate(timeout=120)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 130, err
    assert len(lines) == 1 and lines[0].startswith("clc-sim sweep: interrupted"), err
    meta = json.loads((out / "metadata.json").read_text())
    runs = pd.read_parquet(out / "runs.parquet")
    assert meta["status"] == "interrupted" and meta["runs_recorded"] == len(runs)
    assert f"{len(runs)} of 30 runs are saved" in lines[0] and "--resume" in lines[0]
    time.sleep(1)
    assert _group(proc.pid) == []


def test_ctrl_c_while_plotting_says_every_run_is_saved(tiny_sweep, tmp_path, capsys, monkeypatch):
    import simulation.sweep.plots as plots

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "save_sweep_plots", interrupted)
    out = tmp_path / "plots"
    assert main(["sweep", str(tiny_sweep), "--out", str(out), "--workers", "1", "--quiet"]) == 130
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "while drawing the plots; all 8 runs and the tables are saved" in lines[0], err
    assert "left" not in lines[0] and f"--out {out} --resume" in lines[0]
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["runs_recorded"] == 8 and meta["plots"] == "interrupted"
    assert {"runs.csv", "summary.csv", "runs.parquet"} <= set(meta["files"])
    monkeypatch.undo()
    # --resume runs nothing and draws the plots
    assert main(["sweep", str(tiny_sweep), "--out", str(out), "--workers", "1", "--quiet", "--resume"]) == 0
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["plots"] == "complete" and "plots/formation.png" in meta["files"]


@pytest.mark.parametrize("plots, expected", [
    ([], "while drawing the plots; all 8 runs and the tables are saved"),
    (["--no-plots"], "interrupted after the last run; all 8 recorded runs and the tables are saved"),
])
def test_a_real_ctrl_c_while_the_tables_are_written_is_held_until_they_agree(plots, expected, tiny_sweep, tmp_path,
                                                                              capsys, monkeypatch):
    import simulation.sweep.tables as tables

    write = tables.write_tables

    def interrupted_while_writing(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)       # a real signal, in the middle of the merge
        return write(*args, **kwargs)

    monkeypatch.setattr(tables, "write_tables", interrupted_while_writing)
    out = tmp_path / "o"
    assert main(["sweep", str(tiny_sweep), "--out", str(out), "--workers", "1", "--quiet", *plots]) == 130
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0], lines
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["status"] == "complete" and meta["runs_recorded"] == len(pd.read_parquet(out / "runs.parquet")) == 8
    assert len(pd.read_csv(out / "runs.csv")) == 8 and len(pd.read_csv(out / "summary.csv")) == 4
    assert meta["plots"] == ("interrupted" if not plots else "none")


def test_ctrl_c_in_the_other_stages_and_commands_is_one_line(tiny, tiny_sweep, tmp_path, capsys, monkeypatch):
    import simulation.runner as runner
    import simulation.sweep.engine as engine
    from simulation.sweep import design

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    cases = [
        (runner, "simulate", ["run", str(tiny), "--out", str(tmp_path / "run"), "--quiet"],
         "clc-sim run: interrupted before the run finished; nothing was written."),
        (design, "plan_runs", ["sweep", str(tiny_sweep), "--out", str(tmp_path / "sw"), "--quiet"],
         "clc-sim sweep: interrupted before any run started; nothing more was written"),
        (engine, "_drive", ["sweep", str(tiny_sweep), "--out", str(tmp_path / "sw2"), "--quiet"],
         "clc-sim sweep: interrupted; 0 of 8 runs are saved"),
    ]
    for module, name, args, expected in cases:
        with monkeypatch.context() as m:
            m.setattr(module, name, interrupted)
            if module is design:
                m.setattr(engine, name, interrupted)
            assert main(args) == 130
        lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(expected), lines
    assert not (tmp_path / "run").exists() and not (tmp_path / "sw").exists()


def test_watch_parent_ends_a_process_whose_parent_was_killed(tmp_path):
    # middle starts child (which watches middle), prints child's pid, then waits; SIGKILL middle: child ends
    child_code = ("import sys, time; from simulation.lifeline import watch_parent; watch_parent(int(sys.argv[1])); "
                  "time.sleep(120)")
    middle_code = ("import os, subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', sys.argv[1], "
                   "str(os.getpid())]); print(c.pid, flush=True); time.sleep(120)")
    middle = subprocess.Popen([sys.executable, "-c", middle_code, child_code], env=ENV, cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    child = int(middle.stdout.readline())
    time.sleep(3)                                  # the child has imported and is watching
    middle.kill()
    middle.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            break
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the watched child outlived its parent")
    middle.stdout.close()
