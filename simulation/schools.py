"""School-level dynamics: activity record, boundary permeability, headteacher unlearning, access and stage.

All per-school quantities are NumPy arrays indexed by school; teachers are aggregated with bincount.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from .activities import TickActivity
from .agents import Stage
from .jit import on_threads, twin
from .kernel import COACHING
from .links import CROSS, INTERVENTION, PARTNER, WITHIN


def _touched_shares(active, activity, kind, a, b, n_t, n_s, tps):
    """Per school [3, n_s], the share of staff touched by the active links that are outward (not WITHIN),
    coaching and with partners. A teacher counts once however many such links touch them; shares are
    exact counts over `tps`. A school's teachers are contiguous, so schools are counted in parallel."""
    hit = np.zeros((n_t, 3), np.bool_)
    for k in active:
        kd = kind[k]
        flags = (kd != WITHIN, activity[k] == COACHING, kd == PARTNER)
        for f in range(3):
            if flags[f]:
                hit[a[k], f] = True
                if b[k] < n_t:
                    hit[b[k], f] = True
    shares = np.zeros((3, n_s))
    for s in prange(n_s):
        for i in range(s * tps, (s + 1) * tps):
            for f in range(3):
                if hit[i, f]:
                    shares[f, s] += 1.0
        for f in range(3):
            shares[f, s] /= tps
    return shares


_touched_shares_parallel, _touched_shares = twin(_touched_shares)


def _segment_sums(start, arcs, values):
    """Per school s, the sum of values[arcs[start[s]:start[s+1]]] in order: `np.bincount` by school's sums."""
    out = np.empty(len(start) - 1)
    for s in prange(len(start) - 1):
        total = 0.0
        for q in range(start[s], start[s + 1]):
            total += values[arcs[q]]
        out[s] = total
    return out


_segment_sums_parallel, _segment_sums = twin(_segment_sums)
#: from this many items (cross-school arcs for trust, teachers for activity shares) the school passes run
#: on all threads
PARALLEL_MIN_SIZE = 50_000


def school_trust(m) -> np.ndarray:
    """Per school, mean trust of its staff in teachers of other schools, intervention links included (0 if none)."""
    L = m.links

    def arcs():
        # arcs are in receiver order and a school's teachers are contiguous: each school's arcs form one run
        cross = np.flatnonzero(((L.arc_kind == CROSS) | (L.arc_kind == INTERVENTION)) & (L.receiver < m.n_teachers))
        count = np.bincount(m.school_of[L.receiver[cross]], minlength=m.n_schools)
        start = np.zeros(m.n_schools + 1, np.int64)
        np.cumsum(count, out=start[1:])
        return cross, start, count
    cross, start, count = L.cached("school_trust", arcs)
    total = (_segment_sums_parallel if on_threads(len(cross), PARALLEL_MIN_SIZE) else _segment_sums)(start, cross, L.trust)
    return np.divide(total, count, out=np.zeros(m.n_schools), where=count > 0)


def record_activity(m, tick: TickActivity) -> None:
    """Update each school's running record of outward, coaching and partner activity [seed 000]."""
    L = m.links
    w = m.p.activity_memory
    touched = _touched_shares_parallel if on_threads(m.n_teachers, PARALLEL_MIN_SIZE) else _touched_shares
    outward, coaching, partner = touched(tick.contact, tick.activity, L.kind, L.a, L.b, m.n_teachers, m.n_schools,
                                         m.p.teachers_per_school)
    m.activity_outward += w * (outward - m.activity_outward)
    m.activity_coaching += w * (coaching - m.activity_coaching)
    m.activity_partner += w * (partner - m.activity_partner)


def update_boundaries(m, trust_s: np.ndarray) -> None:
    """Permeability grows with trust, moral capital and the head's commitment, and hardens unused [seed 000].

    Heads unlearn: commitment rises with trust and moral capital, more slowly for resistant heads
    [seed 004 less-known 5]; a higher commitment gives more staff access to network activity.
    """
    p = m.p
    moral = m.moral_capital[m.hub] * m.member()
    drive = m.commitment * (0.5 * trust_s + 0.5 * moral)
    perm = m.permeability
    perm += p.permeability_rate * drive * (1.0 - perm) - p.permeability_decay * perm * (1.0 - m.activity_outward)
    np.clip(perm, 0.0, 1.0, out=perm)
    speed = np.where(m.resistant, p.resistant_unlearning, 1.0) * p.unlearning_rate
    m.commitment += speed * trust_s * moral * (1.0 - m.commitment)
    np.clip(m.commitment, 0.0, 1.0, out=m.commitment)
    m.access[:] = m.access_draw < m.commitment[m.school_of]


def derive_stages(m) -> None:
    """Stage from permeability and the activity staff take part in, read from the state every week with no
    rule on order: a school may skip a stage or fall back, and both are counted (`stage_skips`,
    `stage_fallbacks`), so whether stages come in order is a finding [DESIGN, the science standard].

    Isolation: no outward activity. Initiation: information and visits. Engagement: systematic
    coaching and an open boundary. Integration: also working with partners, transparent boundary.
    """
    p = m.p
    perm = m.permeability
    target = np.full(m.n_schools, Stage.ISOLATION, np.int8)
    target[(m.activity_outward >= p.initiation_activity) | (perm >= p.visit_permeability)] = Stage.INITIATION
    systematic = m.activity_coaching >= p.engagement_coaching
    target[systematic & (perm >= p.engagement_permeability)] = Stage.ENGAGEMENT
    target[systematic & (perm >= p.integration_permeability) & (m.activity_partner >= p.integration_partner_activity)] = Stage.INTEGRATION
    m.stage_skips += int(np.count_nonzero(target > m.stage + 1))
    m.stage_fallbacks += int(np.count_nonzero(target < m.stage))
    m.stage[:] = target
