"""Statistics over replications: paired differences with confidence intervals, tests and effect sizes.

Used by `clc-sim compare` (common random numbers make replication i of A and B a pair) and by the
pattern experiments. Everything is plain NumPy/SciPy on 1-D arrays of per-replication values.

Two effect sizes, because they answer different questions: Cohen's d_z (mean paired difference / SD of
the paired differences) says how consistently A beats B replication by replication; common random
numbers make the differences far less variable than either condition, so d_z is large and not
comparable with between-group effects. Hedges' g (difference of means / pooled SD within conditions)
says how big the difference is against the spread of outcomes between replications of one condition.
Verdicts use minimum-effect tests against a smallest effect of interest (`exceeds`) with Holm's
step-down correction over a family of tests (`holm`).
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
    effect_size: float      # Cohen's d_z: mean difference / sd of differences (nan for independent samples)
    se: float = math.nan    # standard error of `diff`
    df: float = math.nan    # degrees of freedom of its t distribution (n - 1 paired, Welch-Satterthwaite otherwise)


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
    se = sd / math.sqrt(len(d)) if len(d) > 1 else math.nan
    return Paired(len(d), float(a.mean()), float(b.mean()), diff, lo, hi, p, float(dz), float(se), float(len(d) - 1))


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


def independent(a, b, level: float = 0.95, alternative: str = "two-sided") -> Paired:
    """Welch's test of independent samples a and b in the shape of `paired` (difference = mean a - mean b).

    SE = sqrt(s_a²/n_a + s_b²/n_b); df = SE⁴ / ((s_a²/n_a)²/(n_a-1) + (s_b²/n_b)²/(n_b-1)) (Welch-Satterthwaite);
    CI = diff ± t_df · SE. `n` is the smaller sample; `effect_size` is nan (d_z needs pairs: use `hedges_g`).
    """
    a, b = _clean(a), _clean(b)
    diff = float(a.mean() - b.mean()) if len(a) and len(b) else math.nan
    if len(a) < 2 or len(b) < 2:
        return Paired(min(len(a), len(b)), float(a.mean()) if len(a) else math.nan,
                      float(b.mean()) if len(b) else math.nan, diff, math.nan, math.nan, math.nan, math.nan)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0.0:
        df = float(len(a) + len(b) - 2)
        lo = hi = diff
    else:
        df = se**4 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        half = float(_st.t.ppf(0.5 + level / 2, df)) * se
        lo, hi = diff - half, diff + half
    return Paired(min(len(a), len(b)), float(a.mean()), float(b.mean()), diff, lo, hi,
                  welch(a, b, alternative), math.nan, se, float(df))


def _g(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hedges' g along the last axis (see `hedges_g`)."""
    na, nb = a.shape[-1], b.shape[-1]
    df = na + nb - 2
    pooled = np.sqrt(((na - 1) * a.var(axis=-1, ddof=1) + (nb - 1) * b.var(axis=-1, ddof=1)) / df)
    diff = a.mean(axis=-1) - b.mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(pooled > 0, diff / np.where(pooled > 0, pooled, 1.0),
                     np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    return (1.0 - 3.0 / (4.0 * df - 1.0)) * d


def hedges_g(a, b, paired: bool = True, level: float = 0.95, resamples: int = 2000,
             seed: int = 20240601) -> tuple[float, float, float]:
    """(g, low, high): the between-condition standardised difference of means, Hedges' g, with a bootstrap CI.

    g = J · (mean a - mean b) / s_p, s_p = sqrt(((n_a-1) s_a² + (n_b-1) s_b²) / (n_a + n_b - 2)),
    J = 1 - 3 / (4 (n_a + n_b - 2) - 1) (Hedges 1981; for pairs this is Lakens' 2013 g_av). It measures the
    difference against the spread between replications of one condition, so common random numbers do not
    inflate it as they do d_z. CI: BCa bootstrap over replications (pairs resampled together when `paired`),
    `resamples` draws from a fixed seed, so the interval is reproducible.
    """
    a, b = _clean(a), _clean(b)
    if paired and len(a) != len(b):
        raise ValueError(f"paired samples need equal lengths, got {len(a)} and {len(b)}")
    if len(a) < 2 or len(b) < 2:
        return math.nan, math.nan, math.nan
    g = float(_g(a, b))
    if not math.isfinite(g):
        return g, math.nan, math.nan
    rng = np.random.default_rng(seed)
    ia = rng.integers(0, len(a), (resamples, len(a)))
    ib = ia if paired else rng.integers(0, len(b), (resamples, len(b)))
    boot = _g(a[ia], b[ib])
    boot = boot[np.isfinite(boot)]
    if len(boot) < resamples // 2 or np.ptp(boot) == 0:
        return g, math.nan, math.nan
    # BCa (Efron 1987): bias z0 from the share of resamples below g, acceleration from the jackknife
    z0 = _st.norm.ppf((np.sum(boot < g) + 0.5 * np.sum(boot == g)) / len(boot))
    if paired:
        keep = ~np.eye(len(a), dtype=bool)
        jack = _g(np.broadcast_to(a, (len(a), len(a)))[keep].reshape(len(a), -1),
                  np.broadcast_to(b, (len(b), len(b)))[keep].reshape(len(b), -1))
    else:
        ka, kb = ~np.eye(len(a), dtype=bool), ~np.eye(len(b), dtype=bool)
        jack = np.concatenate([_g(np.broadcast_to(a, (len(a), len(a)))[ka].reshape(len(a), -1),
                                  np.broadcast_to(b, (len(a), len(b)))),
                               _g(np.broadcast_to(a, (len(b), len(a))),
                                  np.broadcast_to(b, (len(b), len(b)))[kb].reshape(len(b), -1))])
    u = jack.mean() - jack
    denom = 6.0 * np.sum(u**2) ** 1.5
    acc = float(np.sum(u**3) / denom) if denom > 0 and np.isfinite(denom) else 0.0
    z = _st.norm.ppf([0.5 - level / 2, 0.5 + level / 2])
    q = _st.norm.cdf(z0 + (z0 + z) / (1.0 - acc * (z0 + z)))
    if not np.all(np.isfinite(q)):
        q = np.array([0.5 - level / 2, 0.5 + level / 2])
    lo, hi = np.quantile(boot, q)
    return g, float(lo), float(hi)


def relative_change(mean_a: float, mean_b: float) -> float:
    """(mean_a - mean_b) / |mean_b|: the change from B as a share of B's level (nan when B's mean is 0)."""
    if not (math.isfinite(mean_a) and math.isfinite(mean_b)) or mean_b == 0.0:
        return math.nan
    return (mean_a - mean_b) / abs(mean_b)


def exceeds(st: Paired, sesoi: float, direction: int = 1) -> float:
    """One-sided p of the minimum-effect test H0: direction·δ <= sesoi against H1: direction·δ > sesoi.

    t = (direction · diff - sesoi) / SE with `st`'s SE and df (Lakens, Scheel & Isager 2018): a small p
    says the effect is in the predicted direction *and* larger than the smallest effect of interest.
    With sesoi = 0 it is the ordinary one-sided t-test.
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 or -1, got {direction!r}")
    excess = direction * st.diff - sesoi
    if not math.isfinite(excess):
        return math.nan
    if st.se == 0.0:
        return 0.0 if excess > 0 else 1.0
    if not (math.isfinite(st.se) and math.isfinite(st.df)):
        return math.nan
    return float(_st.t.sf(excess / st.se, st.df))


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values: p_(i)adj = max over j <= i of min(1, (m - j + 1) p_(j)), in input order.

    Rejecting every adjusted p below alpha keeps the family-wise error rate at alpha (Holm 1979). A nan
    p-value (a test that could not be run) counts in m and stays nan.
    """
    p = np.asarray(p_values, dtype=float).ravel()
    m = len(p)
    out = np.full(m, math.nan)
    finite = np.flatnonzero(np.isfinite(p))
    order = finite[np.argsort(p[finite], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


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
