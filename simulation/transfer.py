"""ODD §3 step 3: knowledge moves and is created along the links in use, and trust updates, on the model's arrays.

The arithmetic is the compiled kernel (`kernel.transfer_tick_records`, equal to the plain-Python rule of
`reference.py`); this module feeds it the model's arrays and this tick's link records, and applies its
outputs. The update is synchronous: every node reads the knowledge and trust of the start of the step.
"""

from __future__ import annotations

import numpy as np

from .activities import TickActivity
from .outcomes import record_drawn


def transfer_knowledge(m, tick: TickActivity) -> tuple[np.ndarray, np.ndarray]:
    """Run the kernel over every arc; the new knowledge and trust replace the old. Returns (the knowledge each
    node created this tick ([n_nodes], in [0, 3]), the knowledge moved through each arc (the kernel's buffer,
    valid until the next tick)); the model's running total of teachers' creation grows, and each teacher's
    record of knowledge drawn from colleagues (`outcomes.record_drawn`)."""
    L, ws = m.links, m.workspace
    new_knowledge, new_trust, created, received = ws.run_records(
        m.node_knowledge, m.node_openness, m.node_skill, m.node_effort, L.indptr, L.giver, L.arc_link, L.trust,
        tick.arc_activity, m.rates, m.coef)
    record_drawn(m, ws.colleague_share, new_knowledge)
    m.node_knowledge[:] = new_knowledge
    L.trust, ws.new_trust = new_trust, L.trust          # swap: the old array is next tick's output buffer
    m.created_total += float(created[:m.n_teachers].sum())
    return created, received
