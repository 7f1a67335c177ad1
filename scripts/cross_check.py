"""The same seed gives the same numbers on every supported interpreter and Mesa version.

    python scripts/cross_check.py dump a.npz          # under one interpreter (say Python 3.11, Mesa 3.3.1)
    python scripts/cross_check.py dump b.npz          # under another (say Python 3.12, Mesa 3.5)
    python scripts/cross_check.py compare a.npz b.npz # exit 1 on any difference

`dump` runs the fixed-seed cases of `scripts/fingerprint.py` and saves, per case, the model's state
arrays and every collected reporter series. `compare` requires the state arrays to be bitwise equal
(the model draws only from its own generator, seeded from the seed alone) and the reporter series to
agree to 1e-12: a reporter is a NumPy reduction (a mean over schools), and NumPy releases may sum in
another order, which moves the last bit (seen: 9e-17 in `mean_value_added`, NumPy 2.4 against 2.5).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fingerprint import CASES  # noqa: E402  (scripts/ is on sys.path when this file is run)

SERIES_ATOL = 1e-12
STATE = ("node_knowledge", "attainment", "permeability", "commitment", "stage", "moral_capital")


def dump(path: str) -> None:
    """Run every case and save its state arrays and reporter series (and the versions) to `path`."""
    import mesa

    from simulation.model import CLCModel

    out = {"versions": np.array([sys.version.split()[0], mesa.__version__, np.__version__])}
    for name, (kw, ticks, schedule) in CASES.items():
        m = CLCModel(**kw)
        for tick, kind, schools in schedule:
            m.schedule_intervention(tick, kind, schools)
        for _ in range(ticks):
            m.step()
        for attr in STATE:
            out[f"{name}/state/{attr}"] = np.asarray(getattr(m, attr))
        out[f"{name}/state/trust"] = m.links.trust
        out[f"{name}/state/next_draw"] = np.array([m.generator.random()])
        for column, values in m.timeseries().items():
            out[f"{name}/series/{column}"] = values.to_numpy(dtype=float)
    np.savez_compressed(path, **out)
    print(f"wrote {path}: {len(CASES)} cases on Python {out['versions'][0]}, Mesa {out['versions'][1]}, "
          f"NumPy {out['versions'][2]}")


def compare(path_a: str, path_b: str) -> int:
    """0 when the state is bitwise equal and the series agree to SERIES_ATOL; else 1, listing the differences."""
    a, b = np.load(path_a), np.load(path_b)
    print("comparing", " / ".join(a["versions"]), "with", " / ".join(b["versions"]))
    problems = sorted(set(a.files) ^ set(b.files))
    worst = 0.0
    for key in sorted(set(a.files) & set(b.files) - {"versions"}):
        x, y = a[key], b[key]
        if x.shape != y.shape:
            problems.append(f"{key}: shape {x.shape} vs {y.shape}")
        elif "/state/" in key and not np.array_equal(x, y):
            problems.append(f"{key}: state differs (max {np.max(np.abs(x - y)):.3g})")
        elif "/series/" in key:
            diff = float(np.max(np.abs(x - y), initial=0.0))
            worst = max(worst, diff)
            if not diff <= SERIES_ATOL:
                problems.append(f"{key}: series differ by {diff:.3g} (allowed {SERIES_ATOL:g})")
    for p in problems:
        print("DIFFERENT", p)
    print(f"{'different' if problems else 'same'}: state bitwise equal: {not any('state' in p for p in problems)}; "
          f"largest series difference {worst:.3g}")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "dump":
        dump(argv[1])
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
