"""Statistics over replications: paired differences with confidence intervals, tests and effect sizes.

Used by `clc-sim compare` (common random numbers make replication i of A and B a pair) and by the
pattern experiments. Everything is plain NumPy/SciPy on 1-D arrays of per-replication values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st


@dataclass(frozen=True)
class Paired:
    """A paired comparison of per-replication values a and b (difference = a - b)."""

    n: int
    mean_a: float
    mean_b: float
    diff: float
    ci_low: float
    ci_high: float
    p_value: float
    effect_size: float      # Cohen's d_z: mean difference / sd of differences


def _clean(x) -> np.ndarray:
    return np.asarray(x, dtype=float).ravel()


def mean_ci(x, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): a t-based confidence interval for the mean of `x`."""
    x = _clean(x)
    m = float(x.mean()) if len(x) else math.nan
    if len(x) < 2:
        return m, math.nan, math.nan
    half = _st.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return m, m - float(half), m + float(half)


def paired(a, b, level: float = 0.95, alternative: str = "two-sided") -> Paired:
    """Paired t-test of a against b with the CI of the mean difference and Cohen's d_z."""
    a, b = _clean(a), _clean(b)
    if len(a) != len(b):
        raise ValueError(f"paired samples need equal lengths, got {len(a)} and {len(b)}")
    d = a - b
    diff, lo, hi = mean_ci(d, level)
    sd = float(d.std(ddof=1)) if len(d) > 1 else math.nan
    if len(d) < 2:
        p = math.nan
    elif sd == 0.0:
        p = 1.0 if diff == 0.0 else 0.0
    else:
        p = float(_st.ttest_rel(a, b, alternative=alternative).pvalue)
    dz = diff / sd if sd and sd > 0 else (0.0 if diff == 0.0 else math.copysign(math.inf, diff))
    return Paired(len(d), float(a.mean()), float(b.mean()), diff, lo, hi, p, float(dz))


def one_sample(x, mu: float = 0.0, alternative: str = "two-sided", level: float = 0.95) -> Paired:
    """One-sample t-test of mean(x) against `mu`, in the same shape as `paired` (b is the constant)."""
    x = _clean(x)
    return paired(x, np.full(len(x), mu), level, alternative)


def welch(a, b, alternative: str = "two-sided") -> float:
    """Welch's unequal-variance t-test p-value (independent samples)."""
    a, b = _clean(a), _clean(b)
    if len(a) < 2 or len(b) < 2:
        return math.nan
    if a.std() == 0 and b.std() == 0:
        return 1.0 if a.mean() == b.mean() else 0.0
    return float(_st.ttest_ind(a, b, equal_var=False, alternative=alternative).pvalue)


def band(values: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and t-based CI per column of a (replication, time) array, for mean ± CI plots."""
    v = np.asarray(values, dtype=float)
    m = v.mean(axis=0)
    if v.shape[0] < 2:
        return m, m, m
    half = _st.t.ppf(0.5 + level / 2, v.shape[0] - 1) * v.std(axis=0, ddof=1) / math.sqrt(v.shape[0])
    return m, m - half, m + half


def fmt_p(p: float) -> str:
    """A p-value for tables: '<0.001' below a thousandth."""
    if p != p:
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"
