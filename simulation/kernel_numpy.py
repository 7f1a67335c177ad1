"""The transfer kernel vectorised with NumPy over all arcs at once: the middle ground the benchmarks compare.

Same signature and outputs as `kernel.transfer_tick`. Sums per receiver use `np.bincount`, which adds
in arc order as the numba kernel does, so the two agree to rounding.
"""

from __future__ import annotations

import numpy as np

from .kernel import (C_CREATION_GAP, C_CREATION_RATE, C_GAP_SCALE, C_RECIPROCITY, C_TOURISM,
                     C_TRUST_CREATION, C_TRUST_DECAY, C_TRUST_EXPERIENCE, C_TRUST_GAIN, C_TRUST_LOSS,
                     COACHING, EXPERIENCE, INFORMATION, NONE, PROGRAMME)


def transfer_tick_numpy(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
                        intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created,
                        received):
    """One tick of transfer, creation and trust update as whole-array operations over the arcs."""
    n, n_areas = knowledge.shape
    counts = np.diff(indptr)
    recv = np.repeat(np.arange(n), counts)
    j = giver
    act = activity[arc_link].astype(np.int64)
    t = trust
    inten = intensity[arc_link]
    w = inten * willingness[arc_link]
    active = act != NONE
    factor = np.where(act == INFORMATION, validity[arc_link],
                      np.where(act == PROGRAMME, 1.0,
                               np.where((act == EXPERIENCE) & (t < coef[C_TRUST_EXPERIENCE]),
                                        coef[C_TOURISM] * t, t)))
    base = rates[act] * factor * openness[recv] * skill[j] * w
    x0 = coef[C_GAP_SCALE]
    joint = (act == EXPERIENCE) | (act == COACHING)
    creating = joint & (t >= coef[C_TRUST_CREATION])
    flow = np.zeros(len(t))
    total = np.zeros(n)
    for a in range(n_areas):
        kj, ki = knowledge[j, a], knowledge[recv, a]
        gap = kj - ki
        up = active & (gap > 0.0)
        r = gap / x0
        d = np.where(up, base * (r * np.exp(1.0 - r)), 0.0)
        flow += np.abs(d)
        gain = np.bincount(recv, d, n)
        ceiling = knowledge[:, a].copy()
        reached = np.where(up, kj, -np.inf)
        rows = np.flatnonzero(counts > 0)
        if len(rows):
            ceiling[rows] = np.maximum(ceiling[rows], np.maximum.reduceat(reached, indptr[rows]))
        s = coef[C_CREATION_RATE] * t * w
        make = np.where(creating, s * np.exp(-np.abs(gap) / coef[C_CREATION_GAP]), 0.0)
        create = np.bincount(recv, make, n)
        v = np.maximum(np.minimum(knowledge[:, a] + gain, ceiling), 0.0)
        grown = (1.0 - v) * (1.0 - np.exp(-create))
        total += grown
        new_knowledge[:, a] = v + grown
    created[:] = total
    received[:] = np.where(active, flow, 0.0)
    e_i, e_j = effort[recv], effort[j]
    gave = (knowledge[recv] > knowledge[j]).any(axis=1)              # i was ahead somewhere: j could take
    let_down = gave & (e_i > 0.0) & (e_j < coef[C_RECIPROCITY] * e_i)
    built = np.where(let_down, t - coef[C_TRUST_LOSS] * t, t + coef[C_TRUST_GAIN] * inten * (1.0 - t))
    new_trust[:] = np.where(joint, built, t - coef[C_TRUST_DECAY] * t)
