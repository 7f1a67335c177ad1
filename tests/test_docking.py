"""The Cowan & Jonard (2004) docking reference (experiments/cowan_jonard.py) and the docking experiment.

(a) the numba rule against a plain-Python rewrite fed the same pre-drawn meeting stream (to 1e-12), and a
mutant rule that the comparison must tell apart; (b) invariants of the barter rule; the kernel path's
node-disjoint ticks; (c) the experiment in quick mode."""

from __future__ import annotations

import numpy as np
import pytest

from experiments import cowan_jonard as cj
from experiments import docking


# ------------------------------------------------------------------------------------------ plain Python
def naive_meeting(v: list[list[float]], i: int, j: int, alpha: float) -> None:
    """One meeting, written out: gains from the pre-meeting values first, then applied."""
    before_i, before_j = list(v[i]), list(v[j])
    wants_i = [c for c in range(len(before_i)) if before_j[c] > before_i[c]]      # i lacks, j has
    wants_j = [c for c in range(len(before_i)) if before_i[c] > before_j[c]]      # j lacks, i has
    if not wants_i or not wants_j:
        return                                                                       # no double coincidence
    for c in wants_i:
        v[i][c] = before_i[c] + alpha * (before_j[c] - before_i[c])
    for c in wants_j:
        v[j][c] = before_j[c] + alpha * (before_i[c] - before_j[c])


def naive_run(know0: np.ndarray, adjacency: list[list[int]], alpha: float, who, picks) -> list[list[float]]:
    """A run over a stream of (agent, index into its neighbour list) pairs, on Python lists."""
    v = [list(map(float, row)) for row in know0]
    for i, k in zip(who, picks):
        naive_meeting(v, int(i), adjacency[int(i)][int(k)], alpha)
    return v


def mutant_meeting(v, i, j, alpha):
    """A wrong rule (one-way learning, without the double coincidence of wants): the comparison must catch it."""
    before_i, before_j = list(v[i]), list(v[j])
    for c in range(len(before_i)):
        if before_j[c] > before_i[c]:
            v[i][c] = before_i[c] + alpha * (before_j[c] - before_i[c])
        elif before_i[c] > before_j[c]:
            v[j][c] = before_j[c] + alpha * (before_i[c] - before_j[c])


@pytest.fixture(scope="module")
def small():
    indptr, nbrs = cj.graph(30, 4, 0.2, seed=5)
    know0 = cj.initial_knowledge(30, 4, seed=6)
    adjacency = [list(nbrs[indptr[i]:indptr[i + 1]]) for i in range(30)]
    who, arc = cj.draw_meetings(indptr, 11, 4000)
    picks = arc - indptr[who]
    return indptr, nbrs, know0, adjacency, who, arc, picks


def test_graph_is_the_watts_strogatz_graph():
    import networkx as nx

    indptr, nbrs = cj.graph(40, 6, 0.3, seed=9)
    g = nx.watts_strogatz_graph(40, 6, 0.3, seed=9)
    got = {(i, int(j)) for i in range(40) for j in nbrs[indptr[i]:indptr[i + 1]]}
    assert got == {(a, b) for a, b in g.edges()} | {(b, a) for a, b in g.edges()}
    lattice_ptr, _ = cj.graph(40, 6, 0.0, seed=9)
    assert set(np.diff(lattice_ptr)) == {6}


@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9])
def test_numba_rule_matches_plain_python_on_the_same_stream(small, alpha):
    indptr, nbrs, know0, adjacency, who, arc, picks = small
    know = know0.copy()
    made, converged = cj.run_stream(indptr, nbrs, know, alpha, who, arc, len(who) + 1, -1.0)
    assert made == len(who) and not converged
    ref = np.array(naive_run(know0, adjacency, alpha, who, picks))
    assert np.abs(know - ref).max() <= 1e-12
    assert np.abs(know - know0).max() > 0.1, "the stream must have traded"
    # the mutant differs: the comparison has the power to fail
    v = [list(row) for row in know0]
    for i, k in zip(who, picks):
        mutant_meeting(v, int(i), adjacency[int(i)][int(k)], alpha)
    assert np.abs(np.array(v) - ref).max() > 1e-6


def test_seeded_run_is_the_drawn_stream(small):
    indptr, nbrs, know0, adjacency, who, arc, picks = small
    a = know0.copy()
    made, converged = cj.run_seeded(indptr, nbrs, a, 0.5, 11, 10**9, -1.0, 4000)
    b = know0.copy()
    cj.run_stream(indptr, nbrs, b, 0.5, who, arc, 10**9, -1.0)
    assert made == 4000 and not converged
    assert np.array_equal(a, b)
    assert set(np.unique(who)) == set(range(30)), "every agent is drawn"


def test_a_trade_never_lowers_knowledge_nor_passes_the_initial_maximum(small):
    indptr, nbrs, know0, adjacency, who, arc, picks = small
    know = know0.copy()
    top = know0.max(axis=0)
    for t in range(len(who)):
        before = know.copy()
        cj.meet(know, who[t], nbrs[arc[t]], 0.9)
        assert (know >= before).all()
        assert (know <= top + 1e-15).all()


def test_no_trade_without_a_double_coincidence_of_wants():
    know = np.array([[5.0, 6.0, 7.0], [4.0, 6.0, 1.0], [5.0, 6.0, 7.0], [1.0, 9.0, 3.0]])
    before = know.copy()
    assert cj.meet(know, 0, 1, 0.5) == 0.0          # 0 ahead or equal everywhere: 1 has nothing to offer
    assert cj.meet(know, 1, 0, 0.5) == 0.0
    assert cj.meet(know, 0, 2, 0.5) == 0.0          # identical
    assert np.array_equal(know, before)
    gained = cj.meet(know, 0, 3, 0.5)               # 0 ahead in 0 and 2, 3 ahead in 1: a trade
    assert gained == pytest.approx(0.5 * (4 + 3) + 0.5 * 4)
    assert list(know[0]) == [5.0, 7.5, 7.0] and list(know[3]) == [3.0, 9.0, 5.0]


def test_alpha_zero_changes_nothing(small):
    indptr, nbrs, know0, adjacency, who, arc, picks = small
    know = know0.copy()
    made, converged = cj.run_stream(indptr, nbrs, know, 0.0, who, arc, 100, 1e-12)
    assert np.array_equal(know, know0)
    assert converged and made == 100, "nothing moves, so the first window ends the run"


def test_long_run_stopping_and_cap(small):
    indptr, nbrs, know0, *_ = small
    know, meetings, capped = cj.simulate(know0, indptr, nbrs, 0.5, 3)
    assert not capped and meetings % (10 * 30) == 0
    # in the long run no pair of neighbours has anything left to trade worth more than the tolerance
    again = know.copy()
    cj.run_seeded(indptr, nbrs, again, 0.5, 4, 10**9, -1.0, 20000)
    assert np.abs(again - know).sum() < 1e-6
    _, m2, capped2 = cj.simulate(know0, indptr, nbrs, 0.5, 3, max_meetings=50)
    assert capped2 and m2 == 50
    stats = cj.long_run(know)
    level = know.mean(axis=1)
    assert stats["mean"] == pytest.approx(know.mean())
    assert stats["variance"] == pytest.approx(np.var(level))
    assert stats["cv"] == pytest.approx(np.std(level) / level.mean())


def test_kernel_path_ticks_are_node_disjoint_and_close_to_the_exact_rule(small):
    indptr, nbrs, know0, adjacency, who, arc, picks = small
    cut = docking.disjoint_batches(who, nbrs[arc], 30)
    assert cut[0] == 0 and cut[-1] == len(who)
    for s, e in zip(cut[:-1], cut[1:]):
        agents = list(who[s:e]) + list(nbrs[arc[s:e]])
        assert len(agents) == len(set(agents)), "a tick's meetings share no agent"
        if e < len(who):
            assert {who[e], nbrs[arc[e]]} & set(agents), "each tick is maximal"
    exact = know0.copy()
    cj.run_stream(indptr, nbrs, exact, 0.5, who, arc, 10**9, -1.0)
    kern = docking.kernel_path(know0, indptr, nbrs, 0.5, who, arc)
    moved = np.abs(exact - know0).max()
    diff = np.abs(kern - exact).max()
    assert moved > 0.1 and diff < 1e-2, (moved, diff)
    assert diff > 0, "the kernel's gap response is not exactly linear"


def test_quick_experiment_reports_every_alpha_with_cis():
    from experiments.common import Context

    res = docking.run(Context.make(quick=True, jobs=1))
    t = res.table
    assert sorted(t.alpha.unique()) == [0.1, 0.5, 0.9]
    for col in ("mean_knowledge", "variance", "cv"):
        assert {f"{col}_ci95_low", f"{col}_ci95_high"} <= set(t.columns)
        assert (t[f"{col}_ci95_low"] <= t[col]).all() and (t[col] <= t[f"{col}_ci95_high"]).all()
    assert {"meetings", "replications", "capped_runs"} <= set(t.columns)
    assert (t.replications == 3).all() and len(t) == 3 * 5
    for alpha in (0.1, 0.5, 0.9):
        assert f"alpha {alpha}:" in res.statistic
    assert res.holds == bool(res.numbers["alpha0.5_mean_reproduced"])
    k = res.extra_tables["kernel_path_vs_exact"]
    assert len(k) == 3 and (k.diff_ci95_low <= k.diff_kernel_minus_exact).all()
    assert (k.diff_kernel_minus_exact.abs() < 0.01).all()
