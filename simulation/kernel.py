"""The knowledge-transfer kernel: one tick of transfer, knowledge creation and trust update, in numba.

Links are stored as arcs in CSR order by receiver: row `i` (arcs `indptr[i]:indptr[i+1]`) holds every
arc through which node `i` can learn, with the giver `giver[arc]`, the undirected link `arc_link[arc]`
(its activity, intensity, validity, willingness) and the receiver's trust in the giver `trust[arc]`.
Each node pulls from its own row and writes only its own row and arcs, so the parallel loop is free
of races by construction and gives the same numbers for any thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

#: activity codes stored per link (int8)
NONE, INFORMATION, EXPERIENCE, COACHING, PROGRAMME = 0, 1, 2, 3, 4
ACTIVITY_NAMES = ("none", "information", "experience", "coaching", "programme")

#: positions in the `coef` parameter vector passed to the kernel
(C_TOURISM, C_TRUST_EXPERIENCE, C_GAP_SCALE, C_CREATION_RATE, C_CREATION_GAP, C_TRUST_CREATION,
 C_TRUST_GAIN, C_TRUST_DECAY, C_TRUST_LOSS, C_RECIPROCITY) = range(10)
N_COEF = 10


def kernel_coefficients(p: dict) -> tuple[np.ndarray, np.ndarray]:
    """(rates per activity code, coefficient vector) for the kernels from a resolved parameter dict."""
    rates = np.array([0.0, p["rate_information"], p["rate_experience"], p["rate_coaching"],
                      p["programme_rate"]])
    coef = np.empty(N_COEF)
    coef[C_TOURISM] = p["tourism_factor"]
    coef[C_TRUST_EXPERIENCE] = p["trust_experience"]
    coef[C_GAP_SCALE] = p["gap_scale"]
    coef[C_CREATION_RATE] = p["creation_rate"]
    coef[C_CREATION_GAP] = p["creation_gap_scale"]
    coef[C_TRUST_CREATION] = p["trust_creation"]
    coef[C_TRUST_GAIN] = p["trust_gain"]
    coef[C_TRUST_DECAY] = p["trust_decay"]
    coef[C_TRUST_LOSS] = p["trust_loss"]
    coef[C_RECIPROCITY] = p["reciprocity_threshold"]
    return rates, coef


@njit(cache=True, inline="always")
def gap_response(gap: float, x0: float) -> float:
    """Absorptive capacity g(x) = (x/x0) exp(1 - x/x0): peaks at 1 for x = x0, small for big gaps [seed 002]."""
    r = gap / x0
    return r * math.exp(1.0 - r)


@njit(cache=True, inline="always")
def _pull_node(i, knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
               intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created, received):
    """One receiver's tick: sum what it learns over its arcs, create knowledge, update its trust."""
    n_areas = knowledge.shape[1]
    gain = np.zeros(n_areas)
    ceiling = np.empty(n_areas)
    create = np.zeros(n_areas)
    for a in range(n_areas):
        ceiling[a] = knowledge[i, a]
    x0 = coef[C_GAP_SCALE]
    for arc in range(indptr[i], indptr[i + 1]):
        j = giver[arc]
        link = arc_link[arc]
        act = activity[link]
        t = trust[arc]
        if act == NONE:
            new_trust[arc] = t - coef[C_TRUST_DECAY] * t
            received[arc] = 0.0
            continue
        w = intensity[link] * willingness[link]
        if act == INFORMATION:
            factor = validity[link]                     # no trust needed; invalid information misleads
        elif act == PROGRAMME:
            factor = 1.0                                # the network's proven, codified programme
        elif act == EXPERIENCE and t < coef[C_TRUST_EXPERIENCE]:
            factor = coef[C_TOURISM] * t                # a visit without trust is tourism
        else:
            factor = t
        base = rates[act] * factor * openness[i] * skill[j] * w
        flow = 0.0
        for a in range(n_areas):
            gap = knowledge[j, a] - knowledge[i, a]
            if gap > 0.0:
                d = base * gap_response(gap, x0)
                gain[a] += d
                flow += abs(d)
                if knowledge[j, a] > ceiling[a]:
                    ceiling[a] = knowledge[j, a]
        received[arc] = flow
        joint = act == EXPERIENCE or act == COACHING
        if joint and t >= coef[C_TRUST_CREATION]:
            for a in range(n_areas):
                gap = abs(knowledge[j, a] - knowledge[i, a])
                create[a] += coef[C_CREATION_RATE] * t * w * math.exp(-gap / coef[C_CREATION_GAP])
        if joint:
            if effort[i] > 0.0:
                rec = min(effort[j] / effort[i], 1.0)
            else:
                rec = 1.0
            if rec >= coef[C_RECIPROCITY]:
                t = t + coef[C_TRUST_GAIN] * intensity[link] * (1.0 - t)
            else:
                t = t - coef[C_TRUST_LOSS] * t          # one-way sharing: trust falls fast
        else:
            t = t - coef[C_TRUST_DECAY] * t             # information is no joint work
        new_trust[arc] = t
    total = 0.0
    for a in range(n_areas):
        v = knowledge[i, a] + gain[a]
        if v > ceiling[a]:
            v = ceiling[a]                              # transfer alone never passes the best giver
        if v < 0.0:
            v = 0.0
        grown = (1.0 - v) * (1.0 - math.exp(-create[a]))
        total += grown
        new_knowledge[i, a] = v + grown
    created[i] = total


@njit(parallel=True, cache=True)
def transfer_tick(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
                  intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created,
                  received):
    """One tick over all nodes in parallel (per-node pull); outputs are written to the `new_*` arrays.

    knowledge[n, 3] in [0, 1]; openness, skill, effort [n] in [0, 1]; trust[m] per arc in [0, 1];
    activity (int8 codes), intensity (share of the session's time that could be afforded, [0, 1]),
    validity (+1 or -1 for information) and willingness (moral-capital factor, [0, 1]) per link.
    created[n] is the knowledge each node created; received[m] the knowledge moved through each arc.
    """
    for i in prange(knowledge.shape[0]):
        _pull_node(i, knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
                   intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created,
                   received)


@njit(cache=True)
def transfer_tick_serial(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
                         intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created,
                         received):
    """The same tick on one thread (used inside sweep workers and to check the parallel version)."""
    for i in range(knowledge.shape[0]):
        _pull_node(i, knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
                   intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created,
                   received)
