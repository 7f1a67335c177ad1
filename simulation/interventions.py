"""Interventions a scenario can schedule at a tick, each acting on named schools [seed 000, 002, 004].

For condoned failure [seed 000]: immersion programme, family of schools, expert headteacher as coach,
appointing key staff from a successful school, moving executive responsibility. For high-challenge
schools [seed 004 insight 8]: peer evaluation and support, or an interventionist strategy. And the
shock trainers show: a school defecting from the network [seed 002].
"""

from __future__ import annotations

import numpy as np

from .agents import Role
from .links import INTERVENTION


def _staff(m, s: int) -> np.ndarray:
    tps = m.p.teachers_per_school
    return np.arange(s * tps, (s + 1) * tps)


def _best_school(m, s: int) -> int | None:
    """The school with the highest value added in `s`'s hub (or the system if the hub is `s` alone)."""
    same = np.flatnonzero((m.hub == m.hub[s]) & (np.arange(m.n_schools) != s))
    if len(same) == 0:
        same = np.flatnonzero(np.arange(m.n_schools) != s)
    return int(same[np.argmax(m.value_added[same])]) if len(same) else None


def _link_staff(m, s: int, targets: np.ndarray, share: float, trust: float) -> int:
    """Link a share of `s`'s staff (weakest first) to random teachers of the `targets` schools."""
    if len(targets) == 0:
        return 0
    staff = _staff(m, s)
    k = max(1, round(share * len(staff)))
    weakest = staff[np.argsort(m.knowledge[staff].mean(axis=1), kind="stable")[:k]]
    tps = m.p.teachers_per_school
    partner = targets[m.generator.integers(0, len(targets), k)] * tps + m.generator.integers(0, tps, k)
    m.links.add(weakest, partner, INTERVENTION, trust, trust)
    return k


def _open_up(m, staff: np.ndarray, strength: float) -> None:
    """Close `strength` of the gap between staff openness and their normal openness [seed 000]."""
    s = m.school_of[staff[0]]
    f = min(1.0, strength * m.p.intervention_openness) * (1.0 - m.p.coasting_entrenchment * m.coasting[s])
    m.openness[staff] += f * (m.base_openness[staff] - m.openness[staff])


def immersion(m, s: int) -> str:
    """Staff spend time immersed in a successful school: trusted visits there, and their eyes opened."""
    best = _best_school(m, s)
    n = _link_staff(m, s, np.array([best] if best is not None else [], int), m.p.intervention_staff_share,
                    m.p.intervention_trust)
    _open_up(m, _staff(m, s), 1.0)
    return f"{n} staff of {m.school_agents[s].name} joined an immersion programme"


def family_of_schools(m, s: int) -> str:
    """The school joins a family of schools in similar contexts: comparisons it cannot wave away."""
    others = np.flatnonzero(np.arange(m.n_schools) != s)
    family = others[np.argsort(np.abs(m.context[others] - m.context[s]), kind="stable")[:3]]
    n = _link_staff(m, s, family, m.p.intervention_staff_share, m.p.intervention_trust * 0.8)
    _open_up(m, _staff(m, s), 0.8)
    return f"{m.school_agents[s].name} joined a family of {len(family)} similar schools ({n} staff linked)"


def expert_head_coach(m, s: int) -> str:
    """An expert headteacher trained as a coach works with the head and leaders."""
    best = _best_school(m, s)
    staff = _staff(m, s)
    leaders = staff[m.role[staff] != Role.TEACHER]
    if best is not None:
        expert = best * m.p.teachers_per_school
        m.links.add(leaders, expert, INTERVENTION, min(1.0, m.p.intervention_trust + 0.2),
                    m.p.intervention_trust)
        m.node_skill[expert] = max(m.node_skill[expert], 0.9)
    m.commitment[s] += 0.5 * (1.0 - m.commitment[s])
    _open_up(m, leaders, 1.0)
    _open_up(m, staff, 0.5)
    return f"an expert headteacher began coaching the leaders of {m.school_agents[s].name}"


def appoint_key_staff(m, s: int) -> str:
    """Replace the weakest classroom teachers with staff who succeeded in a similar school."""
    staff = _staff(m, s)
    classroom = staff[m.role[staff] == Role.TEACHER]
    k = min(m.p.key_staff_count, len(classroom))
    weakest = classroom[np.argsort(m.knowledge[classroom].mean(axis=1), kind="stable")[:k]]
    best = _best_school(m, s)
    source = _staff(m, best) if best is not None else staff
    m.knowledge[weakest] = np.quantile(m.knowledge[source], 0.9, axis=0)
    m.own_knowledge[weakest] = m.knowledge[weakest]             # new staff bring their own practice
    m.drawn[weakest] = 0.0
    m.base_openness[weakest] = m.p.openness_mean
    m.openness[weakest] = m.p.openness_mean
    m.node_skill[weakest] = 0.8
    m.node_effort[weakest] = 0.8
    m.disposition[weakest] = 0.8
    _open_up(m, staff, 0.6)
    return f"{k} key staff from a successful school were appointed to {m.school_agents[s].name}"


def executive_move(m, s: int) -> str:
    """Executive responsibility moves to a leader able to use it: committed, evidence-minded."""
    m.commitment[s] = max(m.commitment[s], 0.9)
    m.resistant[s] = False
    _open_up(m, _staff(m, s), 1.6)
    return f"executive responsibility for {m.school_agents[s].name} moved to a successful leader"


def peer_support(m, s: int) -> str:
    """Peer evaluation and support: reciprocal review with the strongest peers of the hub."""
    same = np.flatnonzero((m.hub == m.hub[s]) & (np.arange(m.n_schools) != s))
    if len(same) == 0:
        same = np.flatnonzero(np.arange(m.n_schools) != s)
    peers = same[np.argsort(-m.value_added[same], kind="stable")[:max(1, (len(same) + 1) // 2)]]
    n = _link_staff(m, s, peers, m.p.intervention_staff_share, m.p.intervention_trust)
    _open_up(m, _staff(m, s), 0.6)
    m.commitment[s] += 0.2 * (1.0 - m.commitment[s])
    return f"{m.school_agents[s].name} began peer review and support with {len(peers)} schools ({n} staff)"


def interventionist(m, s: int) -> str:
    """An instrumental improvement plan imposed from outside [seed 004 insight 8]: a quick fix to leadership
    (`directive_boost`), compliance (the head's commitment set to 1), directed coaching of the weakest staff by
    the best school's teachers, on links that start at a forced network's trust (`trust_forced`: the
    relationship is imposed), and lost autonomy: the staff's effort target falls by `directive_penalty`
    (effort.py). Whether it helps less than peer support comes out of those rules."""
    staff = _staff(m, s)
    leaders = staff[m.role[staff] != Role.TEACHER]
    m.knowledge[leaders, 1] = np.minimum(m.knowledge[leaders, 1] + m.p.directive_boost, 1.0)
    m.commitment[s] = 1.0
    m.imposed[s] = 1.0
    best = _best_school(m, s)
    n = _link_staff(m, s, np.array([best] if best is not None else [], int), m.p.intervention_staff_share,
                    m.p.trust_forced)
    return f"an improvement plan was imposed on {m.school_agents[s].name} ({n} staff directed to outside coaches)"


def defection(m, s: int) -> str:
    """The trainers' shock: the school's head withdraws from the network now, through the same state as a head's
    own decision (decisions.py); what follows (unanswered offers, one-way work, falling moral capital and
    effort, perhaps more withdrawals, a rejoining later) comes from the rules."""
    from .decisions import withdraw

    withdraw(m, s)
    return f"{m.school_agents[s].name} withdrew from joint work: its head left the network (defection shock)"


INTERVENTIONS = {
    "immersion": immersion,
    "family_of_schools": family_of_schools,
    "expert_head_coach": expert_head_coach,
    "appoint_key_staff": appoint_key_staff,
    "executive_move": executive_move,
    "peer_support": peer_support,
    "interventionist": interventionist,
    "defection": defection,
}


def check(kind: str, schools, n_schools: int) -> None:
    """ValueError naming the value and what is allowed if `kind` or a school index in `schools` is not valid."""
    if kind not in INTERVENTIONS:
        raise ValueError(f"intervention kind {kind!r} is not allowed: expected one of {', '.join(INTERVENTIONS)}")
    for s in schools:
        if not (isinstance(s, (int, np.integer)) and 0 <= s < n_schools):
            raise ValueError(f"intervention school {s!r} is not allowed: expected an integer in [0, {n_schools - 1}]")


def apply(m, kind: str, schools) -> None:
    """Apply intervention `kind` to each school index in `schools` now, and note it in `m.events`."""
    check(kind, schools, m.n_schools)
    for s in schools:
        m.events.append((m.steps, INTERVENTIONS[kind](m, int(s))))
        staff = _staff(m, int(s))
        m.condoned[s] &= m.openness[staff].mean() < 0.6 * m.base_openness[staff].mean()
