"""Shared helpers of the pattern experiments: the run context, replications, verdicts, files and the report.

An experiment module defines NAME, TITLE, PATTERN (the seed's claim), DEPENDS (the default parameters its
verdict rests on), `runs(quick, seeds)` (how many model runs it makes) and `run(ctx) -> Result`. Replications
go through `simulation.replicate` (a spawn pool, memoised), so experiments sharing a baseline run it once.

A verdict rests on *findings* and *checks*. A finding is a `Criterion`: an effect the model produces, tested
against a stated smallest effect of interest (SESOI: `Sesoi`, with a sentence on why that size matters) by a
one-sided minimum-effect t-test, and the p-values of all findings in the family are Holm-adjusted (the
experiment's own findings when it runs alone; every pattern's findings under `run all`, see `apply_family`).
A check is a condition that is not a finding: something set by the inputs (initial trust, heads' commitment,
the initial spread of knowledge) or by construction, or a location
(the peak's network size). A pattern HOLDS when every check is true and every finding's Holm-adjusted p is
below ALPHA.

Beside the verdict, every pattern reports its mechanism: its headline effect (`effect(ctx, overrides)`)
rerun with the seeds' stated input differences removed and with each of its MECHANISMS switched off
(`experiments.ablation`), a label (assumed / emergent / absent) and the mechanism(s) whose ablation removes
it; `write_result` writes ablation.csv and a "Mechanism (ablation)" section, and REPORT.md leads with them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulation.replicate import Replica, Task, run_tasks
from simulation.stats import Paired, band, exceeds, fmt_p, hedges_g, holm

HORIZON = 195
SEEDS_FULL = 20
SEEDS_QUICK = 6
ALPHA = 0.05
XLABEL = "week (tick; 39 a school year)"


@dataclass(frozen=True)
class Sesoi:
    """A smallest effect of interest: its size in the measure's unit and, in a sentence, why that size matters."""

    value: float
    unit: str
    why: str


#: shared smallest effects of interest, each anchored once (experiments quote them, or state their own)
def _pupil_sd_at_defaults() -> tuple[float, float]:
    """(one pupil SD in attainment units, attainment per unit of teaching knowledge) at the defaults."""
    from simulation.outcomes import national_reference
    from simulation.params import Params

    p = Params()
    return float(national_reference(p).pupil_sd(p.between_school_share)), float(p.attainment_teaching)


_PUPIL_SD, _SLOPE = _pupil_sd_at_defaults()
SESOI_ATTAINMENT = Sesoi(
    0.02, "pupil SD",
    "0.02 pupil SD: below the 0.05 pupil SD that education benchmarks count as a small effect (Kraft 2020) and "
    "a third of the mean effect of education RCTs (0.06, Lortie-Forgues & Inglis 2019), so a smaller "
    "difference is of no practical importance (value added in pupil SD, ODD 7.15: attainment over the national "
    "reference's between-school SD over the square root of the between-school share of pupil variance)")
SESOI_KNOWLEDGE = Sesoi(
    round(0.02 * _PUPIL_SD / _SLOPE, 4), "knowledge (0-1)",
    f"the change in teachers' knowledge that moves attainment by the attainment SESOI at the defaults (0.02 "
    f"pupil SD = {0.02 * _PUPIL_SD:.4f} attainment units, over {_SLOPE:g} attainment per unit of teaching "
    f"knowledge, the outcome equation's slope)")
SESOI_TRUST = Sesoi(
    0.05, "trust (0-1)",
    "a fifth of one step of a five-point survey item on the 0-1 scale, and a fifth of the 0.25 gap in initial "
    "trust the model assumes between voluntary and forced networks; transfer is proportional to trust, so at "
    "trust 0.4 it changes knowledge transfer by about 12 %")


@dataclass
class Criterion:
    """One finding a verdict rests on: an estimate (a `stats.Paired`) tested against its SESOI.

    direction +1: the claim is effect > SESOI; -1: effect < -SESOI; `below=True`: the claim is that the
    effect is smaller than the SESOI (no meaningful change: effect < SESOI, one side of an equivalence test).
    `p` is the one-sided minimum-effect p (`stats.exceeds`), `p_holm` its Holm-adjusted value in the family.
    """

    label: str
    stat: Paired
    sesoi: Sesoi
    direction: int = 1
    below: bool = False
    g: tuple[float, float, float] = (math.nan, math.nan, math.nan)
    p_holm: float = math.nan

    @property
    def p(self) -> float:
        if self.below:
            return exceeds(self.stat, -self.sesoi.value, -1)
        return exceeds(self.stat, self.sesoi.value, self.direction)

    @property
    def claim(self) -> str:
        """The alternative hypothesis in words: 'diff > +0.005', 'diff < -0.01', 'diff < +0.005'."""
        if self.below:
            return f"diff < {self.sesoi.value:+g}"
        return f"diff {'>' if self.direction > 0 else '<'} {self.direction * self.sesoi.value:+g}"

    @property
    def passes(self) -> bool:
        return bool(self.p_holm < ALPHA)

    def row(self) -> dict:
        st = self.stat
        return {"finding": self.label, "n": st.n, "diff": st.diff, "ci95_low": st.ci_low, "ci95_high": st.ci_high,
                "claim": self.claim, "sesoi": self.sesoi.value, "sesoi_unit": self.sesoi.unit,
                "p_min_effect": self.p, "p_holm": self.p_holm, "passes": self.passes, "effect_dz": st.effect_size,
                "hedges_g": self.g[0], "g_ci95_low": self.g[1], "g_ci95_high": self.g[2], "why": self.sesoi.why}


def finding(label: str, stat: Paired, sesoi: Sesoi, direction: int = 1, below: bool = False, a=None, b=None,
            paired: bool = True) -> Criterion:
    """A `Criterion`; with the two samples `a`, `b` it also carries Hedges' g (between-condition) with its CI."""
    g = hedges_g(a, b, paired=paired) if a is not None and b is not None else (math.nan, math.nan, math.nan)
    return Criterion(label, stat, sesoi, direction, below, g)


def decide(criteria: list[Criterion], checks: dict[str, bool]) -> bool:
    """Holm-adjust `criteria` as one family (in place) and return the verdict: every check and every finding."""
    adjusted = holm([c.p for c in criteria]) if criteria else []
    for c, p in zip(criteria, adjusted):
        c.p_holm = float(p)
    return bool(all(checks.values()) and all(c.passes for c in criteria))


def apply_family(results) -> int:
    """Holm across every finding of `results` (the pattern experiments of one command); reset each verdict.

    Returns the family size m. Experiments without findings (docking) keep their own verdict.
    """
    pooled = [c for r in results for c in r.criteria]
    adjusted = holm([c.p for c in pooled]) if pooled else []
    for c, p in zip(pooled, adjusted):
        c.p_holm = float(p)
    for r in results:
        if r.criteria:
            r.family = len(pooled)
            r.holds = bool(all(r.checks.values()) and all(c.passes for c in r.criteria))
    return len(pooled)


@dataclass
class Context:
    """How to run: quick or full, the seeds, parameter overrides on top of defaults, worker count, and the
    command line that asked for it (for REPORT.md; empty when called from Python)."""

    quick: bool = False
    seeds: tuple[int, ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)
    jobs: int | None = None
    progress: bool = False
    command: str = ""
    #: run each pattern's ablation (experiments/ablation.py): True (all), False (none: the sensitivity analysis
    #: needs verdicts only) or the names of the experiments to ablate (the tests' quick run, to stay cheap)
    ablate: bool | tuple[str, ...] = True

    @staticmethod
    def make(quick: bool = False, replications: int | None = None, seed: int = 1,
             overrides: dict | None = None, jobs: int | None = None, progress: bool = False,
             command: str = "") -> "Context":
        n = replications or (SEEDS_QUICK if quick else SEEDS_FULL)
        return Context(quick, tuple(range(seed, seed + n)), dict(overrides or {}), jobs, progress, command)

    def described(self) -> str:
        """The command that made these results: the real one, or the equivalent CLI call when run from Python."""
        if self.command:
            return self.command
        parts = ["clc-sim experiments run all"] + (["--quick"] if self.quick else [])
        if self.seeds:
            parts += [f"--seed {self.seeds[0]}", f"-n {len(self.seeds)}"]
        parts += [f"--set {k}={v}" for k, v in self.overrides.items()]
        return " ".join(parts) + " (equivalent; run from Python with experiments.run_all)"


def at_least(ctx: Context, n: int) -> Context:
    """`ctx` with at least n seeds (for a quick run of an experiment whose effect is modest but cheap to replicate)."""
    if len(ctx.seeds) >= n:
        return ctx
    first = ctx.seeds[0] if ctx.seeds else 1
    return replace(ctx, seeds=tuple(range(first, first + n)))


@dataclass
class Result:
    """An experiment's verdict, with its statistic in words, the numbers, a table and a figure; `criteria`
    (findings against their SESOI) and `checks` (inputs, constructions, locations) are what `holds` rests on,
    `family` the number of findings Holm's correction ran over."""

    name: str
    title: str
    pattern: str
    statistic: str
    holds: bool
    table: pd.DataFrame
    figure: Any
    numbers: dict[str, Any] = field(default_factory=dict)
    depends: tuple[str, ...] = ()
    n: int = 0
    criteria: list[Criterion] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    family: int = 0
    seconds: float = math.nan
    command: str = ""
    #: the headline effect with each mechanism switched off in turn (experiments/ablation.py), the label
    #: (assumed / emergent / absent), the mechanism(s) whose ablation removes the pattern, and what the effect is
    ablation: pd.DataFrame | None = None
    label: str = ""
    remover: str = ""
    headline: str = ""
    #: further tables, each written as <key>.csv and a section "<key>" of table.md (title: the key in words)
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.criteria and not self.family:
            self.family = len(self.criteria)

    @property
    def verdict(self) -> str:
        return "HOLDS" if self.holds else "FAILS"


def replicate(ctx: Context, params: dict, horizon: int = HORIZON, interventions=(), school_ticks=(),
              desc: str = "") -> list[Replica]:
    """One replica per seed of `ctx` for the experiment's parameters (laid over ctx.overrides)."""
    merged = {**ctx.overrides, **params}
    tasks = [Task.make(merged, s, horizon, interventions, school_ticks) for s in ctx.seeds]
    return run_tasks(tasks, jobs=ctx.jobs, progress=ctx.progress, desc=desc or "replications")


def replicate_many(ctx: Context, conditions: dict[str, dict], horizon: int = HORIZON, interventions=(),
                   school_ticks=(), condition_interventions: dict[str, list] | None = None
                   ) -> dict[str, list[Replica]]:
    """Replicas for several conditions submitted as one batch (keeps every core busy).

    Every condition gets `interventions`, unless `condition_interventions` names its own.
    """
    tasks, keys = [], []
    for key, params in conditions.items():
        ivs = (condition_interventions or {}).get(key, interventions)
        merged = {**ctx.overrides, **params}
        for s in ctx.seeds:
            tasks.append(Task.make(merged, s, horizon, ivs, school_ticks))
            keys.append(key)
    reps = run_tasks(tasks, jobs=ctx.jobs, progress=ctx.progress)
    out: dict[str, list[Replica]] = {k: [] for k in conditions}
    for k, r in zip(keys, reps):
        out[k].append(r)
    return out


def series(reps: list[Replica], metric: str) -> np.ndarray:
    """(replication, tick) array of a reporter."""
    return np.vstack([r.timeseries[metric].to_numpy(float) for r in reps])


def end(reps, metric):
    return series(reps, metric)[:, -1]


def gain(reps, metric):
    s = series(reps, metric)
    return s[:, -1] - s[:, 0]


def stat_row(label: str, st, **extra) -> dict:
    """A table row from a `stats.Paired`."""
    return {"comparison": label, "n": st.n, "mean_a": st.mean_a, "mean_b": st.mean_b, "diff": st.diff,
            "ci95_low": st.ci_low, "ci95_high": st.ci_high, "p_value": st.p_value,
            "effect_dz": st.effect_size, **extra}


def describe(st, unit: str = "") -> str:
    """'diff +0.061 [95% CI +0.050, +0.072], p<0.001, d_z 5.8'."""
    return (f"{st.diff:+.3f}{unit} [95% CI {st.ci_low:+.3f}, {st.ci_high:+.3f}], p {fmt_p(st.p_value)}, "
            f"d_z {st.effect_size:+.2f}")


def significant(st, direction: int = 1) -> bool:
    """The paired/one-sample difference is in `direction` and its two-sided p is below ALPHA."""
    return bool(np.sign(st.diff) == direction and st.p_value < ALPHA)


def new_figure(n: int = 1, size=(5.0, 3.6), title: str = ""):
    """A matplotlib Figure with n side-by-side axes (no pyplot), with `title` over them all."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * n, size[1] + (0.4 if title else 0.0)), layout="constrained")
    if title:
        fig.suptitle(title)
    axes = [fig.add_subplot(1, n, i + 1) for i in range(n)]
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig, axes


def plot_band(ax, reps, metric: str, label: str, colour: str | None = None, relative: bool = False) -> None:
    """Mean and 95% CI over time of a reporter (optionally as change from tick 0); labels the axes unless set."""
    from simulation.reporters import reporter_label

    s = series(reps, metric)
    if relative:
        s = s - s[:, :1]
    ticks = reps[0].timeseries["tick"].to_numpy()
    m, lo, hi = band(s)
    line, = ax.plot(ticks, m, label=label, color=colour)
    ax.fill_between(ticks, lo, hi, alpha=0.2, color=line.get_color(), linewidth=0)
    ax.set_xlabel(XLABEL)
    if not ax.get_ylabel():
        import textwrap

        ax.set_ylabel(textwrap.fill(reporter_label(metric, change=relative), 38))


def points(ax, labels, samples, colours=None, offset: float = 0.0, label: str | None = None, x=None) -> None:
    """Categories as points with 95 % t-interval error bars (mean over replications), one per label."""
    from simulation.stats import mean_ci

    x = np.arange(len(labels), dtype=float) + offset if x is None else np.asarray(x, dtype=float) + offset
    stats_ = [mean_ci(v) for v in samples]
    means = np.array([m for m, _, _ in stats_])
    err = np.array([[m - lo, hi - m] for m, lo, hi in stats_]).T
    if colours is None:
        ax.errorbar(x, means, yerr=err, fmt="o", capsize=4, label=label)
    else:
        for i, (xi, m, c) in enumerate(zip(x, means, colours)):
            ax.errorbar([xi], [m], yerr=err[:, i:i + 1], fmt="o", capsize=4, color=c,
                        label=label if i == 0 else None)
    ax.set_xticks(np.arange(len(labels)) if offset else x, labels)


def table_markdown(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table with compact numbers."""
    def cell(v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            if v != v:
                return "n/a"
            return f"{v:.4g}"
        return str(v)
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


def criteria_table(result: Result) -> pd.DataFrame:
    """One row per finding: estimate, 95 % CI, SESOI, minimum-effect p, Holm-adjusted p, g and why the SESOI."""
    return pd.DataFrame([c.row() for c in result.criteria])


def criteria_markdown(criteria: list[dict], family: int) -> str:
    """The findings as a Markdown table (from `Criterion.row` dicts)."""
    lines = ["| finding | diff [95% CI] | claim (SESOI) | p (min. effect) | p Holm | g [95% CI] | passes |",
             "| --- | --- | --- | ---: | ---: | --- | --- |"]
    for c in criteria:
        g = "n/a" if c["hedges_g"] != c["hedges_g"] else (
            f"{c['hedges_g']:+.2f} [{c['g_ci95_low']:+.2f}, {c['g_ci95_high']:+.2f}]")
        lines.append(f"| {c['finding']} | {c['diff']:+.4g} [{c['ci95_low']:+.4g}, {c['ci95_high']:+.4g}] | "
                     f"{c['claim']} {c['sesoi_unit']} | {fmt_p(c['p_min_effect'])} | {fmt_p(c['p_holm'])} | {g} | "
                     f"{'yes' if c['passes'] else '**no**'} |")
    why = dict.fromkeys(f"{c['sesoi']:g} {c['sesoi_unit']}: {c['why']}" for c in criteria)
    lines += ["", f"Holm's correction over {family} finding{'s' if family != 1 else ''}. Why each smallest effect "
              "of interest:", ""] + [f"- {w}" for w in why]
    return "\n".join(lines)


def checks_markdown(checks: dict[str, bool]) -> str:
    """Checks (inputs, constructions, locations) as a Markdown list."""
    return "\n".join(f"- {'yes' if ok else '**no**'}: {text}" for text, ok in checks.items())


def write_result(result: Result, root: Path) -> Path:
    """results/experiments/<name>/: table.csv, criteria.csv, table.md, figure.png and verdict.json."""
    from simulation.results import atomic_write, atomic_write_bytes, atomic_write_text, figure_bytes

    out = Path(root) / result.name
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "table.csv", lambda tmp: result.table.to_csv(tmp, index=False))
    crit = criteria_table(result)
    if len(crit):
        atomic_write(out / "criteria.csv", lambda tmp: crit.to_csv(tmp, index=False))
    rows = crit.to_dict("records")
    md = (f"# {result.title}\n\n**Pattern.** {result.pattern}\n\n**Statistic.** {result.statistic}\n\n"
          f"**Verdict: {result.verdict}** ({result.n} replications)\n\n")
    if rows:
        md += f"## Findings (one-sided minimum-effect tests, Holm-adjusted)\n\n{criteria_markdown(rows, result.family)}\n\n"
    if result.checks:
        md += f"## Checks (inputs, constructions and locations: not findings)\n\n{checks_markdown(result.checks)}\n\n"
    md += f"## Statistics\n\n{table_markdown(result.table)}\n"
    if result.ablation is not None and len(result.ablation):
        atomic_write(out / "ablation.csv", lambda tmp: result.ablation.to_csv(tmp, index=False))
        md += f"\n## Mechanism (ablation)\n\n{ablation_markdown(result)}\n"
    for key, frame in result.extra_tables.items():
        atomic_write(out / f"{key}.csv", lambda tmp, frame=frame: frame.to_csv(tmp, index=False))
        md += f"\n## {key.replace('_', ' ').capitalize()}\n\n{table_markdown(frame)}\n"
    atomic_write_text(out / "table.md", md)
    atomic_write_bytes(out / "figure.png", figure_bytes(result.figure))
    verdict = {"name": result.name, "title": result.title, "pattern": result.pattern,
               "statistic": result.statistic, "holds": result.holds, "replications": result.n,
               "depends": list(result.depends), "numbers": result.numbers, "criteria": rows,
               "checks": result.checks, "family": result.family, "alpha": ALPHA,
               "wall_time_s": result.seconds, "command": result.command,
               "label": result.label, "remover": result.remover, "headline": result.headline,
               "ablation": ([] if result.ablation is None else result.ablation.to_dict("records"))}
    atomic_write_text(out / "verdict.json", json.dumps(verdict, indent=2, default=_json) + "\n")
    return out


ABLATION_NOTE = (
    "The headline effect rerun with the input differences the seeds state as causes removed, then with each "
    "mechanism switched off in turn (experiments/ablation.py), on the same seeds. *removes*: the 95 % CI includes "
    "0, the effect falls below the smallest effect of interest in the pattern's direction, or it changes sign. "
    "Label: *assumed* when removing the stated inputs removes the pattern, *emergent* when it survives that, "
    "*absent* when the effect is not there as run.")


def ablation_markdown(result: Result) -> str:
    """The ablation section of an experiment's table.md: label, remover, the table and how to read it."""
    cols = ["condition", "effect", "ci95_low", "ci95_high", "share_of_full", "removes", "overrides", "note"]
    tab = result.ablation[[c for c in cols if c in result.ablation.columns]]
    return (f"Headline effect: {result.headline}. Label: **{result.label}**; removed by switching off: "
            f"{result.remover}.\n\n{table_markdown(tab)}\n\n{ABLATION_NOTE}")


def _headline_cell(v: dict) -> str:
    rows = v.get("ablation") or []
    full = next((r for r in rows if r.get("condition") == "as run"), None)
    if full is None:
        return "-"
    f = lambda x: "n/a" if x is None or x != x else f"{x:+.3g}"      # noqa: E731
    return f"{v.get('headline', '')}: {f(full['effect'])} [{f(full['ci95_low'])}, {f(full['ci95_high'])}]"


def summary_table(verdicts: list[dict]) -> list[str]:
    """The report's lead: one row per pattern: verdict, headline effect with its 95 % CI, label, remover."""
    lines = ["| pattern | verdict | headline effect [95 % CI] | label | mechanism whose ablation removes it |",
             "| --- | --- | --- | --- | --- |"]
    for v in verdicts:
        lines.append(f"| [{v['name']}]({v['name']}/table.md) | **{'HOLDS' if v['holds'] else 'FAILS'}** | "
                     f"{_headline_cell(v)} | {v.get('label') or '-'} | {v.get('remover') or '-'} |")
    return lines


def _json(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


def write_report(root: Path, ctx: Context | None = None) -> Path:
    """results/experiments/REPORT.md from every verdict.json under `root` (and the sensitivity table).

    The verdicts are re-decided here over the set found: Holm's correction runs over every finding of every
    pattern verdict present, so the report's family is what it shows. It names the command(s) that made them.
    """
    from experiments import PATTERNS, REGISTRY
    from simulation.results import atomic_write_text

    root = Path(root)
    verdicts = []
    for name in REGISTRY:
        f = root / name / "verdict.json"
        if f.exists():
            verdicts.append(json.loads(f.read_text()))
    pooled = [c for v in verdicts if v["name"] in PATTERNS for c in v.get("criteria", [])]
    for c, p in zip(pooled, holm([c["p_min_effect"] for c in pooled]) if pooled else []):
        c["p_holm"] = float(p)
        c["passes"] = bool(p < ALPHA)
    for v in verdicts:
        if v["name"] in PATTERNS and v.get("criteria"):
            v["holds"] = bool(all(v.get("checks", {}).values()) and all(c["passes"] for c in v["criteria"]))
            v["family"] = len(pooled)
    commands: dict[str, list[str]] = {}
    for v in verdicts:
        commands.setdefault(v.get("command") or "(not recorded)", []).append(v["name"])
    if len(commands) == 1:
        made = f"Made by `{next(iter(commands))}`."
    else:
        made = "Gathered from verdicts made by " + "; ".join(f"`{c}` ({', '.join(n)})" for c, n in commands.items()) + "."
    rebuilt = ctx.command if ctx is not None and ctx.command and ctx.command not in commands else ""
    if rebuilt:
        made += f" Report written by `{rebuilt}`."
    held = sum(v["holds"] for v in verdicts if v["name"] in PATTERNS)
    n_pat = sum(v["name"] in PATTERNS for v in verdicts)
    patterns = [v for v in verdicts if v["name"] in PATTERNS]
    lines = ["# Pattern-oriented validation: verdict and mechanism of every seed pattern", ""]
    lines += summary_table(patterns)
    lines += ["", "Headline effect as run (mean over replications, 95 % CI). " + ABLATION_NOTE
              + " Each experiment's table.md has its ablation table, ablation.csv the numbers.", "",
              "## Every seed pattern, its statistic and verdict", "", made, "",
             f"{held} of {n_pat} patterns hold. Each experiment replicates the model over seeds (common random "
             "numbers: replication i of every condition shares a seed). A pattern's *findings* are effects the "
             "model produces; each is tested against a stated smallest effect of interest (SESOI) by a one-sided "
             "minimum-effect t-test (H0: the effect is no larger than the SESOI), and Holm's correction runs over "
             f"all {len(pooled)} findings of the patterns below (family-wise alpha {ALPHA}). Its *checks* are "
             "conditions that are not findings: what the inputs set (initial trust, heads' commitment, the initial "
             "spread of knowledge), what holds by construction and where a "
             "peak lies. A pattern HOLDS when every check is true and every finding passes. d_z (mean paired "
             "difference / SD of the differences) is inflated by the pairing; Hedges' g (difference / pooled SD "
             "within conditions, 95 % bootstrap CI) is the between-condition size. See experiments/README.md.",
             "", "| experiment | pattern | verdict | findings passing (Holm) | statistic |",
             "| --- | --- | --- | --- | --- |"]
    for v in verdicts:
        crit = v.get("criteria", [])
        passing = f"{sum(c['passes'] for c in crit)}/{len(crit)}" if crit else "-"
        lines.append(f"| [{v['name']}]({v['name']}/table.md) | {v['pattern']} | **{'HOLDS' if v['holds'] else 'FAILS'}** "
                     f"| {passing} | {v['statistic']} |")
    ens = root / "ensemble" / "table.md"
    if ens.exists():
        lines += ["", "## Over the calibrated ensemble", "", ens.read_text().split("\n", 2)[2]]
    sens = root / "sensitivity" / "table.md"
    if sens.exists():
        lines += ["", "## Sensitivity of the verdicts (one at a time, main rate of each mechanism ±25 %)", "",
                  sens.read_text().split("\n", 2)[2] if sens.read_text().startswith("#") else sens.read_text()]
    for v in verdicts:
        lines += ["", f"## {v['title']}", "", f"**Pattern.** {v['pattern']}", "",
                  f"**Statistic.** {v['statistic']}", "",
                  f"**Verdict: {'HOLDS' if v['holds'] else 'FAILS'}** ({v['replications']} replications). "
                  f"Depends on: {', '.join(v['depends']) or '-'}.", ""]
        if v.get("criteria"):
            lines += ["Findings:", "", criteria_markdown(v["criteria"], v.get("family", len(v["criteria"]))), ""]
        if v.get("checks"):
            lines += ["Checks (not findings):", "", checks_markdown(v["checks"]), ""]
        lines += [f"![{v['name']}]({v['name']}/figure.png)"]
    path = root / "REPORT.md"
    atomic_write_text(path, "\n".join(lines) + "\n")
    return path
