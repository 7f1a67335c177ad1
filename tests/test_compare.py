"""`clc-sim compare` and the statistics module: paired statistics, common random numbers, files, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from simulation.cli import main
from simulation.stats import band, exceeds, hedges_g, holm, independent, mean_ci, one_sample, paired, relative_change


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


def test_hedges_g_against_its_formula_and_a_paired_bootstrap_ci():
    rng = np.random.default_rng(4)
    a, b = rng.normal(1.0, 0.5, 20), rng.normal(0.6, 0.5, 20)
    g, lo, hi = hedges_g(a, b, paired=False)
    pooled = np.sqrt((19 * a.var(ddof=1) + 19 * b.var(ddof=1)) / 38)
    assert g == pytest.approx((1 - 3 / (4 * 38 - 1)) * (a.mean() - b.mean()) / pooled)
    assert lo < g < hi and hi - lo == pytest.approx(2 * 1.96 * np.sqrt(40 / 400 + g**2 / 80), rel=0.35)
    # pairing narrows g's interval but leaves g itself alone; d_z grows with the pairing
    shared = rng.normal(0, 1.0, 20)
    a2, b2 = shared + a, shared + b
    g2, lo2, hi2 = hedges_g(a2, b2)
    assert g2 == pytest.approx((1 - 3 / 151) * (a2.mean() - b2.mean()) / np.sqrt((a2.var(ddof=1) + b2.var(ddof=1)) / 2))
    assert abs(paired(a2, b2).effect_size) > abs(g2) and lo2 < g2 < hi2
    assert hedges_g(a, b) == hedges_g(a, b), "a fixed bootstrap seed: the same interval every time"
    assert hedges_g([1.0, 1.0, 1.0], [1.0, 1.0, 1.0])[0] == 0.0
    assert relative_change(1.5, 1.0) == pytest.approx(0.5) and relative_change(-1.5, -1.0) == pytest.approx(-0.5)
    assert np.isnan(relative_change(1.0, 0.0))


def test_minimum_effect_test_welch_and_holm():
    rng = np.random.default_rng(5)
    a, b = rng.normal(0.3, 0.2, 15), rng.normal(0.0, 0.2, 15)
    st_ = paired(a, b)
    # exceeding a SESOI of 0.1 is a one-sided t-test of the differences shifted by 0.1
    assert exceeds(st_, 0.1) == pytest.approx(st.ttest_1samp(a - b - 0.1, 0.0, alternative="greater").pvalue)
    assert exceeds(st_, 0.0, -1) == pytest.approx(st.ttest_rel(a, b, alternative="less").pvalue)
    w = independent(a, b)
    ref = st.ttest_ind(a, b, equal_var=False)
    assert w.p_value == pytest.approx(ref.pvalue) and w.df == pytest.approx(ref.df)
    assert exceeds(w, 0.1) == pytest.approx(st.ttest_ind(a - 0.1, b, equal_var=False, alternative="greater").pvalue)
    assert w.ci_low < w.diff < w.ci_high
    assert list(holm([0.02, np.nan, 0.01])) == pytest.approx([0.04, np.nan, 0.03], nan_ok=True)


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
    for column in ("cohens_dz", "hedges_g", "g_ci95_low", "g_ci95_high", "relative_change", "start_diff_A_minus_B",
                   "set_at_start"):
        assert column in table.columns
    # initial trust is an input of the formation: the end difference is marked as set at tick 0
    assert trust.set_at_start and trust.start_diff_A_minus_B > 0.2
    assert trust.relative_change == pytest.approx(trust.diff_A_minus_B / abs(trust.mean_B))
    assert trust.hedges_g > 0 and abs(trust.cohens_dz) != abs(trust.hedges_g)
    out = capsys.readouterr().out
    assert "| cross_school_trust | end |" in out and " ‡ |" in out
    assert "d_z** = mean difference / SD of the paired differences" in out and "Hedges' g" in out
    assert "‡ Differences already present at tick 0" in out


def test_common_random_numbers_make_a_scenario_equal_to_itself(tmp_path):
    out = tmp_path / "same"
    assert main(["compare", "voluntary-8", "voluntary-8", "-n", "3", "--ticks", "20", "--metric", "mean_knowledge",
                 "--out", str(out), "--quiet", "--jobs", "2"]) == 0
    table = pd.read_csv(out / "compare.csv")
    assert (table.diff_A_minus_B == 0).all() and (table.p_value == 1).all()
    assert not table.set_at_start.any() and (table.hedges_g == 0).all()


def test_set_variant_and_bad_metric(tmp_path, capsys):
    out = tmp_path / "variant"
    assert main(["compare", "voluntary-8", "voluntary-8", "-n", "3", "--ticks", "20", "--set-b", "formation=none",
                 "--metric", "cross_school_trust", "--out", str(out), "--quiet", "--jobs", "2"]) == 0
    assert "formation=none" in (out / "compare.md").read_text()
    assert main(["compare", "voluntary-8", "forced-8", "--metric", "cross_school_trsut"]) == 2
    err = capsys.readouterr().err
    assert "cross_school_trsut" in err and "cross_school_trust" in err
    assert main(["compare", "voluntary-8", "forced-8", "-n", "1"]) == 2
