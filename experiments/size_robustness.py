"""Where the gain-per-school optimum over network size lies at 3, 5 and 10 years, and how it moves with the
coordination cost: the robustness rows of the `network_size` experiment [seed 004 less-known 7; DESIGN, the
science standard: central patterns at several horizons].

One set of runs to ten years gives the 3-, 5- and 10-year rows (the series is read at each horizon); two more
sets at five years halve and double `coordination_cost`. Each row: the size with the highest mean gain, the
share of bootstrap resamples (of replications, per size) that peak in 5-12 schools, and the sizes within 80 %
of the peak.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.params import DEFAULTS
from simulation.stats import mean_ci

from .common import replicate_many, series

YEAR = 39
HORIZONS = {"3 years": 3 * YEAR, "5 years": 5 * YEAR, "10 years": 10 * YEAR}
COST_FACTORS = (0.5, 2.0)
BAND = (5, 12)
BOOTSTRAP = 500


def runs(sizes, seeds: int) -> int:
    """Model runs: sizes x seeds at ten years, and sizes x seeds per coordination-cost factor at five."""
    return len(sizes) * seeds * (1 + len(COST_FACTORS))


def _row(label: str, horizon: int, coordination_cost: float, sizes, gains: dict, rng) -> dict:
    means = np.array([gains[n].mean() for n in sizes])
    peak = sizes[int(np.argmax(means))]
    boot = [sizes[int(np.argmax([gains[n][rng.integers(0, len(gains[n]), len(gains[n]))].mean() for n in sizes]))]
            for _ in range(BOOTSTRAP)]
    in_band = float(np.mean([(BAND[0] <= b <= BAND[1]) for b in boot]))
    flat = [n for n, m in zip(sizes, means) if means.max() > 0 and m >= 0.8 * means.max()]
    m, lo, hi = mean_ci(gains[peak])
    return {"condition": label, "horizon_ticks": horizon, "coordination_cost": coordination_cost, "peak_size": peak,
            "gain_at_peak": m, "ci95_low": lo, "ci95_high": hi, "bootstrap_peak_in_5_12": in_band,
            "within_80pct_of_peak": f"{flat[0]}-{flat[-1]}" if flat else "none",
            "gain_at_smallest": float(means[0]), "gain_at_largest": float(means[-1])}


def optimum_table(ctx, sizes, base: dict, metric: str = "value_added_sd") -> pd.DataFrame:
    """One row per horizon (3, 5, 10 years) and per coordination-cost factor (at 5 years): where the optimum is."""
    rng = np.random.default_rng(12345)
    long = replicate_many(ctx, {n: {**base, "n_schools": n, "hub_size": n} for n in sizes},
                          horizon=HORIZONS["10 years"])
    rows = []
    cost = DEFAULTS["coordination_cost"]
    for label, h in HORIZONS.items():
        gains = {n: series(long[n], metric)[:, h] - series(long[n], metric)[:, 0] for n in sizes}
        rows.append(_row(label, h, cost, sizes, gains, rng))
    for f in COST_FACTORS:
        reps = replicate_many(ctx, {n: {**base, "n_schools": n, "hub_size": n, "coordination_cost": cost * f}
                                    for n in sizes}, horizon=HORIZONS["5 years"])
        gains = {n: series(reps[n], metric)[:, -1] - series(reps[n], metric)[:, 0] for n in sizes}
        rows.append(_row(f"5 years, coordination cost x {f:g}", HORIZONS["5 years"], cost * f, sizes, gains, rng))
    return pd.DataFrame(rows)
