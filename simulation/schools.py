"""School-level dynamics: activity record, boundary permeability, headteacher unlearning, access and stage.

All per-school quantities are NumPy arrays indexed by school; teachers are aggregated with bincount.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .activities import TickActivity
from .agents import Stage
from .kernel import COACHING
from .links import CROSS, INTERVENTION, PARTNER, WITHIN


@njit(cache=True)
def _touched_shares(active, activity, kind, a, b, school_of, n_t, n_s, tps):
    """Per school, the share of staff touched by the active links that are outward (not WITHIN), coaching
    and with partners: `_share_of_staff(m, _teachers_touched(m, ...))` for the three sets in one pass.
    The shares are counts over `tps`, as the float bincount of 0/1 flags gives them exactly."""
    hit = np.zeros((n_t, 3), np.bool_)
    for k in active:
        kd = kind[k]
        flags = (kd != WITHIN, activity[k] == COACHING, kd == PARTNER)
        for f in range(3):
            if flags[f]:
                hit[a[k], f] = True
                if b[k] < n_t:
                    hit[b[k], f] = True
    count = np.zeros((3, n_s))
    for i in range(n_t):
        for f in range(3):
            if hit[i, f]:
                count[f, school_of[i]] += 1.0
    return count[0] / tps, count[1] / tps, count[2] / tps


def _share_of_staff(m, teacher_flag: np.ndarray) -> np.ndarray:
    """Per school, the share of its staff for whom `teacher_flag` holds."""
    return np.bincount(m.school_of, teacher_flag.astype(float), m.n_schools) / m.p["teachers_per_school"]


def _teachers_touched(m, link_mask: np.ndarray) -> np.ndarray:
    """Per teacher, whether any link in `link_mask` (a mask or link indices) touches them."""
    n_t, L = m.n_teachers, m.links
    hit = np.zeros(n_t, bool)
    hit[L.a[link_mask]] = True
    b = L.b[link_mask]
    hit[b[b < n_t]] = True
    return hit


@njit(cache=True)
def _sum_at(index, arcs, values, n):
    """`np.bincount(index, values[arcs], n)` without the gathered copy: the same sums in the same order."""
    out = np.zeros(n)
    for k in range(len(arcs)):
        out[index[k]] += values[arcs[k]]
    return out


def school_trust(m) -> np.ndarray:
    """Per school, mean trust of its staff in teachers of other schools, intervention links included (0 if none)."""
    L = m.links

    def arcs():
        cross = np.flatnonzero(((L.arc_kind == CROSS) | (L.arc_kind == INTERVENTION)) & (L.receiver < m.n_teachers))
        school = m.school_of[L.receiver[cross]]
        return cross, school, np.bincount(school, minlength=m.n_schools)
    cross, school, count = L.cached("school_trust", arcs)
    total = _sum_at(school, cross, L.trust, m.n_schools)
    return np.divide(total, count, out=np.zeros(m.n_schools), where=count > 0)


def record_activity(m, tick: TickActivity) -> None:
    """Update each school's running record of outward, coaching and partner activity [seed 000]."""
    L = m.links
    w = m.p["activity_memory"]
    outward, coaching, partner = _touched_shares(tick.contact, tick.activity, L.kind, L.a, L.b, m.school_of,
                                                 m.n_teachers, m.n_schools, m.p["teachers_per_school"])
    m.activity_outward += w * (outward - m.activity_outward)
    m.activity_coaching += w * (coaching - m.activity_coaching)
    m.activity_partner += w * (partner - m.activity_partner)


def update_boundaries(m, trust_s: np.ndarray) -> None:
    """Permeability grows with trust, moral capital and the head's commitment, and hardens unused [seed 000].

    Heads unlearn: commitment rises with trust and moral capital, more slowly for resistant heads
    [seed 004 less-known 5]; a higher commitment gives more staff access to network activity.
    """
    p = m.p
    moral = m.moral_capital[m.hub] * m.networked
    drive = m.commitment * (0.5 * trust_s + 0.5 * moral)
    perm = m.permeability
    perm += p["permeability_rate"] * drive * (1.0 - perm) - p["permeability_decay"] * perm * (1.0 - m.activity_outward)
    np.clip(perm, 0.0, 1.0, out=perm)
    speed = np.where(m.resistant, p["resistant_unlearning"], 1.0) * p["unlearning_rate"]
    m.commitment += speed * trust_s * moral * (1.0 - m.commitment)
    np.clip(m.commitment, 0.0, 1.0, out=m.commitment)
    m.access[:] = m.access_draw < m.commitment[m.school_of]


def derive_stages(m) -> None:
    """Stage from permeability and the activity staff take part in; a school moves one stage at a time.

    Isolation: no outward activity. Initiation: information and visits. Engagement: systematic
    coaching and an open boundary. Integration: also working with partners, transparent boundary.
    """
    p = m.p
    perm = m.permeability
    target = np.full(m.n_schools, Stage.ISOLATION, np.int8)
    target[(m.activity_outward >= p["initiation_activity"]) | (perm >= p["visit_permeability"])] = Stage.INITIATION
    systematic = m.activity_coaching >= p["engagement_coaching"]
    target[systematic & (perm >= p["engagement_permeability"])] = Stage.ENGAGEMENT
    target[systematic & (perm >= p["integration_permeability"]) & (m.activity_partner >= p["integration_partner_activity"])] = Stage.INTEGRATION
    m.stage[:] = np.minimum(target, m.stage + 1)
