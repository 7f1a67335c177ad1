"""Which learning activity each link carries this tick, and how much of it the staff's time affords.

Contact is a chance per link: effort, the head's access and the schools' boundary permeability make a
link likely to be used. A used link carries the deepest activity its trust allows [seed 000, 001]:
coaching (trust above `trust_coaching` and a skilled coach), else experience (visits; a school makes
them once its boundary has opened, whatever the trust: without trust they are tourism), else
information. Time is a budget [seed 002]: every activity costs hours, cross-school joint work costs
more while ways of working are new, and communication costs grow with the hub's size [seed 004].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from .kernel import COACHING, EXPERIENCE, INFORMATION, PROGRAMME
from .links import CROSS, INTERVENTION, PARTNER, PROGRAMME_LINK, WITHIN


@dataclass
class TickActivity:
    """Per-link activity codes and intensity, plus per-teacher time accounting, for one tick."""

    activity: np.ndarray        # int8 code per link (NONE for idle links)
    contact: np.ndarray         # indices of the links in contact, increasing: exactly the links not NONE
    records: np.ndarray         # [n_links, 4] kernel link records; rows `contact` hold (intensity, validity,
    #                             intensity * willingness, -) this tick, other rows are stale
    teaching_lost: np.ndarray   # hours taken from students, per teacher
    overhead: np.ndarray        # transaction hours (newness + coordination), per teacher

    @property
    def intensity(self) -> np.ndarray:
        """Per link in contact (`contact`), the share of the activity's time that could be afforded."""
        return self.records[self.contact, 0]


@njit(cache=True, inline="always")
def _in_contact(k, u, a, b, kind, school_a, school_b, hub_of_link, b_clip, effort, liberation, within_open,
                commitment, perm, mfactor_hub, stage, access, half_rate):
    """Whether link `k` is in contact this tick (see `_contact`)."""
    sa = school_a[k]
    pc = half_rate * (effort[a[k]] + effort[b[k]]) * liberation[sa]
    kd = kind[k]
    ok = access[a[k]]
    if kd == WITHIN:
        pc = pc * within_open[sa] * commitment[sa]
    elif kd == CROSS:
        pc = pc * math.sqrt(perm[sa] * perm[school_b[k]]) * mfactor_hub[hub_of_link[k]]
        ok = ok and access[b_clip[k]]
    elif kd == PARTNER:
        pc = pc * perm[sa] * (1.0 if stage[sa] >= 2 else 0.0)
    elif kd == PROGRAMME_LINK:
        pc = pc * perm[sa]
    return u[k] < pc and (ok or kd == WITHIN or kd == INTERVENTION)


@njit(cache=True)
def _contact(u, a, b, kind, school_a, school_b, hub_of_link, b_clip, effort, liberation, within_open, commitment,
             perm, mfactor_hub, stage, access, half_rate, joint_work, not_within, hub_joint):
    """Indices of the links in contact this tick: one pass over the links, contact chance by kind.

    Chance = rate * mean effort of the two sides * liberation of a's school, times for colleagues the
    school's openness inside and the head's commitment, for cross-school links the two boundaries'
    permeability and the hub's moral capital, for partners a's permeability once it is engaged (stage 2+),
    for the shared programme a's permeability. Access: the head's commitment lets staff take part
    (both sides across schools); colleagues and intervention links are imposed.
    In the same pass, `hub_joint` (zeros, one per hub) receives each hub's cross-school joint work, summed in
    link order.
    """
    out = np.empty(len(u), np.int64)
    n = 0
    for k in range(len(u)):
        hub_joint[hub_of_link[k]] += joint_work[k] * not_within[k]
        if _in_contact(k, u, a, b, kind, school_a, school_b, hub_of_link, b_clip, effort, liberation, within_open,
                       commitment, perm, mfactor_hub, stage, access, half_rate):
            out[n] = k
            n += 1
    return out[:n]


@njit(cache=True, parallel=True)
def _contact_parallel(u, a, b, kind, school_a, school_b, hub_of_link, b_clip, effort, liberation, within_open,
                      commitment, perm, mfactor_hub, stage, access, half_rate, joint_work, not_within, hub_joint):
    """`_contact` on all threads: the same indices in the same (increasing) order, the same hub sums.

    Each block of links writes its contacts at its own offset, then the blocks are closed up in order;
    the hub sums stay one serial pass in link order.
    """
    for k in range(len(u)):
        hub_joint[hub_of_link[k]] += joint_work[k] * not_within[k]
    n_links = len(u)
    n_blocks = 64
    size = (n_links + n_blocks - 1) // n_blocks
    out = np.empty(n_links, np.int64)
    counts = np.zeros(n_blocks, np.int64)
    for blk in prange(n_blocks):
        start = blk * size
        n = 0
        for k in range(start, min(start + size, n_links)):
            if _in_contact(k, u, a, b, kind, school_a, school_b, hub_of_link, b_clip, effort, liberation,
                           within_open, commitment, perm, mfactor_hub, stage, access, half_rate):
                out[start + n] = k
                n += 1
        counts[blk] = n
    n = 0
    for blk in range(n_blocks):
        start = blk * size
        for i in range(counts[blk]):
            out[n + i] = out[start + i]
        n += counts[blk]
    return out[:n]


#: above this many links the contact pass runs on all threads
PARALLEL_MIN_LINKS = 200_000


#: below this many links in contact the per-contact passes run on one thread (waking threads costs more)
PARALLEL_MIN_CONTACTS = 50_000


@njit(cache=True, inline="always")
def _pair_one(i, c, a, b, trust, arc_ab, arc_ba, knowledge, skill, pair_trust, coach):
    k = c[i]
    ia, ib = a[k], b[k]
    pair_trust[i] = min(trust[arc_ab[k]], trust[arc_ba[k]])
    mean_a = (knowledge[ia, 0] + knowledge[ia, 1] + knowledge[ia, 2]) / 3
    mean_b = (knowledge[ib, 0] + knowledge[ib, 1] + knowledge[ib, 2]) / 3
    if mean_a >= mean_b:
        coach[i] = 0.5 * (skill[ia] + knowledge[ia, 2])
    else:
        coach[i] = 0.5 * (skill[ib] + knowledge[ib, 2])


@njit(cache=True)
def _pair_inputs(c, a, b, trust, arc_ab, arc_ba, knowledge, skill):
    """For the links `c` in contact: the lower trust of the two arcs, and the coach's ability (that of the
    side with the higher mean knowledge, a on ties: half its skill, half its coaching knowledge).

    The same arithmetic as the NumPy expressions `np.minimum(trust[arc_ab[c]], trust[arc_ba[c]])` and
    `np.where(kmean_a >= kmean_b, 0.5 * (skill[a] + knowledge[a, 2]), ...)`, kmean = knowledge[.].mean(axis=1).
    """
    pair_trust, coach = np.empty(len(c)), np.empty(len(c))
    for i in range(len(c)):
        _pair_one(i, c, a, b, trust, arc_ab, arc_ba, knowledge, skill, pair_trust, coach)
    return pair_trust, coach


@njit(cache=True, parallel=True)
def _pair_inputs_parallel(c, a, b, trust, arc_ab, arc_ba, knowledge, skill):
    """`_pair_inputs` on all threads (each link in contact is written by one thread: the same numbers)."""
    pair_trust, coach = np.empty(len(c)), np.empty(len(c))
    for i in prange(len(c)):
        _pair_one(i, c, a, b, trust, arc_ab, arc_ba, knowledge, skill, pair_trust, coach)
    return pair_trust, coach


@njit(cache=True, inline="always")
def _record_one(k, u_valid, a, teacher_b, b_teacher, kind, hub_of_link, scale, mfactor_hub, information_validity,
                records):
    s_b = scale[teacher_b[k]] if b_teacher[k] else 1.0
    inten = min(scale[a[k]], s_b)
    records[k, 0] = inten
    records[k, 1] = 1.0 if u_valid[k] < information_validity else -1.0
    records[k, 2] = inten * (mfactor_hub[hub_of_link[k]] if kind[k] == CROSS else 1.0)


@njit(cache=True)
def _link_records(c, u_valid, a, teacher_b, b_teacher, kind, hub_of_link, scale, mfactor_hub,
                  information_validity, records):
    """For the links `c` in contact, the kernel's packed link records (what `kernel._pack_link` writes).

    records[k] = (intensity: the lower of the two sides' affordable share, validity: +1 valid / -1
    misleading information, intensity * willingness: the moral-capital factor on cross-school sharing, -).
    Idle links' records are never read, so they are left as they are.
    """
    for i in range(len(c)):
        _record_one(c[i], u_valid, a, teacher_b, b_teacher, kind, hub_of_link, scale, mfactor_hub,
                    information_validity, records)


@njit(cache=True, parallel=True)
def _link_records_parallel(c, u_valid, a, teacher_b, b_teacher, kind, hub_of_link, scale, mfactor_hub,
                           information_validity, records):
    """`_link_records` on all threads (each record is written by one thread)."""
    for i in prange(len(c)):
        _record_one(c[i], u_valid, a, teacher_b, b_teacher, kind, hub_of_link, scale, mfactor_hub,
                    information_validity, records)


def _sum_by(index: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """`np.bincount` with weights, as floats even when no link is in contact (bincount then gives ints)."""
    return np.bincount(index, weights, n).astype(float, copy=False)


def _structure(m):
    """Per-link indices that depend only on the links (cached on the LinkSet until links are added)."""
    L, n_t = m.links, m.n_teachers

    def compute():
        a, b, kind = L.a, L.b, L.kind
        b_teacher = b < n_t
        school_a = m.school_of[a]
        return dict(
            school_a=school_a, school_b=m.school_of[np.minimum(b, n_t - 1)], b_clip=np.minimum(b, n_t - 1),
            teacher_b=np.where(b_teacher, b, 0), weight_b=b_teacher.astype(float), b_teacher=b_teacher,
            hub_of_link=m.hub[school_a], not_within=kind != WITHIN,
            imposed=(kind == WITHIN) | (kind == INTERVENTION))
    return L.cached("activities", compute)


def choose_activities(m, u_contact: np.ndarray, u_valid: np.ndarray, records: np.ndarray) -> TickActivity:
    """Vectorised activity choice and time budget for every link of model `m` this tick.

    Contact is decided for every link; everything after it is computed only for the links in contact
    (a few per cent of them), which gives the same numbers: idle links add nothing to any sum. The links
    in contact get their kernel records in `records` ([n_links, 4], see `TickActivity`).
    """
    p, L, n_t = m.p, m.links, m.n_teachers
    a, b, kind = L.a, L.b, L.kind
    S = _structure(m)
    school_a, school_b, hub_of_link = S["school_a"], S["school_b"], S["hub_of_link"]
    node_effort = m.node_effort
    perm = m.permeability
    mfactor_hub = p["moral_sharing_floor"] + (1.0 - p["moral_sharing_floor"]) * m.moral_capital

    liberation = 1.0 + p["liberation_effect"] * m.networked * (
        1.0 - np.exp(-(m.hub_size_of - 1) / p["liberation_scale"]))
    within_open = p["within_contact_base"] + (1.0 - p["within_contact_base"]) * perm
    hub_joint = np.zeros(m.n_hubs)
    contact = _contact_parallel if L.n_links >= PARALLEL_MIN_LINKS and numba.get_num_threads() > 1 else _contact
    c = contact(u_contact, a, b, kind, school_a, school_b, hub_of_link, S["b_clip"], node_effort, liberation,
                within_open, m.commitment, perm, mfactor_hub, m.stage, m.access, p["contact_rate"] * 0.5,
                L.joint_work, S["not_within"], hub_joint)
    imposed = S["imposed"]                                    # colleagues, and staff named by a programme

    # the links in contact this tick
    ac, kc, sa, sb = a[c], kind[c], school_a[c], school_b[c]
    # a coach needs both the capacity to share and knowledge of coaching itself [seed 001]
    parallel = len(c) >= PARALLEL_MIN_CONTACTS and numba.get_num_threads() > 1
    trust, coach_skill = (_pair_inputs_parallel if parallel else _pair_inputs)(
        c, a, b, L.trust, L.arc_ab, L.arc_ba, m.node_knowledge, m.node_skill)
    can_coach = (trust >= p["trust_coaching"]) & (coach_skill >= p["coach_skill_min"])
    visits = imposed[c] | (kc == PARTNER) | (
        (perm[sa] >= p["visit_permeability"]) & (perm[sb] >= p["visit_permeability"]))
    act_c = np.where(can_coach & visits, COACHING, np.where(visits, EXPERIENCE, INFORMATION))
    act_c = np.where(kc == PROGRAMME_LINK, PROGRAMME, act_c)
    act = np.zeros(L.n_links, np.int8)
    act[c] = act_c

    hours = np.array([0.0, p["cost_information"], p["cost_experience"], p["cost_coaching"],
                      p["cost_information"]])[act_c]
    # new ways of working are costly until the hub has joint work behind it [seed 004 insight 10]
    hub_joint = hub_joint / m.hub_teachers
    newness = p["newness_overhead"] * np.exp(-hub_joint / p["joint_work_scale"])
    joint = (act_c == EXPERIENCE) | (act_c == COACHING)
    link_newness = np.where(S["not_within"][c] & joint, newness[hub_of_link[c]], 0.0)
    cost = hours * (1.0 + link_newness)

    # per-teacher demand, budget and the part taken from teaching time [seed 002]
    teacher_a = ac
    teacher_b = S["teacher_b"][c]
    weight_b = S["weight_b"][c]
    demand = _sum_by(teacher_a, cost, n_t) + _sum_by(teacher_b, cost * weight_b, n_t)
    extra = hours * link_newness
    overhead = _sum_by(teacher_a, extra, n_t) + _sum_by(teacher_b, extra * weight_b, n_t)
    # communication across the hub grows with its size and is heavy while ways of working are new
    in_network = m.access & m.networked[m.school_of]
    coord = (p["coordination_cost"] * (m.hub_size_of[m.school_of] - 1) * (1.0 + newness[m.hub[m.school_of]])
             * in_network)
    if p["network_facilitator"]:
        coord = coord * (1.0 - p["facilitator_saving"])
    demand += coord
    overhead += coord
    budget = p["staff_learning_time"] * np.where(m.facilitator[m.school_of], p["facilitator_efficiency"], 1.0)
    cap = budget + p["max_coaching_share"] * p["teaching_hours"]
    used = np.minimum(demand, cap)
    scale = np.divide(used, demand, out=np.ones(n_t), where=demand > 0)
    (_link_records_parallel if parallel else _link_records)(
        c, u_valid, a, S["teacher_b"], S["b_teacher"], kind, hub_of_link, scale, mfactor_hub,
        p["information_validity"], records)
    return TickActivity(act, c, records, np.maximum(used - budget, 0.0), overhead)
