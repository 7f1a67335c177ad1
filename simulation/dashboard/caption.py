"""Plain-language caption of the model's state and of what just happened, for a workshop audience."""

from __future__ import annotations

import html

import numpy as np

from simulation.dashboard.drawing import STAGE_LABELS, WEEKS_PER_YEAR


def now_measures(model) -> dict:
    """Current network measures, computed live so an intervention shows before the next step."""
    from simulation.reporters import compute_metrics

    return compute_metrics(model)


def state_line(model, now: dict | None = None) -> str:
    """One sentence: the week, how many schools are at each stage, trust and moral capital, and how many schools
    have withdrawn (`now`: measures already computed by `now_measures`)."""
    counts = np.bincount(model.stage, minlength=len(STAGE_LABELS))
    parts = [f"{int(counts[i])} in {label}" for i, label in enumerate(STAGE_LABELS) if counts[i]]
    week = int(model.steps)
    year, wk = divmod(week, WEEKS_PER_YEAR)
    text = f"Week {week} (year {year + 1}, week {wk + 1}): {int(model.n_schools)} schools, " + ", ".join(parts) + "."
    now = now if now is not None else now_measures(model)
    text += f" Mean trust {now['mean_trust']:.2f}, moral capital {now['moral_capital']:.2f}."
    out = int(np.count_nonzero(getattr(model, "withdrawn", ())))
    if out:
        text += f" {out} school{'s' if out != 1 else ''} withdrawn from the network."
    return text


def recent_events(model, limit: int = 4) -> list[str]:
    """The newest `limit` notes from `model.events`, newest first, each prefixed with its week."""
    events = list(getattr(model, "events", ()) or ())[-limit:]
    return [f"Week {int(tick)}: {text}" for tick, text in reversed(events)]


def caption_html(model, limit: int = 3, now: dict | None = None) -> str:
    """The caption as HTML (Solara's Markdown would pull in extra front-end libraries)."""
    out = [f"<p>{html.escape(state_line(model, now))}</p>"]
    events = recent_events(model, limit)
    if events:
        out.append("<ul>" + "".join(f"<li>{html.escape(e)}</li>" for e in events) + "</ul>")
    else:
        out.append("<p>Nothing notable yet: press <b>Step</b> or <b>&#9654; Play</b> to let the schools work "
                   "together.</p>")
    return "".join(out)
