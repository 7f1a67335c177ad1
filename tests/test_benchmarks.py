"""The benchmark's attribution kernel replaces `exp` and nothing else, and leaves the real kernel untouched."""

import numpy as np

from benchmarks.kernel import kernel_inputs, kernel_without_exp, records_args
from simulation.kernel import TickWorkspace
from simulation.reference import transfer_tick_reference


def _tick(fn, ws, a):
    fn(*records_args(ws, a))
    return ws.new_knowledge.copy(), ws.new_trust.copy(), ws.received.copy()


def test_kernel_without_exp_changes_only_what_exp_feeds():
    a = kernel_inputs(300, "random", seed=5, idle=0.5)
    ws = TickWorkspace()
    real = [x.copy() for x in ws.run(**a, parallel=False)]
    cheap = _tick(kernel_without_exp()[1], ws, a)
    # trust has no exp in it: identical bits; knowledge and flows go through exp: different, still finite
    np.testing.assert_array_equal(cheap[1], real[1])
    assert not np.array_equal(cheap[0], real[0])
    assert not np.array_equal(cheap[2], real[2])
    assert np.isfinite(cheap[0]).all() and np.isfinite(cheap[2]).all()
    # and the real kernel, compiled and cached beside it, still gives the reference's numbers
    again = ws.run(**a, parallel=False)
    out = dict(new_knowledge=np.empty_like(a["knowledge"]), new_trust=np.empty_like(a["trust"]),
               created=np.empty(len(a["knowledge"])), received=np.empty_like(a["trust"]))
    transfer_tick_reference(**a, **out)
    np.testing.assert_allclose(again[0], out["new_knowledge"], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(again[0], real[0])
