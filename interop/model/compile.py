"""A linear Pyomo model as a :class:`interop.model.matrix.MatrixModel`.

Pyomo's standard-form compiler turns the (possibly extended) model of
:func:`interop.model.pyomo_model.build_model` into HiGHS's terms; fixed
variables are no columns. :func:`coefficients` reads a linear expression of
the model (an objective part, say) as a vector over those columns.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from interop.model.matrix import MatrixModel


def coefficients(expr, column: dict[int, int], size: int) -> np.ndarray:
    """The coefficient of every compiled column in the linear expression ``expr``."""
    repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
    out = np.zeros(size)
    for var, coef in zip(repn.linear_vars, repn.linear_coefs):
        j = column.get(id(var))
        if j is not None:  # a fixed variable is not a column
            out[j] += float(coef)
    return out


def compile_model(model: pyo.ConcreteModel) -> MatrixModel:
    """The matrices of a linear Pyomo model with one active objective."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
    if len(info.objectives) != 1:
        raise ValueError(f"the model needs exactly one active objective, it has {len(info.objectives)}")
    n_rows = len(info.rows)
    lower = np.full(n_rows, -np.inf)
    upper = np.full(n_rows, np.inf)
    rhs = np.asarray(info.rhs, dtype=float)
    kinds = np.array([r[1] for r in info.rows], dtype=np.int64)
    upper[kinds >= 0] = rhs[kinds >= 0]  # 0: equality, 1: ≤
    lower[kinds <= 0] = rhs[kinds <= 0]  # -1: ≥
    cols = info.columns
    col_lower = np.array([-np.inf if v.lb is None else v.lb for v in cols], dtype=float)
    col_upper = np.array([np.inf if v.ub is None else v.ub for v in cols], dtype=float)
    integer = np.array([v.is_integer() or v.is_binary() for v in cols], dtype=bool)
    cost = np.asarray(info.c.todense()).ravel() if info.c.shape[0] else np.zeros(len(cols))
    return MatrixModel(
        cost=cost,
        offset=float(info.c_offset[0]) if len(info.c_offset) else 0.0,
        maximize=info.objectives[0].sense == pyo.maximize,
        matrix=info.A,
        row_lower=lower,
        row_upper=upper,
        col_lower=col_lower,
        col_upper=col_upper,
        integer=integer,
        columns=list(cols),
    )
