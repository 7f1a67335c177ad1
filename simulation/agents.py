"""Schools and external partners (Mesa agents) and teachers (plain views), all views into the model's arrays.

An agent holds only its index; every attribute reads (or writes) the model-level arrays, so an
agent and the arrays can never disagree and the per-tick work never loops over agents.
Teachers are the numerous passive entity (half a million in a national run): they are held as typed
model arrays, and `Teacher` is a plain view over one row, made on demand and not registered with
Mesa (ODD §2). Schools and partners are ordinary Mesa agents, made with `Agent.create_agents`.
"""

from __future__ import annotations

from enum import IntEnum

import mesa

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


class Teacher:
    """A member of staff: knowledge in three areas [seed 001], role, sharing skill, openness, effort.

    A view of row `idx` of the model's teacher arrays, not a Mesa agent (see the module docstring);
    two views of the same teacher are equal.
    """

    __slots__ = ("model", "idx")

    def __init__(self, model, idx: int):
        self.model = model
        self.idx = idx

    def __eq__(self, other) -> bool:
        return isinstance(other, Teacher) and other.model is self.model and other.idx == self.idx

    def __hash__(self) -> int:
        return hash((id(self.model), self.idx))

    def __repr__(self) -> str:
        return f"Teacher({self.idx}, {self.role.label}, {self.school.name})"

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
        """This school's staff, headteacher first (views into the teacher arrays)."""
        tps = self.model.p.teachers_per_school
        return [Teacher(self.model, i) for i in range(self.idx * tps, (self.idx + 1) * tps)]

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
