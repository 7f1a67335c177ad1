"""Moral capital is hard earned and quickly lost: slow build, fast collapse after a defection [seed 002]."""

import numpy as np
import pandas as pd

from simulation.stats import one_sample

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


def runs(quick: bool, seeds: int) -> int:
    """Model runs: one voluntary network with a defection per seed."""
    return seeds


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


def run(ctx) -> Result:
    reps = replicate(ctx, {"n_schools": 8, "formation": "voluntary", "link_policy": "chain"},
                     interventions=[(SHOCK, "defection", (3,))])
    m = series(reps, "moral_capital")
    rows = [times(x, SHOCK) for x in m]
    built = np.array([r[0] for r in rows])
    tb = np.array([r[1] for r in rows])
    tl = np.array([r[2] for r in rows])
    ok = np.isfinite(tb) & np.isfinite(tl)
    log_ratio = np.log(tb[ok] / tl[ok])
    test = one_sample(log_ratio, 0.0)
    geo = float(np.exp(log_ratio.mean()))
    build_mean, loss_mean = (float(np.mean(x[np.isfinite(x)])) if np.isfinite(x).any() else np.nan for x in (tb, tl))
    table = pd.DataFrame([stat_row("log(build time / loss time) vs 0", test, geometric_mean_ratio=geo,
                                   mean_build_ticks=build_mean, mean_loss_ticks=loss_mean,
                                   mean_amount=float(built.mean()), shocks_with_a_fall=int(ok.sum()),
                                   recovered_share=float(np.mean(m[:, -1] >= m[:, SHOCK - 1])))])
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
            f"p {test.p_value:.3g}")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"ratio_geomean": geo, "p": test.p_value, "amount_mean": float(built.mean())}, DEPENDS, len(ctx.seeds),
                  criteria, checks)
