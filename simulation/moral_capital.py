"""Moral capital per hub: hard earned and quickly lost [seed 002].

dM = moral_gain * R * C * (1 - M) - moral_loss * F * M, where, over the hub's cross-school joint work
this tick, R is the mean reciprocity (effort ratio of the two sides), F the share of one-way links
(free-riding), and C the heads' mean commitment (leaders role-modelling it from the top).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernel import EXPERIENCE
from .links import CROSS


@njit(cache=True)
def _hub_joint_work(active, activity, kind, a, b, effort, link_hub, threshold, n_hubs):
    """Per hub, over its cross-school joint-work links among `active` (in order): how many, the sum of their
    reciprocity and how many are one-way (reciprocity below `threshold`); `np.bincount`'s sums, one pass."""
    count = np.zeros(n_hubs, np.int64)
    rec_sum = np.zeros(n_hubs)
    one_way = np.zeros(n_hubs)
    for k in active:
        if activity[k] >= EXPERIENCE and kind[k] == CROSS:
            ea, eb = effort[a[k]], effort[b[k]]
            hi = max(ea, eb)
            rec = min(ea, eb) / hi if hi > 0 else 1.0
            h = link_hub[k]
            count[h] += 1
            rec_sum[h] += rec
            if rec < threshold:
                one_way[h] += 1.0
    return count, rec_sum, one_way


def update_moral_capital(m, activity: np.ndarray, active: np.ndarray) -> None:
    """Advance each hub's moral capital from this tick's cross-school joint work.

    `active` are the indices (increasing) of every link whose activity is not NONE (`TickActivity.contact`).
    """
    p, L = m.p, m.links
    link_hub = L.cached("link_hub", lambda: m.hub[m.school_of[L.a]])
    n_h = m.n_hubs
    count, rec_sum, one_way = _hub_joint_work(active, activity, L.kind, L.a, L.b, m.node_effort, link_hub,
                                              p.reciprocity_threshold, n_h)
    mean_rec = np.divide(rec_sum, count, out=np.zeros(n_h), where=count > 0)
    one_way = np.divide(one_way, count, out=np.zeros(n_h), where=count > 0)
    heads = np.bincount(m.hub, m.commitment, n_h) / np.bincount(m.hub, minlength=n_h)
    M = m.moral_capital
    M += p.moral_gain * mean_rec * heads * (1.0 - M) - p.moral_loss * one_way * M
    np.clip(M, 0.0, 1.0, out=M)
