"""The knowledge-transfer kernel: one tick of transfer, knowledge creation and trust update, in numba.

The rule (ODD 7.2, 7.3, 7.6), for receiver i and each arc from giver j over a link in use this tick, with
activity `act`, the receiver's trust t in the giver, intensity I, willingness W (the link record, `REC_*`):

    factor  = validity (information: +1 or -1), 1 (programme), tourism * t (experience with
              t < trust_experience), t (otherwise)
    d[a]    = rate[act] * factor * openness[i] * skill[j] * I * W * g(k[j,a] - k[i,a])   where k[j,a] > k[i,a],
              g(x) = (x / x0) exp(1 - x / x0)                                   (absorptive capacity)
    v[a]    = clip(k[i,a] + sum_j d[a], 0, max(k[i,a], k[j,a] of the givers ahead))   (never past the best)
    c[a]    = sum over joint work (experience, coaching) with t >= trust_creation of
              creation_rate * t * I * W * exp(-|k[j,a] - k[i,a]| / creation_gap)
    k'[i,a] = v[a] + (1 - v[a]) (1 - exp(-c[a]))                                 (knowledge created)
    t'      = t - trust_loss * t             joint work, one-way against i: i gave (k[i,a] > k[j,a] in some area)
                                             and effort[j] < threshold * effort[i]   (`one_way`)
              t + trust_gain * I * (1 - t)   joint work otherwise (reciprocated, or i gave nothing)
              t - trust_decay * t            information, or no contact

`reference.py` computes the same, teacher by teacher in plain Python; the tests hold the two (and the
model's own tick) to 1e-12.

Links are stored as arcs in CSR order by receiver: row `i` (arcs `indptr[i]:indptr[i+1]`) holds every
arc through which node `i` can learn, with the giver `giver[arc]`, the undirected link `arc_link[arc]`
(its activity and record) and the receiver's trust in the giver `trust[arc]`.
Each node pulls from its own row and writes only its own row and arcs, so the parallel loop is free
of races by construction and gives the same numbers for any thread count.

For speed the per-node inputs are first packed into one 64-byte row per node (knowledge, openness,
skill, effort) and the per-link inputs of active links into one 32-byte record per link, so a giver or
an active link costs one cache line instead of one per array. Each arc's activity is scattered into arc
order first, so idle arcs are read in sequence (no gather at all), and per block of receivers the active
arcs' rows are gathered in one branch-free loop before any arithmetic (`_tick_records`).
Each loop body is written once with `prange` and compiled twice (`jit.twin`: parallel and serial).
`TickWorkspace` keeps the buffers between ticks and picks the serial kernel for small networks, where
waking a second thread costs more than it saves.
"""

from __future__ import annotations

import math
import os

# OpenMP worker threads that spin after each parallel region take the cores from the numpy work between
# kernels and from other processes (measured: 1,000 schools, kernel 33 ms -> 7 ms per tick); a user's own
# setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import njit, prange  # noqa: E402

from .jit import on_threads, twin  # noqa: E402
from .params import Params  # noqa: E402

#: activity codes stored per link (int8)
NONE, INFORMATION, EXPERIENCE, COACHING, PROGRAMME = 0, 1, 2, 3, 4
ACTIVITY_NAMES = ("none", "information", "experience", "coaching", "programme")

#: positions in the `coef` parameter vector passed to the kernel
(C_TOURISM, C_TRUST_EXPERIENCE, C_GAP_SCALE, C_CREATION_RATE, C_CREATION_GAP, C_TRUST_CREATION,
 C_TRUST_GAIN, C_TRUST_DECAY, C_TRUST_LOSS, C_RECIPROCITY) = range(10)
N_COEF = 10

#: The link record: one row of `LINK_WIDTH` floats per link, written for the links in contact by the activity
#: choice (`activities.choose_activities`) or by `pack_links`, read by the kernel and by the tests. Columns:
#: intensity (share of the session the staff's time affords, [0, 1]), validity (+1 valid, -1 misleading
#: information), willingness (moral-capital factor on cross-school sharing, [0, 1]), colleague (1 on a link
#: between colleagues of one school, else 0: the kernel reports each receiver's share of flow from
#: colleagues, for knowledge accessed). Idle links' rows are stale and never read. The int8 activity stays apart (one byte per
#: arc): most arcs are idle and need only that.
REC_INTENSITY, REC_VALIDITY, REC_WILLINGNESS, REC_COLLEAGUE = 0, 1, 2, 3
LINK_WIDTH = 4
#: packed node row: k0, k1, k2, openness, skill, effort, -, - (one 64-byte line per node)
NODE_WIDTH = 8
#: below this many arcs the model runs the serial kernel (thread start-up dominates)
PARALLEL_MIN_ARCS = 50_000


def kernel_coefficients(p: Params) -> tuple[np.ndarray, np.ndarray]:
    """(rates per activity code, coefficient vector) for the kernels from resolved parameters."""
    rates = np.array([0.0, p.rate_information, p.rate_experience, p.rate_coaching,
                      p.programme_rate])
    coef = np.empty(N_COEF)
    coef[C_TOURISM] = p.tourism_factor
    coef[C_TRUST_EXPERIENCE] = p.trust_experience
    coef[C_GAP_SCALE] = p.gap_scale
    coef[C_CREATION_RATE] = p.creation_rate
    coef[C_CREATION_GAP] = p.creation_gap_scale
    coef[C_TRUST_CREATION] = p.trust_creation
    coef[C_TRUST_GAIN] = p.trust_gain
    coef[C_TRUST_DECAY] = p.trust_decay
    coef[C_TRUST_LOSS] = p.trust_loss
    coef[C_RECIPROCITY] = p.reciprocity_threshold
    return rates, coef


def set_threads(n: int) -> None:
    """Set how many threads the parallel kernel uses in this thread (1..NUMBA_NUM_THREADS)."""
    numba.set_num_threads(int(n))


def get_threads() -> int:
    """Threads the parallel kernel currently uses."""
    return numba.get_num_threads()


@njit(cache=True, inline="always")
def gap_response(gap: float, x0: float) -> float:
    """Absorptive capacity g(x) = (x/x0) exp(1 - x/x0): peaks at 1 for x = x0, small for big gaps [seed 002]."""
    r = gap / x0
    return r * math.exp(1.0 - r)


@njit(cache=True, inline="always")
def one_way(gave: bool, effort_i: float, effort_j: float, threshold: float) -> bool:
    """A joint session was one-way against i: i gave (was ahead of j in some area, so j could learn from i) and
    j put in less than `threshold` of i's effort [seed 002]. A teacher who gave nothing is never let down: the
    effort of a side that was not asked to give says nothing. The one rule: the kernel's trust update and
    `sessions.judge_sessions` both call it."""
    return gave and effort_i > 0.0 and effort_j < threshold * effort_i


@njit(cache=True, inline="always")
def _pull_node(i, knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
               intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created, received):
    """One receiver's tick for any number of areas (the general path: the docking study runs it with 5 and 10
    areas; the model, with three, runs `_tick_records`). Tested against the reference for 1 and 10 areas."""
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
        gave = False
        for a in range(n_areas):
            gap = knowledge[j, a] - knowledge[i, a]
            gave = gave or gap < 0.0
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
            if one_way(gave, effort[i], effort[j], coef[C_RECIPROCITY]):
                t = t - coef[C_TRUST_LOSS] * t          # one-way sharing: trust falls fast
            else:
                t = t + coef[C_TRUST_GAIN] * intensity[link] * (1.0 - t)
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


@njit(cache=True, inline="always")
def _gain(gap, base, x0):
    """Knowledge moved in one area over one arc (0 when the giver is not ahead)."""
    if gap > 0.0:
        return base * gap_response(gap, x0)
    return 0.0


@njit(cache=True, inline="always")
def _settle(k, gain, ceiling):
    """Knowledge after transfer: never past the best giver [seed 002], never below 0."""
    v = k + gain
    if v > ceiling:
        v = ceiling
    if v < 0.0:
        v = 0.0
    return v


@njit(cache=True, inline="always")
def _grown(v, create):
    """Knowledge created (1 - v)(1 - e^-create); exactly 0 without joint work, so `exp` is skipped then."""
    if create == 0.0:
        return 0.0
    return (1.0 - v) * (1.0 - math.exp(-create))


def _pack_links(activity, intensity, validity, willingness, arcs_of_link, links, arc_act):
    """Pack the active links' inputs into records links[m, 4] (idle links' records are never read) and write
    each arc's activity code in arc order into `arc_act` (arcs_of_link = `link_arcs(...)`)."""
    for arc in prange(arc_act.shape[0]):
        arc_act[arc] = NONE
    for k in prange(activity.shape[0]):
        if activity[k] != NONE:
            links[k, REC_INTENSITY] = intensity[k]
            links[k, REC_VALIDITY] = validity[k]
            links[k, REC_WILLINGNESS] = willingness[k]
            links[k, REC_COLLEAGUE] = 0.0                 # the general entry point knows no link kinds
            arc_act[arcs_of_link[k, 0]] = activity[k]
            arc_act[arcs_of_link[k, 1]] = activity[k]


@njit(cache=True)
def link_arcs(arc_link, n_links):
    """[n_links, 2]: the two arcs of each link (the inverse of `arc_link`), for callers that pass only the
    kernel's CSR arrays; a `LinkSet` holds the same pairs as `arc_ab`, `arc_ba`."""
    out = np.full((n_links, 2), -1, np.int64)
    for arc in range(arc_link.shape[0]):
        k = arc_link[arc]
        if out[k, 0] < 0:
            out[k, 0] = arc
        else:
            out[k, 1] = arc
    return out


#: receivers per block of the kernel: a block first lists its active arcs, then gathers their givers' rows
#: and link records in one branch-free loop (many memory reads in flight), then computes
BLOCK = 256


def _tick_records(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, arc_act, rates, coef,
                  new_knowledge, new_trust, created, received, colleague_share, nodes, links):
    """`transfer_tick` from each arc's activity code `arc_act` [arcs] (int8, arc order) and the active
    links' records already in `links` [m, 4] (the model's path; `pack_links` writes both from per-link
    inputs). `nodes` [n, 8] is a caller-owned buffer. colleague_share[n] is each receiver's share of the
    knowledge it received this tick that came over links marked colleague (`REC_COLLEAGUE`; 0 if none).

    Each node's inputs are first packed into its 64-byte row of `nodes`. Then, per block of
    receivers (whose arcs are contiguous): one flat loop gives every arc the idle update (trust decays,
    nothing received; it vectorises), a second lists the active arcs; their givers' rows and link records
    are gathered; each receiver then pulls over its active arcs (per-node pull: a receiver writes only its
    own row and arcs, so threads never race).
    """
    n = knowledge.shape[0]
    for i in prange(n):
        nodes[i, 0] = knowledge[i, 0]
        nodes[i, 1] = knowledge[i, 1]
        nodes[i, 2] = knowledge[i, 2]
        nodes[i, 3] = openness[i]
        nodes[i, 4] = skill[i]
        nodes[i, 5] = effort[i]
    x0 = coef[C_GAP_SCALE]
    decay, tourism, trust_exp = coef[C_TRUST_DECAY], coef[C_TOURISM], coef[C_TRUST_EXPERIENCE]
    trust_create, create_rate, create_gap = coef[C_TRUST_CREATION], coef[C_CREATION_RATE], coef[C_CREATION_GAP]
    reciprocity, trust_gain, trust_loss = coef[C_RECIPROCITY], coef[C_TRUST_GAIN], coef[C_TRUST_LOSS]
    for blk in prange((n + BLOCK - 1) // BLOCK):
        lo = blk * BLOCK
        hi = min(lo + BLOCK, n)
        a0, a1 = indptr[lo], indptr[hi]                  # the block's arcs are contiguous: flat loops over them
        for arc in range(a0, a1):
            t = trust[arc]
            new_trust[arc] = t - decay * t                # idle; active arcs are overwritten below
            received[arc] = 0.0
        active = np.empty(a1 - a0, np.int64)
        cnt = 0
        for arc in range(a0, a1):
            active[cnt] = arc
            cnt += arc_act[arc] != NONE
        rows = np.empty((cnt, 8))                         # giver k0, k1, k2, skill, effort; the link's record
        colleague = np.empty(cnt)                         # apart: a row stays one 64-byte line
        for q in range(cnt):
            j = giver[active[q]]
            link = arc_link[active[q]]
            rows[q, 0] = nodes[j, 0]
            rows[q, 1] = nodes[j, 1]
            rows[q, 2] = nodes[j, 2]
            rows[q, 3] = nodes[j, 4]
            rows[q, 4] = nodes[j, 5]
            rows[q, 5] = links[link, REC_INTENSITY]
            rows[q, 6] = links[link, REC_VALIDITY]
            rows[q, 7] = links[link, REC_WILLINGNESS]
            colleague[q] = links[link, REC_COLLEAGUE]
        q = 0
        for i in range(lo, hi):
            end = indptr[i + 1]
            ki0, ki1, ki2 = nodes[i, 0], nodes[i, 1], nodes[i, 2]
            open_i, effort_i = nodes[i, 3], nodes[i, 5]
            g0 = g1 = g2 = 0.0
            c0 = c1 = c2 = 0.0
            top0, top1, top2 = ki0, ki1, ki2
            flow_all = 0.0
            flow_colleagues = 0.0
            while q < cnt and active[q] < end:            # this receiver's active arcs, in arc order
                arc = active[q]
                t = trust[arc]
                act = arc_act[arc]
                inten = rows[q, 5]
                w = inten * rows[q, 7]                    # intensity * willingness
                if act == INFORMATION:
                    factor = rows[q, 6]                   # no trust needed; invalid information misleads
                elif act == PROGRAMME:
                    factor = 1.0                          # the network's proven, codified programme
                elif act == EXPERIENCE and t < trust_exp:
                    factor = tourism * t                  # a visit without trust is tourism
                else:
                    factor = t
                kj0, kj1, kj2 = rows[q, 0], rows[q, 1], rows[q, 2]
                base = rates[act] * factor * open_i * rows[q, 3] * w
                d0 = _gain(kj0 - ki0, base, x0)
                d1 = _gain(kj1 - ki1, base, x0)
                d2 = _gain(kj2 - ki2, base, x0)
                flow = 0.0
                if kj0 - ki0 > 0.0:
                    g0 += d0
                    flow += abs(d0)
                    top0 = max(top0, kj0)
                if kj1 - ki1 > 0.0:
                    g1 += d1
                    flow += abs(d1)
                    top1 = max(top1, kj1)
                if kj2 - ki2 > 0.0:
                    g2 += d2
                    flow += abs(d2)
                    top2 = max(top2, kj2)
                received[arc] = flow
                flow_all += flow
                flow_colleagues += flow * colleague[q]
                if act == EXPERIENCE or act == COACHING:
                    if t >= trust_create:
                        s = create_rate * t * w
                        c0 += s * math.exp(-abs(kj0 - ki0) / create_gap)
                        c1 += s * math.exp(-abs(kj1 - ki1) / create_gap)
                        c2 += s * math.exp(-abs(kj2 - ki2) / create_gap)
                    gave = kj0 < ki0 or kj1 < ki1 or kj2 < ki2
                    if one_way(gave, effort_i, rows[q, 4], reciprocity):
                        t = t - trust_loss * t            # one-way sharing: trust falls fast
                    else:
                        t = t + trust_gain * inten * (1.0 - t)
                else:
                    t = t - decay * t                     # information is no joint work
                new_trust[arc] = t
                q += 1
            v0 = _settle(ki0, g0, top0)
            v1 = _settle(ki1, g1, top1)
            v2 = _settle(ki2, g2, top2)
            grown0 = _grown(v0, c0)
            grown1 = _grown(v1, c1)
            grown2 = _grown(v2, c2)
            new_knowledge[i, 0] = v0 + grown0
            new_knowledge[i, 1] = v1 + grown1
            new_knowledge[i, 2] = v2 + grown2
            created[i] = 0.0 + grown0 + grown1 + grown2
            colleague_share[i] = flow_colleagues / flow_all if flow_all > 0.0 else 0.0


pack_links, pack_links_serial = twin(_pack_links)
transfer_tick_records, transfer_tick_records_serial = twin(_tick_records)


def transfer_tick_packed(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity, intensity,
                         validity, willingness, rates, coef, new_knowledge, new_trust, created, received, nodes,
                         links, arcs_of_link, arc_act, parallel: bool = True):
    """`transfer_tick` with caller-owned buffers: nodes [n, 8], links [m, 4], arc_act [arcs] int8, and
    arcs_of_link = `link_arcs(arc_link, m)`."""
    (pack_links if parallel else pack_links_serial)(activity, intensity, validity, willingness, arcs_of_link,
                                                    links, arc_act)
    (transfer_tick_records if parallel else transfer_tick_records_serial)(
        knowledge, openness, skill, effort, indptr, giver, arc_link, trust, arc_act, rates, coef, new_knowledge,
        new_trust, created, received, np.empty(knowledge.shape[0]), nodes, links)


def _tick_any_areas(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity, intensity,
                    validity, willingness, rates, coef, new_knowledge, new_trust, created, received):
    """The general path for any number of knowledge areas (the model has three and never takes it)."""
    for i in prange(knowledge.shape[0]):
        _pull_node(i, knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
                   intensity, validity, willingness, rates, coef, new_knowledge, new_trust, created, received)


_any_areas, _any_areas_serial = twin(_tick_any_areas)


def transfer_tick(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity, intensity, validity,
                  willingness, rates, coef, new_knowledge, new_trust, created, received, parallel: bool = True):
    """One tick over all nodes (per-node pull); outputs are written to the `new_*` arrays.

    knowledge[n, 3] in [0, 1]; openness, skill, effort [n] in [0, 1]; trust[m] per arc in [0, 1];
    activity (int8 codes), intensity (share of the session's time that could be afforded, [0, 1]),
    validity (+1 or -1 for information) and willingness (moral-capital factor, [0, 1]) per link.
    created[n] is the knowledge each node created; received[m] the knowledge moved through each arc.
    `parallel=False` runs on one thread (the same numbers).
    """
    if knowledge.shape[1] != 3:
        (_any_areas if parallel else _any_areas_serial)(
            knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity, intensity, validity,
            willingness, rates, coef, new_knowledge, new_trust, created, received)
        return
    m = len(activity)
    transfer_tick_packed(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity, intensity,
                         validity, willingness, rates, coef, new_knowledge, new_trust, created, received,
                         np.empty((knowledge.shape[0], NODE_WIDTH)), np.empty((m, LINK_WIDTH)),
                         link_arcs(arc_link, m), np.empty(len(trust), np.int8), parallel)


def transfer_tick_serial(*args, **kwargs) -> None:
    """`transfer_tick` on one thread (used to check the parallel version, and by the docking experiment)."""
    transfer_tick(*args, **kwargs, parallel=False)


def aligned_empty(rows: int, cols: int, align: int = 64) -> np.ndarray:
    """An uninitialised float64 [rows, cols] array whose start is `align`-byte aligned (one row, one line)."""
    extra = align // 8
    raw = np.empty(rows * cols + extra)
    offset = (-raw.ctypes.data % align) // 8
    return raw[offset:offset + rows * cols].reshape(rows, cols)


class TickWorkspace:
    """Buffers reused from tick to tick (outputs and packed inputs), and the serial/parallel choice."""

    def __init__(self):
        self.n = self.m = self.n_arcs = -1
        self._arc_link = None

    def _fit(self, n: int, m: int, n_arcs: int) -> None:
        if (n, m, n_arcs) == (self.n, self.m, self.n_arcs):
            return
        self.n, self.m, self.n_arcs = n, m, n_arcs
        self._arc_link = None
        self.new_knowledge = np.empty((n, 3))
        self.new_trust = np.empty(n_arcs)
        self.created = np.empty(n)
        self.colleague_share = np.empty(n)
        self.received = np.empty(n_arcs)
        self.nodes = aligned_empty(n, NODE_WIDTH)
        self.links = aligned_empty(m, LINK_WIDTH, 32)
        self.arc_act = np.empty(n_arcs, np.int8)

    def _arcs_of(self, arc_link: np.ndarray) -> np.ndarray:
        """The two arcs of each link, kept while the same `arc_link` array is passed (links rebuild it)."""
        if self._arc_link is not arc_link:
            self.arcs_of_link = link_arcs(arc_link, self.m)
            self._arc_link = arc_link
        return self.arcs_of_link

    def run(self, knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity, intensity,
            validity, willingness, rates, coef, parallel: bool | None = None):
        """One tick; returns (new_knowledge, new_trust, created, received), views into this workspace."""
        self._fit(knowledge.shape[0], len(activity), len(trust))
        if parallel is None:
            parallel = on_threads(len(trust), PARALLEL_MIN_ARCS)
        transfer_tick_packed(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity, intensity,
                             validity, willingness, rates, coef, self.new_knowledge, self.new_trust, self.created,
                             self.received, self.nodes, self.links, self._arcs_of(arc_link), self.arc_act, parallel)
        return self.new_knowledge, self.new_trust, self.created, self.received

    def link_inputs(self, n_nodes: int, n_links: int, n_arcs: int) -> tuple[np.ndarray, np.ndarray]:
        """The buffers `run_records` reads, for the caller to fill for the active links: link records
        [n_links, 4] and each arc's activity code [n_arcs] (int8, zeroed here: every arc idle)."""
        self._fit(n_nodes, n_links, n_arcs)
        self.arc_act.fill(NONE)
        return self.links, self.arc_act

    def run_records(self, knowledge, openness, skill, effort, indptr, giver, arc_link, trust, arc_act, rates, coef,
                    parallel: bool | None = None):
        """`run` with the active links' records and arc activities already in `link_inputs(...)` (the model's
        path)."""
        self._fit(knowledge.shape[0], self.m, len(trust))
        if parallel is None:
            parallel = on_threads(len(trust), PARALLEL_MIN_ARCS)
        fn = transfer_tick_records if parallel else transfer_tick_records_serial
        fn(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, arc_act, rates, coef,
           self.new_knowledge, self.new_trust, self.created, self.received, self.colleague_share, self.nodes,
           self.links)
        return self.new_knowledge, self.new_trust, self.created, self.received
