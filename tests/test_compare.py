"""`clc-sim compare` and the statistics module: paired statistics, common random numbers, files, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from simulation.cli import main
from simulation.stats import band, mean_ci, one_sample, paired


def test_paired_matches_scipy_and_reports_dz():
    rng = np.random.default_rng(0)
    a = rng.normal(1.0, 1.0, 30)
    b = a - rng.normal(0.5, 0.4, 30)
    res = paired(a, b)
    d = a - b
    assert res.diff == pytest.approx(d.mean())
    assert res.p_value == pytest.approx(st.ttest_rel(a, b).pvalue)
    assert res.effect_size == pytest.approx(d.mean() / d.std(ddof=1))
    assert res.ci_low < res.diff < res.ci_high
    half = st.t.ppf(0.975, 29) * d.std(ddof=1) / np.sqrt(30)
    assert res.ci_high - res.diff == pytest.approx(half)


def test_one_sample_and_degenerate_cases():
    assert one_sample([0.1, 0.2, 0.3], 0.0).p_value == pytest.approx(st.ttest_1samp([0.1, 0.2, 0.3], 0.0).pvalue)
    same = paired([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert same.diff == 0.0 and same.p_value == 1.0 and same.effect_size == 0.0
    shift = paired([2.0, 3.0, 4.0], [1.0, 2.0, 3.0])
    assert shift.p_value == 0.0 and shift.effect_size == np.inf
    m, lo, hi = mean_ci([1.0, 2.0, 3.0])
    assert lo < m == 2.0 < hi
    mean, low, high = band(np.array([[0.0, 1.0], [2.0, 3.0]]))
    assert list(mean) == [1.0, 2.0] and (low < mean).all() and (high > mean).all()
    with pytest.raises(ValueError):
        paired([1.0, 2.0], [1.0])


def test_compare_voluntary_forced_writes_table_and_figure(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", "voluntary-8", "forced-8", "-n", "4", "--ticks", "78", "--metric", "cross_school_trust",
                 "--metric", "mean_value_added", "--out", str(out), "--quiet", "--jobs", "2"])
    assert code == 0
    for name in ("compare.csv", "compare.md", "compare.png", "metadata.json"):
        assert (out / name).stat().st_size > 0
    table = pd.read_csv(out / "compare.csv")
    assert set(table.metric) == {"cross_school_trust", "mean_value_added"}
    assert set(table.measure) == {"end", "gain"}
    trust = table[(table.metric == "cross_school_trust") & (table.measure == "end")].iloc[0]
    assert trust.diff_A_minus_B > 0 and trust.p_value < 0.05 and trust.ci95_low > 0
    assert "| cross_school_trust | end |" in capsys.readouterr().out


def test_common_random_numbers_make_a_scenario_equal_to_itself(tmp_path):
    out = tmp_path / "same"
    assert main(["compare", "voluntary-8", "voluntary-8", "-n", "3", "--ticks", "20", "--metric", "mean_knowledge",
                 "--out", str(out), "--quiet", "--jobs", "2"]) == 0
    table = pd.read_csv(out / "compare.csv")
    assert (table.diff_A_minus_B == 0).all() and (table.p_value == 1).all()


def test_set_variant_and_bad_metric(tmp_path, capsys):
    out = tmp_path / "variant"
    assert main(["compare", "voluntary-8", "voluntary-8", "-n", "3", "--ticks", "20", "--set-b", "formation=none",
                 "--metric", "cross_school_trust", "--out", str(out), "--quiet", "--jobs", "2"]) == 0
    assert "formation=none" in (out / "compare.md").read_text()
    assert main(["compare", "voluntary-8", "forced-8", "--metric", "cross_school_trsut"]) == 2
    err = capsys.readouterr().err
    assert "cross_school_trsut" in err and "cross_school_trust" in err
    assert main(["compare", "voluntary-8", "forced-8", "-n", "1"]) == 2
