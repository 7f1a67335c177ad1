"""Agent-based simulation of collaborative learning communities: networks of schools learning together.

Names are loaded on first use, so `clc-sim list` and other light commands start without importing
Mesa, numba or scipy.
"""

from importlib import import_module

__version__ = "0.1.0"

_WHERE = {
    "AREAS": "agents", "ExternalPartner": "agents", "Role": "agents", "School": "agents", "Stage": "agents",
    "Teacher": "agents", "CLCModel": "model", "DEFAULTS": "params", "PARAMS": "params",
    "REPORTER_DOCS": "reporters", "REPORTERS": "reporters",
}

__all__ = sorted([*_WHERE, "INTERVENTIONS", "__version__"])


def __getattr__(name: str):
    if name == "INTERVENTIONS":
        return tuple(import_module(".interventions", __name__).INTERVENTIONS)
    if name in _WHERE:
        return getattr(import_module("." + _WHERE[name], __name__), name)
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
