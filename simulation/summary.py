"""The start-versus-end table printed after a run: knowledge, trust, moral capital, outcomes, stages."""

from __future__ import annotations

import pandas as pd

ROWS = (
    ("mean_knowledge", "knowledge (mean)"),
    ("knowledge_teaching_learning", "  teaching & learning"),
    ("knowledge_leadership", "  leadership"),
    ("knowledge_coaching", "  coaching"),
    ("knowledge_accessed", "knowledge accessed"),
    ("mean_trust", "trust (mean)"),
    ("moral_capital", "moral capital"),
    ("mean_attainment_sd", "attainment (pupil SD from the national mean)"),
    ("value_added_sd", "value added (pupil SD)"),
    ("stage_isolation", "schools in Isolation"),
    ("stage_initiation", "schools in Initiation"),
    ("stage_engagement", "schools in Engagement"),
    ("stage_integration", "schools in Integration"),
)


def summary_table(ts: pd.DataFrame) -> pd.DataFrame:
    """One row per measure present in `ts`: its value at the first and last tick and the change."""
    first, last = ts.iloc[0], ts.iloc[-1]
    rows = [{"measure": label, "column": col, "start": first[col], "end": last[col],
             "change": last[col] - first[col]} for col, label in ROWS if col in ts.columns]
    return pd.DataFrame(rows, columns=["measure", "column", "start", "end", "change"])


def _fmt(value, signed: bool = False, count: bool = False) -> str:
    value = float(value)
    if count:
        return f"{value:+.0f}" if signed else f"{value:.0f}"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def format_summary(ts: pd.DataFrame) -> str:
    """The summary table as aligned text, headed by the first and last tick."""
    table = summary_table(ts)
    t0 = int(ts["tick"].iloc[0]) if "tick" in ts.columns else 0
    t1 = int(ts["tick"].iloc[-1]) if "tick" in ts.columns else len(ts) - 1
    head = ("", f"tick {t0}", f"tick {t1}", "change")
    body = []
    for r in table.itertuples():
        count = r.column.startswith("stage_")
        body.append((r.measure, _fmt(r.start, count=count), _fmt(r.end, count=count),
                     _fmt(r.change, signed=True, count=count)))
    w0 = max(len(head[0]), *(len(b[0]) for b in body)) if body else len(head[0])
    widths = [w0] + [max(len(head[i]), *(len(b[i]) for b in body)) if body else len(head[i]) for i in (1, 2, 3)]
    lines = [f"{head[0]:<{widths[0]}}  " + "  ".join(f"{h:>{w}}" for h, w in zip(head[1:], widths[1:]))]
    lines.append("-" * (sum(widths) + 6))
    lines += [f"{b[0]:<{widths[0]}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(b[1:], widths[1:])) for b in body]
    return "\n".join(lines)
