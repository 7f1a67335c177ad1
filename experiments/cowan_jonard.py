"""Cowan & Jonard (2004) barter exchange of knowledge, exactly as published, in numba (the docking reference).

The rule (Cowan & Jonard 2004, JEDC 28(8) 1557-1575; CALIBRATION_TARGETS.md section 6). N agents sit on a
Watts-Strogatz graph (ring lattice, each agent linked to its n nearest neighbours, each link rewired with
probability p). Agent i holds knowledge v[i, c] in K categories, initially drawn from U[0, 10]. Meetings are
asynchronous, one at a time: agent i is drawn uniformly from the N agents and j uniformly from i's neighbours.
With the pre-meeting values v_i, v_j they trade only on a double coincidence of wants,

    exists c: v_i[c] > v_j[c]   and   exists c': v_j[c'] > v_i[c'],

and then, in every category c,

    v_i'[c] = v_i[c] + alpha (v_j[c] - v_i[c])   where v_j[c] > v_i[c]
    v_j'[c] = v_j[c] + alpha (v_i[c] - v_j[c])   where v_i[c] > v_j[c]

(alpha: absorptive capacity). Nothing else changes. A trade never lowers anyone's knowledge and, for alpha in
[0, 1], never lifts anyone past the better partner, so no category ever exceeds its initial maximum.

The long run: the run stops at the end of the first window of `window` meetings (N * 10 by default) in which
the total knowledge gained (the sum of every increment, all agents and categories) is below `tol`, or at
`max_meetings` (then `capped` is reported). `long_run` gives the statistics at the end:

    mean knowledge   m   = mean over agents and categories of v
    variance         s^2 = variance across agents of each agent's knowledge level (its mean over categories;
                           population variance, ddof 0)
    CV                   = s / m

The abstract says "the variance of knowledge levels among agents"; an agent's knowledge level is taken as its
mean over categories (the same scale as the mean knowledge, so CV = sd / mean is a ratio of like quantities).
That reading is ours: the full text was not available to us (abstract only).
"""

from __future__ import annotations

import numpy as np
from numba import njit

WINDOW_PER_AGENT = 10            # stopping window: N * 10 meetings
TOL = 1e-8                       # total knowledge gained in a window below which the run is in its long run
MAX_PER_AGENT = 20_000           # cap: N * 20,000 meetings


def graph(n_agents: int, n_neigh: int, p: float, seed: int):
    """Watts-Strogatz graph (networkx, seeded) as CSR arrays (indptr, neighbours), neighbours sorted per row."""
    import networkx as nx

    g = nx.watts_strogatz_graph(n_agents, n_neigh, p, seed=int(seed))
    edges = np.array(g.edges(), dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.lexsort((dst, src))
    indptr = np.zeros(n_agents + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=n_agents), out=indptr[1:])
    return indptr, dst[order].astype(np.int64)


def initial_knowledge(n_agents: int, categories: int, seed: int, high: float = 10.0) -> np.ndarray:
    """v[i, c] ~ U[0, high), seeded."""
    return np.random.default_rng(seed).uniform(0.0, high, (n_agents, categories))


@njit(cache=True)
def meet(know, i, j, alpha):
    """One meeting of i and j (in place): the barter rule above. Returns the knowledge gained (0 if no trade)."""
    k = know.shape[1]
    i_ahead = False
    j_ahead = False
    for c in range(k):
        if know[i, c] > know[j, c]:
            i_ahead = True
        elif know[j, c] > know[i, c]:
            j_ahead = True
    if not (i_ahead and j_ahead):
        return 0.0
    gained = 0.0
    for c in range(k):
        vi = know[i, c]
        vj = know[j, c]
        if vj > vi:
            d = alpha * (vj - vi)
            know[i, c] = vi + d
            gained += d
        elif vi > vj:
            d = alpha * (vi - vj)
            know[j, c] = vj + d
            gained += d
    return gained


@njit(cache=True)
def draw_meetings(indptr, seed, count):
    """The meeting stream `run_seeded` uses: `count` pairs (i, arc), arc = the CSR position of i's partner.

    i uniform over agents, then a neighbour uniform over i's row (arc -1 if i has no neighbour)."""
    np.random.seed(seed)
    n = indptr.shape[0] - 1
    who = np.empty(count, np.int64)
    arc = np.empty(count, np.int64)
    for t in range(count):
        i = np.random.randint(0, n)
        deg = indptr[i + 1] - indptr[i]
        who[t] = i
        arc[t] = indptr[i] + np.random.randint(0, deg) if deg > 0 else -1
    return who, arc


@njit(cache=True)
def _window_closed(t, moved, window, tol):
    """After meeting t (0-based): (the long run is reached, knowledge moved so far in the current window).
    A window is `window` meetings; the run is in its long run when a whole window moved less than `tol`."""
    if (t + 1) % window == 0:
        return moved < tol, 0.0
    return False, moved


@njit(cache=True)
def run_stream(indptr, neighbours, know, alpha, who, arc, window, tol):
    """Meetings from a pre-drawn stream (who[t], arc[t]) on `know` (in place), stopping as in `run_seeded`.

    Returns (meetings made, converged: True if a window's gain fell below tol)."""
    total = who.shape[0]
    moved = 0.0
    for t in range(total):
        a = arc[t]
        if a >= 0:
            moved += meet(know, who[t], neighbours[a], alpha)
        done, moved = _window_closed(t, moved, window, tol)
        if done:
            return t + 1, True
    return total, False


@njit(cache=True)
def run_seeded(indptr, neighbours, know, alpha, seed, window, tol, max_meetings):
    """Draw meetings as `draw_meetings` does (same seed, same stream) and run them until the long run.

    Returns (meetings made, converged); converged False means the run hit `max_meetings`."""
    np.random.seed(seed)
    n = indptr.shape[0] - 1
    moved = 0.0
    for t in range(max_meetings):
        i = np.random.randint(0, n)
        deg = indptr[i + 1] - indptr[i]
        if deg > 0:
            a = indptr[i] + np.random.randint(0, deg)
            moved += meet(know, i, neighbours[a], alpha)
        done, moved = _window_closed(t, moved, window, tol)
        if done:
            return t + 1, True
    return max_meetings, False


def simulate(know0: np.ndarray, indptr, neighbours, alpha: float, seed: int, window: int | None = None,
             tol: float = TOL, max_meetings: int | None = None):
    """Run to the long run from a copy of `know0`; returns (final knowledge, meetings, capped)."""
    n = know0.shape[0]
    window = window or WINDOW_PER_AGENT * n
    max_meetings = max_meetings or MAX_PER_AGENT * n
    know = np.array(know0, dtype=np.float64, copy=True)
    meetings, converged = run_seeded(indptr, neighbours, know, float(alpha), int(seed), int(window), float(tol),
                                     int(max_meetings))
    return know, int(meetings), not converged


def long_run(know: np.ndarray) -> dict:
    """Mean knowledge, variance across agents of their knowledge level (mean over categories), and CV."""
    level = know.mean(axis=1)
    mean = float(level.mean())
    var = float(level.var())
    return {"mean": mean, "variance": var, "cv": float(np.sqrt(var) / mean) if mean > 0 else float("nan")}
