"""Model-level reporters: every number the DataCollector records, computed from arrays in one pass.

`compute_metrics` aggregates the model's arrays (no per-agent Python), so collecting stays cheap at
half a million teachers; the Mesa DataCollector then reads the values from `model.metrics`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .agents import Stage
from .kernel import COACHING, EXPERIENCE, INFORMATION, PROGRAMME
from .links import CROSS, INTERVENTION
from .outcomes import in_pupil_sd, within_school_sd

REPORTERS = (
    "mean_knowledge", "knowledge_teaching_learning", "knowledge_leadership", "knowledge_coaching",
    "mean_trust", "cross_school_trust", "moral_capital", "mean_attainment", "mean_value_added",
    "within_school_sd", "between_school_sd", "knowledge_accessed",
    "stage_isolation", "stage_initiation", "stage_engagement", "stage_integration",
    "transaction_cost", "teaching_time_lost", "knowledge_created",
    "active_links_information", "active_links_experience", "active_links_coaching",
    "high_performing_share", "mean_permeability", "mean_commitment",
    "mean_effort", "schools_withdrawn", "withdrawals", "stage_skips", "stage_fallbacks",
    "mean_attainment_sd", "value_added_sd",
    "colleague_practice_monthly", "network_learning_yearly", "coached_termly",
)

#: one line per reporter, for tables, plots and the dashboard
REPORTER_DOCS = {
    "mean_knowledge": "mean teacher knowledge over the three areas, [0, 1]",
    "knowledge_teaching_learning": "mean teacher knowledge in teaching and learning, [0, 1]",
    "knowledge_leadership": "mean teacher knowledge in leadership, [0, 1]",
    "knowledge_coaching": "mean teacher knowledge in coaching, [0, 1]",
    "mean_trust": "mean trust over all teacher-to-teacher arcs, [0, 1]",
    "cross_school_trust": "mean trust of teachers in teachers of other schools (0 without such links), [0, 1]",
    "moral_capital": "network moral capital, mean over hubs weighted by schools, [0, 1]",
    "mean_attainment": "mean school attainment, [0, 1]",
    "mean_value_added": "mean attainment above what context predicts nationally",
    "within_school_sd": "mean within-school spread of teaching knowledge",
    "between_school_sd": "spread of attainment between schools",
    "knowledge_accessed": "mean over schools of the share of the building's best practice staff draw on: their own "
                          "knowledge plus what colleagues' links gave them, over the best (ODD 7.15) [seed 003]",
    "stage_isolation": "schools in Isolation",
    "stage_initiation": "schools in Initiation",
    "stage_engagement": "schools in Engagement",
    "stage_integration": "schools in Integration",
    "transaction_cost": "collaboration overhead (newness + coordination), hours per teacher this week",
    "teaching_time_lost": "hours per teacher taken from students this week",
    "knowledge_created": "knowledge created by joint work so far, per teacher (cumulative)",
    "active_links_information": "links carrying information (incl. the shared programme) this week",
    "active_links_experience": "links carrying visits / shared practice this week",
    "active_links_coaching": "links carrying coaching and mentoring this week",
    "high_performing_share": "share of schools in the national top quartile of value added with low within-school spread",
    "mean_permeability": "mean school boundary permeability, [0, 1]",
    "mean_commitment": "mean headteacher commitment, [0, 1]",
    "mean_effort": "mean teacher discretionary effort, [0, 1]",
    "schools_withdrawn": "schools withdrawn from network activity now",
    "withdrawals": "withdrawals so far (decisions and the defection shock), cumulative",
    "stage_skips": "stage changes so far that jumped over a stage, cumulative",
    "stage_fallbacks": "stage changes so far to an earlier stage, cumulative",
    "mean_attainment_sd": "mean school attainment against the national mean at the start, in pupil standard "
                          "deviations (ODD 7.15)",
    "value_added_sd": "mean value added in pupil standard deviations (ODD 7.15)",
    "colleague_practice_monthly": "share of teachers with joint work (visit, shared practice or coaching) with a "
                                  "colleague in the last 4 weeks (compare TALIS: observe colleagues monthly)",
    "network_learning_yearly": "share of teachers with a session with another school, a partner or the programme "
                               "in the last 39 weeks (compare TALIS: learning through networks, last 12 months)",
    "coached_termly": "share of teachers coached in the last 13 weeks (compare TALIS: have a mentor)",
}

#: a plain name and the unit of each reporter, for figure titles and axis labels ("-" = no unit)
REPORTER_UNITS = {
    "mean_knowledge": ("teachers' knowledge (mean of three areas)", "0-1, 1 = world best practice"),
    "knowledge_teaching_learning": ("knowledge of teaching and learning", "0-1, 1 = world best practice"),
    "knowledge_leadership": ("knowledge of leadership", "0-1, 1 = world best practice"),
    "knowledge_coaching": ("knowledge of coaching", "0-1, 1 = world best practice"),
    "mean_trust": ("trust between teachers", "0-1"),
    "cross_school_trust": ("trust between teachers of different schools", "0-1"),
    "moral_capital": ("moral capital of the network", "0-1"),
    "mean_attainment": ("pupils' attainment", "attainment, 0-1"),
    "mean_value_added": ("value added", "attainment above the national expectation"),
    "within_school_sd": ("spread of teaching knowledge within schools", "SD of knowledge, 0-1 scale"),
    "between_school_sd": ("spread of attainment between schools", "SD of attainment"),
    "knowledge_accessed": ("knowledge accessed", "share of the best in the building drawn on, 0-1"),
    "stage_isolation": ("schools in Isolation", "schools"),
    "stage_initiation": ("schools in Initiation", "schools"),
    "stage_engagement": ("schools in Engagement", "schools"),
    "stage_integration": ("schools in Integration", "schools"),
    "transaction_cost": ("collaboration overhead", "hours per teacher per week"),
    "teaching_time_lost": ("teaching time lost", "hours per teacher per week"),
    "knowledge_created": ("knowledge created by joint work", "per teacher, cumulative, 0-1 scale"),
    "active_links_information": ("links carrying information", "links this week"),
    "active_links_experience": ("links carrying visits", "links this week"),
    "active_links_coaching": ("links carrying coaching", "links this week"),
    "high_performing_share": ("high-performing schools", "share of schools"),
    "mean_permeability": ("openness of school boundaries", "0-1"),
    "mean_commitment": ("heads' commitment", "0-1"),
    "mean_effort": ("teachers' discretionary effort", "0-1"),
    "schools_withdrawn": ("schools withdrawn from the network", "schools"),
    "withdrawals": ("withdrawals so far", "withdrawals"),
    "stage_skips": ("stage changes that skipped a stage", "changes, cumulative"),
    "stage_fallbacks": ("stage changes back to an earlier stage", "changes, cumulative"),
    "mean_attainment_sd": ("pupils' attainment against the national mean", "pupil SD"),
    "value_added_sd": ("value added", "pupil SD"),
    "colleague_practice_monthly": ("teachers working with a colleague each month", "share of teachers"),
    "network_learning_yearly": ("teachers learning beyond their school each year", "share of teachers"),
    "coached_termly": ("teachers coached each term", "share of teachers"),
}


#: a sweep's per-run summaries of a reporter (runs-table columns `<reporter>_<summary>`) in words
SUMMARY_WORDS = {"mean": "{} (mean over the run)", "min": "{} (lowest in the run)", "max": "{} (highest in the run)",
                 "change": "change in {} over the run"}


def _split(name: str) -> tuple[str, str | None]:
    """(reporter, summary) for 'cross_school_trust_change'; (name, None) for a reporter or an unknown name."""
    if name not in REPORTER_UNITS and "_" in name:
        base, _, summary = name.rpartition("_")
        if base in REPORTER_UNITS and summary in SUMMARY_WORDS:
            return base, summary
    return name, None


def reporter_name(name: str) -> str:
    """The plain name of a reporter ('trust between teachers of different schools') or of a sweep summary of
    one ('change in ... over the run'); unknown names as given, with spaces for underscores."""
    base, summary = _split(name)
    plain = REPORTER_UNITS.get(base, (base.replace("_", " "), "-"))[0]
    return SUMMARY_WORDS[summary].format(plain) if summary else plain


def reporter_unit(name: str) -> str:
    """The unit of a reporter or of a sweep summary of one ('0-1', 'hours per teacher per week'; '-' when it
    has none or is unknown)."""
    return REPORTER_UNITS.get(_split(name)[0], ("", "-"))[1]


def reporter_axis(name: str) -> str:
    """A y-axis label for a panel already titled with the reporter's plain name: its unit ('level (0-1)' for
    a bare 0-1 scale, the plain name when it has no unit)."""
    unit = reporter_unit(name)
    if unit == "-":
        return reporter_name(name)
    return "level (0-1)" if unit == "0-1" else unit


def reporter_label(name: str, change: bool = False) -> str:
    """An axis label: 'plain name (unit)', or 'change in plain name (unit)' for a change from tick 0."""
    unit = reporter_unit(name)
    text = ("change in " if change else "") + reporter_name(name)
    return text if unit == "-" else f"{text} ({unit})"


@njit(cache=True)
def _column_means(values):
    """`values.mean(axis=0)` for a 2-d array: NumPy sums each column row by row, and so does this loop."""
    total = np.zeros(values.shape[1])
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            total[j] += values[i, j]
    return total / values.shape[0]


@njit(cache=True)
def _count_codes(codes, minlength):
    """`np.bincount(codes, minlength=minlength)` for small non-negative int8 codes, without NumPy's cast to intp."""
    top = minlength
    for c in codes:
        top = max(top, c + 1)
    counts = np.zeros(top, np.int64)
    for c in codes:
        counts[c] += 1
    return counts


@njit(cache=True)
def _recent_shares(colleague, network, coached, week):
    """Shares of teachers whose latest session of each kind was in the last 4, 39 and 13 weeks, one pass."""
    n = len(colleague)
    c = w = k = 0
    for t in range(n):
        c += colleague[t] > week - 4
        w += network[t] > week - 39
        k += coached[t] > week - 13
    return c / n, w / n, k / n


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else 0.0


def _arc_sets(m):
    """Indices of teacher-to-teacher arcs and of those across schools (fixed until links change)."""
    L = m.links
    teacher = (L.receiver < m.n_teachers) & (L.giver < m.n_teachers)
    cross = teacher & ((L.arc_kind == CROSS) | (L.arc_kind == INTERVENTION))
    return np.flatnonzero(teacher), np.flatnonzero(cross)


def compute_metrics(m) -> dict[str, float]:
    """All reporters for the model's current state."""
    n_s, tps = m.n_schools, m.p.teachers_per_school
    k = m.knowledge
    area = _column_means(k)
    L = m.links
    teacher_arcs, cross_arcs = L.cached("reporter_arcs", lambda: _arc_sets(m))
    per_activity = _count_codes(m.last_activity, 5)
    stages = np.bincount(m.stage, minlength=4)
    sd_within = within_school_sd(k, n_s, tps)
    high = (m.value_added >= m.reference.va_top_quartile) & (sd_within <= m.reference.within_sd_median)
    hub_weight = np.bincount(m.hub, minlength=m.n_hubs)
    recent = _recent_shares(m.last_colleague_session, m.last_network_session, m.last_coached, m.steps)
    return {
        "mean_knowledge": float(area.mean()),
        "knowledge_teaching_learning": float(area[0]),
        "knowledge_leadership": float(area[1]),
        "knowledge_coaching": float(area[2]),
        "mean_trust": _mean(L.trust[teacher_arcs]),
        "cross_school_trust": _mean(L.trust[cross_arcs]),
        "moral_capital": float((m.moral_capital * hub_weight).sum() / n_s),
        "mean_attainment": float(m.attainment.mean()),
        "mean_value_added": float(m.value_added.mean()),
        "within_school_sd": float(sd_within.mean()),
        "between_school_sd": float(m.attainment.std()),
        "knowledge_accessed": float(m.knowledge_accessed().mean()),
        "stage_isolation": int(stages[Stage.ISOLATION]),
        "stage_initiation": int(stages[Stage.INITIATION]),
        "stage_engagement": int(stages[Stage.ENGAGEMENT]),
        "stage_integration": int(stages[Stage.INTEGRATION]),
        "transaction_cost": float(m.overhead.mean()),
        "teaching_time_lost": float(m.teaching_lost.mean()),
        "knowledge_created": float(m.created_total / m.n_teachers),
        "active_links_information": int(per_activity[INFORMATION] + per_activity[PROGRAMME]),
        "active_links_experience": int(per_activity[EXPERIENCE]),
        "active_links_coaching": int(per_activity[COACHING]),
        "high_performing_share": float(high.mean()),
        "mean_permeability": float(m.permeability.mean()),
        "mean_commitment": float(m.commitment.mean()),
        "mean_effort": float(m.effort.mean()),
        "schools_withdrawn": int(m.withdrawn.sum()),
        "withdrawals": int(m.withdrawals_total),
        "stage_skips": int(m.stage_skips),
        "stage_fallbacks": int(m.stage_fallbacks),
        "mean_attainment_sd": float(in_pupil_sd(m, m.attainment.mean() - m.reference.mean_attainment)),
        "value_added_sd": float(in_pupil_sd(m, m.value_added.mean())),
        "colleague_practice_monthly": recent[0],
        "network_learning_yearly": recent[1],
        "coached_termly": recent[2],
    }

