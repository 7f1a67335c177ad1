"""Docking (Axtell et al. 1996) with Cowan & Jonard (2004): barter knowledge exchange on Watts-Strogatz networks.

The project's own transfer kernel (`simulation.kernel.transfer_tick_serial`, the same per-node arithmetic as
the model's) is configured to reproduce the barter model: N agents on a ring lattice of degree n, rewired
with probability p; each has knowledge in K categories drawn uniformly; at each meeting of two neighbours a
trade happens only if each knows more than the other in some category (double coincidence of wants), and
then each gains, in every category where the other is ahead, alpha times the difference (alpha: absorptive
capacity). The kernel gives that when trust = openness = skill = effort = 1, there is no creation and no trust
dynamics, and the gap response g(x) = (x/x0) exp(1 - x/x0) is made linear (x0 >> 1, rate = alpha x0 / e).
Meetings are a random set of node-disjoint neighbour pairs per tick (so each trade is a pairwise exchange, as
in the original's sequential meetings). Long-run mean knowledge is measured when no trade moves knowledge by
more than a tolerance, and compared across p with Cowan & Jonard's headline: maximal in the small-world region
(about 10 % rewired), lowest for the regular lattice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import Result, new_figure

NAME = "docking"
TITLE = "Docking: the transfer kernel against Cowan & Jonard (2004)"
PATTERN = ("Cowan & Jonard (2004, JEDC 28): in barter knowledge exchange on Watts-Strogatz networks, long-run mean "
           "knowledge is highest in the small-world region (about 10 % of links rewired) and lowest for the regular "
           "lattice.")
DEPENDS = ("the kernel's transfer rule (gap_response, ceiling); no CLC parameter",)
X0 = 1.0e4                       # gap scale making g(x) linear on [0, 1] to within 1e-4


def runs(quick: bool, seeds: int) -> int:
    """Barter economies run: rewiring levels x (seeds at alpha 0.5 + up to 4 seeds at each other alpha)."""
    n_p, alphas, s = (5, 1, min(seeds, 3)) if quick else (10, 3, min(seeds, 8))
    return n_p * (s + (alphas - 1) * min(s, 4))


def build(n: int, k: int, p: float, rng: np.random.Generator):
    """CSR arcs by receiver for a Watts-Strogatz graph (networkx, seeded from `rng`)."""
    import networkx as nx

    g = nx.watts_strogatz_graph(n, k, p, seed=int(rng.integers(2**31)))
    edges = np.array(g.edges(), dtype=np.int64).reshape(-1, 2)
    a, b = edges[:, 0], edges[:, 1]
    receiver = np.concatenate([a, b])
    giver = np.concatenate([b, a])
    link = np.concatenate([np.arange(len(a)), np.arange(len(a))])
    order = np.argsort(receiver, kind="stable")
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(receiver, minlength=n), out=indptr[1:])
    return a, b, indptr, giver[order], link[order]


def simulate(n: int, k: int, p: float, categories: int, alpha: float, seed: int, meetings: float = 0.2,
             max_ticks: int = 40000, tol: float = 1e-9, check_every: int = 200):
    """Run one barter economy to its long run; returns (final mean knowledge, ticks, mean-knowledge path)."""
    from simulation.kernel import EXPERIENCE, N_COEF, transfer_tick_serial

    rng = np.random.default_rng(seed)
    a, b, indptr, giver, arc_link = build(n, k, p, rng)
    m = len(a)
    know = rng.random((n, categories))
    ones = np.ones(n)
    trust = np.ones(2 * m)
    rates = np.array([0.0, 0.0, alpha * X0 / np.e, 0.0, 0.0])
    coef = np.zeros(N_COEF)
    coef[2] = X0                 # gap scale
    coef[4] = 1.0                # creation gap scale (creation rate 0)
    coef[5] = 2.0                # creation never happens
    intensity = np.ones(m)
    validity = np.ones(m)
    willing = np.ones(m)
    new_k, new_t = np.empty_like(know), np.empty_like(trust)
    created, received = np.empty(n), np.empty(2 * m)
    path = [know.mean()]
    n_meet = max(1, int(meetings * n))
    moved_window = 0.0
    for tick in range(1, max_ticks + 1):
        picks = rng.integers(0, m, n_meet)
        ends = np.concatenate([a[picks], b[picks]])
        _, first = np.unique(ends, return_index=True)
        used = np.zeros(2 * n_meet, bool)
        used[first] = True
        ok = used[:n_meet] & used[n_meet:]            # node-disjoint meetings only
        picks = picks[ok]
        ka, kb = know[a[picks]], know[b[picks]]
        barter = (ka > kb).any(axis=1) & (kb > ka).any(axis=1)
        activity = np.zeros(m, np.int8)
        activity[picks[barter]] = EXPERIENCE
        transfer_tick_serial(know, ones, ones, ones, indptr, giver, arc_link, trust, activity, intensity,
                             validity, willing, rates, coef, new_k, new_t, created, received)
        moved_window += float(np.abs(new_k - know).sum())
        know, new_k = new_k, know
        if tick % check_every == 0:
            path.append(know.mean())
            if moved_window / (n * categories) < tol * check_every:
                break
            moved_window = 0.0
    return float(know.mean()), tick, np.array(path)


def run(ctx) -> Result:
    quick = ctx.quick
    n, k, categories = (200, 6, 5) if quick else (500, 10, 10)
    ps = np.logspace(-3, 0, 5 if quick else 10)
    alphas = (0.5,) if quick else (0.25, 0.5, 0.9)
    seeds = ctx.seeds[: (3 if quick else 8)]
    from simulation.replicate import default_jobs

    jobs = default_jobs() if ctx.jobs is None else ctx.jobs
    tasks = [(n, k, float(p), categories, alpha, 7919 * s + i) for alpha in alphas for i, p in enumerate(ps)
             for s in (seeds if alpha == 0.5 else seeds[:4])]
    if jobs > 1:
        from simulation.replicate import _pool

        out = _pool(jobs).starmap(_task, tasks, chunksize=1)
    else:
        out = [_task(*t) for t in tasks]
    rows = []
    for (nn, kk, p, cc, alpha, seed), (mean_k, ticks) in zip(tasks, out):
        rows.append({"alpha": alpha, "p": p, "seed": seed, "long_run_mean_knowledge": mean_k, "ticks": ticks})
    raw = pd.DataFrame(rows)
    table = raw.groupby(["alpha", "p"], as_index=False).agg(
        long_run_mean_knowledge=("long_run_mean_knowledge", "mean"),
        sd=("long_run_mean_knowledge", "std"), ticks=("ticks", "mean"), replications=("seed", "size"))
    main = table[table.alpha == 0.5].reset_index(drop=True)
    peak_p = float(main.p[main.long_run_mean_knowledge.idxmax()])
    low_p = float(main.p[main.long_run_mean_knowledge.idxmin()])
    from simulation.stats import welch

    lattice = raw[(raw.alpha == 0.5) & (raw.p == ps[0])].long_run_mean_knowledge
    peak_vals = raw[(raw.alpha == 0.5) & (raw.p == peak_p)].long_run_mean_knowledge
    random_vals = raw[(raw.alpha == 0.5) & (raw.p == ps[-1])].long_run_mean_knowledge
    p_lat, p_rand = welch(peak_vals, lattice, "greater"), welch(peak_vals, random_vals, "greater")
    small_world = 0.01 <= peak_p <= 0.3
    holds = small_world and low_p == float(ps[0]) and p_lat < 0.05 and p_rand < 0.05
    fig, (ax,) = new_figure(1, (7, 4), title="Docking: the transfer kernel against Cowan & Jonard (2004)")
    for alpha, grp in table.groupby("alpha"):
        base = grp.long_run_mean_knowledge.iloc[0]
        ax.errorbar(grp.p, grp.long_run_mean_knowledge / base, yerr=grp.sd / base, marker="o", capsize=2,
                    label=f"alpha = {alpha}")
    ax.set_xscale("log")
    ax.axvspan(0.03, 0.3, color="#2a9d8f", alpha=0.12, label="small-world region")
    ax.set_ylabel("long-run mean knowledge\n(ratio to the lattice, p = 0.001)")
    ax.set_xlabel("rewiring probability p (log scale; 0.001 = lattice, 1 = random)")
    ax.set_title(f"Barter on Watts-Strogatz networks (N={n}, degree {k}, {categories} categories; mean, SD)",
                 fontsize=10)
    ax.legend(fontsize=8)
    stat = (f"alpha 0.5: peak at p = {peak_p:.3g}, minimum at p = {low_p:.3g}; peak > lattice p {p_lat:.3g}, "
            f"peak > random (p = 1) p {p_rand:.3g} (Welch, one-sided); Cowan & Jonard: peak near p = 0.1, "
            f"minimum at the lattice; peak at the other alphas: "
            + ", ".join(f"{al}: p = {float(g.p[g.long_run_mean_knowledge.idxmax()]):.3g}"
                        for al, g in table.groupby("alpha") if al != 0.5))
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"peak_p": peak_p, "min_p": low_p, "p_vs_lattice": p_lat, "p_vs_random": p_rand,
                   "N": n, "degree": k, "categories": categories}, DEPENDS, len(seeds))


def _task(n, k, p, categories, alpha, seed):
    mean_k, ticks, _ = simulate(n, k, p, categories, alpha, seed)
    return mean_k, ticks
