"""The numba kernel against the plain-Python reference, on random networks of several sizes and parameters."""

import numpy as np
import pytest

from kernel_cases import random_case, run
from simulation.kernel import gap_response, transfer_tick, transfer_tick_serial
from simulation.kernel_numpy import transfer_tick_numpy
from simulation.reference import gap_response as gap_response_py
from simulation.reference import transfer_tick_reference


@pytest.mark.parametrize("n,n_links", [(5, 8), (50, 200), (400, 3000), (3000, 12000)])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kernel", [transfer_tick, transfer_tick_numpy], ids=["numba", "numpy"])
def test_kernel_matches_reference(kernel, seed, n, n_links):
    inputs = random_case(seed, n, n_links)
    fast = run(kernel, inputs)
    slow = run(transfer_tick_reference, inputs)
    for key in fast:
        assert not np.isnan(fast[key]).any(), key
        np.testing.assert_allclose(fast[key], slow[key], rtol=0, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("areas", [1, 10])
@pytest.mark.parametrize("kernel", [transfer_tick, transfer_tick_serial], ids=["parallel", "serial"])
def test_any_number_of_areas_matches_reference(kernel, areas):
    """The general path for other than three areas (the docking study runs it with 5 and 10) is the same rule."""
    for seed in range(3):
        inputs = random_case(seed, 400, 3000, areas=areas)
        fast, slow = run(kernel, inputs), run(transfer_tick_reference, inputs)
        assert fast["new_knowledge"].shape == (400, areas)
        for key in fast:
            np.testing.assert_allclose(fast[key], slow[key], rtol=0, atol=1e-12, err_msg=key)


def test_serial_and_parallel_kernels_agree_exactly():
    inputs = random_case(7, 2000, 9000)
    par = run(transfer_tick, inputs)
    ser = run(transfer_tick_serial, inputs)
    for key in par:
        np.testing.assert_array_equal(par[key], ser[key])


def test_kernel_keeps_state_in_bounds():
    for seed in range(5):
        out = run(transfer_tick, random_case(seed, 300, 2000))
        assert (out["new_knowledge"] >= 0).all() and (out["new_knowledge"] <= 1).all()
        assert (out["new_trust"] >= 0).all() and (out["new_trust"] <= 1).all()


def test_gap_response_is_a_hump_peaking_at_x0():
    x0 = 0.1
    xs = np.linspace(0.001, 1.0, 500)
    g = np.array([gap_response(x, x0) for x in xs])
    assert abs(xs[g.argmax()] - x0) < 0.005
    assert g.max() == pytest.approx(1.0, abs=1e-4)
    assert gap_response(0.5, x0) < 0.1 * gap_response(0.1, x0)     # big gaps are hard to bridge [seed 002]
    assert gap_response_py(0.23, x0) == pytest.approx(gap_response(0.23, x0), abs=1e-15)


def test_transfer_alone_never_passes_the_best_giver():
    inputs = random_case(3, 200, 1500, params={"creation_rate": 0.0, "rate_information": 0.9,
                                                "rate_experience": 0.9, "rate_coaching": 0.9})
    inputs["validity"][:] = 1.0
    out = run(transfer_tick, inputs)
    k = inputs["knowledge"]
    for i in range(len(k)):
        givers = inputs["giver"][inputs["indptr"][i]:inputs["indptr"][i + 1]]
        best = np.max(np.vstack([k[givers], k[i]]), axis=0) if len(givers) else k[i]
        assert (out["new_knowledge"][i] <= best + 1e-15).all()
