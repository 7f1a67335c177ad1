"""Moral capital per hub: hard earned and quickly lost [seed 002].

dM = moral_gain * R * C * (1 - M) - moral_loss * F * M, where, over the hub's cross-school joint work
this tick and the offers to withdrawn schools that went unanswered, R is the mean reciprocity (effort ratio
of the two sides, 0 for an unanswered offer), F the share that was one-way (the kernel's rule,
`kernel.one_way`, or unanswered), and C the heads' mean commitment (leaders role-modelling it from the top).
Nothing else moves it: a defection lowers it only through the one-way work it leaves.
"""

from __future__ import annotations

import numpy as np

from .sessions import Sessions


def update_moral_capital(m, sessions: Sessions) -> None:
    """Advance each hub's moral capital from this week's cross-school joint work and unanswered offers
    (`sessions.Sessions`: R = hub_reciprocity / hub_joint, F = hub_one_way / hub_joint, 0 without joint work)."""
    p, n_h = m.p, m.n_hubs
    count = sessions.hub_joint
    mean_rec = np.divide(sessions.hub_reciprocity, count, out=np.zeros(n_h), where=count > 0)
    one_way = np.divide(sessions.hub_one_way, count, out=np.zeros(n_h), where=count > 0)
    heads = np.bincount(m.hub, m.commitment, n_h) / np.bincount(m.hub, minlength=n_h)
    M = m.moral_capital
    M += p.moral_gain * mean_rec * heads * (1.0 - M) - p.moral_loss * one_way * M
    np.clip(M, 0.0, 1.0, out=M)
