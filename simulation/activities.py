"""Which learning activity each link carries this tick, and how much of it the staff's time affords.

Contact is a chance per link: effort, the head's access and the schools' boundary permeability make a
link likely to be used. A used link carries the deepest activity its trust allows [seed 000, 001]:
coaching (trust above `trust_coaching` and a skilled coach), else experience (visits; a school makes
them once its boundary has opened, whatever the trust: without trust they are tourism), else
information. Time is a budget [seed 002]: every activity costs hours, cross-school joint work costs
more while ways of working are new, and communication costs grow with the hub's size [seed 004].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .kernel import COACHING, EXPERIENCE, INFORMATION, NONE, PROGRAMME
from .links import CROSS, INTERVENTION, PARTNER, PROGRAMME_LINK, WITHIN


@dataclass
class TickActivity:
    """Per-link activity codes and intensity, plus per-teacher time accounting, for one tick."""

    activity: np.ndarray        # int8 code per link
    intensity: np.ndarray       # share of the activity's time that could be afforded, [0, 1]
    validity: np.ndarray        # +1 valid / -1 misleading information, per link
    willingness: np.ndarray     # moral-capital factor on cross-school sharing, per link
    teaching_lost: np.ndarray   # hours taken from students, per teacher
    overhead: np.ndarray        # transaction hours (newness + coordination), per teacher


def choose_activities(m, u_contact: np.ndarray, u_valid: np.ndarray) -> TickActivity:
    """Vectorised activity choice and time budget for every link of model `m` this tick."""
    p, L, n_t = m.p, m.links, m.n_teachers
    a, b, kind = L.a, L.b, L.kind
    school_a = m.school_of[a]
    school_b = m.school_of[np.minimum(b, n_t - 1)]
    node_effort = m.node_effort
    perm = m.permeability
    cross = kind == CROSS
    hub_m = m.moral_capital[m.hub[school_a]]
    mfactor = p["moral_sharing_floor"] + (1.0 - p["moral_sharing_floor"]) * hub_m

    liberation = 1.0 + p["liberation_effect"] * m.networked * (
        1.0 - np.exp(-(m.hub_size_of - 1) / p["liberation_scale"]))
    p_contact = p["contact_rate"] * 0.5 * (node_effort[a] + node_effort[b]) * liberation[school_a]
    within_open = p["within_contact_base"] + (1.0 - p["within_contact_base"]) * perm[school_a]
    access = m.access[a] & np.where(kind == CROSS, m.access[np.minimum(b, n_t - 1)], True)
    stage_a = m.stage[school_a]
    p_contact = np.where(kind == WITHIN, p_contact * within_open * m.commitment[school_a], p_contact)
    p_contact = np.where(cross, p_contact * np.sqrt(perm[school_a] * perm[school_b]) * mfactor, p_contact)
    p_contact = np.where(kind == PARTNER, p_contact * perm[school_a] * (stage_a >= 2), p_contact)
    p_contact = np.where(kind == PROGRAMME_LINK, p_contact * perm[school_a], p_contact)
    imposed = (kind == WITHIN) | (kind == INTERVENTION)      # colleagues, and staff named by a programme
    contact = (u_contact < p_contact) & (access | imposed)

    trust = L.pair_trust()
    kmean_a = m.node_knowledge[a].mean(axis=1)
    kmean_b = m.node_knowledge[b].mean(axis=1)
    # a coach needs both the capacity to share and knowledge of coaching itself [seed 001]
    ability = 0.5 * (m.node_skill + m.node_knowledge[:, 2])
    coach_skill = np.where(kmean_a >= kmean_b, ability[a], ability[b])
    can_coach = (trust >= p["trust_coaching"]) & (coach_skill >= p["coach_skill_min"])
    visits = imposed | (kind == PARTNER) | (
        (perm[school_a] >= p["visit_permeability"]) & (perm[school_b] >= p["visit_permeability"]))
    act = np.where(can_coach & visits, COACHING, np.where(visits, EXPERIENCE, INFORMATION))
    act = np.where(kind == PROGRAMME_LINK, PROGRAMME, act)
    act = np.where(contact, act, NONE).astype(np.int8)

    hours = np.array([0.0, p["cost_information"], p["cost_experience"], p["cost_coaching"],
                      p["cost_information"]])[act]
    # new ways of working are costly until the hub has joint work behind it [seed 004 insight 10]
    hub_of_link = m.hub[school_a]
    hub_joint = np.bincount(hub_of_link, L.joint_work * (kind != WITHIN), m.n_hubs) / m.hub_teachers
    newness = p["newness_overhead"] * np.exp(-hub_joint / p["joint_work_scale"])
    joint = (act == EXPERIENCE) | (act == COACHING)
    link_newness = np.where((kind != WITHIN) & joint, newness[hub_of_link], 0.0)
    cost = hours * (1.0 + link_newness)

    # per-teacher demand, budget and the part taken from teaching time [seed 002]
    teacher_a = a
    teacher_b = np.where(b < n_t, b, 0)
    weight_b = (b < n_t).astype(float)
    demand = np.bincount(teacher_a, cost, n_t) + np.bincount(teacher_b, cost * weight_b, n_t)
    extra = hours * link_newness
    overhead = np.bincount(teacher_a, extra, n_t) + np.bincount(teacher_b, extra * weight_b, n_t)
    # communication across the hub grows with its size and is heavy while ways of working are new
    in_network = m.access & m.networked[m.school_of]
    coord = (p["coordination_cost"] * (m.hub_size_of[m.school_of] - 1) * (1.0 + newness[m.hub[m.school_of]])
             * in_network)
    if p["network_facilitator"]:
        coord = coord * (1.0 - p["facilitator_saving"])
    demand += coord
    overhead += coord
    budget = p["staff_learning_time"] * np.where(m.facilitator[m.school_of], p["facilitator_efficiency"], 1.0)
    cap = budget + p["max_coaching_share"] * p["teaching_hours"]
    used = np.minimum(demand, cap)
    scale = np.divide(used, demand, out=np.ones(n_t), where=demand > 0)
    scale_b = np.where(b < n_t, scale[teacher_b], 1.0)
    intensity = np.minimum(scale[a], scale_b)

    validity = np.where(u_valid < p["information_validity"], 1.0, -1.0)
    willingness = np.where(cross, mfactor, 1.0)
    return TickActivity(act, intensity, validity, willingness, np.maximum(used - budget, 0.0), overhead)
