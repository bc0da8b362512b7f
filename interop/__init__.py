"""interop: how much effectiveness allies gain by sharing command, and at what cost in autonomy.

The analysis API: ``load_instance`` → ``build_model`` (a Pyomo model you may
extend) → ``solve`` → a :class:`Solution` with pandas tables.
"""

from interop.errors import InstanceError, Problem
from interop.instance.loading import load_instance, validate_file
from interop.instance.schema import Instance
from interop.model.data import model_data
from interop.model.pyomo_model import build_model
from interop.solution.solution import Solution
from interop.solve import solve
from interop.solver.profiles import load_profile

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
