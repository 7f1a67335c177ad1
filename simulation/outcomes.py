"""Student outcomes: attainment, value added against context, high performance, knowledge accessed.

Value added and the top-quartile threshold are measured against a fixed *national reference*: a
synthetic cross-section of 2,000 schools drawn from the same initial distributions with a fixed seed,
standing in for the national comparative data schools are judged against [seed 000, 001].
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from numba import njit, prange

from .agents import Role
from .jit import on_threads, twin
from .params import DEFAULT_PARAMS, Params

REFERENCE_SCHOOLS = 2000
REFERENCE_SEED = 20_161_017


def per_school(values: np.ndarray, n_s: int, tps: int) -> np.ndarray:
    """Reshape a per-teacher array to (school, staff) — teachers are contiguous by school."""
    return values.reshape(n_s, tps, *values.shape[1:])


def teaching_quality(knowledge: np.ndarray, role: np.ndarray, n_s: int, tps: int):
    """(mean teaching-and-learning knowledge, leadership: half the head's, half the staff mean) per school."""
    k = per_school(knowledge, n_s, tps)
    heads = per_school(role, n_s, tps) == Role.HEADTEACHER
    head_lead = (k[:, :, 1] * heads).sum(axis=1) / np.maximum(heads.sum(axis=1), 1)
    return k[:, :, 0].mean(axis=1), 0.5 * head_lead + 0.5 * k[:, :, 1].mean(axis=1)


def attainment_target(p: Params, tq, lq, context, lost_share) -> np.ndarray:
    """Attainment the current staff would produce: teaching quality up, disadvantage and lost time down."""
    a = (p.attainment_base + p.attainment_teaching * tq + p.attainment_leadership * lq
         - p.attainment_context * context - p.time_cost_attainment * lost_share)
    return np.clip(a, 0.0, 1.0)


def within_school_sd(knowledge: np.ndarray, n_s: int, tps: int) -> np.ndarray:
    """Spread of teaching-and-learning knowledge inside each school (proxy for variation in results)."""
    return per_school(knowledge[:, 0], n_s, tps).std(axis=1)


def knowledge_accessed(knowledge: np.ndarray, own: np.ndarray, drawn: np.ndarray, n_s: int, tps: int) -> np.ndarray:
    """Per school, how much of the best practice present in the building its staff draw on [seed 003]:
    mean over staff and areas of min(1, (own + drawn) / best), where `own` is each teacher's knowledge when they
    took up post, `drawn` what they have gained through colleagues' links since, and `best` the school's best
    current level in the area. At the start it is the staff's mean share of the best (0.55-0.70)."""
    return _knowledge_accessed(np.ascontiguousarray(knowledge), own, drawn, n_s, tps)


@njit(cache=True)
def _knowledge_accessed(knowledge, own, drawn, n_s, tps):
    """One pass over the staff of each school (best per area first, then the staff's shares)."""
    n_areas = knowledge.shape[1]
    out = np.empty(n_s)
    for s in range(n_s):
        total = 0.0
        for a in range(n_areas):
            best = -np.inf
            for t in range(s * tps, (s + 1) * tps):
                best = max(best, knowledge[t, a])
            best = max(best, 1e-12)
            acc = 0.0
            for t in range(s * tps, (s + 1) * tps):
                acc += min(1.0, (own[t, a] + drawn[t, a]) / best)
            total += acc / tps
        out[s] = total / n_areas
    return out


def record_drawn(m, colleague_share: np.ndarray, new_knowledge: np.ndarray) -> None:
    """Add to each teacher's `drawn` record the part of this week's gain that came through colleagues: the
    teacher's gain in each area times the share of the knowledge they received this week that came over
    colleagues' links (`colleague_share`, reported by the kernel: its flow per arc is summed over areas)."""
    fn = _record_drawn_parallel if on_threads(m.n_teachers, PARALLEL_MIN_TEACHERS) else _record_drawn
    fn(colleague_share, m.node_knowledge, new_knowledge, m.drawn)


#: from this many teachers `record_drawn` runs on all threads
PARALLEL_MIN_TEACHERS = 50_000


def _record_drawn_rows(colleague_share, old_k, new_k, drawn):
    """drawn[r] += colleague_share[r] * max(0, new_k[r] - old_k[r]) for the teachers (the first len(drawn) nodes)."""
    for r in prange(drawn.shape[0]):
        share = colleague_share[r]
        if share > 0.0:
            for q in range(drawn.shape[1]):
                drawn[r, q] += share * max(new_k[r, q] - old_k[r, q], 0.0)


_record_drawn_parallel, _record_drawn = twin(_record_drawn_rows)


@dataclass(frozen=True)
class NationalReference:
    """Context-adjusted expectations and thresholds from the synthetic national cross-section."""

    intercept: float
    slope: float
    mean_attainment: float
    va_top_quartile: float
    within_sd_median: float
    between_sd: float           # SD of attainment between the reference's schools at the start
    teacher_sd: float           # SD of teachers' teaching-and-learning knowledge across the reference

    def expected(self, context: np.ndarray) -> np.ndarray:
        return self.intercept + self.slope * context

    def pupil_sd(self, between_school_share: float) -> float:
        """One pupil standard deviation in attainment units: SD_between / sqrt(between-school share)."""
        return self.between_sd / np.sqrt(between_school_share)


_REFERENCE_KEYS = ("teachers_per_school", "middle_leader_share", "quality_mean", "quality_sd",
                   "context_effect", "within_school_sd", "leader_bonus", "attainment_base",
                   "attainment_teaching", "attainment_leadership", "attainment_context", "values_dim")


def national_reference(p: Params) -> NationalReference:
    """The reference for the parameters that shape schools' initial distribution (cached)."""
    return _reference(tuple((k, getattr(p, k)) for k in _REFERENCE_KEYS))


@lru_cache(maxsize=32)
def _reference(items: tuple) -> NationalReference:
    from .population import draw_schools, draw_teachers

    p = replace(DEFAULT_PARAMS, **dict(items), n_schools=REFERENCE_SCHOOLS, formation="forced",
                hub_size=REFERENCE_SCHOOLS, resistant_head_share=0.0, condoned_failure_share=0.0)
    rng = np.random.default_rng(REFERENCE_SEED)
    schools = draw_schools(rng, p)
    teachers = draw_teachers(rng, p, schools)
    n_s, tps = REFERENCE_SCHOOLS, p.teachers_per_school
    tq, lq = teaching_quality(teachers["knowledge"], teachers["role"], n_s, tps)
    att = attainment_target(p, tq, lq, schools["context"], 0.0)
    slope, intercept = np.polyfit(schools["context"], att, 1)
    va = att - (intercept + slope * schools["context"])
    return NationalReference(float(intercept), float(slope), float(att.mean()),
                             float(np.quantile(va, 0.75)),
                             float(np.median(within_school_sd(teachers["knowledge"], n_s, tps))),
                             float(att.std()), float(teachers["knowledge"][:, 0].std()))


def update_outcomes(m, teaching_lost: np.ndarray) -> None:
    """ODD §3 step 6 (7.15): attainment moves `attainment_response` of the way toward what the staff's
    knowledge produces, less this tick's teaching time lost; value added and coasting follow."""
    p, tps = m.p, m.p.teachers_per_school
    tq, lq = teaching_quality(m.knowledge, m.role, m.n_schools, tps)
    lost_share = np.bincount(m.school_of, teaching_lost, m.n_schools) / (tps * p.teaching_hours)
    target = attainment_target(p, tq, lq, m.context, lost_share)
    m.attainment += p.attainment_response * (target - m.attainment)
    update_value_added(m)


def in_pupil_sd(m, attainment_units: np.ndarray | float) -> np.ndarray | float:
    """An attainment difference in pupil standard deviations (ODD 7.15): divided by the national reference's
    between-school SD over sqrt(`between_school_share`)."""
    return attainment_units / m.reference.pupil_sd(m.p.between_school_share)


def teacher_effect_sd(p: Params) -> float:
    """The pupil-SD effect of a 1 SD better teacher (teaching-and-learning knowledge) that the outcome rule
    implies if a pupil's attainment follows their own teacher as the school's follows its staff mean:
    attainment_teaching x SD_teacher / SD_pupil. The evidence says about 0.25 (Slater, Davies & Burgess 2012)."""
    ref = national_reference(p)
    return float(p.attainment_teaching * ref.teacher_sd / ref.pupil_sd(p.between_school_share))


def update_value_added(m) -> None:
    """Value added against the national context expectation; coasting (above the national mean, value added
    below 0) is derived from it [seed 000]."""
    m.value_added = m.attainment - m.reference.expected(m.context)
    m.coasting = (m.attainment > m.reference.mean_attainment) & (m.value_added < 0.0)
