"""Fingerprint fixed-seed model runs: one hash per case of every number the model keeps.

    python scripts/fingerprint.py            # print one line per case
    python scripts/fingerprint.py --check    # compare with scripts/fingerprints.txt; exit 1 on a difference

An optimisation or refactoring that must not change any result (a faster kernel, a fused pass) leaves
every line the same; a change of the science refreshes scripts/fingerprints.txt in a commit of its own.
Only the model's own numbers are hashed (series, state arrays, events, the model's generator): not Mesa's
agent ids or Mesa's `random`, which are Mesa's business and differ between Mesa versions. The cases cover the serial and parallel paths (the last one forces every parallel
threshold to 0), scheduled interventions, each formation and link policy, and sparse collection.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = {
    "default+interventions": (dict(seed=1), 60,
                              [(5, "immersion", [0]), (10, "expert_head_coach", [1]), (20, "defection", [2])]),
    "forced-random-100": (dict(seed=2, n_schools=100, formation="forced", link_policy="random"), 30, []),
    "direct-300": (dict(seed=3, n_schools=300, link_policy="direct"), 20, [(3, "peer_support", [7])]),
    "brokered-2000x21": (dict(seed=4, n_schools=2000, teachers_per_school=21, formation="brokered"), 15, []),
    "collect-every-5": (dict(seed=5, n_schools=50, collect_every=5), 40, []),
}


def fingerprint(kw: dict, ticks: int, schedule: list) -> str:
    """sha256 over the collected series and the model's state arrays after `ticks` ticks."""
    from simulation.model import CLCModel

    m = CLCModel(**kw)
    for tick, kind, schools in schedule:
        m.schedule_intervention(tick, kind, schools)
    for _ in range(ticks):
        m.step()
    h = hashlib.sha256()
    h.update(m.datacollector.get_model_vars_dataframe().to_csv().encode())
    for arr in (m.node_knowledge, m.links.trust, m.links.joint_work, m.attainment, m.permeability,
                m.commitment, m.stage, m.moral_capital, m.last_activity):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(repr(list(m.events)).encode())
    h.update(repr(m.generator.random()).encode())
    return h.hexdigest()[:16]


STORED = Path(__file__).with_name("fingerprints.txt")


def lines() -> list[str]:
    """One `case hash` line per case, the last with every parallel threshold forced to 0."""
    import simulation.activities as activities
    import simulation.kernel as kernel
    import simulation.schools as schools

    out = []
    for name, (kw, ticks, schedule) in CASES.items():
        out.append(f"{name:24s} {fingerprint(kw, ticks, schedule)}")
        print(out[-1], flush=True)
    kernel.PARALLEL_MIN_ARCS = activities.PARALLEL_MIN_LINKS = activities.PARALLEL_MIN_CONTACTS = 0
    schools.PARALLEL_MIN_SIZE = 0
    kw, ticks, schedule = CASES["direct-300"]
    out.append(f"{'direct-300, all parallel':24s} {fingerprint(kw, ticks, schedule)}")
    print(out[-1], flush=True)
    return out


def main(argv: list[str]) -> int:
    got = lines()
    if "--check" not in argv:
        return 0
    want = STORED.read_text().splitlines()
    if got != want:
        print(f"fingerprints differ from {STORED.name}:", *want, sep="\n", file=sys.stderr)
        return 1
    print(f"fingerprints equal to {STORED.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
