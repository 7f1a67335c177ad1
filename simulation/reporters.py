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
from .outcomes import knowledge_accessed, within_school_sd

REPORTERS = (
    "mean_knowledge", "knowledge_teaching_learning", "knowledge_leadership", "knowledge_coaching",
    "mean_trust", "cross_school_trust", "moral_capital", "mean_attainment", "mean_value_added",
    "within_school_sd", "between_school_sd", "knowledge_accessed",
    "stage_isolation", "stage_initiation", "stage_engagement", "stage_integration",
    "transaction_cost", "teaching_time_lost", "knowledge_created",
    "active_links_information", "active_links_experience", "active_links_coaching",
    "high_performing_share", "mean_permeability", "mean_commitment",
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
    "knowledge_accessed": "mean over schools of staff level / best level in the building [seed 003]",
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
}


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
        "knowledge_accessed": float(knowledge_accessed(k, n_s, tps).mean()),
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
    }

