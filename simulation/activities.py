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

import numpy as np
from numba import njit, prange

from .jit import on_threads, twin
from .kernel import (COACHING, EXPERIENCE, INFORMATION, PROGRAMME, REC_COLLEAGUE, REC_INTENSITY, REC_VALIDITY,
                     REC_WILLINGNESS)
from .links import CROSS, INTERVENTION, PARTNER, PROGRAMME_LINK, WITHIN


@dataclass
class TickActivity:
    """What the staff do this tick: per-link activity codes, the kernel's inputs for the links in contact, and
    per-teacher time accounting."""

    activity: np.ndarray        # int8 code per link (NONE for idle links)
    contact: np.ndarray         # indices of the links in contact, increasing: exactly the links not NONE
    teaching_lost: np.ndarray   # hours taken from students, per teacher
    overhead: np.ndarray        # transaction hours (newness + coordination), per teacher
    records: np.ndarray         # [n_links, kernel.LINK_WIDTH] link records (kernel.REC_*), valid at `contact`
    arc_activity: np.ndarray    # int8 code per arc (CSR order): each link's activity at both of its arcs
    unanswered: np.ndarray      # cross-school offers to a withdrawn school this tick (link indices, increasing)
    pressure: np.ndarray        # per teacher, the week's demand beyond the dedicated time, / that time, in [0, 1]


def _contact(u, a, b, kind, school_a, school_b, hub_of_link, b_clip, effort, withdrawn, culture, commitment,
             perm, mfactor_hub, stage, access, half_rate, joint_work, hub_start, hub_links, hub_joint):
    """(links in contact, unanswered offers) this tick, each increasing: one pass over the links, chance by kind.

    Chance = rate * mean effort of the two sides, times for colleagues the school's own culture of staff
    learning (`culture`: organisational capital) and the head's commitment, for cross-school links the two
    boundaries' permeability and the hub's moral capital, for partners a's permeability once it is engaged
    (stage 2+), for the shared programme a's permeability. Access: the head's commitment lets staff take
    part (both sides across schools); colleagues and intervention links are imposed. A school that has
    withdrawn puts no effort into network links (cross-school, partner, programme) and takes no part: a
    cross-school draw that succeeds on the other side's effort alone is an unanswered offer.
    `hub_joint` (one per hub) gets each hub's joint work on links other than colleagues', summed in link
    order (`hub_links[hub_start[h]:hub_start[h + 1]]` are hub h's links, increasing).
    Blocks of links write their contacts at their own offsets (in parallel), then are closed up in order.
    """
    for h in prange(len(hub_joint)):
        total = 0.0
        for q in range(hub_start[h], hub_start[h + 1]):
            total += joint_work[hub_links[q]]
        hub_joint[h] = total
    n_links = len(u)
    n_blocks = 64
    size = (n_links + n_blocks - 1) // n_blocks
    out = np.empty(n_links, np.int64)
    refused = np.empty(n_links, np.int64)
    counts = np.zeros((n_blocks, 2), np.int64)
    for blk in prange(n_blocks):
        start = blk * size
        n = 0
        n_refused = 0
        for k in range(start, min(start + size, n_links)):
            sa = school_a[k]
            kd = kind[k]
            ea, eb = effort[a[k]], effort[b[k]]
            out_a = withdrawn[sa] and kd != WITHIN and kd != INTERVENTION
            out_b = kd == CROSS and withdrawn[school_b[k]]
            if out_a:
                ea = 0.0
            if out_b:
                eb = 0.0
            pc = half_rate * (ea + eb)
            ok = access[a[k]]
            if kd == WITHIN:
                pc = pc * culture[sa] * commitment[sa]
            elif kd == CROSS:
                pc = pc * math.sqrt(perm[sa] * perm[school_b[k]]) * mfactor_hub[hub_of_link[k]]
                ok = ok and access[b_clip[k]]
            elif kd == PARTNER:
                pc = pc * perm[sa] * (1.0 if stage[sa] >= 2 and not out_a else 0.0)
            elif kd == PROGRAMME_LINK:
                pc = pc * perm[sa] * (0.0 if out_a else 1.0)
            if u[k] < pc and (ok or kd == WITHIN or kd == INTERVENTION):
                if out_a or out_b:
                    refused[start + n_refused] = k
                    n_refused += 1
                else:
                    out[start + n] = k
                    n += 1
        counts[blk, 0] = n
        counts[blk, 1] = n_refused
    n = 0
    n_refused = 0
    for blk in range(n_blocks):
        start = blk * size
        for i in range(counts[blk, 0]):
            out[n + i] = out[start + i]
        for i in range(counts[blk, 1]):
            refused[n_refused + i] = refused[start + i]
        n += counts[blk, 0]
        n_refused += counts[blk, 1]
    return out[:n], refused[:n_refused]


#: above this many links the contact pass runs on all threads
PARALLEL_MIN_LINKS = 200_000


#: below this many links in contact the per-contact passes run on one thread (waking threads costs more)
PARALLEL_MIN_CONTACTS = 50_000
#: links in contact per block of `_contact_activities`
BLOCK = 512


def _contact_activities(c, a, b, kind, school_a, school_b, hub_of_link, not_within, imposed, trust, arc_ab, arc_ba,
                        knowledge, skill, perm, newness, q, act, arc_act, cost, extra):
    """For the links `c` in contact: the activity each carries (into `act` per link and into `arc_act` at both
    of its arcs, for the kernel) and its time cost.

    The deepest activity trust allows: coaching needs the lower of the two sides' trust above
    `trust_coaching` and a coach (the side with the higher mean knowledge, a on ties) whose ability, half
    skill and half coaching knowledge, reaches `coach_skill_min` [seed 001]; visits (experience) need both
    boundaries open, a partner or an imposed link; otherwise information; programme links carry the
    programme. cost = hours * (1 + newness) and extra = hours * newness per contact, newness only on
    cross-school joint work [seed 004 insight 10]. `q` = (trust_coaching, coach_skill_min,
    visit_permeability, cost of none, information, experience, coaching, programme).
    """
    n = len(c)
    for blk in prange((n + BLOCK - 1) // BLOCK):
        lo, hi = blk * BLOCK, min(blk * BLOCK + BLOCK, n)
        # first every read that misses the cache, branch-free (many in flight), then the decisions
        g = np.empty((hi - lo, 6))
        for i in range(lo, hi):
            k = c[i]
            ia, ib = a[k], b[k]
            r = i - lo
            g[r, 0] = min(trust[arc_ab[k]], trust[arc_ba[k]])
            g[r, 1] = (knowledge[ia, 0] + knowledge[ia, 1] + knowledge[ia, 2]) / 3
            g[r, 2] = (knowledge[ib, 0] + knowledge[ib, 1] + knowledge[ib, 2]) / 3
            g[r, 3] = 0.5 * (skill[ia] + knowledge[ia, 2])
            g[r, 4] = 0.5 * (skill[ib] + knowledge[ib, 2])
            g[r, 5] = min(perm[school_a[k]], perm[school_b[k]])
        for i in range(lo, hi):
            k = c[i]
            r = i - lo
            coach = g[r, 3] if g[r, 1] >= g[r, 2] else g[r, 4]
            kd = kind[k]
            visits = imposed[k] or kd == PARTNER or g[r, 5] >= q[2]
            if kd == PROGRAMME_LINK:
                code = PROGRAMME
            elif visits and g[r, 0] >= q[0] and coach >= q[1]:
                code = COACHING
            elif visits:
                code = EXPERIENCE
            else:
                code = INFORMATION
            act[k] = code
            arc_act[arc_ab[k]] = code
            arc_act[arc_ba[k]] = code
            hours = q[3 + code]
            joint = code == EXPERIENCE or code == COACHING
            link_newness = newness[hub_of_link[k]] if not_within[k] and joint else 0.0
            cost[i] = hours * (1.0 + link_newness)
            extra[i] = hours * link_newness


def _teacher_sums(c, a, teacher_b, b_teacher, cost, extra, n_t):
    """Per teacher, the hours of the contacts on each side: sums[side, teacher] = (demand, overhead), side 0
    for the links' first ends (a), side 1 for their second ends when those are teachers.

    Each sum runs over the contacts in order, as `np.bincount` does, so the totals are the same bits; the
    two sides are independent and run on two threads.
    """
    sums = np.zeros((2, n_t, 2))
    for side in prange(2):
        for i in range(len(c)):
            k = c[i]
            if side == 0:
                t = a[k]
            elif b_teacher[k]:
                t = teacher_b[k]
            else:
                continue
            sums[side, t, 0] += cost[i]
            sums[side, t, 1] += extra[i]
    return sums


@njit(cache=True)
def _time_budget(demand, overhead, school_of, hub, hub_size_of, networked, facilitator, access, newness, q):
    """Per teacher: add the hub's coordination cost, cap the demand by the budget; returns (scale, lost,
    pressure).

    Coordination = coordination_cost * (hub size - 1) * (1 + newness) for staff in a network [seed 004];
    the budget is the staff learning time (more with a facilitator); up to `max_coaching_share` of teaching
    time can be taken beyond it. scale = the share of each teacher's demand that could be met, lost = the
    hours taken from students, pressure = min(1, max(0, demand - budget) / budget) (overload, for effort). `q` = (coordination_cost, network_facilitator, facilitator_saving,
    staff_learning_time, facilitator_efficiency, max_coaching_share * teaching_hours).
    """
    n_t = len(demand)
    scale, lost, pressure = np.empty(n_t), np.empty(n_t), np.empty(n_t)
    for t in range(n_t):
        s = school_of[t]
        coord = q[0] * (hub_size_of[s] - 1) * (1.0 + newness[hub[s]]) * (1.0 if access[t] and networked[s] else 0.0)
        if q[1] != 0.0:
            coord = coord * (1.0 - q[2])
        d = demand[t] + coord
        overhead[t] += coord
        budget = q[3] * (q[4] if facilitator[s] else 1.0)
        used = min(d, budget + q[5])
        scale[t] = used / d if d > 0 else 1.0
        lost[t] = max(used - budget, 0.0)
        pressure[t] = min(1.0, max(d - budget, 0.0) / budget) if budget > 0 else (1.0 if d > 0 else 0.0)
    return scale, lost, pressure


def _link_records(c, u_valid, a, teacher_b, b_teacher, kind, hub_of_link, scale, mfactor_hub,
                  information_validity, act, records, joint_work):
    """For the links `c` in contact, the kernel's packed link records (what `kernel.pack_links` writes),
    and the joint work (experience, coaching) they add: each accumulates its intensity in `joint_work`.

    records[k] in the layout of `kernel.REC_*`: intensity (the lower of the two sides' affordable share),
    validity (+1 valid / -1 misleading information), willingness (the hub's moral-capital factor on
    cross-school links, 1 on others), colleague (1 on links between colleagues). Idle links' records are never read, so they are left as they are.
    """
    for i in prange(len(c)):
        k = c[i]
        s_b = scale[teacher_b[k]] if b_teacher[k] else 1.0
        inten = min(scale[a[k]], s_b)
        records[k, REC_INTENSITY] = inten
        records[k, REC_VALIDITY] = 1.0 if u_valid[k] < information_validity else -1.0
        records[k, REC_WILLINGNESS] = mfactor_hub[hub_of_link[k]] if kind[k] == CROSS else 1.0
        records[k, REC_COLLEAGUE] = 1.0 if kind[k] == WITHIN else 0.0
        if act[k] == EXPERIENCE or act[k] == COACHING:
            joint_work[k] += inten


_contact_parallel, _contact = twin(_contact)
_contact_activities_parallel, _contact_activities = twin(_contact_activities)
_link_records_parallel, _link_records = twin(_link_records)
_teacher_sums_parallel, _teacher_sums = twin(_teacher_sums)


def _structure(m):
    """Per-link indices that depend only on the links (cached on the LinkSet until links are added)."""
    L, n_t = m.links, m.n_teachers

    def compute():
        a, b, kind = L.a, L.b, L.kind
        b_teacher = b < n_t
        school_a = m.school_of[a]
        hub_of_link = m.hub[school_a]
        hub_links = np.flatnonzero(kind != WITHIN)
        hub_links = hub_links[np.argsort(hub_of_link[hub_links], kind="stable")]
        hub_start = np.zeros(m.n_hubs + 1, np.int64)
        np.cumsum(np.bincount(hub_of_link[hub_links], minlength=m.n_hubs), out=hub_start[1:])
        return dict(
            school_a=school_a, school_b=m.school_of[np.minimum(b, n_t - 1)], b_clip=np.minimum(b, n_t - 1),
            teacher_b=np.where(b_teacher, b, 0), b_teacher=b_teacher, hub_of_link=hub_of_link,
            hub_links=hub_links, hub_start=hub_start, not_within=kind != WITHIN,
            imposed=(kind == WITHIN) | (kind == INTERVENTION))
    return L.cached("activities", compute)


def staff_culture(m) -> np.ndarray:
    """Per school, how freely colleagues share, in [within_contact_base, 1]: the school's own organisational
    capital, dedicated staff-learning hours (times `facilitator_efficiency` where a facilitator works) against
    `org_full_hours`; the head's commitment multiplies it in the contact chance. Own house first [seed 003]:
    it does not depend on the network or the school's boundary. Fixed for a run (`CLCModel.culture`)."""
    p = m.p
    hours = p.staff_learning_time * np.where(m.facilitator, p.facilitator_efficiency, 1.0)
    return p.within_contact_base + (1.0 - p.within_contact_base) * np.minimum(hours / p.org_full_hours, 1.0)


def choose_activities(m) -> TickActivity:
    """ODD §3 step 2: every link's contact, activity and affordable intensity this tick, and the time budget.

    Two uniform numbers per link are drawn from the model's generator (contact, information validity).
    Contact is decided for every link; everything after it is computed only for the links in contact
    (a few per cent of them), which gives the same numbers: idle links add nothing to any sum. The links
    in contact get their kernel records (`TickActivity.records`, layout `kernel.REC_*`; other rows are
    stale) and their activity code at both arcs (`TickActivity.arc_activity`), in the kernel's buffers
    (`m.workspace`). The tick's activity, teaching time lost and overhead are recorded on the model.
    """
    p, L, n_t = m.p, m.links, m.n_teachers
    uniforms = L.cached("uniforms", lambda: np.empty((2, L.n_links)))
    u_contact, u_valid = m.generator.random(out=uniforms)    # the same numbers as random((2, n_links))
    records, arc_act = m.workspace.link_inputs(len(m.node_knowledge), L.n_links, len(L.trust))
    a, b, kind = L.a, L.b, L.kind
    S = _structure(m)
    school_a, school_b, hub_of_link = S["school_a"], S["school_b"], S["hub_of_link"]
    node_effort = m.node_effort
    perm = m.permeability
    mfactor_hub = p.moral_sharing_floor + (1.0 - p.moral_sharing_floor) * m.moral_capital
    hub_joint = np.empty(m.n_hubs)
    contact = _contact_parallel if on_threads(L.n_links, PARALLEL_MIN_LINKS) else _contact
    c, unanswered = contact(u_contact, a, b, kind, school_a, school_b, hub_of_link, S["b_clip"], node_effort,
                            m.withdrawn, m.culture, m.commitment, perm, mfactor_hub, m.stage, m.access,
                            p.contact_rate * 0.5, L.joint_work, S["hub_start"], S["hub_links"], hub_joint)

    # the links in contact this tick: their activity and its cost
    parallel = on_threads(len(c), PARALLEL_MIN_CONTACTS)
    # new ways of working are costly until the hub has joint work behind it [seed 004 insight 10]
    newness = p.newness_overhead * np.exp(-(hub_joint / m.hub_teachers) / p.joint_work_scale)
    act = np.zeros(L.n_links, np.int8)
    cost, extra = np.empty(len(c)), np.empty(len(c))
    q = np.array([p.trust_coaching, p.coach_skill_min, p.visit_permeability, 0.0, p.cost_information,
                  p.cost_experience, p.cost_coaching, p.cost_information])
    (_contact_activities_parallel if parallel else _contact_activities)(
        c, a, b, kind, school_a, school_b, hub_of_link, S["not_within"], S["imposed"], L.trust, L.arc_ab, L.arc_ba,
        m.node_knowledge, m.node_skill, perm, newness, q, act, arc_act, cost, extra)

    # per-teacher demand, budget and the part taken from teaching time [seed 002]
    sums = (_teacher_sums_parallel if parallel else _teacher_sums)(
        c, a, S["teacher_b"], S["b_teacher"], cost, extra, n_t)
    demand, overhead = sums[0, :, 0] + sums[1, :, 0], sums[0, :, 1] + sums[1, :, 1]
    q = np.array([p.coordination_cost, float(p.network_facilitator), p.facilitator_saving,
                  p.staff_learning_time, p.facilitator_efficiency, p.max_coaching_share * p.teaching_hours])
    scale, lost, pressure = _time_budget(demand, overhead, m.school_of, m.hub, m.hub_size_of, m.member(),
                                         m.facilitator, m.access, newness, q)
    (_link_records_parallel if parallel else _link_records)(
        c, u_valid, a, S["teacher_b"], S["b_teacher"], kind, hub_of_link, scale, mfactor_hub,
        p.information_validity, act, records, L.joint_work)
    L.activity = act
    m.teaching_lost, m.overhead = lost, overhead
    return TickActivity(act, c, lost, overhead, records, arc_act, unanswered, pressure)
