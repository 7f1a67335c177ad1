"""Every model parameter in one table: default, unit, allowed range and the seed passage it comes from.

The table is the typed class `Params`: one annotated field per parameter, its default and its
documentation side by side. A model reads `p.trust_gain` (a misspelt name is an AttributeError, and
a linter or type checker flags it before anything runs); `PARAMS` (name -> `Param`) is derived from
the same fields, so the scenario schema, the dashboard controls and `docs/ODD.md` quote one table.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping


@dataclass(frozen=True)
class Param:
    """One model parameter: a default, its unit, its allowed range (or choices) and why it exists."""

    name: str
    default: Any
    doc: str
    unit: str = "-"
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    group: str = "general"
    #: the plausible range (lo, hi), inside the allowed one and around the default: the prior of a calibration
    #: and the space sweeps and sensitivity analysis sample by default; None for run control (see EXEMPT)
    plausible: tuple[float, float] | None = None
    #: why the plausible range is what it is: a source, a seed passage, a physical bound or "uncertain: wide"
    why: str = ""

    @property
    def kind(self) -> type:
        return type(self.default)

    def sampling_range(self, ranges: str = "plausible") -> tuple[float, float]:
        """The (lo, hi) a sweep or sensitivity analysis samples when no range is given: the plausible range
        (`ranges="plausible"`, the default; the allowed range where a parameter has none) or the allowed one."""
        if ranges not in RANGE_SOURCES:
            raise ValueError(f"ranges = {ranges!r}: expected one of {', '.join(RANGE_SOURCES)}")
        if self.choices is not None or self.kind is bool:
            raise ValueError(f"parameter {self.name!r} takes {self.allowed()}: it has no numeric range")
        if ranges == "plausible" and self.plausible is not None:
            return self.plausible
        return (self.lo, self.hi)

    def plausible_text(self) -> str:
        """The plausible range in words ("[0.1, 0.4]"), or "" where there is none."""
        if self.plausible is None:
            return ""
        return f"[{self.plausible[0]!r}, {self.plausible[1]!r}]"

    def allowed(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} in [{self.lo}, {self.hi}]"

    def check(self, value: Any) -> Any:
        """Return `value` coerced to this parameter's type, or raise ValueError naming the problem."""
        long_int = isinstance(value, int) and abs(value) >= 10**40      # repr of the longest ints is refused
        shown = f"an integer of {value.bit_length()} bits" if long_int else repr(value)
        bad = ValueError(f"parameter {self.name!r} = {shown} is not allowed: expected {self.allowed()}")
        if self.choices is not None:
            if value not in self.choices:
                raise bad
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                raise bad
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad
        if isinstance(value, float) and not math.isfinite(value):
            raise bad                                    # NaN and infinities fail here
        if self.kind is int:
            if isinstance(value, float):                 # an int is whole however long: no float round trip
                if not value.is_integer():
                    raise bad
                value = int(value)
        else:
            if abs(value) > 1e300:                       # beyond any range, and past what a float holds
                raise bad
            value = float(value)
        if not (self.lo <= value <= self.hi):
            raise bad
        return value


FORMATIONS = ("none", "voluntary", "forced", "brokered")
LINK_POLICIES = ("chain", "direct", "random")
HIGH_CHALLENGE_STRATEGIES = ("none", "peer_support", "interventionist")

#: where a sweep or sensitivity analysis takes a parameter's range when the sweep file names the parameter
#: without one: its plausible range (the default) or its allowed range (`--ranges allowed`)
RANGE_SOURCES = ("plausible", "allowed")


def param(default: Any, doc: str, unit: str = "-", lo: float | None = None, hi: float | None = None,
          choices: tuple[str, ...] | None = None, group: str = "general",
          plausible: tuple[float, float] | None = None, why: str = "") -> Any:
    """A field of `Params`: its default, and its `Param` description (without the name) as metadata;
    `plausible` is the (lo, hi) the evidence or the seeds make plausible and `why` says why in one line."""
    return field(default=default, metadata=dict(doc=doc, unit=unit, lo=lo, hi=hi, choices=choices, group=group,
                                                plausible=plausible, why=why))


@dataclass(frozen=True, slots=True)
class Params:
    """Every model parameter, resolved and checked (make one with `resolve`); frozen: a run's parameters
    never change under it."""

    # --- size and structure -------------------------------------------------------------
    n_schools: int = param(8, "number of schools in the system", "schools", 1, 50000, group="structure",
        plausible=(2, 40), why="federations of 2 (88 % of them, Muijs et al. 2010) to the largest Networked Learning "
            "Communities, 40 (CALIBRATION_TARGETS 5); larger systems are swept explicitly")
    teachers_per_school: int = param(20, "staff per school, headteacher included", "teachers", 3, 200,
        group="structure",
        plausible=(8, 80), why="uncertain: a small primary (about 8 teachers) to a large secondary (about 80)")
    middle_leader_share: float = param(0.15, "share of a school's staff who are middle leaders", "fraction",
        0.0, 0.5, group="structure",
        plausible=(0.05, 0.3), why="uncertain: wide")
    hub_size: int = param(12, "schools per hub; a system larger than this is nested into hubs [seed 003, 001]",
        "schools", 2, 50000, group="structure",
        plausible=(3, 12), why="EEF partnership clusters 3-7, Challenge Partners about 10 a hub (CALIBRATION_TARGETS "
            "5), ideal 5-12 [seed 004 less-known 7]")
    formation: str = param("voluntary", "how the network formed: none (isolated schools), voluntary, forced, "
        "brokered [seed 004 truths 1-3, less-known 2]", choices=FORMATIONS, group="structure")
    link_policy: str = param("chain", "how learning links are brokered: chain of small steps, direct from the "
        "best, random [seed 002]", choices=LINK_POLICIES, group="structure")
    within_links: int = param(2, "learning links per teacher to colleagues in the same school [seed 003]",
        "links", 0, 10, group="structure",
        plausible=(1, 5), why="uncertain: most teachers discuss pupils (61 %) or exchange materials (47 %) with a "
            "few colleagues (TALIS 2018, CALIBRATION_TARGETS 3)")
    cross_links: int = param(2, "learning links per teacher to teachers of other schools in the network",
        "links", 0, 10, group="structure",
        plausible=(1, 4), why="uncertain: 44 % of teachers learn through peers or networks in a year (TALIS 2018, "
            "CALIBRATION_TARGETS 3)")
    inter_hub_share: float = param(0.05, "share of cross-school links that reach another hub (sparser links "
        "between hubs) [seed 003]", "fraction", 0.0, 1.0, group="structure",
        plausible=(0.0, 0.2), why="uncertain: links between hubs are sparser than within [seed 003]")
    chain_step: float = param(0.08, "target knowledge step ahead for a chain link", "knowledge", 0.0, 0.5,
        group="structure",
        plausible=(0.03, 0.2), why="uncertain: small links in the chain of learning [seed 002], about the gap at "
            "which transfer peaks")
    partners_per_hub: int = param(1, "external partners (university, industry, charity) per hub [seed 001]",
        "partners", 0, 10, group="structure",
        plausible=(0, 2), why="none to a university and an industry partner or charity per hub [seed 001]")
    partner_link_share: float = param(0.3, "share of teachers with a link to their hub's external partner",
        "fraction", 0.0, 1.0, group="structure",
        plausible=(0.1, 0.6), why="uncertain: wide")
    partner_engagement_size: int = param(10, "schools a hub needs before an external partner engages with all "
        "of it: engaging ten schools one by one is hard, one network makes sense [seed 004 insight 6]",
        "schools", 1, 1000, group="structure",
        plausible=(5, 20), why="uncertain: engaging ten schools one by one is hard, one network makes sense [seed "
            "004 insight 6]")
    partner_skill: float = param(0.7, "an external partner's capacity to share its research", "fraction", 0.0, 1.0,
        group="structure",
        plausible=(0.4, 0.9), why="uncertain: wide")
    partner_knowledge: float = param(0.85, "knowledge of an external partner in its research areas", "knowledge",
        0.0, 1.0, group="structure",
        plausible=(0.6, 1.0), why="uncertain: a partner is ahead of most schools in its research areas [seed 001]")
    voluntary_pool_factor: float = param(3.0, "a voluntary network self-selects its members from a pool this "
        "many times its size, on shared values [seed 004 truth 2]", "x", 1.0, 10.0, group="structure",
        plausible=(1.5, 6.0), why="uncertain: wide")
    values_dim: int = param(3, "length of each school's values/aspirations vector [seed 004]", "-", 1, 10,
        group="structure",
        plausible=(2, 5), why="uncertain: wide")

    # --- initialisation -----------------------------------------------------------------
    quality_mean: float = param(0.42, "mean historical quality of a school (mean teacher knowledge)", "knowledge",
        0.05, 0.95, group="initialisation",
        plausible=(0.3, 0.55), why="uncertain: room to learn and to fall; attainment stays inside its bounds")
    quality_sd: float = param(0.06, "spread of historical quality between schools", "knowledge", 0.0, 0.3,
        group="initialisation",
        plausible=(0.03, 0.12), why="uncertain: between-school differences smaller than within (CALIBRATION_TARGETS "
            "4)")
    context_effect: float = param(0.10, "how much a school's disadvantage lowers its historical quality",
        "knowledge", 0.0, 0.5, group="initialisation",
        plausible=(0.03, 0.2), why="uncertain: wide")
    within_school_sd: float = param(0.11, "spread of teacher knowledge inside a school, so that the best teacher "
        "is well ahead of the mean [seed 003]", "knowledge", 0.0, 0.3, group="initialisation",
        plausible=(0.06, 0.18), why="uncertain: teacher differences within a school are large (Slater, Davies & "
            "Burgess 2012; CALIBRATION_TARGETS 4)")
    leader_bonus: float = param(0.12, "extra leadership knowledge of heads and middle leaders", "knowledge",
        0.0, 0.5, group="initialisation",
        plausible=(0.04, 0.25), why="uncertain: wide")
    commitment_mean: float = param(0.7, "mean headteacher commitment to the network [seed 004 less-known 4]",
        "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.4, 0.9), why="uncertain: heads' active advocacy varies [seed 004 less-known 4]")
    resistant_head_share: float = param(0.0, "share of schools whose head resists active commitment "
        "[seed 004 less-known 4]", "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.0, 0.3), why="uncertain: some heads resist active commitment [seed 004 less-known 4]")
    resistant_commitment: float = param(0.2, "commitment of a resistant head", "fraction", 0.0, 1.0,
        group="initialisation",
        plausible=(0.05, 0.4), why="uncertain: wide")
    condoned_failure_share: float = param(0.0, "share of schools that start in condoned failure [seed 000]",
        "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.0, 0.25), why="uncertain: some schools at stage one reject the evidence [seed 000]")
    openness_mean: float = param(0.7, "mean teacher openness to outside evidence", "fraction", 0.0, 1.0,
        group="initialisation",
        plausible=(0.4, 0.9), why="uncertain: wide")
    sharing_skill_mean: float = param(0.5, "mean teacher capacity to share practice [seed 002]", "fraction",
        0.0, 1.0, group="initialisation",
        plausible=(0.3, 0.7), why="uncertain: key staff are often not practised at sharing [seed 002]")
    effort_mean: float = param(0.6, "mean teacher discretionary effort [seed 004 truth 1, insight 1]",
        "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.4, 0.8), why="uncertain: wide")
    initial_permeability: float = param(0.05, "school boundary permeability at the start (hard boundary)",
        "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.0, 0.12), why="a hard boundary at Isolation [seed 000], below the visit threshold")
    initial_moral_capital: float = param(0.2, "network moral capital at the start [seed 002]", "fraction",
        0.0, 1.0, group="initialisation",
        plausible=(0.05, 0.4), why="uncertain: moral capital is hard earned [seed 002]")
    trust_voluntary: float = param(0.45, "mean initial trust on cross-school links of a voluntary network "
        "(prior relationships) [seed 004 truth 1]", "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.3, 0.6), why="uncertain: prior relationships, more trust than forced [seed 004 truth 1]")
    trust_forced: float = param(0.2, "mean initial trust on cross-school links of a forced network",
        "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.05, 0.3), why="uncertain: low-trust relationships, below voluntary [seed 004 truth 2]")
    trust_sd_forced: float = param(0.12, "spread of initial trust in a forced network (more varied)",
        "fraction", 0.0, 0.5, group="initialisation",
        plausible=(0.05, 0.2), why="uncertain: wide")
    poor_history_share: float = param(0.2, "share of school pairs in a forced network with a poor collaborative "
        "history (trust near zero) [seed 004 truth 2]", "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.05, 0.4), why="uncertain: localities may have poor collaborative histories [seed 004 truth 2]")
    trust_within: float = param(0.5, "initial trust between colleagues in one school", "fraction", 0.0, 1.0,
        group="initialisation",
        plausible=(0.3, 0.7), why="uncertain: wide")
    trust_partner: float = param(0.4, "initial trust of teachers in an external partner", "fraction", 0.0, 1.0,
        group="initialisation",
        plausible=(0.2, 0.6), why="uncertain: wide")
    brokering_effectiveness: float = param(0.6, "how much of voluntarism brokering restores, between forced (0) "
        "and voluntary (1) [seed 004 less-known 2]", "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.3, 0.9), why="uncertain: voluntarism can be brokered, partly [seed 004 less-known 2]")
    facilitator_share: float = param(0.5, "share of schools with a facilitator for staff learning [seed 002]",
        "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.2, 0.8), why="uncertain: wide")
    staff_skill_boost: float = param(0.0, "Outstanding Teacher Programme: sharing skill added to each school's "
        "best teachers at the start [seed 002]", "fraction", 0.0, 1.0, group="initialisation",
        plausible=(0.0, 0.3), why="uncertain: the Outstanding Teacher Programme's size of effect is not given [seed "
            "002]")

    # --- learning activities and transfer (the kernel) -----------------------------------
    rate_information: float = param(0.00234, "transfer rate of information (cheap, no trust) [seed 000]", "1/tick",
        0.0, 1.0, group="transfer",
        plausible=(0.0015, 0.02), why="uncertain: wide")
    rate_experience: float = param(0.00821, "transfer rate of experience: visits and shared practice [seed 000]",
        "1/tick", 0.0, 1.0, group="transfer",
        plausible=(0.005, 0.05), why="uncertain: wide")
    rate_coaching: float = param(0.0955, "transfer rate of coaching and mentoring [seed 000, 001]", "1/tick",
        0.0, 1.0, group="transfer",
        plausible=(0.01, 0.1), why="uncertain: wide; coaching moves practice most (Kraft, Blazar & Hogan 2018: 0.49 "
            "SD on instruction)")
    information_validity: float = param(0.8, "probability a piece of information is valid; invalid information "
        "misleads [seed 000]", "probability", 0.0, 1.0, group="transfer",
        plausible=(0.6, 0.95), why="information of varying degrees of validity [seed 000]; uncertain")
    tourism_factor: float = param(0.1, "share of experience transferred when trust is below the experience "
        "threshold: a tourist visit [seed 000]", "fraction", 0.0, 1.0, group="transfer",
        plausible=(0.03, 0.3), why="uncertain: wide")
    trust_experience: float = param(0.3, "trust needed for experience to be more than tourism", "fraction",
        0.0, 1.0, group="transfer",
        plausible=(0.15, 0.45), why="uncertain: wide")
    trust_coaching: float = param(0.45, "trust needed before coaching and mentoring happen", "fraction", 0.0, 1.0,
        group="transfer",
        plausible=(0.3, 0.6), why="uncertain: coaching needs more trust than visits [seed 000]")
    coach_skill_min: float = param(0.4, "sharing skill a coach needs [seed 002]", "fraction", 0.0, 1.0,
        group="transfer",
        plausible=(0.2, 0.6), why="uncertain: wide")
    gap_scale: float = param(0.1, "gap x0 at which transfer peaks: g(x) = (x/x0) exp(1 - x/x0) [seed 002]",
        "knowledge", 0.01, 1.0, group="transfer",
        plausible=(0.04, 0.25), why="uncertain: the gap in practice can be too much to bridge in one link [seed 002]")
    creation_rate: float = param(0.000648, "knowledge creation rate of joint work between trusting peers "
        "[seed 004 less-known 6]", "1/tick", 0.0, 0.5, group="transfer",
        plausible=(0.0005, 0.005), why="uncertain: wide")
    creation_gap_scale: float = param(0.05, "how similar partners must be to create knowledge together: "
        "exp(-gap/scale)", "knowledge", 0.001, 1.0, group="transfer",
        plausible=(0.02, 0.15), why="uncertain: wide")
    trust_creation: float = param(0.4, "trust needed for joint enquiry to create knowledge", "fraction",
        0.0, 1.0, group="transfer",
        plausible=(0.25, 0.55), why="uncertain: wide")
    contact_rate: float = param(0.0277, "chance per tick that a fully open, committed link is used", "probability",
        0.0, 1.0, group="transfer",
        plausible=(0.01, 0.6), why="few teachers observe colleagues even monthly (9 %, TALIS 2018; "
            "CALIBRATION_TARGETS 3): at 0.1 the model's monthly joint-work share is 43 %, so the evidence reaches "
            "down to about 0.02; the top is a session every two weeks")
    within_contact_base: float = param(0.134, "colleague contact of a school with no dedicated staff-learning time, as "
        "a share of a fully resourced school's: own house first, whether or not it is in a network [seed 003]",
        "fraction", 0.0, 1.0, group="transfer",
        plausible=(0.1, 0.6), why="uncertain: colleagues learn from each other without dedicated time too [seed 003]")
    org_full_hours: float = param(3.0, "dedicated staff-learning hours (facilitator included) at which colleagues "
        "share as much as a school's culture allows [seed 002]", "hours/teacher/week", 0.1, 1000.0,
        group="transfer",
        plausible=(1.0, 8.0), why="uncertain: an hour to a working day of staff learning a week (physical bound)")
    visit_permeability: float = param(0.15, "boundary permeability from which a school makes visits", "fraction",
        0.0, 1.0, group="transfer",
        plausible=(0.08, 0.3), why="uncertain: wide")
    programme_rate: float = param(0.005, "transfer rate from the network's shared programme [seed 001]",
        "1/tick", 0.0, 1.0, group="transfer",
        plausible=(0.0015, 0.02), why="uncertain: wide")
    adoption_rate: float = param(0.2, "share of a proven innovation's lead adopted into the shared programme per "
        "tick [seed 001]", "1/tick", 0.0, 1.0, group="transfer",
        plausible=(0.05, 0.5), why="uncertain: wide")

    # --- trust and moral capital ---------------------------------------------------------
    trust_gain: float = param(0.0961, "trust gained per tick of reciprocated joint work [seed 004 insight 4]",
        "1/tick", 0.0, 1.0, group="trust",
        plausible=(0.015, 0.15), why="uncertain: wide; quality joint work builds trust [seed 004 insight 4]")
    trust_decay: float = param(0.0005, "trust lost per tick without contact", "1/tick", 0.0, 1.0, group="trust",
        plausible=(0.00015, 0.002), why="uncertain: wide")
    trust_loss: float = param(0.15, "trust lost per tick when sharing is one-way", "1/tick", 0.0, 1.0,
        group="trust",
        plausible=(0.05, 0.4), why="uncertain: wide; one-way sharing is a cul de sac [seed 002]")
    reciprocity_threshold: float = param(0.5, "effort ratio below which a link counts as one-way", "fraction",
        0.0, 1.0, group="trust",
        plausible=(0.3, 0.7), why="uncertain: wide")
    moral_gain: float = param(0.00493, "moral capital gained per tick at full reciprocity and commitment: slow "
        "[seed 002]", "1/tick", 0.0, 1.0, group="trust",
        plausible=(0.004, 0.04), why="moral capital is hard earned [seed 002]: slower than it is lost")
    moral_loss: float = param(0.25, "moral capital lost per tick per unit share of one-way links: fast "
        "[seed 002]", "1/tick", 0.0, 1.0, group="trust",
        plausible=(0.08, 0.6), why="moral capital is quickly lost [seed 002]")
    moral_sharing_floor: float = param(0.3, "willingness to share across schools at zero moral capital",
        "fraction", 0.0, 1.0, group="trust",
        plausible=(0.1, 0.6), why="uncertain: wide")
    liberation_effect: float = param(0.1, "discretionary effort added by the widest professional canvas: working "
        "with a wider, more diverse set of schools motivates ('liberation from context') [seed 004 insight 7]",
        "effort", 0.0, 1.0, group="effort",
        plausible=(0.03, 0.3), why="uncertain: wide")
    liberation_scale: float = param(5.0, "other schools in the hub at which the canvas reaches 63 % of its effect",
        "schools", 0.1, 1000.0, group="effort",
        plausible=(2.0, 12.0), why="the ideal network of 5-12 schools [seed 004 less-known 7]; uncertain")
    alignment_effect: float = param(0.5, "how much values alignment raises effort and initial trust "
        "[seed 004 truth 2]", "fraction", 0.0, 1.0, group="trust",
        plausible=(0.2, 0.8), why="uncertain: wide")
    voluntarism_effort: float = param(0.3, "extra discretionary effort in a voluntary network [seed 004 truth 1]",
        "fraction", 0.0, 1.0, group="trust",
        plausible=(0.1, 0.5), why="uncertain: wide")

    # --- discretionary effort: state, moved each tick (effort.py) ---------------------------
    effort_rate: float = param(0.05, "share of the gap to its current target a teacher's effort closes per week",
        "1/tick", 0.0, 1.0, group="effort",
        plausible=(0.015, 0.15), why="uncertain: wide")
    effort_reciprocity: float = param(0.1, "effort added by reciprocated joint work (at one reciprocated session "
        "every week) [seed 004 insight 3]", "effort", 0.0, 1.0, group="effort",
        plausible=(0.03, 0.3), why="uncertain: wide")
    effort_one_way: float = param(0.3, "effort lost to one-way experiences: giving and getting nothing back, or "
        "offers to a withdrawn school (at one every week) [seed 002]", "effort", 0.0, 1.0, group="effort",
        plausible=(0.1, 0.6), why="uncertain: wide")
    effort_moral: float = param(0.2, "effort added per unit of the hub's moral capital above its starting level "
        "[seed 002, 004 insight 1]", "effort", 0.0, 1.0, group="effort",
        plausible=(0.05, 0.5), why="uncertain: wide")
    effort_overload: float = param(0.2, "effort lost when the week's demand exceeds the dedicated time (at twice "
        "the budget) [seed 002]", "effort", 0.0, 1.0, group="effort",
        plausible=(0.05, 0.5), why="uncertain: wide")

    # --- heads' decisions: withdraw from the network and rejoin (decisions.py) ------------
    memory_weeks: float = param(13.0, "weeks over which teachers remember their sessions and heads what the "
        "network gave and cost (running means with weight 1/memory; 13 = a term)", "weeks", 1.0, 1000.0,
        group="decisions",
        plausible=(6.0, 39.0), why="half a term to a school year")
    commitment_weeks: int = param(188, "weeks a school stays in after joining or rejoining before its head "
        "reconsiders (calibrated: close to five school years, longer than a programme's usual three; uncertain)", "weeks", 0, 100000,
        group="decisions",
        plausible=(39, 195), why="one to five school years; implementation takes the first 2-3 years (Fullan 2001, "
            "CALIBRATION_TARGETS 1)")
    gain_horizon: float = param(200.0, "weeks of teaching over which a head counts the attainment that knowledge "
        "gained from the network will bring (five school years, a teacher's likely stay; uncertain)", "weeks",
        0.0, 1000.0, group="decisions",
        plausible=(78.0, 390.0), why="two to ten school years of a teacher's stay; uncertain")
    betrayal_tolerance: float = param(0.3, "share of its staff's network sessions turning out one-way (remembered) "
        "that a head tolerates before withdrawing [seed 002]", "fraction", 0.0, 1.0, group="decisions",
        plausible=(0.1, 0.6), why="uncertain: wide")
    reconsider_weeks: int = param(39, "weeks a withdrawn school stays out before its head reconsiders rejoining",
        "weeks", 1, 100000, group="decisions",
        plausible=(13, 117), why="a term to three school years; uncertain")

    # --- organisational capital and cost -------------------------------------------------
    staff_learning_time: float = param(2.0, "dedicated staff-learning time [seed 002]", "hours/teacher/week",
        0.0, 10.0, group="capacity",
        plausible=(0.5, 4.0), why="uncertain: half an hour to half a day a week (physical bound)")
    facilitator_efficiency: float = param(1.5, "multiplier on staff-learning time where a facilitator works "
        "[seed 002]", "x", 1.0, 3.0, group="capacity",
        plausible=(1.1, 2.5), why="uncertain: wide")
    network_facilitator: bool = param(True, "whether the network employs a facilitator [seed 002]", group="capacity")
    facilitator_saving: float = param(0.5, "share of coordination cost a network facilitator saves [seed 002]",
        "fraction", 0.0, 1.0, group="capacity",
        plausible=(0.2, 0.8), why="uncertain: wide")
    teaching_hours: float = param(22.0, "weekly teaching hours of a teacher", "hours/week", 1.0, 40.0,
        group="capacity",
        plausible=(16.0, 28.0), why="a full-time teacher's contact hours a week (physical bound); uncertain")
    max_coaching_share: float = param(0.168, "largest share of teaching time a teacher may give to network "
        "activity: student learning has priority [seed 002]", "fraction", 0.0, 0.5, group="capacity",
        plausible=(0.05, 0.2), why="student learning must take priority [seed 002]")
    cost_information: float = param(0.2, "time one information exchange takes", "hours", 0.0, 10.0,
        group="capacity",
        plausible=(0.05, 0.5), why="minutes to half an hour per exchange (physical bound)")
    cost_experience: float = param(1.0, "time one visit or practice-sharing session takes", "hours", 0.0, 10.0,
        group="capacity",
        plausible=(0.5, 3.0), why="an hour's session to half a day's visit (physical bound)")
    cost_coaching: float = param(1.5, "time one coaching session takes", "hours", 0.0, 10.0, group="capacity",
        plausible=(0.75, 3.0), why="a coaching conversation to a coached lesson and debrief (physical bound)")
    newness_overhead: float = param(4.14, "extra cost of cross-school joint work before ways of working settle, "
        "as a multiple of its cost [seed 004 insight 10]", "x", 0.0, 10.0, group="capacity",
        plausible=(2.0, 10.0), why="high early transaction cost of new ways of working [seed 004 insight 10]; "
            "uncertain")
    joint_work_scale: float = param(3.0, "joint work per teacher in a hub after which the newness overhead has "
        "fallen by e", "sessions", 0.1, 1000.0, group="capacity",
        plausible=(1.0, 10.0), why="uncertain: wide")
    coordination_cost: float = param(0.0831, "communication cost per teacher per other school in the hub "
        "[seed 004 less-known 3, 7]", "hours/week/school", 0.0, 2.0, group="capacity",
        plausible=(0.04, 0.4), why="uncertain: communication cost grows with network size [seed 004 less-known 3, 7]")

    # --- schools: heads, permeability, stages, outcomes ----------------------------------
    unlearning_rate: float = param(0.01, "rate at which heads' commitment rises with trust and moral capital "
        "[seed 004 less-known 5]", "1/tick", 0.0, 1.0, group="schools",
        plausible=(0.003, 0.03), why="uncertain: wide")
    resistant_unlearning: float = param(0.2, "resistant heads unlearn this fraction as fast", "fraction",
        0.0, 1.0, group="schools",
        plausible=(0.05, 0.5), why="uncertain: wide")
    permeability_rate: float = param(0.03, "rate at which a school's boundary softens with trust, moral capital "
        "and commitment [seed 000]", "1/tick", 0.0, 1.0, group="schools",
        plausible=(0.01, 0.1), why="uncertain: wide")
    permeability_decay: float = param(0.002, "rate at which an unused boundary hardens again", "1/tick", 0.0, 1.0,
        group="schools",
        plausible=(0.0005, 0.008), why="uncertain: wide")
    activity_memory: float = param(0.1, "weight of this tick in a school's running activity record", "fraction",
        0.001, 1.0, group="schools",
        plausible=(0.03, 0.3), why="a few weeks to a term of memory (physical: weekly ticks)")
    engagement_permeability: float = param(0.35, "permeability from which a school can be in Engagement",
        "fraction", 0.0, 1.0, group="schools",
        plausible=(0.25, 0.5), why="uncertain: between the visit and integration thresholds")
    integration_permeability: float = param(0.6, "permeability from which a school can be in Integration "
        "(transparent boundary)", "fraction", 0.0, 1.0, group="schools",
        plausible=(0.5, 0.8), why="uncertain: a transparent boundary [seed 000], above engagement's")
    initiation_activity: float = param(0.05, "share of staff in outward activity (information, visits) for "
        "Initiation", "fraction", 0.0, 1.0, group="schools",
        plausible=(0.02, 0.15), why="uncertain: wide")
    integration_partner_activity: float = param(0.02, "share of staff working with external partners for "
        "Integration", "fraction", 0.0, 1.0, group="schools",
        plausible=(0.005, 0.06), why="uncertain: wide")
    innovation_threshold: float = param(1e-4, "knowledge a teacher must create in a tick for it to count as an "
        "innovation the programme can adopt [seed 001]", "knowledge", 0.0, 1.0, group="transfer",
        plausible=(3e-05, 0.0003), why="uncertain: wide")
    engagement_coaching: float = param(0.1, "share of staff in coaching for Engagement (systematic coaching)",
        "fraction", 0.0, 1.0, group="schools",
        plausible=(0.05, 0.2), why="uncertain: 13-19 % of teachers have a mentor (TALIS 2013; CALIBRATION_TARGETS 3)")
    condoned_openness: float = param(0.2, "openness multiplier of staff in a condoned-failure school [seed 000]",
        "fraction", 0.0, 1.0, group="schools",
        plausible=(0.05, 0.4), why="uncertain: condoned failure is a hard barrier [seed 000]")
    coasting_entrenchment: float = param(0.5, "how much less a coasting school's openness responds to "
        "interventions [seed 000]", "fraction", 0.0, 1.0, group="schools",
        plausible=(0.2, 0.8), why="uncertain: more entrenched in coasting schools [seed 000]")
    attainment_response: float = param(0.0847, "share of the gap to current teaching quality that attainment closes "
        "per tick", "1/tick", 0.0, 1.0, group="schools",
        plausible=(0.03, 0.3), why="uncertain: gains appear within months to 2-4 years (Fullan 2001; Chapman & Muijs "
            "2014)")
    time_cost_attainment: float = param(2.08, "attainment lost per unit share of teaching time taken by network "
        "activity [seed 002]", "attainment", 0.0, 5.0, group="schools",
        plausible=(0.3, 3.0), why="uncertain: wide")
    high_challenge_context: float = param(0.7, "disadvantage above which a school is high-challenge", "fraction",
        0.0, 1.0, group="schools",
        plausible=(0.5, 0.85), why="uncertain: wide")
    high_challenge_strategy: str = param("none", "support for high-challenge schools from tick 0 "
        "[seed 004 insight 8]", choices=HIGH_CHALLENGE_STRATEGIES, group="schools")

    attainment_base: float = param(0.25, "attainment of a school whose staff know nothing, before context",
        "attainment", 0.0, 1.0, group="outcomes",
        plausible=(0.15, 0.35), why="uncertain: attainment stays inside its bounds")
    attainment_teaching: float = param(0.404, "attainment per unit of mean teaching-and-learning knowledge "
        "[seed 001, 003]", "attainment", 0.0, 2.0, group="outcomes",
        plausible=(0.4, 0.9), why="implied teacher effect 0.25-0.42 pupil SD at England's between-school share (at "
            "least 0.25: Slater, Davies & Burgess 2012); beyond 0.9 good schools pin at attainment 1")
    attainment_leadership: float = param(0.2, "attainment per unit of leadership knowledge (head and staff)",
        "attainment", 0.0, 2.0, group="outcomes",
        plausible=(0.05, 0.4), why="uncertain: wide")
    attainment_context: float = param(0.25, "attainment lost per unit of disadvantage", "attainment", 0.0, 2.0,
        group="outcomes",
        plausible=(0.1, 0.4), why="uncertain: wide")
    between_school_share: float = param(0.15, "share of pupil attainment variance that lies between schools: sets "
        "the pupil standard deviation, SD_pupil = SD_between / sqrt(share) (England's Progress 8 about 0.15; OECD "
        "average about 0.4; CALIBRATION_TARGETS.md 4)", "fraction", 0.01, 0.9, group="outcomes",
        plausible=(0.1, 0.4), why="England's Progress 8 about 0.15, OECD (PISA) average about 0.4 "
            "(CALIBRATION_TARGETS 4)")

    # --- interventions ---------------------------------------------------------------------
    intervention_openness: float = param(0.5, "share of the gap to normal openness an intervention closes "
        "[seed 000]", "fraction", 0.0, 1.0, group="interventions",
        plausible=(0.2, 0.8), why="uncertain: wide")
    intervention_trust: float = param(0.6, "initial trust on links an intervention creates", "fraction", 0.0, 1.0,
        group="interventions",
        plausible=(0.4, 0.8), why="uncertain: wide")
    intervention_staff_share: float = param(0.35, "share of a school's staff an intervention links to others",
        "fraction", 0.0, 1.0, group="interventions",
        plausible=(0.15, 0.6), why="uncertain: wide")
    key_staff_count: int = param(2, "staff appointed from a successful school [seed 000]", "teachers", 0, 20,
        group="interventions",
        plausible=(1, 4), why="a few key staff who succeeded elsewhere [seed 000]; uncertain")
    directive_boost: float = param(0.04, "leadership knowledge an interventionist improvement plan adds at once "
        "[seed 004 insight 8]", "knowledge", 0.0, 0.5, group="interventions",
        plausible=(0.01, 0.1), why="uncertain: wide")
    directive_penalty: float = param(0.3, "discretionary effort lost by staff of a school under an imposed plan "
        "(lost autonomy), through the effort rule [seed 004 insight 8]", "effort", 0.0, 1.0,
        group="interventions",
        plausible=(0.1, 0.5), why="uncertain: lost autonomy [seed 004 insight 8]")

    # --- run -------------------------------------------------------------------------------
    collect_every: int = param(1, "ticks between data collections", "ticks", 1, 1000, group="run")

    def as_dict(self) -> dict[str, Any]:
        """name -> value, in table order."""
        return {name: getattr(self, name) for name in PARAMS}

    def __getitem__(self, name: str) -> Any:
        """Deprecated dict-style access (`p["trust_gain"]`, from when `model.p` was a dict); use `p.trust_gain`."""
        warnings.warn(f"model.p[{name!r}] is deprecated: use model.p.{name}", DeprecationWarning, stacklevel=2)
        return getattr(self, name)


PARAMS: dict[str, Param] = {f.name: Param(f.name, f.default, **f.metadata) for f in fields(Params)}
DEFAULTS: dict[str, Any] = {name: p.default for name, p in PARAMS.items()}
DEFAULT_PARAMS = Params()

#: numeric parameters without a plausible range, and why: a sweep naming one without a range samples its
#: allowed range
NO_PLAUSIBLE: dict[str, str] = {
    "collect_every": "run control: how often reporters are recorded, not a property of schools; it changes "
                     "what is kept, never what happens",
}

#: parameters that no longer exist: a scenario may still name them; they are ignored with a DeprecationWarning
RETIRED: dict[str, str] = {
    "defection_penalty": "moral capital is no longer cut by a constant when a school defects; a defection is a "
                         "head's withdrawal and moral capital falls through the one-way work it leaves (ODD 7.7, 7.18)",
}


def resolve(overrides: Mapping[str, Any] | None = None) -> Params:
    """The defaults updated with `overrides`, each checked by the one validation path
    (`simulation.validation.check_param`: unknown names get the closest, bad values field, value and
    what is allowed)."""
    from .validation import check_param

    checked = {name: check_param(name, value, where="") for name, value in (overrides or {}).items()}
    return replace(DEFAULT_PARAMS, **{name: v for name, v in checked.items() if name not in RETIRED})
