"""The sweep tables an analyst opens in a spreadsheet: runs.csv, design.csv and summary.csv.

summary.csv has one row per design point: the swept values, how many runs it has (ok and failed), and
for each kept reporter its value at the end and its gain (end minus tick 0) as mean, SD, 95 %
t-interval and n over the point's finished runs. Points with no finished run yet keep their row with
n = 0 and empty cells, so the table has the same shape however far the sweep got.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from simulation.results import atomic_write

#: the two measures of a reporter in summary.csv, and the runs-table column each is read from
MEASURES = (("end", ""), ("gain", "_change"))
STATISTICS = ("mean", "sd", "ci95_low", "ci95_high", "n")
CSV_OPTIONS = {"index": False, "lineterminator": "\n"}


def summary_columns(metric: str) -> list[str]:
    """The summary.csv columns of one reporter, e.g. mean_knowledge_end_mean ... mean_knowledge_gain_n."""
    return [f"{metric}_{measure}_{stat}" for measure, _ in MEASURES for stat in STATISTICS]


def _interval(mean: pd.Series, sd: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    from scipy.stats import t

    n_values = n.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = np.where(n_values >= 2, t.ppf(0.975, np.maximum(n_values - 1, 1)), np.nan)
        half = q * sd.to_numpy(dtype=float) / np.sqrt(n_values)
    return mean - half, mean + half


def summary_table(spec, runs: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """One row per design point of `design` (point_id and swept values) summarising its finished runs."""
    ok = runs[runs["status"] == "ok"] if len(runs) else runs
    out = design.copy().reset_index(drop=True)
    grouped_all = runs.groupby("point_id")["run_id"].count() if len(runs) else pd.Series(dtype="int64")
    grouped_ok = ok.groupby("point_id")["run_id"].count() if len(ok) else pd.Series(dtype="int64")
    out["runs_planned"] = spec.replications
    out["runs_ok"] = out["point_id"].map(grouped_ok).fillna(0).astype("int64")
    out["runs_failed"] = (out["point_id"].map(grouped_all).fillna(0).astype("int64") - out["runs_ok"])
    columns = {}
    for metric in spec.metrics:
        for measure, suffix in MEASURES:
            source = f"{metric}{suffix}"
            if source in ok.columns and len(ok):
                stats = ok.groupby("point_id")[source].agg(["mean", "std", "count"])
                mean = out["point_id"].map(stats["mean"]).astype(float)
                sd = out["point_id"].map(stats["std"]).astype(float)
                n = out["point_id"].map(stats["count"]).fillna(0).astype("int64")
            else:
                mean = sd = pd.Series(np.nan, index=out.index)
                n = pd.Series(0, index=out.index, dtype="int64")
            low, high = _interval(mean, sd, n)
            base = f"{metric}_{measure}"
            columns.update({f"{base}_mean": mean, f"{base}_sd": sd, f"{base}_ci95_low": low,
                            f"{base}_ci95_high": high, f"{base}_n": n})
    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)


def write_tables(out_dir: str | Path, spec, runs: pd.DataFrame, design: pd.DataFrame) -> list[str]:
    """Write runs.csv (runs.parquet without its multi-line traceback column), design.csv and summary.csv;
    return their names."""
    out = Path(out_dir)
    flat = runs.drop(columns=[c for c in ("traceback",) if c in runs.columns])
    summary = summary_table(spec, runs, design)
    atomic_write(out / "runs.csv", lambda tmp: flat.to_csv(tmp, **CSV_OPTIONS))
    atomic_write(out / "design.csv", lambda tmp: design.to_csv(tmp, **CSV_OPTIONS))
    atomic_write(out / "summary.csv", lambda tmp: summary.to_csv(tmp, **CSV_OPTIONS))
    return ["runs.csv", "design.csv", "summary.csv"]
