"""Compiling one numba loop body twice: on all threads (`prange` loops) and on one thread.

Small networks run the serial copy (waking a second thread costs more than it saves), large ones the
parallel copy; both run the same source, so they give the same numbers.
"""

from __future__ import annotations

import types

import numba
from numba import njit


def on_threads(size: int, threshold: int) -> bool:
    """Whether a pass over `size` items takes the parallel copy: from `threshold` items, if numba has threads."""
    return size >= threshold and numba.get_num_threads() > 1


def twin(fn):
    """(parallel, serial) compilations of `fn`, whose loops are `prange` (a plain range when serial).

    The serial copy gets its own qualified name: numba's cache keys a function by name, source line and
    signature, not by its `parallel` flag, so two compilations of one function would share a cache entry.
    Write loop bodies out inside the loops rather than calling helpers that take arrays: a numba call
    with array arguments pays reference counting per call (measured 25x slower on a packing loop).
    """
    serial = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial", fn.__defaults__,
                                fn.__closure__)
    serial.__qualname__ = fn.__qualname__ + "_serial"
    serial.__doc__ = f"`{fn.__name__.lstrip('_')}` on one thread."
    return njit(parallel=True, cache=True)(fn), njit(cache=True)(serial)
