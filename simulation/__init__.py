"""Agent-based simulation of collaborative learning communities: networks of schools learning together."""

from .agents import AREAS, ExternalPartner, Role, School, Stage, Teacher
from .interventions import INTERVENTIONS as _INTERVENTION_FUNCTIONS
from .model import CLCModel
from .params import DEFAULTS, PARAMS
from .reporters import REPORTER_DOCS, REPORTERS

INTERVENTIONS = tuple(_INTERVENTION_FUNCTIONS)

__version__ = "0.1.0"

__all__ = ["AREAS", "CLCModel", "DEFAULTS", "ExternalPartner", "INTERVENTIONS", "PARAMS", "REPORTERS",
           "REPORTER_DOCS", "Role", "School", "Stage", "Teacher", "__version__"]
