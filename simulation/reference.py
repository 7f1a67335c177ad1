"""Plain-Python reference of the transfer kernel, teacher by teacher: the oracle the numba kernel is tested against.

It walks the same arcs in the same order with Python floats and `math`, so the two must agree to
rounding. It is slow on purpose: nothing here is compiled or vectorised.
"""

from __future__ import annotations

import math

from .kernel import (C_CREATION_GAP, C_CREATION_RATE, C_GAP_SCALE, C_RECIPROCITY, C_TOURISM,
                     C_TRUST_CREATION, C_TRUST_DECAY, C_TRUST_EXPERIENCE, C_TRUST_GAIN, C_TRUST_LOSS,
                     COACHING, EXPERIENCE, INFORMATION, NONE, PROGRAMME)


def gap_response(gap: float, x0: float) -> float:
    """g(x) = (x/x0) exp(1 - x/x0), the absorptive-capacity hump."""
    return (gap / x0) * math.exp(1.0 - gap / x0)


def transfer_tick_reference(knowledge, openness, skill, effort, indptr, giver, arc_link, trust, activity,
                            intensity, validity, willingness, rates, coef, new_knowledge, new_trust,
                            created, received):
    """Same signature and outputs as `kernel.transfer_tick`, one teacher at a time."""
    k = knowledge.tolist()
    n_areas = len(k[0]) if k else 0
    for i in range(len(k)):
        me = k[i]
        gain = [0.0] * n_areas
        ceiling = list(me)
        create = [0.0] * n_areas
        for arc in range(int(indptr[i]), int(indptr[i + 1])):
            j = int(giver[arc])
            link = int(arc_link[arc])
            act = int(activity[link])
            t = float(trust[arc])
            if act == NONE:
                new_trust[arc] = t - coef[C_TRUST_DECAY] * t
                received[arc] = 0.0
                continue
            w = float(intensity[link]) * float(willingness[link])
            if act == INFORMATION:
                factor = float(validity[link])
            elif act == PROGRAMME:
                factor = 1.0
            elif act == EXPERIENCE and t < coef[C_TRUST_EXPERIENCE]:
                factor = coef[C_TOURISM] * t
            else:
                factor = t
            base = rates[act] * factor * float(openness[i]) * float(skill[j]) * w
            flow = 0.0
            other = k[j]
            for a in range(n_areas):
                gap = other[a] - me[a]
                if gap > 0.0:
                    d = base * gap_response(gap, coef[C_GAP_SCALE])
                    gain[a] += d
                    flow += abs(d)
                    ceiling[a] = max(ceiling[a], other[a])
            received[arc] = flow
            joint = act in (EXPERIENCE, COACHING)
            if joint and t >= coef[C_TRUST_CREATION]:
                for a in range(n_areas):
                    gap = abs(other[a] - me[a])
                    create[a] += coef[C_CREATION_RATE] * t * w * math.exp(-gap / coef[C_CREATION_GAP])
            if joint:
                i_gave = any(me[a] > other[a] for a in range(n_areas))     # i was ahead somewhere: j could take
                let_down = i_gave and effort[i] > 0.0 and float(effort[j]) / float(effort[i]) < coef[C_RECIPROCITY]
                if let_down:
                    t = t - coef[C_TRUST_LOSS] * t
                else:
                    t = t + coef[C_TRUST_GAIN] * float(intensity[link]) * (1.0 - t)
            else:
                t = t - coef[C_TRUST_DECAY] * t
            new_trust[arc] = t
        total = 0.0
        for a in range(n_areas):
            v = min(me[a] + gain[a], ceiling[a])
            v = max(v, 0.0)
            grown = (1.0 - v) * (1.0 - math.exp(-create[a]))
            total += grown
            new_knowledge[i, a] = v + grown
        created[i] = total
