"""The model's own tick equals the plain-Python rule: `CLCModel.step()` against `reference.py`.

A real model is run some ticks into a run (every formation, interventions scheduled earlier), the state
the transfer step reads is copied before one more `step()`, and the tick's knowledge, trust and creation
are recomputed teacher by teacher with `reference.transfer_tick_reference` from that copy and the link
records the step wrote (layout `kernel.REC_*`). What `step()` left in the model must agree to 1e-12.
"""

import numpy as np
import pytest

from simulation.kernel import (COACHING, EXPERIENCE, INFORMATION, NONE, PROGRAMME, REC_INTENSITY, REC_VALIDITY,
                               REC_WILLINGNESS)
from simulation.model import CLCModel
from simulation.reference import transfer_tick_reference

#: (model keywords, interventions (tick, kind, schools), ticks run before the checked ticks); links are used
#: at the pre-calibration contact rate (0.3, ten times the calibrated one) so that every activity is checked
BUSY = dict(contact_rate=0.3)
CASES = {
    "voluntary+interventions": (dict(seed=3, n_schools=10, hub_size=5, **BUSY),
                                [(2, "immersion", [0]), (3, "expert_head_coach", [1]), (4, "peer_support", [2]),
                                 (5, "appoint_key_staff", [3]), (6, "defection", [4])], 30),
    "forced-random": (dict(seed=4, n_schools=8, formation="forced", link_policy="random",
                           high_challenge_strategy="interventionist", **BUSY), [(2, "family_of_schools", [0, 1])], 25),
    "brokered-direct": (dict(seed=5, n_schools=12, formation="brokered", link_policy="direct",
                             initial_permeability=0.5, trust_voluntary=0.7, **BUSY), [(3, "executive_move", [2])], 40),
    "none": (dict(seed=6, n_schools=4, formation="none", within_contact_base=0.5, **BUSY), [], 10),
}
CHECKED_TICKS = 3
ACTIVITIES_SEEN: set[int] = set()


def _kernel_inputs(m: CLCModel) -> dict:
    """Copies of everything the transfer step reads that the step itself may change."""
    L = m.links
    return dict(knowledge=m.node_knowledge.copy(), openness=m.node_openness.copy(), skill=m.node_skill.copy(),
                effort=m.node_effort.copy(), trust=L.trust.copy(), created_total=m.created_total)


def _reference_tick(m: CLCModel, before: dict) -> dict:
    """The tick recomputed by the plain-Python rule from `before` and the link records `step()` wrote."""
    L = m.links
    activity = L.activity                               # this tick's activity per link
    records = m.workspace.links                         # this tick's link records, valid where activity != NONE
    used = activity != NONE
    per_link = {name: np.where(used, records[:, col], 0.0) for name, col in
                (("intensity", REC_INTENSITY), ("validity", REC_VALIDITY), ("willingness", REC_WILLINGNESS))}
    n, arcs = len(before["knowledge"]), len(before["trust"])
    out = dict(new_knowledge=np.full((n, 3), np.nan), new_trust=np.full(arcs, np.nan), created=np.full(n, np.nan),
               received=np.full(arcs, np.nan))
    transfer_tick_reference(before["knowledge"], before["openness"], before["skill"], before["effort"], L.indptr,
                            L.giver, L.arc_link, before["trust"], activity, **per_link, rates=m.rates, coef=m.coef,
                            **out)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_step_equals_the_reference_rule(case):
    kw, schedule, warmup = CASES[case]
    m = CLCModel(**kw)
    for tick, kind, schools in schedule:
        m.schedule_intervention(tick, kind, schools)
    for _ in range(warmup):
        m.step()
    assert m.steps > max((t for t, _, _ in schedule), default=0)     # no intervention inside the checked ticks
    n_t, n_p = m.n_teachers, m.n_partners
    for _ in range(CHECKED_TICKS):
        before = _kernel_inputs(m)
        n_links = m.links.n_links
        m.step()
        assert m.links.n_links == n_links
        ref = _reference_tick(m, before)
        ACTIVITIES_SEEN.update(np.unique(m.links.activity).tolist())
        # teachers and partners: what step() left; programme nodes: the kernel's output before adoption (7.4)
        np.testing.assert_allclose(m.node_knowledge[:n_t + n_p], ref["new_knowledge"][:n_t + n_p], rtol=0, atol=1e-12)
        np.testing.assert_allclose(m.workspace.new_knowledge[n_t + n_p:], ref["new_knowledge"][n_t + n_p:],
                                   rtol=0, atol=1e-12)
        np.testing.assert_allclose(m.links.trust, ref["new_trust"], rtol=0, atol=1e-12)
        assert m.created_total - before["created_total"] == pytest.approx(ref["created"][:n_t].sum(), abs=1e-12)
        assert (m.links.activity != NONE).any()
        # the tick did something: knowledge moved
        assert np.abs(m.node_knowledge[:n_t] - before["knowledge"][:n_t]).max() > 0


def test_every_activity_was_checked():
    """The cases above, run first in this module, carry every activity the kernel treats differently."""
    if not ACTIVITIES_SEEN:
        for case in CASES:
            test_step_equals_the_reference_rule(case)
    assert {INFORMATION, EXPERIENCE, COACHING, PROGRAMME} <= ACTIVITIES_SEEN
