"""The front door: solve an instance file, an :class:`Instance` or a Pyomo model.

An instance is built straight into HiGHS's matrices
(:func:`interop.model.matrix.build_matrix`); a model from
:func:`interop.build_model` may carry the analyst's own constraints and is
compiled by Pyomo. Either way the run goes to :mod:`interop.solver.highs` and
the solution is checked by :mod:`interop.solution` against the formulation.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException

from interop.instance.loading import load_instance
from interop.instance.schema import Instance
from interop.model.compact import build_compact, triple_values
from interop.model.compile import coefficients, compile_model
from interop.model.data import ModelData, model_data
from interop.model.matrix import InfeasibleBuild, build_matrix, layout
from interop.model.pyomo_model import build_model
from interop.solution.extract import matrix_decisions, solution_from_model, solution_from_run
from interop.solution.solution import Solution
from interop.solver import stop
from interop.solver.highs import RunResult
from interop.solver.profiles import SolverProfile, profile_options, solver_record
from interop.solver.run import run_matrix
from interop.solver.start import lp_start, with_start

STARTS = ("auto", "lp", "none")
# `start="auto"` takes the LP start from this many admissible assignments (docs/performance.md, "Theatre scale")
AUTO_MIN_TRIPLES = 20_000
MIN_FULL_RUN_S = 1.0  # with less time left after the LP start, the full MILP is not started


def solve_model(
    model: pyo.ConcreteModel,
    profile: str | SolverProfile = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    verbose: bool = False,
    warm_start: bool = False,
    deadline: float | None = None,
) -> tuple[RunResult, dict]:
    """Solve a Pyomo model in place (values loaded into its variables).

    Returns the run's result and the solver record of the solution format.
    With ``warm_start``, the variables' current values are offered as a start.
    The time limit counts from this call (compiling included), or holds until
    ``deadline`` (a :func:`time.monotonic` time) when given.
    """
    name, options = profile_options(profile, time_limit, gap)
    began = time.perf_counter()
    deadline = _deadline(deadline, options)
    try:
        mm = compile_model(model)
    except InfeasibleConstraintException as exc:  # e.g. a burden floor with nothing to commit
        return RunResult("infeasible", None, None, None, 0.0, str(exc)), solver_record(name, options)
    if objective_kind(model) == "default":  # the model's own objective: break ties by the least Σ α Aut
        column = {id(v): j for j, v in enumerate(mm.columns)}
        mm.tie_break = coefficients(model.weighted_autonomy_loss, column, len(mm.columns))
    start = None
    if warm_start and mm.columns:
        start = np.array([v.value if v.value is not None else 0.0 for v in mm.columns])
    result = run_matrix(mm, options, verbose, start, deadline)
    if result.values is not None:
        for var, val in zip(mm.columns, result.values):
            var.set_value(float(val), skip_validation=True)
    return result, solver_record(name, options, result.time_s, began)


def solve(
    target,
    *,
    scenario: str | None = None,
    profile: str | SolverProfile = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    epsilon: float | None = None,
    verbose: bool = False,
    warm_start: bool = False,
    deadline: float | None = None,
    start: str = "auto",
) -> Solution:
    """Solve an instance file, an :class:`Instance`, or a (possibly extended) Pyomo model.

    An instance is built straight into HiGHS's matrices, tens of times faster
    than building it in Pyomo (``tests/model/test_builds_agree.py`` checks the
    two builds are the same MILP); with ``epsilon``, its epsilon-constraint
    form. A model from :func:`interop.build_model` may carry the analyst's own
    constraints. Either way the solution is checked against the formulation and
    reported in the solution format. ``warm_start`` offers a model's current
    variable values as a start (an instance is then built in Pyomo).
    ``time_limit`` holds for the whole call, building included; ``deadline``
    (a :func:`time.monotonic` time) ends it earlier, e.g. to count the time a
    caller spent reading the file.

    ``start`` (instances only): ``"lp"`` solves the compact form of the model
    (:mod:`interop.model.compact`, the same optimum with about half the
    columns), starting HiGHS from a plan found around the LP relaxation and
    reporting the better of HiGHS's bound and the LP's
    (:mod:`interop.solver.start`); ``"none"`` hands the model to HiGHS as it
    is; ``"auto"`` takes ``"lp"`` from ``AUTO_MIN_TRIPLES`` admissible
    assignments on (the default model, not the epsilon form).
    """
    if start not in STARTS:
        raise ValueError(f"start must be one of {', '.join(STARTS)}, not {start!r}")
    stop.fresh()  # the Python API: an earlier Ctrl-C does not stop this call
    if isinstance(target, (str, Path)):
        target = load_instance(target, scenario)
    if isinstance(target, (Instance, ModelData)) and not warm_start:
        return _solve_matrix(target, profile, time_limit, gap, epsilon, verbose, deadline, start)
    deadline = _deadline(deadline, profile_options(profile, time_limit, gap)[1])
    model = build_model(target, epsilon=epsilon) if isinstance(target, (Instance, ModelData)) else target
    run, record = solve_model(model, profile, time_limit, gap, verbose, warm_start, deadline)
    return solution_from_model(model, run, record, objective_kind(model))


def _deadline(deadline: float | None, options: dict) -> float | None:
    """The earlier of ``deadline`` and now + the options' time limit (None: no limit)."""
    limit = options.get("time_limit")
    own = None if limit is None else time.monotonic() + float(limit)
    return own if deadline is None else deadline if own is None else min(own, deadline)


def _solve_matrix(source, profile, time_limit, gap, epsilon, verbose, deadline=None, start="none") -> Solution:
    """The matrix path of :func:`solve`: build from arrays, run, check."""
    began = time.perf_counter()
    name, options = profile_options(profile, time_limit, gap)
    deadline = _deadline(deadline, options)
    data = source if isinstance(source, ModelData) else model_data(source)
    inst = data.instance
    kind = "default" if epsilon is None else "epsilon"
    if start == "auto":
        start = "lp" if epsilon is None and len(data.assignments) >= AUTO_MIN_TRIPLES else "none"
    if start == "lp" and epsilon is None:
        return _solve_compact(data, name, options, verbose, deadline, began)
    try:
        mm, lay, _ = build_matrix(data, epsilon=epsilon)
    except InfeasibleBuild as exc:
        run = RunResult("infeasible", None, None, None, 0.0, str(exc), termination="infeasible")
        return solution_from_run(inst, run, solver_record(name, options), kind, lambda: None)
    run = run_matrix(mm, options, verbose, deadline=deadline)
    record = solver_record(name, options, run.time_s, began)
    return solution_from_run(inst, run, record, kind, lambda: matrix_decisions(data, lay, run.values))


def _solve_compact(data: ModelData, name: str, options: dict, verbose: bool, deadline, began: float) -> Solution:
    """The default model in compact form, started from the LP relaxation (``start="lp"``)."""
    inst = data.instance
    try:
        mm, compact = build_compact(data)
    except InfeasibleBuild as exc:
        run = RunResult("infeasible", None, None, None, 0.0, str(exc), termination="infeasible")
        return solution_from_run(inst, run, solver_record(name, options), "default", lambda: None)
    first = lp_start(mm, options, deadline, verbose)
    if deadline is not None and deadline - time.monotonic() < MIN_FULL_RUN_S:  # no time left: the start stands
        run = RunResult("no_solution", None, None, None, 0.0, "Time limit reached", termination="time_limit")
    else:
        run = run_matrix(mm, options, verbose, first.values, deadline)
    run = with_start(run, first)
    seconds = run.time_s + first.lp_time_s + first.sub_time_s
    lp = {
        "form": "compact",
        "lp_bound": first.bound,
        "lp_method": first.lp_method,
        "lp_time_s": round(first.lp_time_s, 4),
        "start_objective": first.objective,
        "start_time_s": round(first.sub_time_s, 4),
    }
    if first.message:
        lp["message"] = first.message
    record = solver_record(name, options, seconds, began, start=lp)
    plain = layout(data)

    def decide():
        return matrix_decisions(data, plain, triple_values(data, compact, plain, run.values))

    return solution_from_run(inst, run, record, "default", decide)


def objective_kind(model: pyo.ConcreteModel) -> str | None:
    """'default' or 'epsilon' when the model's objective is still the one built, else None."""
    kind = getattr(model, "interop_objective", None)
    active = list(model.component_data_objects(pyo.Objective, active=True))
    if kind is None or len(active) != 1 or active[0] is not model.Z or model.Z.expr is not kind[1]:
        return None
    return kind[0]
