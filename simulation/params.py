"""Every model parameter in one table: default, unit, allowed range and the seed passage it comes from.

This table is the single source of truth: `CLCModel` validates its keywords against it, the
scenario schema and the dashboard controls are generated from it, and `docs/ODD.md` quotes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


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

    @property
    def kind(self) -> type:
        return type(self.default)

    def allowed(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind is bool:
            return "true or false"
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} in [{self.lo}, {self.hi}]"

    def check(self, value: Any) -> Any:
        """Return `value` coerced to this parameter's type, or raise ValueError naming the problem."""
        bad = ValueError(f"parameter {self.name!r} = {value!r} is not allowed: expected {self.allowed()}")
        if self.choices is not None:
            if value not in self.choices:
                raise bad
            return value
        if self.kind is bool:
            if not isinstance(value, bool):
                raise bad
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad                                    # NaN and infinities fail here
        if self.kind is int:
            if float(value) != int(value):
                raise bad
            value = int(value)
        else:
            value = float(value)
        if not (self.lo <= value <= self.hi):
            raise bad
        return value


FORMATIONS = ("none", "voluntary", "forced", "brokered")
LINK_POLICIES = ("chain", "direct", "random")
HIGH_CHALLENGE_STRATEGIES = ("none", "peer_support", "interventionist")

_P = [
    # --- size and structure -------------------------------------------------------------
    Param("n_schools", 8, "number of schools in the system", "schools", 1, 50000, group="structure"),
    Param("teachers_per_school", 20, "staff per school, headteacher included", "teachers", 3, 200,
          group="structure"),
    Param("middle_leader_share", 0.15, "share of a school's staff who are middle leaders", "fraction",
          0.0, 0.5, group="structure"),
    Param("hub_size", 12, "schools per hub; a system larger than this is nested into hubs [seed 003, 001]",
          "schools", 2, 50000, group="structure"),
    Param("formation", "voluntary", "how the network formed: none (isolated schools), voluntary, forced, "
          "brokered [seed 004 truths 1-3, less-known 2]", choices=FORMATIONS, group="structure"),
    Param("link_policy", "chain", "how learning links are brokered: chain of small steps, direct from the "
          "best, random [seed 002]", choices=LINK_POLICIES, group="structure"),
    Param("within_links", 2, "learning links per teacher to colleagues in the same school [seed 003]",
          "links", 0, 10, group="structure"),
    Param("cross_links", 2, "learning links per teacher to teachers of other schools in the network",
          "links", 0, 10, group="structure"),
    Param("inter_hub_share", 0.05, "share of cross-school links that reach another hub (sparser links "
          "between hubs) [seed 003]", "fraction", 0.0, 1.0, group="structure"),
    Param("chain_step", 0.08, "target knowledge step ahead for a chain link", "knowledge", 0.0, 0.5,
          group="structure"),
    Param("partners_per_hub", 1, "external partners (university, industry, charity) per hub [seed 001]",
          "partners", 0, 10, group="structure"),
    Param("partner_link_share", 0.3, "share of teachers with a link to their hub's external partner",
          "fraction", 0.0, 1.0, group="structure"),
    Param("partner_engagement_size", 10, "schools a hub needs before an external partner engages with all "
          "of it: engaging ten schools one by one is hard, one network makes sense [seed 004 insight 6]",
          "schools", 1, 1000, group="structure"),
    Param("partner_skill", 0.7, "an external partner's capacity to share its research", "fraction", 0.0, 1.0,
          group="structure"),
    Param("partner_knowledge", 0.85, "knowledge of an external partner in its research areas", "knowledge",
          0.0, 1.0, group="structure"),
    Param("voluntary_pool_factor", 3.0, "a voluntary network self-selects its members from a pool this "
          "many times its size, on shared values [seed 004 truth 2]", "x", 1.0, 10.0, group="structure"),
    Param("values_dim", 3, "length of each school's values/aspirations vector [seed 004]", "-", 1, 10,
          group="structure"),

    # --- initialisation -----------------------------------------------------------------
    Param("quality_mean", 0.42, "mean historical quality of a school (mean teacher knowledge)", "knowledge",
          0.05, 0.95, group="initialisation"),
    Param("quality_sd", 0.06, "spread of historical quality between schools", "knowledge", 0.0, 0.3,
          group="initialisation"),
    Param("context_effect", 0.10, "how much a school's disadvantage lowers its historical quality",
          "knowledge", 0.0, 0.5, group="initialisation"),
    Param("within_school_sd", 0.11, "spread of teacher knowledge inside a school, so that the best teacher "
          "is well ahead of the mean [seed 003]", "knowledge", 0.0, 0.3, group="initialisation"),
    Param("leader_bonus", 0.12, "extra leadership knowledge of heads and middle leaders", "knowledge",
          0.0, 0.5, group="initialisation"),
    Param("commitment_mean", 0.7, "mean headteacher commitment to the network [seed 004 less-known 4]",
          "fraction", 0.0, 1.0, group="initialisation"),
    Param("resistant_head_share", 0.0, "share of schools whose head resists active commitment "
          "[seed 004 less-known 4]", "fraction", 0.0, 1.0, group="initialisation"),
    Param("resistant_commitment", 0.2, "commitment of a resistant head", "fraction", 0.0, 1.0,
          group="initialisation"),
    Param("condoned_failure_share", 0.0, "share of schools that start in condoned failure [seed 000]",
          "fraction", 0.0, 1.0, group="initialisation"),
    Param("openness_mean", 0.7, "mean teacher openness to outside evidence", "fraction", 0.0, 1.0,
          group="initialisation"),
    Param("sharing_skill_mean", 0.5, "mean teacher capacity to share practice [seed 002]", "fraction",
          0.0, 1.0, group="initialisation"),
    Param("effort_mean", 0.6, "mean teacher discretionary effort [seed 004 truth 1, insight 1]",
          "fraction", 0.0, 1.0, group="initialisation"),
    Param("initial_permeability", 0.05, "school boundary permeability at the start (hard boundary)",
          "fraction", 0.0, 1.0, group="initialisation"),
    Param("initial_moral_capital", 0.2, "network moral capital at the start [seed 002]", "fraction",
          0.0, 1.0, group="initialisation"),
    Param("trust_voluntary", 0.45, "mean initial trust on cross-school links of a voluntary network "
          "(prior relationships) [seed 004 truth 1]", "fraction", 0.0, 1.0, group="initialisation"),
    Param("trust_forced", 0.2, "mean initial trust on cross-school links of a forced network",
          "fraction", 0.0, 1.0, group="initialisation"),
    Param("trust_sd_forced", 0.12, "spread of initial trust in a forced network (more varied)",
          "fraction", 0.0, 0.5, group="initialisation"),
    Param("poor_history_share", 0.2, "share of school pairs in a forced network with a poor collaborative "
          "history (trust near zero) [seed 004 truth 2]", "fraction", 0.0, 1.0, group="initialisation"),
    Param("trust_within", 0.5, "initial trust between colleagues in one school", "fraction", 0.0, 1.0,
          group="initialisation"),
    Param("trust_partner", 0.4, "initial trust of teachers in an external partner", "fraction", 0.0, 1.0,
          group="initialisation"),
    Param("brokering_effectiveness", 0.6, "how much of voluntarism brokering restores, between forced (0) "
          "and voluntary (1) [seed 004 less-known 2]", "fraction", 0.0, 1.0, group="initialisation"),
    Param("facilitator_share", 0.5, "share of schools with a facilitator for staff learning [seed 002]",
          "fraction", 0.0, 1.0, group="initialisation"),
    Param("staff_skill_boost", 0.0, "Outstanding Teacher Programme: sharing skill added to each school's "
          "best teachers at the start [seed 002]", "fraction", 0.0, 1.0, group="initialisation"),

    # --- learning activities and transfer (the kernel) -----------------------------------
    Param("rate_information", 0.005, "transfer rate of information (cheap, no trust) [seed 000]", "1/tick",
          0.0, 1.0, group="transfer"),
    Param("rate_experience", 0.015, "transfer rate of experience: visits and shared practice [seed 000]",
          "1/tick", 0.0, 1.0, group="transfer"),
    Param("rate_coaching", 0.03, "transfer rate of coaching and mentoring [seed 000, 001]", "1/tick",
          0.0, 1.0, group="transfer"),
    Param("information_validity", 0.8, "probability a piece of information is valid; invalid information "
          "misleads [seed 000]", "probability", 0.0, 1.0, group="transfer"),
    Param("tourism_factor", 0.1, "share of experience transferred when trust is below the experience "
          "threshold: a tourist visit [seed 000]", "fraction", 0.0, 1.0, group="transfer"),
    Param("trust_experience", 0.3, "trust needed for experience to be more than tourism", "fraction",
          0.0, 1.0, group="transfer"),
    Param("trust_coaching", 0.45, "trust needed before coaching and mentoring happen", "fraction", 0.0, 1.0,
          group="transfer"),
    Param("coach_skill_min", 0.4, "sharing skill a coach needs [seed 002]", "fraction", 0.0, 1.0,
          group="transfer"),
    Param("gap_scale", 0.1, "gap x0 at which transfer peaks: g(x) = (x/x0) exp(1 - x/x0) [seed 002]",
          "knowledge", 0.01, 1.0, group="transfer"),
    Param("creation_rate", 0.0015, "knowledge creation rate of joint work between trusting peers "
          "[seed 004 less-known 6]", "1/tick", 0.0, 0.5, group="transfer"),
    Param("creation_gap_scale", 0.05, "how similar partners must be to create knowledge together: "
          "exp(-gap/scale)", "knowledge", 0.001, 1.0, group="transfer"),
    Param("trust_creation", 0.4, "trust needed for joint enquiry to create knowledge", "fraction",
          0.0, 1.0, group="transfer"),
    Param("contact_rate", 0.3, "chance per tick that a fully open, committed link is used", "probability",
          0.0, 1.0, group="transfer"),
    Param("within_contact_base", 0.03, "share of within-school contact that happens without the network's "
          "systematic approach (isolated schools share little) [seed 000]", "fraction", 0.0, 1.0,
          group="transfer"),
    Param("visit_permeability", 0.15, "boundary permeability from which a school makes visits", "fraction",
          0.0, 1.0, group="transfer"),
    Param("programme_rate", 0.005, "transfer rate from the network's shared programme [seed 001]",
          "1/tick", 0.0, 1.0, group="transfer"),
    Param("adoption_rate", 0.2, "share of a proven innovation's lead adopted into the shared programme per "
          "tick [seed 001]", "1/tick", 0.0, 1.0, group="transfer"),

    # --- trust and moral capital ---------------------------------------------------------
    Param("trust_gain", 0.05, "trust gained per tick of reciprocated joint work [seed 004 insight 4]",
          "1/tick", 0.0, 1.0, group="trust"),
    Param("trust_decay", 0.0005, "trust lost per tick without contact", "1/tick", 0.0, 1.0, group="trust"),
    Param("trust_loss", 0.15, "trust lost per tick when sharing is one-way", "1/tick", 0.0, 1.0,
          group="trust"),
    Param("reciprocity_threshold", 0.5, "effort ratio below which a link counts as one-way", "fraction",
          0.0, 1.0, group="trust"),
    Param("moral_gain", 0.012, "moral capital gained per tick at full reciprocity and commitment: slow "
          "[seed 002]", "1/tick", 0.0, 1.0, group="trust"),
    Param("moral_loss", 0.25, "moral capital lost per tick per unit share of one-way links: fast "
          "[seed 002]", "1/tick", 0.0, 1.0, group="trust"),
    Param("defection_penalty", 0.4, "share of moral capital lost at once when a school defects [seed 002]",
          "fraction", 0.0, 1.0, group="trust"),
    Param("moral_sharing_floor", 0.3, "willingness to share across schools at zero moral capital",
          "fraction", 0.0, 1.0, group="trust"),
    Param("liberation_effect", 1.0, "extra activity from working with a wider, more diverse set of schools, at "
          "its largest; 'liberation from context' motivates [seed 004 insight 7]", "x", 0.0, 5.0, group="trust"),
    Param("liberation_scale", 5.0, "other schools in the hub at which liberation reaches 63 % of its effect",
          "schools", 0.1, 1000.0, group="trust"),
    Param("alignment_effect", 0.5, "how much values alignment raises effort and initial trust "
          "[seed 004 truth 2]", "fraction", 0.0, 1.0, group="trust"),
    Param("voluntarism_effort", 0.3, "extra discretionary effort in a voluntary network [seed 004 truth 1]",
          "fraction", 0.0, 1.0, group="trust"),

    # --- organisational capital and cost -------------------------------------------------
    Param("staff_learning_time", 2.0, "dedicated staff-learning time [seed 002]", "hours/teacher/week",
          0.0, 10.0, group="capacity"),
    Param("facilitator_efficiency", 1.5, "multiplier on staff-learning time where a facilitator works "
          "[seed 002]", "x", 1.0, 3.0, group="capacity"),
    Param("network_facilitator", True, "whether the network employs a facilitator [seed 002]", group="capacity"),
    Param("facilitator_saving", 0.5, "share of coordination cost a network facilitator saves [seed 002]",
          "fraction", 0.0, 1.0, group="capacity"),
    Param("teaching_hours", 22.0, "weekly teaching hours of a teacher", "hours/week", 1.0, 40.0,
          group="capacity"),
    Param("max_coaching_share", 0.1, "largest share of teaching time a teacher may give to network "
          "activity: student learning has priority [seed 002]", "fraction", 0.0, 0.5, group="capacity"),
    Param("cost_information", 0.2, "time one information exchange takes", "hours", 0.0, 10.0,
          group="capacity"),
    Param("cost_experience", 1.0, "time one visit or practice-sharing session takes", "hours", 0.0, 10.0,
          group="capacity"),
    Param("cost_coaching", 1.5, "time one coaching session takes", "hours", 0.0, 10.0, group="capacity"),
    Param("newness_overhead", 6.0, "extra cost of cross-school joint work before ways of working settle, "
          "as a multiple of its cost [seed 004 insight 10]", "x", 0.0, 10.0, group="capacity"),
    Param("joint_work_scale", 3.0, "joint work per teacher in a hub after which the newness overhead has "
          "fallen by e", "sessions", 0.1, 1000.0, group="capacity"),
    Param("coordination_cost", 0.12, "communication cost per teacher per other school in the hub "
          "[seed 004 less-known 3, 7]", "hours/week/school", 0.0, 2.0, group="capacity"),

    # --- schools: heads, permeability, stages, outcomes ----------------------------------
    Param("unlearning_rate", 0.01, "rate at which heads' commitment rises with trust and moral capital "
          "[seed 004 less-known 5]", "1/tick", 0.0, 1.0, group="schools"),
    Param("resistant_unlearning", 0.2, "resistant heads unlearn this fraction as fast", "fraction",
          0.0, 1.0, group="schools"),
    Param("permeability_rate", 0.03, "rate at which a school's boundary softens with trust, moral capital "
          "and commitment [seed 000]", "1/tick", 0.0, 1.0, group="schools"),
    Param("permeability_decay", 0.002, "rate at which an unused boundary hardens again", "1/tick", 0.0, 1.0,
          group="schools"),
    Param("activity_memory", 0.1, "weight of this tick in a school's running activity record", "fraction",
          0.001, 1.0, group="schools"),
    Param("engagement_permeability", 0.35, "permeability from which a school can be in Engagement",
          "fraction", 0.0, 1.0, group="schools"),
    Param("integration_permeability", 0.6, "permeability from which a school can be in Integration "
          "(transparent boundary)", "fraction", 0.0, 1.0, group="schools"),
    Param("initiation_activity", 0.05, "share of staff in outward activity (information, visits) for "
          "Initiation", "fraction", 0.0, 1.0, group="schools"),
    Param("integration_partner_activity", 0.02, "share of staff working with external partners for "
          "Integration", "fraction", 0.0, 1.0, group="schools"),
    Param("innovation_threshold", 1e-4, "knowledge a teacher must create in a tick for it to count as an "
          "innovation the programme can adopt [seed 001]", "knowledge", 0.0, 1.0, group="transfer"),
    Param("engagement_coaching", 0.1, "share of staff in coaching for Engagement (systematic coaching)",
          "fraction", 0.0, 1.0, group="schools"),
    Param("condoned_openness", 0.2, "openness multiplier of staff in a condoned-failure school [seed 000]",
          "fraction", 0.0, 1.0, group="schools"),
    Param("coasting_entrenchment", 0.5, "how much less a coasting school's openness responds to "
          "interventions [seed 000]", "fraction", 0.0, 1.0, group="schools"),
    Param("attainment_response", 0.1, "share of the gap to current teaching quality that attainment closes "
          "per tick", "1/tick", 0.0, 1.0, group="schools"),
    Param("time_cost_attainment", 1.0, "attainment lost per unit share of teaching time taken by network "
          "activity [seed 002]", "attainment", 0.0, 5.0, group="schools"),
    Param("high_challenge_context", 0.7, "disadvantage above which a school is high-challenge", "fraction",
          0.0, 1.0, group="schools"),
    Param("high_challenge_strategy", "none", "support for high-challenge schools from tick 0 "
          "[seed 004 insight 8]", choices=HIGH_CHALLENGE_STRATEGIES, group="schools"),

    Param("attainment_base", 0.25, "attainment of a school whose staff know nothing, before context",
          "attainment", 0.0, 1.0, group="outcomes"),
    Param("attainment_teaching", 0.7, "attainment per unit of mean teaching-and-learning knowledge "
          "[seed 001, 003]", "attainment", 0.0, 2.0, group="outcomes"),
    Param("attainment_leadership", 0.2, "attainment per unit of leadership knowledge (head and staff)",
          "attainment", 0.0, 2.0, group="outcomes"),
    Param("attainment_context", 0.25, "attainment lost per unit of disadvantage", "attainment", 0.0, 2.0,
          group="outcomes"),

    # --- interventions ---------------------------------------------------------------------
    Param("intervention_openness", 0.5, "share of the gap to normal openness an intervention closes "
          "[seed 000]", "fraction", 0.0, 1.0, group="interventions"),
    Param("intervention_trust", 0.6, "initial trust on links an intervention creates", "fraction", 0.0, 1.0,
          group="interventions"),
    Param("intervention_staff_share", 0.35, "share of a school's staff an intervention links to others",
          "fraction", 0.0, 1.0, group="interventions"),
    Param("key_staff_count", 2, "staff appointed from a successful school [seed 000]", "teachers", 0, 20,
          group="interventions"),
    Param("directive_boost", 0.04, "leadership knowledge an interventionist improvement plan adds at once "
          "[seed 004 insight 8]", "knowledge", 0.0, 0.5, group="interventions"),
    Param("directive_penalty", 0.3, "share of trust, effort and openness an interventionist strategy costs "
          "[seed 004 insight 8]", "fraction", 0.0, 1.0, group="interventions"),

    # --- run -------------------------------------------------------------------------------
    Param("collect_every", 1, "ticks between data collections", "ticks", 1, 1000, group="run"),
]

PARAMS: dict[str, Param] = {p.name: p for p in _P}
DEFAULTS: dict[str, Any] = {p.name: p.default for p in _P}


def resolve(overrides: dict[str, Any]) -> dict[str, Any]:
    """Defaults updated with `overrides`, each checked; unknown names raise ValueError with the closest."""
    import difflib

    out = dict(DEFAULTS)
    for name, value in overrides.items():
        if name not in PARAMS:
            close = difflib.get_close_matches(name, PARAMS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown parameter {name!r}{hint}")
        out[name] = PARAMS[name].check(value)
    return out
