"""Docking (Axtell et al. 1996) with Cowan & Jonard (2004): barter exchange of knowledge on Watts-Strogatz networks.

The verdict rests on the exact published rule (`experiments.cowan_jonard`, numba): N agents on a ring
lattice of degree n rewired with probability p, K knowledge categories drawn from U[0, 10], one asynchronous
meeting at a time (an agent uniformly at random, then one of its neighbours uniformly at random), a trade only
on a double coincidence of wants, and then each side gains alpha times the gap in every category where the
other is ahead (pre-meeting values). Runs go to the long run (a window of 10 N meetings that moves less than
1e-8 knowledge in total; capped at 20,000 N meetings, and the table counts capped runs).

Measured at the long run, per (alpha, p) over replications (each its own network, initial draw and meeting
stream): mean knowledge, the variance across agents of their knowledge level (mean over categories) and the
coefficient of variation (sd / mean), each with a t-based 95 % CI. Cowan & Jonard's abstract has three
findings, tested for each alpha: the mean is maximal in the small world, the variance is highest there and the
CV lowest there. For each measure the best small-world grid point (0.01 <= p <= 0.3) is compared with the
lattice end (p = 0.001) and the random end (p = 1) by one-sided Welch tests, Holm-corrected over every test
of the experiment (3 alphas x 3 measures x 2 ends); a finding is reproduced for an alpha when both its tests
pass after Holm and the measure's best point over the whole grid lies in the small-world region.
`holds`: the headline (mean maximal in the small world) is reproduced at the middle alpha, 0.5.

The model's own kernel (`simulation.kernel.transfer_tick_serial`) cannot express the published rule exactly:
(1) its gain is rate * g(gap) with the absorptive-capacity hump g(x) = (x/x0) exp(1 - x/x0), not alpha * gap;
with x0 = 1e4 and rate = alpha x0 / e the gain is alpha * gap * exp(-gap / x0), short of alpha * gap by a
relative gap/x0 <= 1e-4 on the kernel's [0, 1] scale (knowledge / 10 here); (2) it has no double-coincidence
condition (the caller must decide which links are active); (3) it updates a whole tick at once, so meetings
that share an agent cannot be in one tick. A kernel path is kept at alpha = 0.5 for a few p: the same networks,
initial knowledge and meeting stream as the reference, cut into maximal runs of consecutive node-disjoint
meetings (disjoint meetings commute, so one tick of such a run equals those meetings one at a time), the
double coincidence decided before each tick, run for the reference's number of meetings. Its long-run mean
knowledge minus the reference's (paired over seeds, with CI) measures what the approximation costs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numba import njit

from . import cowan_jonard as cj
from .common import Result, new_figure

NAME = "docking"
TITLE = "Docking: the exact Cowan & Jonard (2004) barter rule, and the transfer kernel against it"
PATTERN = ("Cowan & Jonard (2004, JEDC 28, abstract): in barter knowledge exchange on Watts-Strogatz networks, "
           "long-run mean knowledge is maximal in the small world (about 10 % of links rewired), the variance of "
           "knowledge levels among agents is maximal there and the coefficient of variation minimal.")
DEPENDS = ("none of the CLC model's parameters: the exact rule (experiments/cowan_jonard.py); the kernel path uses "
           "the kernel's transfer rule (gap response, ceiling)",)
ALPHAS = (0.1, 0.5, 0.9)
MAIN_ALPHA = 0.5
SMALL_WORLD = (0.01, 0.3)
X0 = 1.0e4                       # kernel gap scale: g(x) ~ x / x0 * e on [0, 1] to within a relative 1e-4
SCALE = 10.0                     # kernel path: knowledge / 10 on the kernel's [0, 1] scale
TEST_LEVEL = 0.05
MEASURES = (("mean", "mean knowledge", +1), ("variance", "variance", +1), ("cv", "CV", -1))


def settings(quick: bool) -> dict:
    """Sizes and grids: N agents, n neighbours, K categories, the p grid, the kernel path's p values."""
    if quick:
        n, k, cats, ps, kernel_at = 200, 6, 5, np.logspace(-3, 0, 5), (1e-3, 0.1, 1.0)
    else:
        n, k, cats, ps, kernel_at = 500, 10, 10, np.logspace(-3, 0, 10), (1e-3, 1e-2, 0.1, 1.0)
    kernel_ps = sorted({float(ps[np.argmin(np.abs(np.log(ps) - np.log(q)))]) for q in kernel_at})
    return {"N": n, "n": k, "K": cats, "ps": [float(p) for p in ps], "kernel_ps": kernel_ps}


def replications(quick: bool, seeds: int) -> int:
    return min(seeds, 3) if quick else min(seeds, 10)


def runs(quick: bool, seeds: int) -> int:
    """Barter economies run: alphas x p grid x replications (exact), plus the kernel path's runs."""
    s = settings(quick)
    r = replications(quick, seeds)
    return len(ALPHAS) * len(s["ps"]) * r + len(s["kernel_ps"]) * r


def seeds_of(seed: int, alpha_index: int, p_index: int) -> tuple[int, int, int]:
    """(network, initial knowledge, meeting stream) seeds of one replication: independent across cells."""
    g, k, m = np.random.SeedSequence([int(seed), 7919, alpha_index, p_index]).generate_state(3)
    return int(g), int(k), int(m)


def economy(n: int, k: int, cats: int, p: float, seed: int, alpha_index: int, p_index: int):
    """The network (CSR), the initial knowledge and the meeting-stream seed of one replication."""
    g_seed, k_seed, m_seed = seeds_of(seed, alpha_index, p_index)
    indptr, nbrs = cj.graph(n, k, p, g_seed)
    return indptr, nbrs, cj.initial_knowledge(n, cats, k_seed), m_seed


def exact_task(n, k, cats, p, alpha, seed, alpha_index, p_index):
    """One exact run: long-run statistics, meetings and whether the cap was hit."""
    indptr, nbrs, know0, m_seed = economy(n, k, cats, p, seed, alpha_index, p_index)
    know, meetings, capped = cj.simulate(know0, indptr, nbrs, alpha, m_seed)
    return {**cj.long_run(know), "meetings": meetings, "capped": capped}


# ---------------------------------------------------------------------------------------------- kernel path
def kernel_csr(indptr: np.ndarray, nbrs: np.ndarray):
    """The kernel's arc arrays for the same graph: giver per arc (= the neighbour), arc -> undirected link id."""
    n = len(indptr) - 1
    recv = np.repeat(np.arange(n), np.diff(indptr))
    lo, hi = np.minimum(recv, nbrs), np.maximum(recv, nbrs)
    _, link = np.unique(lo * n + hi, return_inverse=True)
    return nbrs.astype(np.int64), link.astype(np.int64).ravel(), int(link.max()) + 1


@njit(cache=True)
def disjoint_batches(who, partner, n):
    """Boundaries of maximal runs of consecutive meetings that share no agent: batch b is [cut[b], cut[b+1])."""
    last = np.full(n, -1, np.int64)          # batch in which each agent last met
    cut = np.empty(who.shape[0] + 1, np.int64)
    nb = 0
    cut[0] = 0
    for t in range(who.shape[0]):
        i = who[t]
        j = partner[t]
        if last[i] == nb or last[j] == nb:
            nb += 1
            cut[nb] = t
        last[i] = nb
        last[j] = nb
    cut[nb + 1] = who.shape[0]
    return cut[: nb + 2]


@njit(cache=True)
def mark_trades(know, who, partner, link, start, stop, activity, code):
    """Set `activity[link] = code` for the batch's meetings with a double coincidence of wants; returns how many."""
    count = 0
    for t in range(start, stop):
        i = who[t]
        j = partner[t]
        i_ahead = False
        j_ahead = False
        for c in range(know.shape[1]):
            if know[i, c] > know[j, c]:
                i_ahead = True
            elif know[j, c] > know[i, c]:
                j_ahead = True
        if i_ahead and j_ahead:
            activity[link[t]] = code
            count += 1
    return count


def kernel_path(know0, indptr, nbrs, alpha, who, arc):
    """The reference's meeting stream (who, arc) run through `simulation.kernel.transfer_tick_serial` in
    node-disjoint ticks; returns the final knowledge on the reference's scale."""
    from simulation.kernel import EXPERIENCE, N_COEF, C_CREATION_GAP, C_GAP_SCALE, C_TRUST_CREATION, \
        transfer_tick_serial

    n = know0.shape[0]
    giver, arc_link, m = kernel_csr(indptr, nbrs)
    keep = arc >= 0
    who, arc = who[keep], arc[keep]
    partner = nbrs[arc]
    link = arc_link[arc]
    cut = disjoint_batches(who, partner, n)
    know = know0 / SCALE
    ones = np.ones(n)
    trust = np.ones(len(giver))
    rates = np.array([0.0, 0.0, alpha * X0 / math.e, 0.0, 0.0])
    coef = np.zeros(N_COEF)
    coef[C_GAP_SCALE] = X0
    coef[C_CREATION_GAP] = 1.0               # creation rate is 0; the gap scale must only be positive
    coef[C_TRUST_CREATION] = 2.0             # and trust (1) never reaches the creation threshold
    intensity = np.ones(m)
    validity = np.ones(m)
    willing = np.ones(m)
    activity = np.zeros(m, np.int8)
    new_k, new_t = np.empty_like(know), np.empty_like(trust)
    created, received = np.empty(n), np.empty(len(giver))
    for b in range(len(cut) - 1):
        s, e = int(cut[b]), int(cut[b + 1])
        if mark_trades(know, who, partner, link, s, e, activity, EXPERIENCE) == 0:
            continue
        transfer_tick_serial(know, ones, ones, ones, indptr, giver, arc_link, trust, activity, intensity,
                             validity, willing, rates, coef, new_k, new_t, created, received)
        know, new_k = new_k, know
        activity[link[s:e]] = 0
    return know * SCALE


def kernel_task(n, k, cats, p, alpha, seed, alpha_index, p_index):
    """The exact run and the kernel path on the same network, initial knowledge and meeting stream."""
    indptr, nbrs, know0, m_seed = economy(n, k, cats, p, seed, alpha_index, p_index)
    exact, meetings, capped = cj.simulate(know0, indptr, nbrs, alpha, m_seed)
    who, arc = cj.draw_meetings(indptr, m_seed, meetings)
    kern = kernel_path(know0, indptr, nbrs, alpha, who, arc)
    a, b = cj.long_run(exact), cj.long_run(kern)
    return {"exact_mean": a["mean"], "kernel_mean": b["mean"], "exact_variance": a["variance"],
            "kernel_variance": b["variance"], "meetings": meetings, "capped": capped,
            "max_abs_diff": float(np.abs(kern - exact).max())}


def _call(fn, args):
    return fn(*args)


# ---------------------------------------------------------------------------------------------- experiment
def run(ctx) -> Result:
    from simulation.stats import holm, mean_ci, paired, welch

    quick = ctx.quick
    st = settings(quick)
    n, k, cats, ps, kernel_ps = st["N"], st["n"], st["K"], st["ps"], st["kernel_ps"]
    seeds = list(ctx.seeds[: replications(quick, len(ctx.seeds))]) or [1]
    main_index = ALPHAS.index(MAIN_ALPHA)
    exact = [(exact_task, (n, k, cats, p, alpha, s, ai, pi)) for ai, alpha in enumerate(ALPHAS)
             for pi, p in enumerate(ps) for s in seeds]
    kernel = [(kernel_task, (n, k, cats, p, MAIN_ALPHA, s, main_index, ps.index(p))) for p in kernel_ps
              for s in seeds]
    from simulation.replicate import default_jobs

    jobs = default_jobs() if ctx.jobs is None else ctx.jobs
    tasks = kernel + exact                   # the slow kernel runs first, so no core waits at the end
    if jobs > 1:
        from simulation.replicate import _pool

        out = _pool(jobs).starmap(_call, tasks, chunksize=1)
    else:
        out = [fn(*args) for fn, args in tasks]
    kern_out, exact_out = out[: len(kernel)], out[len(kernel):]

    raw = pd.DataFrame([{"alpha": args[4], "p": args[3], "seed": args[5], **o}
                        for (_, args), o in zip(exact, exact_out)])
    rows = []
    for (alpha, p), grp in raw.groupby(["alpha", "p"], sort=True):
        row = {"alpha": alpha, "p": p}
        for key, _, _ in MEASURES:
            m, lo, hi = mean_ci(grp[key])
            row.update({key: m, f"{key}_ci95_low": lo, f"{key}_ci95_high": hi})
        row.update({"meetings": grp.meetings.mean(), "replications": len(grp), "capped_runs": int(grp.capped.sum())})
        rows.append(row)
    table = pd.DataFrame(rows).rename(columns={"mean": "mean_knowledge", "mean_ci95_low": "mean_knowledge_ci95_low",
                                               "mean_ci95_high": "mean_knowledge_ci95_high"})
    col = {"mean": "mean_knowledge", "variance": "variance", "cv": "cv"}

    # findings: per alpha and measure, the best small-world point against the lattice and the random end
    lattice, random_end = ps[0], ps[-1]
    sw = [p for p in ps if SMALL_WORLD[0] <= p <= SMALL_WORLD[1]]
    tests, summary = [], {}
    for alpha in ALPHAS:
        t_a = table[table.alpha == alpha].set_index("p")
        for key, label, sign in MEASURES:
            vals = t_a[col[key]]
            best_all = float((vals if sign > 0 else -vals).idxmax())
            best_sw = float((vals.loc[sw] if sign > 0 else -vals.loc[sw]).idxmax())
            sample = lambda q: raw[(raw.alpha == alpha) & (raw.p == q)][key].to_numpy()
            side = "greater" if sign > 0 else "less"
            p_lat = welch(sample(best_sw), sample(lattice), side)
            p_rand = welch(sample(best_sw), sample(random_end), side)
            summary[(alpha, key)] = {"best_all": best_all, "best_sw": best_sw, "p_lat": p_lat, "p_rand": p_rand}
            tests += [((alpha, key), "p_lat"), ((alpha, key), "p_rand")]
    raw_p = [summary[c][w] for c, w in tests]
    adjusted = holm([1.0 if math.isnan(q) else q for q in raw_p])
    for (c, w), q in zip(tests, adjusted):
        summary[c][w + "_holm"] = float(q)
    findings_rows = []
    for (alpha, key), s in summary.items():
        in_sw = SMALL_WORLD[0] <= s["best_all"] <= SMALL_WORLD[1]
        s["reproduced"] = bool(in_sw and s["p_lat_holm"] < TEST_LEVEL and s["p_rand_holm"] < TEST_LEVEL)
        label = dict((m[0], m[1]) for m in MEASURES)[key]
        findings_rows.append({"alpha": alpha, "measure": label,
                              "claim": "lowest in the small world" if key == "cv" else "highest in the small world",
                              "best_p_grid": s["best_all"], "best_p_small_world": s["best_sw"],
                              "p_vs_lattice": s["p_lat"], "p_vs_lattice_holm": s["p_lat_holm"],
                              "p_vs_random": s["p_rand"], "p_vs_random_holm": s["p_rand_holm"],
                              "reproduced": s["reproduced"]})
    findings = pd.DataFrame(findings_rows)

    # the kernel path against the exact reference (alpha 0.5, same networks, knowledge and meeting streams)
    kraw = pd.DataFrame([{"p": args[3], "seed": args[5], **o} for (_, args), o in zip(kernel, kern_out)])
    krows = []
    for p, grp in kraw.groupby("p"):
        d = paired(grp.kernel_mean, grp.exact_mean)
        dv = paired(grp.kernel_variance, grp.exact_variance)
        krows.append({"alpha": MAIN_ALPHA, "p": p, "exact_mean_knowledge": grp.exact_mean.mean(),
                      "kernel_mean_knowledge": grp.kernel_mean.mean(), "diff_kernel_minus_exact": d.diff,
                      "diff_ci95_low": d.ci_low, "diff_ci95_high": d.ci_high,
                      "variance_diff": dv.diff, "variance_diff_ci95_low": dv.ci_low,
                      "variance_diff_ci95_high": dv.ci_high,
                      "max_abs_agent_category_diff": grp.max_abs_diff.max(), "replications": len(grp)})
    kernel_table = pd.DataFrame(krows)
    all_diff = paired(kraw.kernel_mean, kraw.exact_mean)

    holds = bool(summary[(MAIN_ALPHA, "mean")]["reproduced"])
    fig = _figure(table, n, k, cats, len(seeds))

    def where(alpha):
        s = {key: summary[(alpha, key)] for key, _, _ in MEASURES}
        verdicts = "; ".join(
            f"{'CV lowest' if key == 'cv' else ('mean maximal' if key == 'mean' else 'variance highest')} in the "
            f"small world {'REPRODUCED' if s[key]['reproduced'] else 'not reproduced'} (best small-world p "
            f"{s[key]['best_sw']:.3g} vs lattice Holm p {s[key]['p_lat_holm']:.2g}, vs random Holm p "
            f"{s[key]['p_rand_holm']:.2g})" for key, _, _ in MEASURES)
        return (f"alpha {alpha}: mean peaks at p = {s['mean']['best_all']:.3g}, variance peaks at p = "
                f"{s['variance']['best_all']:.3g}, CV lowest at p = {s['cv']['best_all']:.3g}; {verdicts}")

    capped = int(raw.capped.sum())
    stat = (f"Exact Cowan & Jonard rule (N = {n}, n = {k}, K = {cats}, {len(seeds)} replications per cell, "
            f"{capped} of {len(raw)} runs capped). " + ". ".join(where(a) for a in ALPHAS)
            + f". Holm over {len(tests)} one-sided Welch tests; a finding is reproduced when its best grid point is "
            f"in the small world ({SMALL_WORLD[0]} <= p <= {SMALL_WORLD[1]}) and it beats both the lattice "
            f"(p = {lattice:.3g}) and the random end (p = 1). Kernel path (alpha {MAIN_ALPHA}, p in "
            f"{', '.join(f'{q:.3g}' for q in kernel_ps)}): long-run mean knowledge minus the exact reference's "
            f"{all_diff.diff:+.2e} (95 % CI {all_diff.ci_low:+.2e} to {all_diff.ci_high:+.2e}, {all_diff.n} paired "
            f"runs); the kernel cannot express the published rule exactly: its gain is alpha gap exp(-gap/x0), "
            f"not alpha gap, it has no double-coincidence test (the caller decides) and it updates a tick at once "
            f"(node-disjoint meetings only).")
    numbers = {"N": n, "degree": k, "categories": cats, "replications": len(seeds), "capped_runs": capped,
               "peak_p": summary[(MAIN_ALPHA, "mean")]["best_all"],
               "kernel_minus_exact": all_diff.diff, "kernel_minus_exact_ci95": [all_diff.ci_low, all_diff.ci_high]}
    for (alpha, key), s in summary.items():
        numbers[f"alpha{alpha}_{key}_best_p"] = s["best_all"]
        numbers[f"alpha{alpha}_{key}_reproduced"] = s["reproduced"]
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig, numbers, DEPENDS, len(seeds),
                  extra_tables={"findings": findings, "kernel_path_vs_exact": kernel_table})


def _figure(table: pd.DataFrame, n: int, k: int, cats: int, reps: int):
    fig, axes = new_figure(3, (4.6, 3.8), title=f"Docking: Cowan & Jonard (2004) barter on Watts-Strogatz "
                                                f"networks (N = {n}, degree {k}, {cats} categories; mean and "
                                                f"95 % CI over {reps} replications)")
    labels = {"mean_knowledge": "long-run mean knowledge (0-10)",
              "variance": "variance of agents' knowledge levels",
              "cv": "coefficient of variation (sd / mean)"}
    titles = {"mean_knowledge": "Mean knowledge (peak expected in the small world)",
              "variance": "Variance (highest expected there)", "cv": "CV (lowest expected there)"}
    for ax, key in zip(axes, labels):
        ax.axvspan(*SMALL_WORLD, color="#2a9d8f", alpha=0.12, label="small-world region")
        for alpha, grp in table.groupby("alpha"):
            lo = grp[key] - grp[f"{key}_ci95_low"]
            hi = grp[f"{key}_ci95_high"] - grp[key]
            ax.errorbar(grp.p, grp[key], yerr=[lo.fillna(0), hi.fillna(0)], marker="o", ms=3, capsize=2,
                        label=f"alpha = {alpha}")
        ax.set_xscale("log")
        ax.set_ylabel(labels[key])
        ax.set_xlabel("rewiring probability p (log; 0.001 lattice, 1 random)")
        ax.set_title(titles[key], fontsize=9)
    axes[0].legend(fontsize=7)
    return fig
