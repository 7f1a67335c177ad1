"""Sweep figures: each kept metric against each swept parameter, mean with a 95 % confidence interval.

One PNG per swept parameter (plots/<param>.png), a panel per metric titled with its plain name and its
unit on the y axis. Numeric parameters are lines with a band, categorical ones points with error bars.
Grids with a second swept parameter of few values draw one line (or one dodged set of points) per value
of it; sampled designs are binned into deciles.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.results import atomic_write_bytes

MAX_LEVELS = 12
MAX_HUE = 6
#: two-sided 95 % Student t quantiles for 1-30 degrees of freedom (no SciPy import on the plotting path)
T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042)


def t975(df: int) -> float:
    """The 97.5 % quantile of Student's t with `df` degrees of freedom (table, then a 1/df expansion)."""
    if df <= len(T975):
        return T975[df - 1]
    return 1.959964 + 2.37227 / df + 2.8225 / df**2


def mean_ci(values: pd.Series) -> tuple[float, float, float]:
    """Mean and 95 % t-interval bounds of `values` (the bounds equal the mean for a single value)."""
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return (np.nan, np.nan, np.nan)
    m = float(v.mean())
    if len(v) < 2:
        return (m, m, m)
    half = t975(len(v) - 1) * float(v.std(ddof=1)) / np.sqrt(len(v))
    return (m, m - half, m + half)


def summarise(runs: pd.DataFrame, x: str, metric: str, hue: str | None = None) -> pd.DataFrame:
    """Mean and 95 % CI of `metric` per level of `x` (binned into deciles when it has many values)."""
    ok = runs[runs["status"] == "ok"]
    frame = ok[[x, metric] + ([hue] if hue else [])].copy()
    numeric = pd.api.types.is_numeric_dtype(frame[x]) and not pd.api.types.is_bool_dtype(frame[x])
    if numeric and frame[x].nunique() > MAX_LEVELS:
        bins = pd.qcut(frame[x], q=10, duplicates="drop")
        frame["_x"] = bins.map(lambda iv: iv.mid).astype(float)
    else:
        frame["_x"] = frame[x]
    keys = ["_x"] + ([hue] if hue else [])
    rows = []
    for key, group in frame.groupby(keys, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        m, lo, hi = mean_ci(group[metric])
        rows.append({**dict(zip(keys, key)), "n": len(group), "mean": m, "lo": lo, "hi": hi})
    return pd.DataFrame(rows).rename(columns={"_x": x})


def _hue_for(spec, x: str) -> str | None:
    if not spec.grid or len(spec.grid) < 2:
        return None
    others = [(len(v), k) for k, v in spec.grid.items() if k != x and 1 < len(v) <= MAX_HUE]
    return min(others)[1] if others else None


def parameter_name(name: str) -> str:
    """A parameter's plain name: the first clause of its documentation ('schools per hub'), else its name."""
    import re

    from simulation.params import PARAMS

    if name not in PARAMS:
        return name.replace("_", " ")
    plain = re.split(r"[;:\[]| \(", PARAMS[name].doc)[0].strip().rstrip(",")
    return plain if 0 < len(plain) <= 60 else name.replace("_", " ")


def parameter_label(name: str) -> str:
    """An axis label for a swept parameter: plain name, then the name in the sweep file and the unit
    ('schools per hub (hub_size; schools)')."""
    from simulation.params import PARAMS

    unit = PARAMS[name].unit if name in PARAMS else "-"
    return f"{parameter_name(name)} ({name}" + (")" if unit in ("-", "") else f"; {unit})")


def _categorical(values: pd.Series) -> bool:
    """A parameter drawn as categories (points with error bars): text, booleans."""
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def plot_parameter(spec, runs: pd.DataFrame, x: str) -> Figure:
    """A figure with one panel per plotted metric against swept parameter `x`.

    A numeric parameter is drawn as a line with a 95 % band (one line per value of a second swept parameter);
    a categorical one (formation, link policy, booleans) as points with 95 % error bars, dodged by that
    second parameter. Panels are titled with the reporter's plain name, their y axes carry its unit.
    """
    from simulation.reporters import reporter_axis, reporter_name

    metrics = list(spec.plot)
    cols = min(3, len(metrics))
    rows = int(np.ceil(len(metrics) / cols))
    fig = Figure(figsize=(4.4 * cols, 3.4 * rows + 0.8), layout="constrained")
    hue = _hue_for(spec, x)
    reps = spec.replications
    categorical = _categorical(runs[x])
    fig.suptitle(f"Sweep {spec.name}: values at the end of the run against {parameter_name(x)}\n(mean and 95 % CI "
                 f"over {reps} replication{'s' if reps != 1 else ''} per point"
                 + (f"; one colour per {parameter_name(hue)})" if hue else ")"))
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(rows, cols, i + 1)
        table = summarise(runs, x, metric, hue)
        groups = list(table.groupby(hue, sort=True)) if hue else [(None, table)]
        levels = [v for v in (spec.grid or {}).get(x, sorted(table[x].unique())) if v in set(table[x])] \
            if categorical and len(table) else []
        width = 0.6 / max(len(groups), 1)
        for j, (label, part) in enumerate(groups):
            name = None if label is None else f"{hue} = {label}"
            if categorical:
                offset = (j - (len(groups) - 1) / 2) * width
                xs = np.array([levels.index(v) for v in part[x]], dtype=float) + offset
                err = np.vstack([part["mean"] - part["lo"], part["hi"] - part["mean"]])
                ax.errorbar(xs, part["mean"], yerr=err, fmt="o", ms=4, capsize=3, label=name)
            else:
                xs = part[x].to_numpy(dtype=float)
                line = ax.plot(xs, part["mean"], marker="o", ms=3, label=name)
                ax.fill_between(xs, part["lo"], part["hi"], alpha=0.2, color=line[0].get_color(), linewidth=0)
                if len(part) <= MAX_LEVELS and runs[x].nunique() <= MAX_LEVELS:
                    ax.set_xticks(xs, [f"{v:g}" for v in xs])
        if categorical:
            ax.set_xticks(np.arange(len(levels)), [str(v) for v in levels])
            ax.set_xlim(-0.5, len(levels) - 0.5)
        title = reporter_name(metric)
        ax.set_title(title[0].upper() + title[1:], fontsize=10)
        ax.set_xlabel(parameter_label(x))
        ax.set_ylabel(reporter_axis(metric))
        ax.grid(alpha=0.3)
        if hue and i == 0:
            ax.legend(fontsize=7, title=parameter_label(hue), title_fontsize=7)
    return fig


def save_sweep_plots(out_dir: str | Path, spec, runs: pd.DataFrame) -> list[str]:
    """Write plots/<param>.png for every swept parameter; return the file names written."""
    folder = Path(out_dir) / "plots"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for x in spec.swept:
        if x not in runs.columns or runs[x].nunique() < 2:
            continue
        fig = plot_parameter(spec, runs, x)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        atomic_write_bytes(folder / f"{x}.png", buf.getvalue())
        written.append(f"plots/{x}.png")
    return written
