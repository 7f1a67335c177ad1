"""How this week's sessions went, for the people in them: reciprocated or one-way, and what each side took away.

Joint work (experience, coaching) is judged by the kernel's own rule (`kernel.one_way`): a session is one-way
against a teacher who gave (was ahead of the other in some area) when the other put in less than
`reciprocity_threshold` of their effort. An offer across schools to a school that has withdrawn
(`decisions.py`) is one-way too: the offering teacher gave time and got nothing [seed 002]. The tallies
feed teachers' effort (effort.py), the hubs' moral capital (moral_capital.py) and heads' decisions.
Everything is read at the start of the week (before the kernel), as the kernel reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .kernel import COACHING, EXPERIENCE, one_way
from .links import CROSS, WITHIN


@dataclass
class Sessions:
    """This week's tallies. Per teacher: `reciprocated` / `let_down` (1 if at least one joint session was
    reciprocated for / one-way against them). Per hub, over cross-school joint work and unanswered offers:
    `hub_joint` (how many), `hub_reciprocity` (sum of each link's effort ratio min/max, 0 for an unanswered
    offer), `hub_one_way` (how many were one-way for either side). Per school, over its staff's sessions
    with other schools, partners and the programme: `school_sessions` and `school_let_down`."""

    reciprocated: np.ndarray
    let_down: np.ndarray
    hub_joint: np.ndarray
    hub_reciprocity: np.ndarray
    hub_one_way: np.ndarray
    school_sessions: np.ndarray
    school_let_down: np.ndarray


@njit(cache=True)
def _judge(contact, activity, kind, a, b, knowledge, effort, threshold, school_of, link_hub, n_t, n_hubs, n_s,
           week, last_colleague, last_network, last_coached):
    """One pass over the links in contact, in order; it also stamps each teacher's latest session of three kinds
    with `week` (joint work with a colleague, any network session, coaching received: the learner is the side
    with the lower mean knowledge, b on ties)."""
    reciprocated = np.zeros(n_t, np.int8)
    let_down = np.zeros(n_t, np.int8)
    hub_joint = np.zeros(n_hubs)
    hub_rec = np.zeros(n_hubs)
    hub_ow = np.zeros(n_hubs)
    sessions = np.zeros(n_s)
    school_ow = np.zeros(n_s)
    n_areas = knowledge.shape[1]
    for k in contact:
        ia, ib = a[k], b[k]
        b_teacher = ib < n_t
        if kind[k] != WITHIN:
            sessions[school_of[ia]] += 1.0
            last_network[ia] = week
            if b_teacher:
                sessions[school_of[ib]] += 1.0
                last_network[ib] = week
        if activity[k] != EXPERIENCE and activity[k] != COACHING:
            continue
        if kind[k] == WITHIN:
            last_colleague[ia] = week
            last_colleague[ib] = week
        if activity[k] == COACHING:
            mean_a = 0.0
            mean_b = 0.0
            for q in range(knowledge.shape[1]):
                mean_a += knowledge[ia, q]
                mean_b += knowledge[ib, q]
            learner = ia if mean_a < mean_b else ib
            if learner < n_t:
                last_coached[learner] = week
        a_gave = False
        b_gave = False
        for q in range(n_areas):
            a_gave = a_gave or knowledge[ia, q] > knowledge[ib, q]
            b_gave = b_gave or knowledge[ib, q] > knowledge[ia, q]
        against_a = one_way(a_gave, effort[ia], effort[ib], threshold)
        against_b = b_teacher and one_way(b_gave, effort[ib], effort[ia], threshold)
        if against_a:
            let_down[ia] = 1
        else:
            reciprocated[ia] = 1
        if b_teacher:
            if against_b:
                let_down[ib] = 1
            else:
                reciprocated[ib] = 1
        if kind[k] != WITHIN:
            if against_a:
                school_ow[school_of[ia]] += 1.0
            if against_b:
                school_ow[school_of[ib]] += 1.0
        if kind[k] == CROSS:
            h = link_hub[k]
            hi = max(effort[ia], effort[ib])
            hub_joint[h] += 1.0
            hub_rec[h] += min(effort[ia], effort[ib]) / hi if hi > 0.0 else 1.0
            if against_a or against_b:
                hub_ow[h] += 1.0
    return reciprocated, let_down, hub_joint, hub_rec, hub_ow, sessions, school_ow


def judge_sessions(m, tick) -> Sessions:
    """ODD §3 step 3a: this week's `Sessions` from the links in contact and the unanswered offers of `tick`
    (an `activities.TickActivity`); for each unanswered offer the side whose school is in the network is let down.
    Each teacher's latest session of three kinds is stamped on the way (the TALIS-style frequency reporters)."""
    L = m.links
    contact, activity, unanswered = tick.contact, tick.activity, tick.unanswered
    link_hub = L.cached("link_hub", lambda: m.hub[m.school_of[L.a]])
    out = _judge(contact, activity, L.kind, L.a, L.b, m.node_knowledge, m.node_effort, m.p.reciprocity_threshold,
                 m.school_of, link_hub, m.n_teachers, m.n_hubs, m.n_schools, m.steps, m.last_colleague_session,
                 m.last_network_session, m.last_coached)
    sessions = Sessions(*out)
    if len(unanswered):
        offer_side = _offering_side(m, unanswered)
        h = link_hub[unanswered]
        np.add.at(sessions.hub_joint, h, 1.0)
        np.add.at(sessions.hub_one_way, h, 1.0)
        sessions.let_down[offer_side] = 1
        s = m.school_of[offer_side]
        np.add.at(sessions.school_sessions, s, 1.0)
        np.add.at(sessions.school_let_down, s, 1.0)
    return sessions


def _offering_side(m, unanswered: np.ndarray) -> np.ndarray:
    """For each unanswered cross-school offer, the teacher who made it (the side whose school has not withdrawn)."""
    a, b = m.links.a[unanswered], m.links.b[unanswered]
    return np.where(m.withdrawn[m.school_of[a]], b, a)
