"""Mesa agents: teachers, schools and external partners, whose numbers are views into the model's arrays.

An agent holds only its index; every attribute reads (or writes) the model-level arrays, so an
agent and the arrays can never disagree and the per-tick work never loops over agents.
"""

from __future__ import annotations

import gc
import weakref
from enum import IntEnum

import mesa
from mesa.agent import AgentSet

AREAS = ("teaching_learning", "leadership", "coaching")


class Stage(IntEnum):
    """A school's stage of development, in order [seed 000]."""

    ISOLATION = 0
    INITIATION = 1
    ENGAGEMENT = 2
    INTEGRATION = 3

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Role(IntEnum):
    """A member of staff's role."""

    TEACHER = 0
    MIDDLE_LEADER = 1
    HEADTEACHER = 2

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").lower()


class Teacher(mesa.Agent):
    """A member of staff: knowledge in three areas [seed 001], role, sharing skill, openness, effort."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def school(self) -> "School":
        return self.model.school_agents[self.model.school_of[self.idx]]

    @property
    def role(self) -> Role:
        return Role(self.model.role[self.idx])

    @property
    def knowledge(self):
        """View of this teacher's row of `model.knowledge`: (teaching_learning, leadership, coaching)."""
        return self.model.knowledge[self.idx]

    @property
    def sharing_skill(self) -> float:
        return float(self.model.skill[self.idx])

    @property
    def openness(self) -> float:
        return float(self.model.openness[self.idx])

    @property
    def effort(self) -> float:
        return float(self.model.effort[self.idx])

    @property
    def has_access(self) -> bool:
        """Whether the head's commitment lets this teacher take part in network activity [seed 004]."""
        return bool(self.model.access[self.idx])


class School(mesa.Agent):
    """A school: its staff, head, boundary permeability, context, stage and outcomes."""

    def __init__(self, model, idx: int, name: str):
        super().__init__(model)
        self.idx = idx
        self.name = name

    @property
    def teachers(self) -> list[Teacher]:
        tps = self.model.p.teachers_per_school
        return self.model.teacher_agents[self.idx * tps:(self.idx + 1) * tps]

    @property
    def headteacher(self) -> Teacher:
        return self.teachers[0]

    @property
    def hub(self) -> int:
        return int(self.model.hub[self.idx])

    @property
    def stage(self) -> Stage:
        return Stage(self.model.stage[self.idx])

    @property
    def permeability(self) -> float:
        return float(self.model.permeability[self.idx])

    @property
    def commitment(self) -> float:
        return float(self.model.commitment[self.idx])

    @property
    def context(self) -> float:
        return float(self.model.context[self.idx])

    @property
    def attainment(self) -> float:
        return float(self.model.attainment[self.idx])

    @property
    def value_added(self) -> float:
        return float(self.model.value_added[self.idx])

    @property
    def condoned_failure(self) -> bool:
        return bool(self.model.condoned[self.idx])

    @property
    def coasting(self) -> bool:
        return bool(self.model.coasting[self.idx])


class ExternalPartner(mesa.Agent):
    """A university, industrial partner or charity: relevant research, reachable from Engagement [seed 000, 001]."""

    def __init__(self, model, idx: int, hub: int):
        super().__init__(model)
        self.idx = idx
        self.hub = hub

    @property
    def knowledge(self):
        return self.model.node_knowledge[self.idx]


def make_agents(model, cls, ids, **columns) -> list:
    """Agents of `cls` with the unique ids `ids` and per-agent attributes `columns`, not yet registered.

    Each agent's state is what `cls(model, ...)` gives (model, unique_id, pos, then the columns), without
    the per-agent `__init__` chain and debug logging. The garbage collector is paused while they are made:
    half a million new objects otherwise trigger full collections that cost more than making them.
    """
    names = list(columns)
    rows = zip(*columns.values()) if names else ((),) * len(ids)
    agents = []
    new = object.__new__
    paused = gc.isenabled()
    gc.disable()
    try:
        for unique_id, values in zip(ids, rows):
            agent = new(cls)
            state = agent.__dict__
            state["model"] = model
            state["unique_id"] = unique_id
            state["pos"] = None
            state.update(zip(names, values))
            agents.append(agent)
    finally:
        if paused:
            gc.enable()
    return agents


def register_agents(agents: list, cls, registry: dict, all_agents: AgentSet, by_type: dict, random,
                    first: bool = False) -> None:
    """Register `agents` (all of type `cls`) as `Model.register_agent` would, in bulk.

    `registry`, `all_agents` and `by_type` are the model's `_agents`, `_all_agents` and `_agents_by_type`;
    with `first` the agents go before every registered agent (and their type first among the types), the
    order they would have had if they had been created first.
    """
    if not agents:
        return
    if not first:
        registry.update(dict.fromkeys(agents))
        if cls in by_type:
            by_type[cls]._agents.update(dict.fromkeys(agents))
        else:
            by_type[cls] = AgentSet(agents, random=random)
        all_agents._agents.update(dict.fromkeys(agents))
        return
    rest = list(registry)
    registry.clear()
    registry.update(dict.fromkeys(agents))
    registry.update(dict.fromkeys(rest))
    types = dict(by_type)
    by_type.clear()
    by_type[cls] = AgentSet(agents, random=random)
    by_type.update(types)
    all_agents._agents = weakref.WeakKeyDictionary(dict.fromkeys(agents + list(all_agents._agents.keys())))


def add_agents(model, cls, n: int, **columns) -> list:
    """Create `n` agents of `cls` and register them with `model` in bulk.

    The same agents, unique ids (in order) and registration as `n` calls of `cls(model, ...)`, without
    the per-agent `__init__` chain and debug logging: building 500,000 teachers one by one takes seconds.
    `columns` give each agent's own attributes (sequences of length `n`).
    """
    ids = mesa.Agent._ids[model]
    agents = make_agents(model, cls, [next(ids) for _ in range(n)], **columns)
    register_agents(agents, cls, model._agents, model._all_agents, model._agents_by_type, model.random)
    return agents
