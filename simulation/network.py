"""Learning-link brokering and initial trust: who is linked to whom under each policy [seed 002, 003, 004].

- `chain`: each teacher is linked to someone a modest step ahead (progressive links);
- `direct`: the best teachers straight to everyone else;
- `random`: anyone.
Links are built within schools ("get your own house in order first") and across schools of a hub,
with a few reaching other hubs. Everything is vectorised; the model's generator fixes the network.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .links import CROSS, PARTNER, PROGRAMME_LINK, WITHIN, LinkSet
from .params import Params


def _unique_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop self-links and duplicates, each undirected pair once with the lower id first, sorted."""
    keep = a != b
    lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    if len(lo) == 0:
        return lo, hi
    base = np.int64(hi.max()) + 1                   # one int64 key per pair sorts as (lo, hi) does
    key = np.sort(lo * base + hi)                   # = np.unique(...), which takes seconds on millions here
    first = np.empty(len(key), bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    key = key[first]
    return key // base, key % base


def within_school_links(rng, policy: str, kmean: np.ndarray, n_s: int, tps: int, per_teacher: int):
    """Colleague links inside each school, by rank of mean knowledge within the school."""
    if per_teacher == 0 or tps < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    ranked = np.argsort(kmean.reshape(n_s, tps), axis=1, kind="stable") + (np.arange(n_s) * tps)[:, None]
    r = np.arange(tps)
    src, dst = [], []
    for d in range(1, min(per_teacher, tps - 1) + 1):
        if policy == "chain":
            partner = np.where(r + d < tps, r + d, r - d)             # a modest step ahead
        elif policy == "direct":
            partner = np.where(r == tps - d, tps - per_teacher - 1, tps - d)   # straight to the best
            partner = np.clip(partner, 0, tps - 1)
        else:
            partner = (r[None, :] + rng.integers(1, tps, (n_s, tps))) % tps
        partner = np.broadcast_to(partner, (n_s, tps))
        src.append(ranked.ravel())
        dst.append(np.take_along_axis(ranked, partner, axis=1).ravel())
    return _unique_pairs(np.concatenate(src), np.concatenate(dst))


@njit(cache=True)
def _clashes(school_of, order, pos, clash):
    """clash[t] = teacher t's chosen partner works in t's own school; whether any does."""
    any_clash = False
    for t in range(len(pos)):
        clash[t] = school_of[order[pos[t]]] == school_of[t]
        any_clash |= clash[t]
    return any_clash


@njit(cache=True)
def _count_wraps(pos, lo, size):
    """How many teachers' next position would pass the top of their hub (each draws a random restart)."""
    n = 0
    for t in range(len(pos)):
        n += pos[t] + 1 >= lo[t] + size[t]
    return n


@njit(cache=True)
def _step_chain(pos, clash, lo, size, draws):
    """Move clashing teachers one up their hub's ranking; past the top, to lo + draw % size. Every wrapping
    teacher takes the next draw in teacher order, as the whole-array NumPy step did, moving or not."""
    j = 0
    for t in range(len(pos)):
        nxt = pos[t] + 1
        if nxt >= lo[t] + size[t]:
            nxt = lo[t] + draws[j] % size[t]
            j += 1
        if clash[t]:
            pos[t] = nxt


def cross_school_links(rng, policy: str, kmean, school_of, teacher_hub, n_hubs: int, per_teacher: int,
                       chain_step: float, inter_hub_share: float):
    """Links from each teacher to teachers of other schools, mostly in its own hub."""
    n_t = len(kmean)
    if per_teacher == 0 or n_t == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.lexsort((kmean, teacher_hub))              # by hub, then knowledge
    key = teacher_hub[order] * 2.0 + kmean[order]
    start = np.searchsorted(teacher_hub[order], np.arange(n_hubs), side="left")
    end = np.searchsorted(teacher_hub[order], np.arange(n_hubs), side="right")
    me = np.arange(n_t)
    src, dst = [], []
    for d in range(per_teacher):
        hub = teacher_hub.copy()
        if n_hubs > 1:
            away = rng.random(n_t) < inter_hub_share
            hub[away] = (hub[away] + rng.integers(1, n_hubs, away.sum())) % n_hubs
        lo, size = start[hub], end[hub] - start[hub]
        if policy == "chain":
            target = key.searchsorted(hub * 2.0 + kmean + chain_step * (1.0 + 0.5 * d))
            pos = np.clip(target, lo, lo + size - 1)
        elif policy == "direct":
            top = np.maximum(per_teacher + 1, np.ceil(0.05 * size)).astype(np.int64)
            pos = lo + size - 1 - rng.integers(0, 1 << 30, n_t) % np.minimum(top, size)
        else:
            pos = lo + rng.integers(0, 1 << 30, n_t) % size
        clash = np.empty(n_t, bool)
        for _ in range(64):                               # step off colleagues of the same school
            if not _clashes(school_of, order, pos, clash):
                break
            if policy == "chain":                         # the next teacher up, or a random one past the top
                wraps = _count_wraps(pos, lo, size)
                _step_chain(pos, clash, lo, size, rng.integers(0, 1 << 30, wraps))
            else:
                pos = np.where(clash, lo + rng.integers(0, 1 << 30, n_t) % size, pos)
        ok = school_of[order[pos]] != school_of
        src.append(me[ok])
        dst.append(order[pos][ok])
    return _unique_pairs(np.concatenate(src), np.concatenate(dst))


def _pair_uniform(s: np.ndarray, t: np.ndarray, salt: int) -> np.ndarray:
    """A fixed uniform number per unordered school pair (poor collaborative history is a pair's fact)."""
    lo, hi = np.minimum(s, t).astype(np.uint64), np.maximum(s, t).astype(np.uint64)
    h = (lo * np.uint64(0x9E3779B97F4A7C15)) ^ (hi * np.uint64(0xC2B2AE3D27D4EB4F)) ^ np.uint64(salt)
    h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def cross_trust(rng, p: Params, s: np.ndarray, t: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Initial trust on cross-school links from the formation regime [seed 004 truths 1-2, less-known 2].

    Voluntary: high (prior relationships); forced: lower, more varied, some pairs with poor histories;
    brokered: between the two by `brokering_effectiveness`. Alignment of values raises it.
    """
    align = (np.clip((values[s] * values[t]).sum(axis=1), -1.0, 1.0) + 1.0) / 2.0
    align_factor = 1.0 - p.alignment_effect * (1.0 - align)
    z = rng.standard_normal(len(s))
    poor = _pair_uniform(s, t, int(rng.integers(1 << 62))) < p.poor_history_share
    voluntary = p.trust_voluntary * align_factor + 0.05 * z
    forced = np.where(poor, 0.02, p.trust_forced * align_factor + p.trust_sd_forced * z)
    share = {"voluntary": 1.0, "brokered": p.brokering_effectiveness}.get(p.formation, 0.0)
    return np.clip(share * voluntary + (1.0 - share) * forced, 0.0, 1.0)


def build_links(rng, p: Params, teachers: dict, schools: dict, n_partners: int) -> LinkSet:
    """Every learning link of the initial network, with initial trust in both directions."""
    n_s, tps = len(schools["hub"]), p.teachers_per_school
    n_t = n_s * tps
    n_hubs = schools["n_hubs"]
    kmean = teachers["knowledge"].mean(axis=1)
    school_of = teachers["school_of"]
    links = LinkSet(n_t + n_partners + n_hubs)
    a, b = within_school_links(rng, p.link_policy, kmean, n_s, tps, p.within_links)
    t0 = np.clip(p.trust_within + 0.05 * rng.standard_normal((2, len(a))), 0.0, 1.0)
    links.add(a, b, WITHIN, t0[0], t0[1], build=False)
    if p.formation == "none":
        links.build()
        return links
    teacher_hub = schools["hub"][school_of]
    a, b = cross_school_links(rng, p.link_policy, kmean, school_of, teacher_hub, n_hubs,
                              p.cross_links, p.chain_step, p.inter_hub_share)
    base = cross_trust(rng, p, school_of[a], school_of[b], schools["values"])
    jitter = 0.02 * rng.standard_normal((2, len(a)))
    links.add(a, b, CROSS, base + jitter[0], base + jitter[1], build=False)
    if n_partners:
        per_hub = p.partners_per_hub
        engaged = np.minimum(1.0, np.bincount(schools["hub"])[teacher_hub] / p.partner_engagement_size)
        who = np.flatnonzero(rng.random(n_t) < p.partner_link_share * engaged)
        partner = n_t + teacher_hub[who] * per_hub + rng.integers(0, per_hub, len(who))
        links.add(who, partner, PARTNER, p.trust_partner, p.trust_partner, build=False)
    links.add(np.arange(n_t), n_t + n_partners + teacher_hub, PROGRAMME_LINK, 1.0, 1.0)
    return links
