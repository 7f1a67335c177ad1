"""Moral capital is hard earned and quickly lost: slow build, fast collapse after a defection [seed 002]."""

import sys

import numpy as np
import pandas as pd

from simulation.reporters import REPORTERS
from simulation.stats import one_sample

from .ablation import ablation_runs, explain
from .common import Result, Sesoi, decide, finding, new_figure, plot_band, replicate, series, stat_row

NAME = "moral_capital"
TITLE = "Moral capital builds slowly and collapses fast"
PATTERN = ("Moral capital is hard earned and quickly lost: it takes far longer to build up than to lose after a "
           "school defects (seed 002).")
DEPENDS = ("moral_gain", "moral_loss", "defection_penalty", "initial_moral_capital")
SHOCK = 78
SESOI_RATIO = Sesoi(float(np.log(2.0)), "log(build / loss time)",
                    "building taking at least twice as long as losing (log 2): a smaller asymmetry is not what "
                    "'hard earned, quickly lost' describes")


BASE = {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"}
DEFECTION = [(SHOCK, "defection", (3,))]
AFTER = 10                     # weeks after the shock over which the fall is measured
EFFECT = "log(weeks to build / weeks to lose) the moral capital a defection destroys"
SESOI_EFFECT, DIRECTION = SESOI_RATIO, 1
MECHANISMS = ("moral capital accrues", "moral capital is lost to one-way work", "one-way work destroys trust",
              "heads withdraw and rejoin", "effort dynamics")


def runs(quick: bool, seeds: int) -> int:
    """Model runs: one voluntary network with a defection per seed, and one per seed per ablation switch."""
    return seeds + ablation_runs(sys.modules[__name__], 1, seeds)


def times(m: np.ndarray, shock: int, window: int = 10) -> tuple[float, float, float]:
    """(amount lost, ticks it took to build it, ticks it took to lose it) around a shock at tick `shock`.

    The amount is half the fall from the pre-shock level to the lowest level within `window` ticks after
    the shock; the build time is how long before the shock moral capital was last that much lower (the
    whole pre-shock period if never), the loss time how many ticks after the shock it first fell that far.
    """
    pre = m[shock - 1]
    drop = 0.5 * (pre - m[shock:shock + window].min())
    if drop <= 0:
        return 0.0, np.nan, np.nan
    below = np.flatnonzero(m[:shock - 1] <= pre - drop)
    t_build = float(shock - 1 - below[-1]) if len(below) else float(shock - 1)
    t_lose = float(np.flatnonzero(m[shock:] <= pre - drop)[0] + 1)
    return drop, t_build, t_lose


def _reps(ctx, overrides: dict):
    return replicate(ctx, {**BASE, **overrides}, interventions=DEFECTION)


def _log_ratios(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows = [times(x, SHOCK) for x in m]
    built = np.array([r[0] for r in rows])
    tb = np.array([r[1] for r in rows])
    tl = np.array([r[2] for r in rows])
    ok = np.isfinite(tb) & np.isfinite(tl)
    return np.log(tb[ok] / tl[ok]), built, tb, tl


def effect(ctx, overrides: dict):
    """The headline: mean log(ticks to build / ticks to lose) over the replications whose defection causes a fall
    (no estimate if fewer than two do), under `overrides`."""
    import warnings

    with warnings.catch_warnings():          # no fall anywhere (e.g. without moral loss): an empty sample, nan
        warnings.simplefilter("ignore", RuntimeWarning)
        return one_sample(_log_ratios(series(_reps(ctx, overrides), "moral_capital"))[0], 0.0)


def fall_and_recovery(m: np.ndarray, resamples: int = 2000, seed: int = 20240601):
    """The fall of moral capital in the AFTER weeks after the shock and whether it comes back.

    Returns (fall, end_vs_pre, recovery): per replication the fall (pre-shock level - lowest level in the
    AFTER weeks) and the end level minus the pre-shock level, and the recovery share by the end as
    (mean end - mean lowest) / (mean pre - mean lowest) with a percentile bootstrap 95 % CI over replications
    (a ratio of means: per-replication ratios explode where a fall is tiny). 1 = all of the fall regained."""
    pre, low, last = m[:, SHOCK - 1], m[:, SHOCK:SHOCK + AFTER].min(axis=1), m[:, -1]

    def share(i):
        f = pre[i].mean(axis=-1) - low[i].mean(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(f > 0, (last[i].mean(axis=-1) - low[i].mean(axis=-1)) / np.where(f > 0, f, 1.0), np.nan)

    n = len(pre)
    point = float(share(np.arange(n)))
    boot = share(np.random.default_rng(seed).integers(0, n, (resamples, n))) if n > 1 else np.array([np.nan])
    boot = boot[np.isfinite(boot)]
    lo, hi = (np.percentile(boot, [2.5, 97.5]) if len(boot) else (np.nan, np.nan))
    return pre - low, last - pre, (point, float(lo), float(hi))


def run(ctx) -> Result:
    reps = _reps(ctx, {})
    m = series(reps, "moral_capital")
    log_ratio, built, tb, tl = _log_ratios(m)
    ok = np.isfinite(tb) & np.isfinite(tl)
    test = one_sample(log_ratio, 0.0)
    fall, end_vs_pre, (rec_m, rec_lo, rec_hi) = fall_and_recovery(m)
    fall_t, back_t = one_sample(fall, 0.0), one_sample(end_vs_pre, 0.0)
    extra = {}
    for name in ("mean_effort", "schools_withdrawn", "withdrawals"):
        if name in REPORTERS:
            x = series(reps, name)
            extra[f"{name}_before_shock"] = float(x[:, SHOCK - 1].mean())
            extra[f"{name}_after_{AFTER}_weeks"] = float(x[:, min(SHOCK + AFTER, x.shape[1] - 1)].mean())
            extra[f"{name}_end"] = float(x[:, -1].mean())
    geo = float(np.exp(log_ratio.mean()))
    build_mean, loss_mean = (float(np.mean(x[np.isfinite(x)])) if np.isfinite(x).any() else np.nan for x in (tb, tl))
    table = pd.DataFrame([stat_row("log(build time / loss time) vs 0", test, geometric_mean_ratio=geo,
                                   mean_build_ticks=build_mean, mean_loss_ticks=loss_mean,
                                   mean_amount=float(built.mean()), shocks_with_a_fall=int(ok.sum()),
                                   # build time = the whole pre-shock period when moral capital was never that
                                   # low before (censored, not measured); the loss time is at most `window` ticks
                                   build_censored_share=float(np.mean(tb[ok] >= SHOCK - 1)) if ok.any() else np.nan,
                                   recovered_share=float(np.mean(m[:, -1] >= m[:, SHOCK - 1]))),
                          stat_row(f"fall of moral capital in the {AFTER} weeks after the defection vs 0", fall_t),
                          stat_row("moral capital at the end - just before the defection", back_t,
                                   runs_back_to_pre_shock_level=float(np.mean(end_vs_pre >= 0))),
                          {"comparison": "share of the fall regained by the end (ratio of means, bootstrap 95 % CI)",
                           "n": len(fall), "mean_a": rec_m, "diff": rec_m, "ci95_low": rec_lo, "ci95_high": rec_hi},
                          *([{"comparison": "reporters around the defection (means over replications)", **extra}]
                            if extra else [])])
    criteria = [finding("log(ticks to build / ticks to lose) the moral capital a defection destroys", test,
                        SESOI_RATIO)]
    checks = {f"at least 80 % of the defections cause a fall in moral capital ({ok.mean():.0%})": bool(ok.mean() >= 0.8)}
    holds = decide(criteria, checks)
    fig, (ax,) = new_figure(1, (7, 3.8), title="Moral capital builds slowly and collapses fast")
    plot_band(ax, reps, "moral_capital", "moral capital, mean and 95 % CI")
    ax.axvline(SHOCK, color="k", ls="--", lw=1, label=f"school 4 withdraws (week {SHOCK})")
    ax.set_title("Voluntary network of 8; one school defects", fontsize=10)
    ax.legend(fontsize=8)
    stat = (f"ticks it took to build the moral capital a defection destroys (half its fall) vs ticks to lose it: "
            f"geometric-mean ratio "
            f"{geo:.1f} (build {build_mean:.0f} ticks, loss {loss_mean:.1f} ticks); log ratio > 0: "
            f"p {test.p_value:.3g}; fall in the {AFTER} weeks after the defection {fall_t.diff:.3f} [95% CI "
            f"{fall_t.ci_low:.3f}, {fall_t.ci_high:.3f}], of which {rec_m:.0%} [95% CI {rec_lo:.0%}, {rec_hi:.0%}] "
            f"is regained by the end (end - pre-shock level {back_t.diff:+.3f} [95% CI {back_t.ci_low:+.3f}, "
            f"{back_t.ci_high:+.3f}])")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"ratio_geomean": geo, "p": test.p_value, "amount_mean": float(built.mean()),
                   "fall_after_shock": fall_t.diff, "recovery_share": rec_m, "recovery_ci95": [rec_lo, rec_hi],
                   "end_minus_pre_shock": back_t.diff, **extra},
                  DEPENDS, len(ctx.seeds), criteria, checks, **explain(ctx, sys.modules[__name__], test))
