"""Every pattern experiment in --quick mode: its pattern's direction holds by a test over replications,
its files are written, and REPORT.md gathers them. One shared run of all experiments (spawn pool, memoised)."""

from __future__ import annotations

import json

import pytest

from simulation.cli import main
from experiments import PATTERNS, REGISTRY, run_all
from experiments.common import Context


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    root = tmp_path_factory.mktemp("experiments")
    ctx = Context.make(quick=True, jobs=2)
    results = {r.name: r for r in run_all(ctx, root)}
    return root, results


@pytest.mark.parametrize("name", PATTERNS)
def test_pattern_holds_in_quick_mode(quick, name):
    root, results = quick
    res = results[name]
    assert res.n >= 5, "the verdict rests on replications, not one seed"
    assert res.holds, f"{name}: {res.statistic}"


def test_docking_reports_peak(quick):
    root, results = quick
    res = results["docking"]
    assert 0.001 <= res.numbers["peak_p"] <= 1.0
    assert "Cowan & Jonard" in res.statistic


def test_files_and_report(quick):
    root, results = quick
    for name in REGISTRY:
        for f in ("table.csv", "table.md", "figure.png", "verdict.json"):
            assert (root / name / f).stat().st_size > 0, f"{name}/{f}"
        verdict = json.loads((root / name / "verdict.json").read_text())
        assert verdict["holds"] == results[name].holds and verdict["statistic"]
    report = (root / "REPORT.md").read_text()
    for name in REGISTRY:
        assert f"({name}/figure.png)" in report
    assert report.count("HOLDS") + report.count("FAILS") >= 2 * len(REGISTRY)


def test_cli_lists_and_rejects_unknown(capsys):
    assert main(["experiments", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in REGISTRY)
    assert main(["experiments", "run", "voluntary_forcd"]) == 2
    assert "voluntary_forced" in capsys.readouterr().err


def test_the_old_import_path_still_works_with_a_deprecation_warning():
    import importlib
    import sys

    import experiments

    sys.modules.pop("simulation.experiments", None)
    with pytest.warns(DeprecationWarning, match="import experiments instead"):
        old = importlib.import_module("simulation.experiments")
    assert old is experiments and old.REGISTRY == REGISTRY
