"""One-at-a-time sensitivity of the verdicts: each mechanism's main rate at -25 % and +25 % of its default."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from simulation.params import PARAMS

#: mechanism -> its main rate
MAIN_RATES = {
    "transfer (experience)": "rate_experience",
    "coaching": "rate_coaching",
    "knowledge creation": "creation_rate",
    "trust": "trust_gain",
    "moral capital": "moral_gain",
    "transaction cost": "newness_overhead",
    "coordination (size)": "coordination_cost",
    "boundaries": "permeability_rate",
    "heads unlearning": "unlearning_rate",
    "interventions": "intervention_openness",
}
FACTORS = (0.75, 1.25)


def variants():
    """(label, overrides) for every rate and factor, clipped to the parameter's range."""
    out = []
    for mech, name in MAIN_RATES.items():
        p = PARAMS[name]
        for f in FACTORS:
            v = min(max(p.default * f, p.lo), p.hi)
            out.append((f"{name} x{f:g}", {name: v}))
    return out


def run_sensitivity(ctx, root: Path | str, names=None) -> Path:
    """Run every pattern experiment under each variant (no files per run); write sensitivity/table.{csv,md}."""
    from experiments import PATTERNS, module
    from experiments.common import apply_family, table_markdown
    from simulation.results import atomic_write, atomic_write_text

    names = names or list(PATTERNS)
    rows = []
    for label, over in [("defaults", {})] + variants():
        sub = replace(ctx, overrides={**ctx.overrides, **over}, ablate=False)     # verdicts only
        row = {"variant": label}
        results = [module(name).run(sub) for name in names]
        family = apply_family(results)          # the same verdict rule as REPORT.md, per variant
        for res in results:
            row[res.name] = "holds" if res.holds else "FAILS"
        rows.append(row)
        print(label, " ".join(f"{k}={v}" for k, v in row.items() if k != "variant"), flush=True)
    table = pd.DataFrame(rows)
    survive = {n: int((table[n] == "holds").sum()) for n in names}
    out = Path(root) / "sensitivity"
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "table.csv", lambda tmp: table.to_csv(tmp, index=False))
    summary = "; ".join(f"{n}: {survive[n]}/{len(table)}" for n in names)
    md = ("# Sensitivity of the verdicts\n\n"
          f"Each mechanism's main rate at x0.75 and x1.25 of its default, one at a time, {len(ctx.seeds)} replications "
          f"per condition{' (quick settings)' if ctx.quick else ''}. Each verdict is decided as in REPORT.md: every "
          f"finding against its smallest effect of interest, Holm's correction over the {family} findings of the "
          f"patterns in each condition. Conditions under which each pattern holds: {summary}.\n\n"
          + table_markdown(table) + "\n")
    atomic_write_text(out / "table.md", md)
    return out / "table.md"
