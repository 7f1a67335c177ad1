"""Heads' decisions: a school withdraws from network activity when the network stops paying, and may rejoin.

Each week a member school's head keeps running means (weight 1 / memory_weeks) of
    benefit  B = gain_horizon * attainment_teaching * (knowledge its staff received through network links this
                 week, per teacher, mean over the three areas)         attainment the learning will bring
    cost     C = time_cost_attainment * hours taken from students / (staff * teaching_hours)   (the attainment the
                 lost time costs this week, by the model's own outcome rule, 7.15; transaction hours count where
                 they take time from students)
    betrayal X = share of its staff's network sessions that were one-way against them [seed 002]
After `commitment_weeks` in the network the head withdraws when B < C or X > betrayal_tolerance. A withdrawn
school's staff take no part in network links (activities.py); offers to them go unanswered (one-way for the
offerer: sessions.py). Its head watches what the members of its hub get (B of the hub's members, per teacher)
and forgets its betrayal; after `reconsider_weeks` out it rejoins when that exceeds its remembered cost and
its betrayal has faded below the tolerance. The trainers' defection shock forces one withdrawal through
the same state (interventions.py).
"""

from __future__ import annotations

import numpy as np

from .sessions import Sessions


def network_received(m, contact: np.ndarray, received: np.ndarray) -> np.ndarray:
    """Per school, the knowledge its staff received this week through links other than colleagues' (summed over
    the arcs of the links in contact whose receiver is a teacher; `received` is the kernel's per-arc flow)."""
    L = m.links
    cross = contact[L.kind[contact] != 0]
    arcs = np.concatenate([L.arc_ab[cross], L.arc_ba[cross]])
    recv = L.receiver[arcs]
    teacher = recv < m.n_teachers
    return np.bincount(m.school_of[recv[teacher]], received[arcs[teacher]], m.n_schools)


def update_decisions(m, sessions: Sessions, gained: np.ndarray) -> None:
    """ODD §3 step 5 (7.19): heads' ledgers, withdrawals and rejoinings this week; each is noted as an event.
    `gained` is `network_received` (knowledge per school)."""
    p, tps = m.p, m.p.teachers_per_school
    w = 1.0 / p.memory_weeks
    member = m.member().astype(bool)
    benefit = p.gain_horizon * p.attainment_teaching * gained / (3.0 * tps)
    hours = np.bincount(m.school_of, m.teaching_lost, m.n_schools)
    cost = p.time_cost_attainment * hours / (tps * p.teaching_hours)
    let_down = np.divide(sessions.school_let_down, sessions.school_sessions, out=np.zeros(m.n_schools),
                         where=sessions.school_sessions > 0)
    n_members = np.bincount(m.hub, member, m.n_hubs)
    seen = np.divide(np.bincount(m.hub, benefit * member, m.n_hubs), n_members, out=np.zeros(m.n_hubs),
                     where=n_members > 0)[m.hub]
    # members learn from their own week; the withdrawn see what members get and forget betrayal
    m.ledger_benefit += w * (np.where(member, benefit, seen) - m.ledger_benefit)
    m.ledger_cost[member] += w * (cost[member] - m.ledger_cost[member])
    m.ledger_betrayal += w * (np.where(member, let_down, 0.0) - m.ledger_betrayal)
    m.weeks_in_state += 1
    betrayed = m.ledger_betrayal > p.betrayal_tolerance
    leave = member & (m.weeks_in_state >= p.commitment_weeks) & ((m.ledger_benefit < m.ledger_cost) | betrayed)
    back = m.withdrawn & m.networked & (m.weeks_in_state >= p.reconsider_weeks) & ~betrayed & (
        m.ledger_benefit > m.ledger_cost)
    for s in np.flatnonzero(leave):
        why = "its staff's work turned one-way" if betrayed[s] else "the network cost more than it gave"
        withdraw(m, int(s), f"{m.school_agents[s].name} withdrew from the network: {why}")
    for s in np.flatnonzero(back):
        m.withdrawn[s] = False
        m.weeks_in_state[s] = 0
        m.events.append((m.steps, f"{m.school_agents[s].name} rejoined the network"))


def withdraw(m, s: int, note: str) -> None:
    """School `s` leaves network activity now (a head's decision, or the trainers' shock)."""
    m.withdrawn[s] = True
    m.weeks_in_state[s] = 0
    m.withdrawals_total += 1
    m.events.append((m.steps, note))
