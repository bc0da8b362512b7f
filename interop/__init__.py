"""interop: how much effectiveness allies gain by sharing command, and at what cost in autonomy.

The analysis API: ``load_instance`` → ``build_model`` (a Pyomo model you may
extend) → ``solve`` → a :class:`Solution` with pandas tables.
"""

from interop.errors import InstanceError, Problem
from interop.loading import load_instance, validate_file
from interop.model import build_model
from interop.results import Solution
from interop.schema import Instance
from interop.sets import model_data
from interop.solve import load_profile, solve

__all__ = [
    "Instance",
    "InstanceError",
    "Problem",
    "Solution",
    "build_model",
    "load_instance",
    "load_profile",
    "model_data",
    "solve",
    "validate_file",
]
__version__ = "0.1.0"
