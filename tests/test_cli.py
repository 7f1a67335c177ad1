"""The `clc-sim` command line, run as a new user would: real subprocesses, exit statuses and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli import main
from simulation.results import FILES
from simulation.scenario import shipped_scenarios

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("knowledge.png", "trust_moral_capital.png", "attainment_value_added.png", "stages.png", "network.png")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
ENV.pop("CLC_DEBUG", None)


def clc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m simulation.cli ARGS` and capture its output."""
    return subprocess.run([sys.executable, "-m", "simulation.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=ENV, timeout=300)


GOOD = 'name = "tiny"\ndescription = "a test"\nhorizon = 20\nseed = 3\n\n[params]\nn_schools = 4\n'

# Each bad input: (id, file text or None, arguments with {file}/{dir}/{good} placeholders, words the message holds).
# The first group runs as real subprocesses (one per kind of mistake in the issue); the second calls
# `main()` in-process, the same code path without paying the interpreter start-up each time.
SUBPROCESS_CASES = [
    ("missing-file", None, ["validate", "{dir}/no-such.toml"], ["no-such.toml", "does not exist"]),
    ("malformed-toml", 'name = "x"\nhorizon = = 3\n', ["validate", "{file}"], ["not valid TOML", "line 2, column"]),
    ("unknown-key", GOOD + "trust_gian = 0.1\n", ["validate", "{file}"],
     ["trust_gian", "did you mean 'trust_gain'"]),
    ("wrong-type", GOOD + 'trust_gain = "high"\n', ["validate", "{file}"],
     ["params.trust_gain", "'high'", "wrong type", "a number in [0.0, 1.0]"]),
    ("out-of-range", GOOD + "trust_gain = 1.5\n", ["validate", "{file}"],
     ["params.trust_gain", "1.5", "out of range", "[0.0, 1.0]"]),
    ("unknown-name", None, ["run", "volutnary-8"], ["unknown scenario 'volutnary-8'", "voluntary-8", "forced-8"]),
    ("tick-past-horizon", GOOD + '\n[[interventions]]\ntick = 21\nkind = "immersion"\nschools = [0]\n',
     ["validate", "{file}"], ["interventions[1].tick", "21", "past the horizon", "[1, 20]"]),
    ("set-no-equals", None, ["run", "{good}", "--set", "trust_gain"], ["--set", "key=value"]),
]
IN_PROCESS_CASES = [
    ("unterminated", 'name = "x\n', ["validate", "{file}"], ["not valid TOML", "line 1"]),
    ("unknown-top-key", GOOD.replace("horizon", "horizn"), ["validate", "{file}"], ["horizn", "'horizon'"]),
    ("bad-choice", GOOD + 'formation = "forcd"\n', ["validate", "{file}"],
     ["params.formation", "'forcd'", "'voluntary'", "'forced'"]),
    ("horizon-type", GOOD.replace("horizon = 20", "horizon = 2.5"), ["validate", "{file}"], ["horizon", "2.5"]),
    ("unknown-kind", GOOD + '\n[[interventions]]\ntick = 5\nkind = "inspection"\nschools = [0]\n',
     ["validate", "{file}"], ["interventions[1].kind", "'inspection'", "immersion"]),
    ("school-out-of-range", GOOD + '\n[[interventions]]\ntick = 5\nkind = "immersion"\nschools = [4]\n',
     ["validate", "{file}"], ["interventions[1].schools", "4", "[0, 3]"]),
    ("folder-not-file", None, ["validate", "{dir}"], ["is a folder"]),
    ("set-bad-value", None, ["run", "{good}", "--set", "trust_gain=1..2"], ["--set", "does not parse"]),
    ("set-unknown", None, ["run", "{good}", "--set", "trust_gian=0.1"], ["trust_gian", "'trust_gain'"]),
    ("set-out-of-range", None, ["run", "{good}", "--set", "n_schools=0"], ["n_schools", "[1, 50000]"]),
    ("set-seed", None, ["run", "{good}", "--set", "seed=3"], ["--seed"]),
    ("ticks-before-intervention", None, ["run", "coasting-condoned", "--ticks", "10"],
     ["past the horizon", "--ticks 10"]),
    ("bad-seed", None, ["run", "{good}", "--seed", "-4"], ["--seed", "-4"]),
    ("bad-ticks", None, ["run", "{good}", "--ticks", "0"], ["--ticks", "0"]),
    ("not-an-int", None, ["run", "{good}", "--ticks", "ten"], ["--ticks", "'ten'"]),
    ("no-scenario", None, ["validate"], ["--all"]),
]


def _arguments(case, folder: Path) -> list[str]:
    name, text, args, _ = case
    path = folder / f"{name}.toml"
    if text is not None:
        path.write_text(text)
    (folder / "good.toml").write_text(GOOD)
    args = [a.format(file=path, dir=folder, good=folder / "good.toml") for a in args]
    return args + (["--quiet", "--no-figures"] if args[0] == "run" else [])


def _check_message(stderr: str, words) -> None:
    assert "Traceback" not in stderr
    flat = " ".join(stderr.split())
    for word in words:
        assert word in flat, (word, stderr)


@pytest.fixture(scope="module")
def subprocess_results(tmp_path_factory):
    """Every subprocess case through the real command line, two at a time."""
    folder = tmp_path_factory.mktemp("bad")
    with ThreadPoolExecutor(max_workers=2) as pool:
        procs = pool.map(lambda case: clc(*_arguments(case, folder), cwd=folder), SUBPROCESS_CASES)
        return {case[0]: proc for case, proc in zip(SUBPROCESS_CASES, procs)}


@pytest.mark.parametrize("case", SUBPROCESS_CASES, ids=[c[0] for c in SUBPROCESS_CASES])
def test_bad_input_exits_2_with_a_message_naming_the_problem(subprocess_results, case):
    proc = subprocess_results[case[0]]
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    _check_message(proc.stderr, case[3])


@pytest.mark.parametrize("case", IN_PROCESS_CASES, ids=[c[0] for c in IN_PROCESS_CASES])
def test_more_bad_input_exits_2(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        status = main(_arguments(case, tmp_path))
    except SystemExit as exc:  # argparse's own usage errors
        status = exc.code
    assert status == 2
    _check_message(capsys.readouterr().err, case[3])
    assert not (tmp_path / "results").exists()


def test_help_lists_commands_and_each_command_has_examples(capsys):
    top = clc("--help")
    assert top.returncode == 0
    for command in ("list", "validate", "run"):
        assert command in top.stdout
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0
        assert "examples:" in capsys.readouterr().out


def test_list_and_validate_every_shipped_scenario(capsys):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    for name in shipped_scenarios():
        assert name in listed
    assert main(["list", "--params"]) == 0 and "trust_gain" in capsys.readouterr().out
    checked = clc("validate", "--all")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count("OK ") == len(shipped_scenarios())


def test_run_writes_every_file_and_the_resolved_scenario_reruns_identically(tmp_path):
    first = tmp_path / "first"
    proc = clc("run", "coasting-condoned", "--ticks", "40", "--seed", "5", "--set", "teachers_per_school=8",
               "--out", str(first), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for word in ("knowledge (mean)", "trust (mean)", "moral capital", "attainment", "value added",
                 "schools in Isolation", "results written to"):
        assert word in proc.stdout
    for name in FILES + FIGURES:
        assert (first / name).stat().st_size > 0, name
    assert not list(first.glob(".*tmp*")), "temporary files left behind"

    ts = pd.read_parquet(first / "timeseries.parquet")
    assert list(ts["tick"]) == list(range(41))
    pd.testing.assert_frame_equal(ts, pd.read_csv(first / "timeseries.csv"), check_dtype=False)
    schools = pd.read_parquet(first / "schools.parquet")
    assert len(schools) == 41 * 8
    for column in ("tick", "school", "stage", "permeability", "attainment", "value_added", "mean_knowledge"):
        assert column in schools.columns
    meta = json.loads((first / "metadata.json").read_text())
    assert meta["seed"] == 5 and meta["versions"]["mesa"] and meta["wall_time_s"] >= 0
    assert {"started", "finished", "git"} <= set(meta)

    second = tmp_path / "second"
    assert main(["run", str(first / "scenario.toml"), "--out", str(second), "--no-figures", "--quiet"]) == 0
    assert (first / "timeseries.csv").read_bytes() == (second / "timeseries.csv").read_bytes()
    assert pd.read_parquet(first / "schools.parquet").equals(pd.read_parquet(second / "schools.parquet"))



def test_refuses_to_overwrite_a_finished_run(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", "isolated-8", "--ticks", "2", "--set", "teachers_per_school=4", "--out", str(out), "--quiet",
            "--no-figures"]
    assert main(args) == 0
    assert main(args) == 2
    assert "already holds a finished run" in " ".join(capsys.readouterr().err.split())   # wrapped to the terminal
    assert main(args + ["--overwrite"]) == 0


def test_default_results_folder_layout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "isolated-8", "--ticks", "3", "--no-figures", "--quiet",
                 "--set", "teachers_per_school=5"]) == 0
    runs = list((tmp_path / "results" / "isolated-8").iterdir())
    assert len(runs) == 1 and runs[0].name.endswith("-seed1")
    assert (runs[0] / "metadata.json").exists()


def test_run_metadata_records_the_command_given(tmp_path):
    import json

    out = tmp_path / "run"
    proc = clc("run", "voluntary-8", "--ticks", "2", "--quiet", "--no-figures", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["command"] == ["clc-sim", "run", "voluntary-8", "--ticks", "2", "--quiet", "--no-figures", "--out",
                               str(out)]
