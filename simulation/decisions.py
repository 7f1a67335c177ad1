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
from numba import njit

from .sessions import Sessions


@njit(cache=True)
def _ledgers(contact, kind, arc_ab, arc_ba, receiver, received, school_of, teaching_lost, sessions, let_down_count,
             networked, withdrawn, hub, n_hubs, weeks, benefit_mem, cost_mem, betrayal_mem, w, k_benefit, per_benefit,
             k_cost, per_cost, commitment_weeks, reconsider_weeks, tolerance):
    """One pass per quantity of the module docstring; returns per school 1 = withdraws now, 2 = rejoins now.
    Sums run in the order `np.bincount` would take (arcs a<-b of the links in contact, then b<-a; teachers in
    index order), so the numbers are those of the array expressions they replace."""
    n_s, n_t = len(withdrawn), len(teaching_lost)
    gained = np.zeros(n_s)
    for side in range(2):
        for k in contact:
            if kind[k] != 0:                               # not WITHIN: a network link
                arc = arc_ab[k] if side == 0 else arc_ba[k]
                r = receiver[arc]
                if r < n_t:
                    gained[school_of[r]] += received[arc]
    hours = np.zeros(n_s)
    for t in range(n_t):
        hours[school_of[t]] += teaching_lost[t]
    member = np.empty(n_s, np.bool_)
    benefit = np.empty(n_s)
    hub_members = np.zeros(n_hubs)
    hub_benefit = np.zeros(n_hubs)
    for s in range(n_s):
        member[s] = networked[s] and not withdrawn[s]
        benefit[s] = k_benefit * gained[s] / per_benefit
        hub_members[hub[s]] += 1.0 if member[s] else 0.0
        hub_benefit[hub[s]] += benefit[s] * (1.0 if member[s] else 0.0)
    decision = np.zeros(n_s, np.int8)
    for s in range(n_s):
        h = hub[s]
        if member[s]:
            target = benefit[s]
            cost_mem[s] += w * (k_cost * hours[s] / per_cost - cost_mem[s])
            share = let_down_count[s] / sessions[s] if sessions[s] > 0 else 0.0
        else:
            target = hub_benefit[h] / hub_members[h] if hub_members[h] > 0 else 0.0
            share = 0.0
        benefit_mem[s] += w * (target - benefit_mem[s])
        betrayal_mem[s] += w * (share - betrayal_mem[s])
        weeks[s] += 1
        betrayed = betrayal_mem[s] > tolerance
        if member[s] and weeks[s] >= commitment_weeks and (benefit_mem[s] < cost_mem[s] or betrayed):
            decision[s] = 1
        elif (withdrawn[s] and networked[s] and weeks[s] >= reconsider_weeks and not betrayed
              and benefit_mem[s] > cost_mem[s]):
            decision[s] = 2
    return decision


def update_decisions(m, sessions: Sessions, received: np.ndarray, contact: np.ndarray) -> None:
    """ODD §3 step 5 (7.19): heads' ledgers, withdrawals and rejoinings this week; each is noted as an event.
    `received` is the kernel's per-arc flow of this week, `contact` the links in contact."""
    p, tps, L = m.p, m.p.teachers_per_school, m.links
    decision = _ledgers(contact, L.kind, L.arc_ab, L.arc_ba, L.receiver, received, m.school_of, m.teaching_lost,
                        sessions.school_sessions, sessions.school_let_down, m.networked, m.withdrawn, m.hub,
                        m.n_hubs, m.weeks_in_state, m.ledger_benefit, m.ledger_cost, m.ledger_betrayal,
                        1.0 / p.memory_weeks, p.gain_horizon * p.attainment_teaching, 3.0 * tps,
                        p.time_cost_attainment, tps * p.teaching_hours, p.commitment_weeks, p.reconsider_weeks,
                        p.betrayal_tolerance)
    if not decision.any():
        return
    for s in np.flatnonzero(decision == 1):
        why = ("its staff's work turned one-way" if m.ledger_betrayal[s] > p.betrayal_tolerance
               else "the network cost more than it gave")
        withdraw(m, int(s))
        m.events.append((m.steps, f"{m.school_agents[s].name} withdrew from the network: {why}"))
    for s in np.flatnonzero(decision == 2):
        m.withdrawn[s] = False
        m.weeks_in_state[s] = 0
        m.events.append((m.steps, f"{m.school_agents[s].name} rejoined the network"))


def withdraw(m, s: int) -> None:
    """School `s` leaves network activity now (a head's decision, or the trainers' shock); the caller notes why."""
    m.withdrawn[s] = True
    m.weeks_in_state[s] = 0
    m.withdrawals_total += 1
