"""CLCModel: a collaborative learning community of schools, one tick = one school week.

State lives in model-level arrays (struct of arrays); School and ExternalPartner are Mesa agents and
Teacher a plain view, all of whose attributes are views into them. A tick:
  1. scheduled interventions take effect;
  2. every link's activity and affordable intensity are chosen (activities.py);
  3. the numba kernel moves and creates knowledge and updates trust (transfer.py, kernel.py);
  4. proven innovation is adopted into each hub's shared programme (programme.py);
  5. moral capital, boundaries, heads' commitment, access, effort, heads' decisions and stages move
     (moral_capital.py, schools.py, effort.py, decisions.py);
  6. attainment and value added follow the staff's knowledge (outcomes.py); reporters are collected.
"""

from __future__ import annotations

from collections import deque
from functools import cached_property

import mesa
import networkx as nx
import numpy as np
import pandas as pd

from . import interventions
from .activities import TickActivity, choose_activities, staff_culture
from .agents import ExternalPartner, Role, School, Stage, Teacher
from .kernel import TickWorkspace, kernel_coefficients
from .links import WITHIN
from .decisions import update_decisions
from .effort import canvas, update_effort
from .moral_capital import update_moral_capital
from .network import build_links
from .outcomes import (attainment_target, knowledge_accessed, national_reference, teaching_quality, update_outcomes,
                       update_value_added)
from .params import resolve
from .population import draw_partners, draw_schools, draw_teachers
from .programme import adopt_innovation
from .reporters import REPORTERS, compute_metrics
from .schools import derive_stages, record_activity, school_trust, update_boundaries
from .sessions import Sessions, judge_sessions
from .transfer import transfer_knowledge


class CLCModel(mesa.Model):
    """A network of schools learning together; every keyword is a parameter in `simulation.params.PARAMS`."""

    @cached_property
    def teacher_agents(self) -> list[Teacher]:
        """Every teacher as a view, in index order (made on first use: a national run never needs them)."""
        return [Teacher(self, i) for i in range(self.n_teachers)]

    def __init__(self, seed=None, scenario=None, **params):
        """`seed`: any seed numpy's `default_rng` takes (None: fresh entropy, kept as `model.seed`).
        `scenario`: a Mesa scenario (`mesa.experimental.scenarios.Scenario`, which Mesa 3.4+'s SolaraViz
        passes on Reset); its fields other than `rng` are parameters, like keywords (keywords win)."""
        if scenario is not None:
            params = {**{k: v for k, v in vars(scenario).items() if k != "rng"}, **params}
        if seed is None:
            seed = int(np.random.SeedSequence().entropy)        # recorded, so the run can be repeated
        super().__init__(rng=seed)
        self.seed = seed
        #: the model's own generator: every draw of the model comes from it, seeded from `seed` alone, so
        #: the numbers do not depend on how a Mesa version seeds `Model.rng` / `Model.random`
        self.generator = np.random.default_rng(seed)
        self.p = p = resolve(params)
        self.events: deque[tuple[int, str]] = deque(maxlen=200)
        self._schedule: dict[int, list[tuple[str, list[int]]]] = {}
        self._build(p)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: (lambda m, name=name: m.metrics[name]) for name in REPORTERS})
        self.metrics = compute_metrics(self)
        self.datacollector.collect(self)
        if p.high_challenge_strategy != "none":
            high = np.flatnonzero(self.context >= p.high_challenge_context)
            interventions.apply(self, p.high_challenge_strategy, [int(s) for s in high])

    # ----------------------------------------------------------------------------- construction
    def _build(self, p: Params) -> None:
        rng = self.generator
        schools = draw_schools(rng, p)
        teachers = draw_teachers(rng, p, schools)
        self.n_schools = n_s = p.n_schools
        self.n_hubs = schools["n_hubs"]
        self.n_teachers = n_t = n_s * p.teachers_per_school
        self.n_partners = n_p = self.n_hubs * p.partners_per_hub * (p.formation != "none")
        n_nodes = n_t + n_p + self.n_hubs

        # school arrays
        self.context = schools["context"]
        self.hub = schools["hub"]
        self.commitment = schools["commitment"]
        self.resistant = schools["resistant"]
        self.condoned = schools["condoned"]
        self.facilitator = schools["facilitator"]
        self.values = schools["values"]
        self.hub_size_of = np.bincount(self.hub)[self.hub]
        self.hub_teachers = np.bincount(self.hub) * p.teachers_per_school
        self.networked = np.full(n_s, p.formation != "none") & (self.hub_size_of > 1)
        self.permeability = np.full(n_s, p.initial_permeability)
        self.stage = np.where(self.permeability >= p.visit_permeability, Stage.INITIATION,
                              Stage.ISOLATION).astype(np.int8)
        self.activity_outward = np.zeros(n_s)
        self.activity_coaching = np.zeros(n_s)
        self.activity_partner = np.zeros(n_s)
        self.moral_capital = np.full(self.n_hubs, p.initial_moral_capital)
        self.withdrawn = np.zeros(n_s, bool)                 # out of network activity (decisions.py)
        self.weeks_in_state = np.zeros(n_s, np.int64)        # weeks since joining, rejoining or withdrawing
        self.ledger_benefit = np.zeros(n_s)                  # heads' running means (decisions.py)
        self.ledger_cost = np.zeros(n_s)
        self.ledger_betrayal = np.zeros(n_s)
        self.withdrawals_total = 0
        self.imposed = np.zeros(n_s)                         # 1 under an interventionist plan (lost autonomy)
        self.stage_skips = self.stage_fallbacks = 0
        self.canvas = canvas(self)                            # breadth of each school's canvas (effort.py)
        self.culture = staff_culture(self)                   # how freely colleagues share (activities.py)

        # node arrays: teachers, then external partners, then each hub's shared programme
        self.node_knowledge = np.zeros((n_nodes, 3))
        self.node_knowledge[:n_t] = teachers["knowledge"]
        hub_mean = np.zeros((self.n_hubs, 3))
        np.add.at(hub_mean, self.hub[teachers["school_of"]], teachers["knowledge"])
        hub_mean /= np.bincount(self.hub, minlength=self.n_hubs)[:, None] * p.teachers_per_school
        if n_p:
            self.node_knowledge[n_t:n_t + n_p] = draw_partners(rng, p, hub_mean)
        self.node_knowledge[n_t + n_p:] = hub_mean
        self.node_openness = np.zeros(n_nodes)
        self.node_openness[:n_t] = teachers["openness"]
        self.node_skill = np.ones(n_nodes)
        self.node_skill[:n_t] = teachers["skill"]
        self.node_skill[n_t:n_t + n_p] = p.partner_skill
        self.node_effort = np.ones(n_nodes)
        self.node_effort[:n_t] = teachers["effort"]
        self.knowledge = self.node_knowledge[:n_t]          # views: agents read these
        self.openness = self.node_openness[:n_t]
        self.skill = self.node_skill[:n_t]
        self.effort = self.node_effort[:n_t]
        self.disposition = teachers["effort"].copy()         # where effort settles without experience (effort.py)
        self.memory_reciprocated = np.zeros(n_t)             # teachers' running means of their sessions
        self.memory_let_down = np.zeros(n_t)
        self.memory_pressure = np.zeros(n_t)
        self.own_knowledge = teachers["knowledge"].copy()    # knowledge on taking up post, and drawn from
        self.drawn = np.zeros((n_t, 3))                      # colleagues since (knowledge accessed, ODD 7.15)
        never = np.iinfo(np.int64).min // 2                  # the week of each teacher's latest session of a kind
        self.last_colleague_session = np.full(n_t, never)
        self.last_network_session = np.full(n_t, never)
        self.last_coached = np.full(n_t, never)
        self.base_openness = teachers["openness"] / np.where(self.condoned[teachers["school_of"]],
                                                             p.condoned_openness or 1.0, 1.0)
        self.role = teachers["role"]
        self.school_of = teachers["school_of"]
        self.access_draw = teachers["access_draw"]
        self.access = self.access_draw < self.commitment[self.school_of]

        self.links = build_links(rng, p, teachers, schools, n_p)
        self.rates, self.coef = kernel_coefficients(p)
        self.workspace = TickWorkspace()                    # the kernel's buffers, kept from tick to tick
        self.teaching_lost = np.zeros(n_t)
        self.overhead = np.zeros(n_t)
        self.created_total = 0.0

        # outcomes
        self.reference = national_reference(p)
        tq, lq = teaching_quality(self.knowledge, self.role, n_s, p.teachers_per_school)
        self.attainment = attainment_target(p, tq, lq, self.context, 0.0)
        update_value_added(self)

        # Mesa agents (identity, inspection, the dashboard); their numbers are the arrays above. Teachers
        # are not Mesa agents but views made on demand (`teacher_agents`, `School.teachers`; ODD §2).
        self.school_agents = list(School.create_agents(self, n_s, idx=list(range(n_s)),
                                                       name=[f"School {s + 1}" for s in range(n_s)]))
        self.partner_agents = list(ExternalPartner.create_agents(
            self, n_p, idx=list(range(n_t, n_t + n_p)), hub=[i // max(p.partners_per_hub, 1) for i in range(n_p)]))

    # ----------------------------------------------------------------------------- public API
    def schedule_intervention(self, tick: int, kind: str, schools) -> None:
        """Apply intervention `kind` to `schools` at the start of tick `tick` (>= 1)."""
        interventions.check(kind, schools, self.n_schools)
        if not isinstance(tick, (int, np.integer)) or tick < 1:
            raise ValueError(f"intervention tick {tick!r} is not allowed: expected an integer >= 1")
        self._schedule.setdefault(int(tick), []).append((kind, [int(s) for s in schools]))

    def apply_intervention(self, kind: str, schools) -> None:
        """Apply intervention `kind` to `schools` now (the dashboard's buttons)."""
        interventions.apply(self, kind, schools)

    def step(self) -> None:
        """One school week: the processes of ODD §3, in this order.

        1. scheduled interventions take effect                  (ODD 7.13, 7.14)
        2. each link's contact, activity and intensity; time    (7.1, 7.8, 7.10)
        3. how the week's joint work went, then knowledge transfer, creation and trust: the kernel
                                                                (7.6, 7.2, 7.3)
        4. proven innovation enters the hubs' programmes        (7.4)
        5. moral capital, school trust, boundaries, heads, effort, withdrawals, stages
                                                                (7.7, 7.11, 7.12, 7.18, 7.19)
        6. attainment and value added; reporters collected      (7.15)
        """
        self.apply_scheduled_interventions()
        tick = choose_activities(self)
        sessions = judge_sessions(self, tick)
        created, received = transfer_knowledge(self, tick)
        adopt_innovation(self, created)
        self.update_network_and_schools(tick, sessions, received)
        update_outcomes(self, tick.teaching_lost)
        self.collect()

    # ----------------------------------------------------------------------------- tick parts
    def apply_scheduled_interventions(self) -> None:
        """ODD §3 step 1: the interventions scheduled for this tick, in the order they were scheduled (they may
        add links)."""
        for kind, schools in self._schedule.pop(self.steps, []):
            interventions.apply(self, kind, schools)

    def update_network_and_schools(self, tick: TickActivity, sessions: Sessions, received: np.ndarray) -> None:
        """ODD §3 step 5, in order: (a) each hub's moral capital from this tick's joint work, (b) each school's
        mean cross-school trust, (c) the schools' activity records, (d) permeability, heads' commitment and
        staff access, (e) teachers' effort, (f) heads' decisions to withdraw or rejoin, (g) stages; sharp
        moral-capital falls, withdrawals and stage changes are noted as events."""
        moral_before, stage_before = self.moral_capital.copy(), self.stage.copy()
        update_moral_capital(self, sessions)
        trust_s = school_trust(self)
        record_activity(self, tick)
        update_boundaries(self, trust_s)
        update_effort(self, sessions, tick.pressure)
        update_decisions(self, sessions, received, tick.contact)
        derive_stages(self)
        self._note_events(moral_before, stage_before)

    def member(self) -> np.ndarray:
        """Per school, 1.0 if it is in a network and has not withdrawn, else 0.0."""
        return (self.networked & ~self.withdrawn).astype(np.float64)

    def knowledge_accessed(self) -> np.ndarray:
        """Per school, the share of the building's best practice its staff draw on (ODD 7.15) [seed 003]."""
        return knowledge_accessed(self.knowledge, self.own_knowledge, self.drawn, self.n_schools,
                                  self.p.teachers_per_school)

    def collect(self) -> None:
        """Compute the reporters and let Mesa's DataCollector record them, every `collect_every` ticks."""
        if self.steps % self.p.collect_every == 0:
            self.metrics = compute_metrics(self)
            self.datacollector.collect(self)

    def _note_events(self, moral_before: np.ndarray, old_stage: np.ndarray) -> None:
        """Plain-language notes for the dashboard caption."""
        for h in np.flatnonzero(self.moral_capital < 0.9 * moral_before - 0.01):
            self.events.append((self.steps, f"moral capital fell sharply in hub {h + 1} "
                                            f"({moral_before[h]:.2f} -> {self.moral_capital[h]:.2f})"))
        moved = np.flatnonzero(self.stage != old_stage)
        for s in moved[:5]:
            self.events.append((self.steps, f"{self.school_agents[s].name} moved to "
                                            f"{Stage(self.stage[s]).label}"))
        if len(moved) > 5:
            self.events.append((self.steps, f"{len(moved) - 5} more schools changed stage"))

    # ----------------------------------------------------------------------------- views
    @property
    def last_activity(self) -> np.ndarray:
        """The activity code each link carried in the last tick (kept on the links, so new links start idle)."""
        return self.links.activity

    def timeseries(self) -> pd.DataFrame:
        """The collected reporters, one row per collection, with the tick of each (0, then every
        `collect_every` ticks)."""
        ts = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        ts.insert(0, "tick", np.arange(len(ts), dtype=np.int64) * int(self.p.collect_every))
        return ts

    def school_frame(self) -> pd.DataFrame:
        """One row per school for the current tick."""
        tps = self.p.teachers_per_school
        return pd.DataFrame({
            "school": np.arange(self.n_schools),
            "name": [s.name for s in self.school_agents],
            "hub": self.hub,
            "stage": self.stage.astype(int),
            "stage_name": np.array([st.label for st in Stage], dtype=object)[self.stage].tolist(),
            "permeability": self.permeability,
            "attainment": self.attainment,
            "value_added": self.value_added,
            "mean_knowledge": self.knowledge.reshape(self.n_schools, tps, 3).mean(axis=(1, 2)),
            "condoned_failure": self.condoned.copy(),
            "coasting": self.coasting.copy(),
            "commitment": self.commitment.copy(),
            "context": self.context,
        })

    def school_graph(self) -> nx.Graph:
        """Schools as nodes 0..n-1 (name, hub, stage); edges where staff are linked, weight = mean trust."""
        g = nx.Graph()
        for s in range(self.n_schools):
            g.add_node(s, name=self.school_agents[s].name, hub=int(self.hub[s]), stage=int(self.stage[s]))
        L, n_t = self.links, self.n_teachers
        teacher_pair = (L.kind != WITHIN) & (L.b < n_t)
        sa, sb = self.school_of[L.a[teacher_pair]], self.school_of[L.b[teacher_pair]]
        if len(sa):
            frame = pd.DataFrame({"s": np.minimum(sa, sb), "t": np.maximum(sa, sb),
                                  "trust": L.pair_trust()[teacher_pair]})
            pairs = frame.groupby(["s", "t"])["trust"].agg(["mean", "size"])
            s_of, t_of = pairs.index.get_level_values(0), pairs.index.get_level_values(1)
            g.add_edges_from((s, t, {"weight": w, "links": n}) for s, t, w, n in zip(
                s_of.tolist(), t_of.tolist(), pairs["mean"].astype(float).tolist(), pairs["size"].tolist()))
        return g

    def teacher_graph(self, school: int) -> nx.Graph:
        """One school's staff as nodes 0..k-1 (knowledge, role); within-school links with last activity."""
        tps = self.p.teachers_per_school
        first = school * tps
        g = nx.Graph()
        for i in range(tps):
            g.add_node(i, knowledge=float(self.knowledge[first + i].mean()), role=Role(self.role[first + i]).label)
        L = self.links
        mine = (L.kind == WITHIN) & (self.school_of[L.a] == school)
        for a, b, act in zip(L.a[mine], L.b[mine], self.last_activity[mine]):
            g.add_edge(int(a - first), int(b - first), activity=int(act))
        return g
