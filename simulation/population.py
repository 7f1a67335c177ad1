"""Initial schools and teachers: who joins the network, their hubs, and their drawn state.

Schools are renumbered so that each hub's schools are contiguous and each school's teachers are
contiguous (teacher id = school * teachers_per_school + slot): links stay local in memory.
"""

from __future__ import annotations

import math

import numpy as np

from .agents import Role
from .hubs import hub_of
from .params import Params

N_AREAS = 3


def draw_schools(rng: np.random.Generator, p: Params) -> dict:
    """Draw a candidate pool, let the network form (self-selection or assignment), and assign hubs.

    The pool is always drawn the same way for a seed, so voluntary and forced networks share their
    random numbers (common random numbers); a voluntary network picks the members most aligned with a
    shared aspiration [seed 004 truth 2], the others take the first `n_schools` candidates.
    """
    n = p.n_schools
    n_pool = math.ceil(n * p.voluntary_pool_factor)
    context = rng.beta(2.0, 2.0, n_pool)
    quality = p.quality_mean - p.context_effect * (context - 0.5) + p.quality_sd * rng.standard_normal(n_pool)
    values = rng.standard_normal((n_pool, p.values_dim))
    values /= np.linalg.norm(values, axis=1, keepdims=True)
    aspiration = rng.standard_normal(p.values_dim)
    aspiration /= np.linalg.norm(aspiration)
    if p.formation == "voluntary":
        members = np.argsort(-(values @ aspiration), kind="stable")[:n]
        angle = np.arctan2(values[members, 1 % p.values_dim], values[members, 0])
        members = members[np.argsort(angle, kind="stable")]      # like-minded schools share a hub
    else:
        members = np.arange(n)
    n_hubs = math.ceil(n / p.hub_size)
    hub = hub_of(n, p.hub_size)      # the one rule; `simulation.hubs` also puts it in words
    schools = {
        "context": context[members],
        "quality": np.clip(quality[members], 0.02, 0.98),
        "values": values[members],
        "hub": hub.astype(np.int64),
        "n_hubs": n_hubs,
    }
    schools["alignment"] = hub_alignment(schools["values"], schools["hub"], n_hubs)
    order = rng.permutation(n)
    n_res = round(p.resistant_head_share * n)
    n_cond = round(p.condoned_failure_share * n)
    schools["resistant"] = np.zeros(n, bool)
    schools["resistant"][order[:n_res]] = True
    schools["condoned"] = np.zeros(n, bool)
    schools["condoned"][rng.permutation(n)[:n_cond]] = True
    commitment = np.clip(p.commitment_mean + 0.1 * rng.standard_normal(n), 0.0, 1.0)
    commitment[schools["resistant"]] = p.resistant_commitment
    schools["commitment"] = commitment
    schools["facilitator"] = rng.random(n) < p.facilitator_share
    return schools


def hub_alignment(values: np.ndarray, hub: np.ndarray, n_hubs: int) -> np.ndarray:
    """Per school, mean similarity of its values with the other schools of its hub, mapped to [0, 1]."""
    total = np.zeros((n_hubs, values.shape[1]))
    np.add.at(total, hub, values)
    size = np.bincount(hub, minlength=n_hubs)[hub]
    others = np.maximum(size - 1, 1)
    mean_cos = ((values * total[hub]).sum(axis=1) - 1.0) / others
    return np.where(size > 1, (np.clip(mean_cos, -1.0, 1.0) + 1.0) / 2.0, 1.0)


def formation_effort_factor(p: Params) -> float:
    """Discretionary-effort multiplier of the formation regime: voluntarism adds effort [seed 004 truth 1]."""
    bonus = {"voluntary": 1.0, "brokered": p.brokering_effectiveness}.get(p.formation, 0.0)
    return 1.0 + bonus * p.voluntarism_effort


def draw_teachers(rng: np.random.Generator, p: Params, schools: dict) -> dict:
    """Teacher knowledge around each school's quality, roles, openness, sharing skill and effort."""
    n_s, tps = len(schools["quality"]), p.teachers_per_school
    n_t = n_s * tps
    school_of = np.repeat(np.arange(n_s), tps)
    slot = np.tile(np.arange(tps), n_s)
    role = np.full(n_t, Role.TEACHER, np.int8)
    n_leaders = round(p.middle_leader_share * tps)
    role[(slot >= 1) & (slot <= n_leaders)] = Role.MIDDLE_LEADER
    role[slot == 0] = Role.HEADTEACHER
    knowledge = schools["quality"][school_of, None] + p.within_school_sd * rng.standard_normal((n_t, N_AREAS))
    knowledge[role != Role.TEACHER, 1] += p.leader_bonus
    knowledge = np.clip(knowledge, 0.01, 0.99)
    openness = np.clip(p.openness_mean + 0.12 * rng.standard_normal(n_t), 0.02, 1.0)
    openness[schools["condoned"][school_of]] *= p.condoned_openness
    skill = np.clip(p.sharing_skill_mean + 0.15 * rng.standard_normal(n_t), 0.02, 1.0)
    best = knowledge[:, 0] >= np.repeat(np.quantile(knowledge[:, 0].reshape(n_s, tps), 0.8, axis=1), tps)
    skill[best] = np.minimum(skill[best] + p.staff_skill_boost, 1.0)   # Outstanding Teacher Programme
    base_effort = np.clip(p.effort_mean + 0.15 * rng.standard_normal(n_t), 0.05, 1.0)
    align = 1.0 - p.alignment_effect * (1.0 - schools["alignment"][school_of])
    effort = np.clip(base_effort * formation_effort_factor(p) * align, 0.0, 1.0)
    access_draw = rng.random(n_t)
    access_draw[role == Role.HEADTEACHER] = 0.0        # the head always takes part
    return {"knowledge": knowledge, "role": role, "school_of": school_of, "openness": openness,
            "skill": skill, "effort": effort, "access_draw": access_draw}


def draw_partners(rng: np.random.Generator, p: Params, hub_mean: np.ndarray) -> np.ndarray:
    """External partners' knowledge: high in the areas of their research, the hub's level elsewhere."""
    n_hubs = len(hub_mean)
    n_p = n_hubs * p.partners_per_hub
    strong = rng.random((n_p, N_AREAS)) < 2.0 / 3.0
    base = np.repeat(hub_mean, p.partners_per_hub, axis=0)
    return np.where(strong, p.partner_knowledge, base)
