"""Teachers' discretionary effort as state: it follows what their work in the network is like [seed 002, 004].

Each week every teacher's effort e moves `effort_rate` of the way to a target:

    target = clip(d + effort_reciprocity * R - effort_one_way * O - effort_overload * P
                  + member * (effort_moral * (M - M0) + liberation_effect * canvas) - directive_penalty * imposed, 0, 1)
    R, O, P  = running means (weight 1 / memory_weeks) of: a reciprocated joint session this week (0/1), a session
               one-way against them or an unanswered offer this week (0/1), overload of the time budget ([0, 1])
    canvas   = 1 - exp(-(schools in the hub - 1) / liberation_scale)       (the wider professional canvas)

d is the teacher's disposition (drawn at the start, voluntarism and values alignment included), M the hub's
moral capital and M0 its starting value, member 1 for a school in a network that has not withdrawn, imposed 1
under an interventionist plan (lost autonomy). Effort then feeds contact (activities.py), reciprocity and so
trust (kernel.py), and moral capital (moral_capital.py): the loop of seed 002.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .sessions import Sessions


@njit(cache=True)
def _update(effort, disposition, rec_mem, low_mem, press_mem, reciprocated, let_down, pressure, school_of, member,
            hub, moral, canvas, imposed, moral_start, k_moral, k_canvas, k_imposed, w, rate, k_rec, k_low, k_press):
    """The school's part of the target first (member = `CLCModel.member`), then one pass over the teachers: the
    three running means, then effort toward its target (see module doc)."""
    lift = np.empty(len(member))
    for s in range(len(member)):
        lift[s] = member[s] * (k_moral * (moral[hub[s]] - moral_start) + k_canvas * canvas[s]) - k_imposed * imposed[s]
    for t in range(len(effort)):
        rec_mem[t] += w * (reciprocated[t] - rec_mem[t])
        low_mem[t] += w * (let_down[t] - low_mem[t])
        press_mem[t] += w * (pressure[t] - press_mem[t])
        target = disposition[t] + k_rec * rec_mem[t] - k_low * low_mem[t] - k_press * press_mem[t] + lift[school_of[t]]
        target = min(max(target, 0.0), 1.0)
        effort[t] += rate * (target - effort[t])


def canvas(m) -> np.ndarray:
    """Per school, the breadth of its professional canvas, 1 - exp(-(schools in the hub - 1) / liberation_scale)
    (fixed: hubs do not change)."""
    return 1.0 - np.exp(-(m.hub_size_of - 1) / m.p.liberation_scale)


def update_effort(m, sessions: Sessions, pressure: np.ndarray) -> None:
    """ODD §3 step 5 (7.18): every teacher's effort after this week's sessions and time pressure."""
    p = m.p
    _update(m.effort, m.disposition, m.memory_reciprocated, m.memory_let_down, m.memory_pressure,
            sessions.reciprocated, sessions.let_down, pressure, m.school_of, m.member(), m.hub,
            m.moral_capital, m.canvas, m.imposed, p.initial_moral_capital, p.effort_moral, p.liberation_effect,
            p.directive_penalty, 1.0 / p.memory_weeks, p.effort_rate, p.effort_reciprocity, p.effort_one_way,
            p.effort_overload)
