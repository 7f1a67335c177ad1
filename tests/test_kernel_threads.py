"""The parallel kernel gives identical results for any thread count; the NumPy kernel matches the reference."""

import numba
import numpy as np
import pytest

from kernel_cases import random_case, run
from simulation.kernel import (TickWorkspace, get_threads, link_arcs, set_threads, transfer_tick,
                               transfer_tick_packed, transfer_tick_serial)
from simulation.kernel_numpy import transfer_tick_numpy
from simulation.model import CLCModel
from simulation.reference import transfer_tick_reference


def _with_threads(n, fn, inputs):
    before = get_threads()
    set_threads(n)
    try:
        return run(fn, inputs)
    finally:
        set_threads(before)


def _packed(**kw):
    n, m = kw["knowledge"].shape[0], len(kw["activity"])
    transfer_tick_packed(**kw, nodes=np.empty((n, 8)), links=np.empty((m, 4)),
                         arcs_of_link=link_arcs(kw["arc_link"], m), arc_act=np.empty(len(kw["trust"]), np.int8))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba has a single thread")
@pytest.mark.parametrize("fn", [transfer_tick, _packed])
def test_one_and_two_threads_give_identical_results(fn):
    inputs = random_case(11, 5000, 40000)
    one = _with_threads(1, fn, inputs)
    two = _with_threads(2, fn, inputs)
    serial = run(transfer_tick_serial, inputs)
    for key in one:
        np.testing.assert_array_equal(one[key], two[key], err_msg=key)
        np.testing.assert_array_equal(one[key], serial[key], err_msg=key)


def test_workspace_serial_and_parallel_paths_agree_and_reuse_buffers():
    inputs = random_case(5, 3000, 20000)
    ws = TickWorkspace()
    par = [x.copy() for x in ws.run(**inputs, parallel=True)]
    first = ws.new_trust
    ser = ws.run(**inputs, parallel=False)
    assert ws.new_trust is first
    for x, y in zip(par, ser):
        np.testing.assert_array_equal(x, y)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="numba has a single thread")
def test_model_run_is_identical_with_one_and_two_threads(monkeypatch):
    monkeypatch.setattr("simulation.kernel.PARALLEL_MIN_ARCS", 0)    # force the parallel kernel
    frames = []
    for threads in (1, 2):
        before = get_threads()
        set_threads(threads)
        try:
            m = CLCModel(seed=4, n_schools=30)
            for _ in range(15):
                m.step()
        finally:
            set_threads(before)
        frames.append((m.datacollector.get_model_vars_dataframe(), m.node_knowledge.copy(), m.links.trust.copy()))
    assert frames[0][0].equals(frames[1][0])
    np.testing.assert_array_equal(frames[0][1], frames[1][1])
    np.testing.assert_array_equal(frames[0][2], frames[1][2])


def test_numpy_kernel_handles_nodes_without_arcs():
    inputs = random_case(9, 60, 20)          # most nodes have no arcs
    vec = run(transfer_tick_numpy, inputs)
    slow = run(transfer_tick_reference, inputs)
    for key in vec:
        np.testing.assert_allclose(vec[key], slow[key], rtol=0, atol=1e-12, err_msg=key)


def test_parallel_contact_passes_match_serial(monkeypatch):
    """The per-contact passes of the activity choice give the same bits on one thread and on all threads."""
    runs = []
    for min_contacts in (10**12, 0):                                  # serial, then parallel
        monkeypatch.setattr("simulation.activities.PARALLEL_MIN_CONTACTS", min_contacts)
        monkeypatch.setattr("simulation.activities.PARALLEL_MIN_LINKS", min_contacts)
        m = CLCModel(seed=5, n_schools=40, formation="forced")
        for _ in range(12):
            m.step()
        runs.append((m.datacollector.get_model_vars_dataframe(), m.node_knowledge.copy(), m.links.trust.copy(),
                     m.generator.random()))
    assert runs[0][0].equals(runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(runs[0][2], runs[1][2])
    assert runs[0][3] == runs[1][3]


def test_link_arcs_inverts_arc_link():
    inputs = random_case(3, 500, 3000)
    m = len(inputs["activity"])
    pairs = link_arcs(inputs["arc_link"], m)
    assert (pairs >= 0).all()
    np.testing.assert_array_equal(inputs["arc_link"][pairs[:, 0]], np.arange(m))
    np.testing.assert_array_equal(inputs["arc_link"][pairs[:, 1]], np.arange(m))
    assert (pairs[:, 0] != pairs[:, 1]).all()
