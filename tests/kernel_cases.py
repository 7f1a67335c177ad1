"""Random kernel inputs shared by the kernel tests: the whole input of one tick on a random network."""

import numpy as np

from simulation.kernel import COACHING, EXPERIENCE, INFORMATION, NONE, PROGRAMME, kernel_coefficients
from simulation.links import CROSS, LinkSet
from simulation.params import DEFAULTS, Params


def random_case(seed: int, n: int, n_links: int, params: dict | None = None, areas: int = 3):
    """Random nodes, links, activities and parameters: the kernel's whole input (knowledge in `areas` areas)."""
    rng = np.random.default_rng(seed)
    p = dict(DEFAULTS)
    if params is None:   # random parameter draw, including extreme rates and thresholds
        for name in ("rate_information", "rate_experience", "rate_coaching", "programme_rate", "tourism_factor",
                     "trust_experience", "creation_rate", "trust_creation", "trust_gain", "trust_decay",
                     "trust_loss", "reciprocity_threshold"):
            p[name] = float(rng.uniform(0.0, 0.5))
        p["gap_scale"] = float(rng.uniform(0.02, 0.5))
        p["creation_gap_scale"] = float(rng.uniform(0.01, 0.5))
    else:
        p.update(params)
    links = LinkSet(n)
    a = rng.integers(0, n, n_links)
    b = rng.integers(0, n, n_links)
    keep = a != b
    links.add(a[keep], b[keep], CROSS, rng.random(keep.sum()), rng.random(keep.sum()))
    m = links.n_links
    rates, coef = kernel_coefficients(Params(**p))
    inputs = dict(
        knowledge=rng.random((n, areas)), openness=rng.random(n), skill=rng.random(n),
        effort=np.where(rng.random(n) < 0.1, 0.0, rng.random(n)),
        indptr=links.indptr, giver=links.giver, arc_link=links.arc_link, trust=links.trust,
        activity=rng.choice(np.array([NONE, INFORMATION, EXPERIENCE, COACHING, PROGRAMME], np.int8), m),
        intensity=rng.random(m), validity=np.where(rng.random(m) < 0.8, 1.0, -1.0),
        willingness=rng.random(m), rates=rates, coef=coef)
    return inputs


def run(fn, inputs):
    n, m = inputs["knowledge"].shape[0], len(inputs["trust"])
    out = dict(new_knowledge=np.full(inputs["knowledge"].shape, np.nan), new_trust=np.full(m, np.nan),
               created=np.full(n, np.nan), received=np.full(m, np.nan))
    fn(**inputs, **out)
    return out
