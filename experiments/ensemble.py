"""The pattern experiments over the calibrated ensemble: in how many members each pattern holds.

Each member (`simulation.calibration.load_ensemble`) replaces the defaults of the parameters it carries
(the experiment's own settings and `--set` values still win), and every experiment named runs at it as it
runs alone, without the ablation (the mechanism labels are a property of the defaults' run; rerunning them
per member would multiply the cost by about three). Holm's correction runs over the member's pattern findings,
as in `run all`. Per member the verdict and the headline effect (`module.effect`, mean and 95 % CI over the
seeds) are kept; per pattern the report gives the share of members in which it holds, with a Wilson 95 %
interval, and the headline effect's median and 5-95 % range over members.

Writes <root>/ensemble/members.csv (member x experiment) and <root>/ensemble/table.md; REPORT.md quotes it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd

TITLE = "The patterns over the calibrated ensemble"


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95 % interval of a share k / n."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def run_ensemble(ctx, members: list[dict], root: Path | str, names=None, on_member=None) -> pd.DataFrame:
    """Run the experiments `names` (default: every pattern) at each member; write and return members.csv's rows."""
    from experiments import PATTERNS, module, run_experiment
    from experiments.common import apply_family
    from simulation.replicate import clear_cache
    from simulation.results import atomic_write, atomic_write_text

    names = [n for n in (names or PATTERNS)]
    out = Path(root) / "ensemble"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, member in enumerate(members, start=1):
        mctx = replace(ctx, overrides={**member, **ctx.overrides}, ablate=False)
        results = [run_experiment(n, mctx, root, write=False) for n in names]
        apply_family([r for r in results if r.name in PATTERNS])
        for r in results:
            mod = module(r.name)
            eff = mod.effect(mctx, {}) if hasattr(mod, "effect") else None
            rows.append({"member": i, "experiment": r.name, "holds": bool(r.holds),
                         "headline": getattr(mod, "EFFECT", ""),
                         "effect": math.nan if eff is None else float(eff.diff),
                         "ci95_low": math.nan if eff is None else float(eff.ci_low),
                         "ci95_high": math.nan if eff is None else float(eff.ci_high),
                         "replications": r.n})
        clear_cache()
        frame = pd.DataFrame(rows)
        atomic_write(out / "members.csv", lambda tmp: frame.to_csv(tmp, index=False))   # each member kept at once
        if on_member is not None:
            on_member(i, len(members))
    frame = pd.DataFrame(rows)
    atomic_write_text(out / "table.md", markdown(frame, ctx, len(members)))
    return frame


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Per experiment: members, members where it holds, the share with its Wilson CI, the effect's spread."""
    import numpy as np

    rows = []
    for name, grp in frame.groupby("experiment", sort=False):
        k, n = int(grp["holds"].sum()), len(grp)
        lo, hi = wilson(k, n)
        eff = grp["effect"].to_numpy(float)
        eff = eff[np.isfinite(eff)]
        rows.append({"experiment": name, "members": n, "holds_in": k, "share": k / n, "share_ci95_low": lo,
                     "share_ci95_high": hi, "headline": grp["headline"].iloc[0],
                     "effect_median": float(np.median(eff)) if len(eff) else math.nan,
                     "effect_p5": float(np.percentile(eff, 5)) if len(eff) else math.nan,
                     "effect_p95": float(np.percentile(eff, 95)) if len(eff) else math.nan})
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame, ctx, n_members: int) -> str:
    """The ensemble table: share of members in which each pattern holds, and the spread of its effect."""
    table = shares(frame)
    seeds = f"{ctx.seeds[0]}-{ctx.seeds[-1]}" if ctx.seeds else "-"
    lines = [f"# {TITLE}", "",
             f"{n_members} members of the calibrated ensemble (simulation/calibration/ensemble.csv, the first "
             f"{n_members}: a random sample), {len(ctx.seeds)} seeds each ({seeds}){', quick' if ctx.quick else ''}; "
             "Holm over each member's pattern findings. Share: members in which the pattern holds (Wilson 95 % "
             "interval). Effect: the headline effect per member (mean over seeds), median and 5-95 % range over "
             "members. Fewer seeds per member than the defaults' run means less power: a share below 1 can be "
             "the seeds' noise as well as the parameters.", "",
             "| experiment | holds in | share [95 % CI] | headline effect | median [5 %, 95 %] over members |",
             "| --- | ---: | --- | --- | --- |"]
    for r in table.itertuples(index=False):
        eff = ("-" if r.effect_median != r.effect_median
               else f"{r.effect_median:+.3f} [{r.effect_p5:+.3f}, {r.effect_p95:+.3f}]")
        lines.append(f"| {r.experiment} | {r.holds_in}/{r.members} | {r.share:.0%} [{r.share_ci95_low:.0%}, "
                     f"{r.share_ci95_high:.0%}] | {r.headline or '-'} | {eff} |")
    return "\n".join(lines) + "\n"
