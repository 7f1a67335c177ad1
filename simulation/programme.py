"""ODD 7.4: proven innovation enters each hub's shared programme, open to all its members [seed 001]."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _lead(innovators, hub, school_of, knowledge, n_hubs):
    """Per hub and area, the highest knowledge among `innovators` (-inf for none): `np.maximum.at`, in one pass."""
    lead = np.full((n_hubs, knowledge.shape[1]), -np.inf)
    for i in innovators:
        h = hub[school_of[i]]
        for a in range(knowledge.shape[1]):
            if knowledge[i, a] > lead[h, a]:
                lead[h, a] = knowledge[i, a]
    return lead


def adopt_innovation(m, created: np.ndarray) -> None:
    """Teachers who created more than `innovation_threshold` this tick are innovators; each hub's programme
    node moves `adoption_rate` of the way up to its best innovator's knowledge, area by area (never down)."""
    n_t, n_p = m.n_teachers, m.n_partners
    innovators = np.flatnonzero(created[:n_t] > m.p.innovation_threshold)
    if len(innovators) == 0:
        return
    lead = _lead(innovators, m.hub, m.school_of, m.knowledge, m.n_hubs)
    programme = m.node_knowledge[n_t + n_p:]
    programme += m.p.adoption_rate * np.maximum(lead - programme, 0.0)
