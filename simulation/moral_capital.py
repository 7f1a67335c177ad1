"""Moral capital per hub: hard earned and quickly lost [seed 002].

dM = moral_gain * R * C * (1 - M) - moral_loss * F * M, where, over the hub's cross-school joint work
this tick, R is the mean reciprocity (effort ratio of the two sides), F the share of one-way links
(free-riding), and C the heads' mean commitment (leaders role-modelling it from the top).
"""

from __future__ import annotations

import numpy as np

from .kernel import EXPERIENCE
from .links import CROSS


def reciprocity(effort_a: np.ndarray, effort_b: np.ndarray) -> np.ndarray:
    """Lower effort over higher effort of a link's two sides, in [0, 1] (1 where both give nothing)."""
    hi = np.maximum(effort_a, effort_b)
    return np.divide(np.minimum(effort_a, effort_b), hi, out=np.ones_like(hi), where=hi > 0)


def update_moral_capital(m, activity: np.ndarray, active: np.ndarray | None = None) -> None:
    """Advance each hub's moral capital from this tick's cross-school joint work.

    `active`, if given, are the indices (increasing) of every link whose activity is not NONE.
    """
    p, L = m.p, m.links
    if active is None:
        joint = np.flatnonzero(activity >= EXPERIENCE)   # few links per tick: select those first
    else:
        joint = active[activity[active] >= EXPERIENCE]
    joint = joint[L.kind[joint] == CROSS]
    a, b = L.a[joint], L.b[joint]
    rec = reciprocity(m.node_effort[a], m.node_effort[b])
    hub = m.hub[m.school_of[a]]
    n_h = m.n_hubs
    count = np.bincount(hub, minlength=n_h)
    mean_rec = np.divide(np.bincount(hub, rec, n_h), count, out=np.zeros(n_h), where=count > 0)
    one_way = np.divide(np.bincount(hub, rec < p["reciprocity_threshold"], n_h), count,
                        out=np.zeros(n_h), where=count > 0)
    heads = np.bincount(m.hub, m.commitment, n_h) / np.bincount(m.hub, minlength=n_h)
    M = m.moral_capital
    M += p["moral_gain"] * mean_rec * heads * (1.0 - M) - p["moral_loss"] * one_way * M
    np.clip(M, 0.0, 1.0, out=M)
