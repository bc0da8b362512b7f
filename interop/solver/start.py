"""A start and a bound from the LP relaxation, for models too large for HiGHS's own search.

Measured on generated instances (``docs/performance.md``, "Theatre scale"):
the LP relaxation is within a few hundredths of a percent of the integer
optimum, and HiGHS spends its time finding a first good integer solution, not
proving the bound. So before the MILP, :func:`lp_start`

1. solves the LP relaxation: its optimum bounds the MILP's (the MILP's
   feasible set lies inside the LP's), whatever HiGHS manages later;
2. solves the MILP restricted to the integers next to the LP's values
   (each integer column between the floor and the ceiling of its LP value,
   "RENS"): most columns are fixed, so this small MILP solves fast, and any
   plan it finds is a plan of the full model;
3. returns both, so that the full MILP starts from that plan (HiGHS keeps
   the better of it and its own) and the run reports the better bound.

Nothing here changes the model: the optimum is the full MILP's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from interop.model.matrix import MatrixModel
from interop.solver.bound import dual_bound
from interop.solver.highs import RunResult, highs_for, run_highs

# share of the remaining time the LP and the restricted MILP may take (the full MILP gets the rest)
LP_SHARE, SUB_SHARE = 0.6, 0.5
INTEGRAL = 1e-6  # an LP value this close to an integer is fixed to it
# from this many columns the LP relaxation is solved by the interior point method without crossover: measured
# on L seed 1 (316,573 compact columns), dual simplex took over 300 s and IPM 104 s; on M (39,072) simplex
# took 2.4 s and IPM 7.6 s (docs/performance.md, "Theatre scale")
IPM_MIN_COLUMNS = 150_000
IPM_OPTIONS = {"solver": "ipm", "run_crossover": "off"}


@dataclass
class Start:
    """What the LP relaxation gave: a plan of the MILP (or None) and a bound on its optimum."""

    values: np.ndarray | None
    objective: float | None  # the plan's objective
    bound: float | None  # from the LP's prices (maximisation: no plan does better): interop.solver.bound
    lp_time_s: float
    sub_time_s: float
    message: str = ""
    lp_method: str = "simplex"


def _options(options: dict, seconds: float | None) -> dict:
    out = {k: v for k, v in options.items() if k != "time_limit"}
    if seconds is not None:
        out["time_limit"] = max(0.0, seconds)
    return out


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def lp_start(mm: MatrixModel, options: dict, deadline: float | None = None, verbose: bool = False) -> Start:
    """The LP bound of ``mm`` (a maximisation) and a plan from the MILP around the LP's values.

    The restricted MILP keeps each integer column between the floor and the
    ceiling of its LP value; where that has no plan (it happens: M seed 3),
    between its lower bound and the ceiling (the LP's support, any amount).
    """
    left = _left(deadline)
    relaxed = replace(mm, integer=np.zeros_like(mm.integer), tie_break=None)
    lp_opts = _options(options, None if left is None else LP_SHARE * left)
    lp_opts = {k: v for k, v in lp_opts.items() if not k.startswith("mip_")}
    method = "simplex"
    if mm.matrix.shape[1] >= IPM_MIN_COLUMNS and "solver" not in options:
        lp_opts, method = {**lp_opts, **IPM_OPTIONS}, "ipm without crossover"
    h = highs_for(relaxed, lp_opts, verbose)
    lp = run_highs(h)
    bound = _price_bound(h, mm, lp)
    if lp.status != "optimal" or lp.values is None:
        return Start(None, None, bound, lp.time_s, 0.0, f"LP relaxation: {lp.message}", method)
    ints = np.flatnonzero(mm.integer)
    x = lp.values[ints]
    floor = np.clip(np.floor(x + INTEGRAL), mm.col_lower[ints], mm.col_upper[ints])
    ceil = np.maximum(floor, np.clip(np.ceil(x - INTEGRAL), mm.col_lower[ints], mm.col_upper[ints]))
    spent, message = 0.0, ""
    for lower in (floor, mm.col_lower[ints]):
        left = _left(deadline)
        if left is not None and left <= 0:
            return Start(None, None, bound, lp.time_s, spent, "no time left for the restricted MILP", method)
        col_lower, col_upper = mm.col_lower.copy(), mm.col_upper.copy()
        col_lower[ints], col_upper[ints] = lower, ceil
        restricted = replace(mm, col_lower=col_lower, col_upper=col_upper, tie_break=None)
        sub = run_highs(highs_for(restricted, _options(options, None if left is None else SUB_SHARE * left), verbose))
        spent += sub.time_s
        if sub.values is not None:
            return Start(sub.values, float(sub.objective), bound, lp.time_s, spent, lp_method=method)
        message = f"restricted MILP: {sub.message}"
        if sub.interrupted:
            break
    return Start(None, None, bound, lp.time_s, spent, message, method)


def _price_bound(h, mm: MatrixModel, lp: RunResult) -> float | None:
    """The bound of :func:`interop.solver.bound.dual_bound` from the prices the LP run left, if it left any.

    Prices count whatever the run's status: an LP stopped on its time limit
    still bounds the optimum if it holds prices (HiGHS keeps none then, as a
    rule, and the bound is None).
    """
    if lp.abandoned:
        return None
    try:
        solution = h.getSolution()
    except Exception:  # pragma: no cover - a HiGHS left in a bad state
        return None
    if not solution.dual_valid or len(solution.row_dual) != mm.matrix.shape[0]:
        return None
    bound = dual_bound(mm, np.asarray(solution.row_dual, float))
    return bound if np.isfinite(bound) else None


def with_start(result: RunResult, start: Start) -> RunResult:
    """The full MILP's result, with the start's plan where HiGHS kept nothing better and the
    tighter of the two bounds (a maximisation)."""
    values, objective, status = result.values, result.objective, result.status
    better = objective is None or (start.objective or -np.inf) > objective + 1e-9 * max(1.0, abs(objective))
    if start.values is not None and better:
        values, objective = start.values, start.objective
        status = "feasible" if status in ("no_solution", "feasible") else status
    bounds = [b for b in (result.bound, start.bound) if b is not None]
    bound = min(bounds) if bounds else None
    if status == "optimal":
        bound = result.bound
    return replace(result, status=status, values=values, objective=objective, bound=bound)
