"""Learning links as arrays: undirected links (a, b, kind) and their two arcs in CSR order by receiver.

Arc trust is directional (the receiver's trust in the giver) so trust can be asymmetric; a link's
activity, intensity and accumulated joint work are shared by both directions.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: link kinds
WITHIN, CROSS, PARTNER, PROGRAMME_LINK, INTERVENTION = 0, 1, 2, 3, 4
KIND_NAMES = ("within-school", "cross-school", "partner", "programme", "intervention")


@njit(cache=True)
def _stable_order(keys: np.ndarray, n_keys: int) -> np.ndarray:
    """Stable sort order of small non-negative integer keys (a counting sort)."""
    start = np.zeros(n_keys + 1, np.int64)
    for k in keys:
        start[k + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    order = np.empty(len(keys), np.int64)
    for i in range(len(keys)):
        order[start[keys[i]]] = i
        start[keys[i]] += 1
    return order


class LinkSet:
    """All links of the model; `add` appends links and rebuilds the CSR arcs keeping existing trust."""

    def __init__(self, n_nodes: int):
        self.n_nodes = n_nodes
        self.a = np.empty(0, np.int64)           # first endpoint (always a teacher)
        self.b = np.empty(0, np.int64)           # second endpoint (teacher, partner or programme node)
        self.kind = np.empty(0, np.int8)
        self.joint_work = np.empty(0, np.float64)  # accumulated joint-work sessions (intensity-weighted)
        self.activity = np.empty(0, np.int8)     # the activity each link carried in the last tick (NONE = 0)
        self.trust = np.empty(0, np.float64)     # per arc, CSR order
        self._pending = None
        self._build(np.empty(0), np.empty(0))

    @property
    def n_links(self) -> int:
        return len(self.a)

    def add(self, a, b, kind, trust_ab, trust_ba, build: bool = True) -> None:
        """Append links a-b of one `kind` with initial trust of a in b and of b in a (arrays or scalars).

        With `build=False` the arcs are not rebuilt until `build()` (or an `add` that builds) is called:
        constructing a network adds several kinds and needs one rebuild, not one per kind.
        """
        a = np.asarray(a, np.int64)
        b = np.broadcast_to(np.asarray(b, np.int64), a.shape)
        if self._pending is None:
            self._pending = ([self.trust[self.arc_ab]], [self.trust[self.arc_ba]])
        self.a = np.concatenate([self.a, a])
        self.b = np.concatenate([self.b, b])
        self.kind = np.concatenate([self.kind, np.full(len(a), kind, np.int8)])
        self.joint_work = np.concatenate([self.joint_work, np.zeros(len(a))])
        self.activity = np.concatenate([self.activity, np.zeros(len(a), np.int8)])
        tab = np.clip(np.broadcast_to(np.asarray(trust_ab, float), a.shape), 0.0, 1.0)
        tba = np.clip(np.broadcast_to(np.asarray(trust_ba, float), a.shape), 0.0, 1.0)
        self._pending[0].append(tab)
        self._pending[1].append(tba)
        if build:
            self.build()

    def build(self) -> None:
        """Rebuild the arcs after `add(..., build=False)`."""
        if self._pending is not None:
            ab, ba = self._pending
            self._pending = None
            self._build(np.concatenate(ab), np.concatenate(ba))

    def _build(self, trust_ab: np.ndarray, trust_ba: np.ndarray) -> None:
        """CSR by receiver: arcs (recv=a, giver=b) then (recv=b, giver=a), stably sorted by receiver."""
        n = self.n_links
        receiver = np.concatenate([self.a, self.b])
        giver = np.concatenate([self.b, self.a])
        order = _stable_order(receiver, self.n_nodes)      # = np.argsort(receiver, kind="stable")
        self.receiver = receiver[order]
        self.giver = giver[order]
        self.arc_link = np.concatenate([np.arange(n), np.arange(n)])[order]
        self.indptr = np.zeros(self.n_nodes + 1, np.int64)
        np.cumsum(np.bincount(receiver, minlength=self.n_nodes), out=self.indptr[1:])
        position = np.empty(2 * n, np.int64)
        position[order] = np.arange(2 * n)
        self.arc_ab = position[:n]               # arc where a receives from b
        self.arc_ba = position[n:]               # arc where b receives from a
        self.trust = np.concatenate([trust_ab, trust_ba])[order].astype(np.float64)
        self.arc_kind = self.kind[self.arc_link]
        self._cache: dict = {}

    def cached(self, key, compute):
        """A value derived from the links' structure alone, computed once per rebuild (`add` clears it)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def pair_trust(self) -> np.ndarray:
        """Per link, the lower of the two directions' trust: joint work needs both sides to trust."""
        return np.minimum(self.trust[self.arc_ab], self.trust[self.arc_ba])
