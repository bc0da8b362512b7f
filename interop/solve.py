"""Solving with HiGHS: solver profiles, the hand-off of a Pyomo model, limits.

A Pyomo model is compiled to matrices by Pyomo's standard-form compiler and
passed to ``highspy`` directly. Owning the hand-off (rather than a Pyomo
solver plugin) keeps the HiGHS log out of pipes (it goes to the console when
asked for, and nowhere otherwise), honours time limits, turns Ctrl-C into "stop
and keep the best solution", and lets sweeps keep one HiGHS instance alive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn import generate_standard_repn
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler


def _silence_banner() -> None:
    """HiGHS prints a banner the first time a Highs object is made; keep it off stdout."""
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


_silence_banner()
HIGHS_VERSION = highspy.Highs().version()

PROFILE_DIRS = (Path.cwd() / "solvers", Path(__file__).resolve().parents[1] / "solvers")
GRACE_S = 2.0  # seconds past the time limit before interop cancels a run HiGHS has not stopped
TIE_TOLERANCE = 1e-9  # relative: plans this close to Z* count as optimal when ties are broken
OPTIMAL_GAP = 1e-6  # a "feasible" solution within this relative gap is reported optimal


@dataclass(frozen=True)
class SolverProfile:
    """HiGHS options read from a ``name = value`` file in ``solvers/``."""

    name: str
    options: dict[str, object]
    path: str | None = None


def _option_value(text: str) -> object:
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_profile(text: str, name: str = "<profile>") -> dict[str, object]:
    """Options of a HiGHS options file (``name = value`` lines, ``#`` comments)."""
    options: dict[str, object] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            raise ValueError(f"{name}, line {number}: expected 'name = value', got {raw.strip()!r}")
        key, value = (x.strip() for x in line.split("=", 1))
        options[key] = _option_value(value)
    return options


def load_profile(name: str = "default") -> SolverProfile:
    """The profile ``name`` (a file in ``solvers/``) or a path to an options file."""
    candidates = [Path(name)] + [d / f"{name}.opt" for d in PROFILE_DIRS]
    for path in candidates:
        if path.is_file():
            return SolverProfile(path.stem, parse_profile(path.read_text(), str(path)), str(path))
    known = sorted({p.stem for d in PROFILE_DIRS if d.is_dir() for p in d.glob("*.opt")})
    raise ValueError(f"no solver profile '{name}' (known: {', '.join(known) or 'none'})")


@dataclass
class MatrixModel:
    """A MILP in HiGHS's terms: row_lower ≤ A x ≤ row_upper, bounds, integrality."""

    cost: np.ndarray
    offset: float
    maximize: bool
    matrix: object  # scipy.sparse csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    columns: list = field(default_factory=list)  # Pyomo VarData per column, if any
    # Σ α Aut as a cost vector: among optimal plans the one minimising it is reported
    tie_break: np.ndarray | None = None


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


@dataclass
class RunResult:
    """What one HiGHS run gave, in the solution format's status words."""

    status: str
    values: np.ndarray | None
    objective: float | None
    bound: float | None
    time_s: float
    message: str = ""
    interrupted: bool = False


def highs_for(mm: MatrixModel, options: dict[str, object], verbose: bool = False) -> highspy.Highs:
    """A HiGHS instance holding ``mm`` with ``options`` set; log only if ``verbose``."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("log_to_console", bool(verbose))
    for key, value in options.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {key} = {value!r}")
    lp = highspy.HighsLp()
    n_rows, n_cols = mm.matrix.shape
    lp.num_col_, lp.num_row_ = n_cols, n_rows
    lp.col_cost_ = mm.cost
    lp.col_lower_, lp.col_upper_ = mm.col_lower, mm.col_upper
    lp.row_lower_, lp.row_upper_ = mm.row_lower, mm.row_upper
    csc = mm.matrix.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_cols, n_rows
    lp.offset_ = mm.offset
    lp.sense_ = highspy.ObjSense.kMaximize if mm.maximize else highspy.ObjSense.kMinimize
    if mm.integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous for k in mm.integer
        ]
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        big = max(np.abs(csc.data).max(initial=0.0), np.abs(mm.cost).max(initial=0.0))
        raise ValueError(f"HiGHS refused the model (largest coefficient {big:.3g}; HiGHS accepts up to 1e15)")
    return h


def run_highs(h: highspy.Highs, start: np.ndarray | None = None) -> RunResult:
    """Run ``h`` to its limits; Ctrl-C stops it and keeps the best solution."""
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start, dtype=float))
        sol.value_valid = True
        h.setSolution(sol)
    h.HandleKeyboardInterrupt = True
    began = time.perf_counter()
    interrupted = cancelled = False
    limit = h.getOptionValue("time_limit")
    limit = float(limit[1] if isinstance(limit, tuple) else limit)
    thread = h.startSolve()
    while True:
        try:
            done, _ = h.wait(0.1)
            if done:
                break
            if not cancelled and time.perf_counter() - began > limit + GRACE_S:
                h.cancelSolve()  # HiGHS checks its limit between phases: hold it to it
                cancelled = True
        except KeyboardInterrupt:
            interrupted = True
            h.cancelSolve()
    thread.join()
    elapsed = time.perf_counter() - began
    model_status = h.getModelStatus()
    info = h.getInfo()
    text = h.modelStatusToString(model_status)
    has_solution = info.primal_solution_status == 2
    MS = highspy.HighsModelStatus
    n_cols = h.getNumCol()
    values = np.array(h.getSolution().col_value, dtype=float) if has_solution or n_cols == 0 else None
    objective = info.objective_function_value if has_solution else None
    bound = info.mip_dual_bound if info.mip_node_count >= 0 else objective
    if model_status == MS.kModelEmpty:
        return RunResult("optimal", np.zeros(0), mm_offset(h), None, elapsed, text)
    if model_status == MS.kOptimal:
        status = "optimal"
    elif model_status == MS.kInfeasible:
        status = "infeasible"
    elif model_status == MS.kUnbounded:
        status = "unbounded"
    elif model_status == MS.kUnboundedOrInfeasible:
        lp = h.getLp()
        bounded = np.all(np.isfinite(lp.col_lower_)) and np.all(np.isfinite(lp.col_upper_))
        status = "infeasible" if bounded else "unbounded"
    elif model_status in (MS.kLoadError, MS.kModelError, MS.kPresolveError, MS.kSolveError, MS.kPostsolveError):
        status = "error"
    else:  # time, iteration or solution limit, interrupt, objective target, unknown
        status = "feasible" if has_solution else "no_solution"
    if status not in ("optimal", "feasible"):
        values, objective, bound = None, None, None
    if bound is not None and not np.isfinite(bound):
        bound = None
    return RunResult(status, values, objective, bound, elapsed, text, interrupted)


def mm_offset(h: highspy.Highs) -> float:
    """The objective of an empty model: its constant offset."""
    offset = h.getObjectiveOffset()
    return float(offset[1] if isinstance(offset, tuple) else offset)


def profile_options(profile: str | SolverProfile, time_limit: float | None, gap: float | None) -> tuple[str, dict]:
    """The HiGHS options of a profile with the command line's overrides."""
    prof = profile if isinstance(profile, SolverProfile) else load_profile(profile)
    options = dict(prof.options)
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    if gap is not None:
        options["mip_rel_gap"] = float(gap)
    return prof.name, options


def solver_record(profile: str, options: dict, seconds: float = 0.0, began: float | None = None, **extra) -> dict:
    """The ``solver`` block of a solution file."""
    record = {"name": "highs", "version": HIGHS_VERSION, "time_s": round(seconds, 4)}
    if began is not None:
        record["total_time_s"] = round(time.perf_counter() - began, 4)
    return {**record, "profile": profile, "options": options, **extra}


def run_matrix(mm: MatrixModel, options: dict, verbose: bool = False, start: np.ndarray | None = None) -> RunResult:
    """Hand ``mm`` to a new HiGHS and run it; a model or option HiGHS refuses is status ``error``.

    When ``mm.tie_break`` is set, an optimal run is followed by
    :func:`least_among_optima`, so the reported plan does not depend on how
    HiGHS broke a tie.
    """
    try:
        h = highs_for(mm, options, verbose)
    except ValueError as exc:
        return RunResult("error", None, None, None, 0.0, str(exc))
    first = run_highs(h, start)
    if mm.tie_break is None:
        return first
    return least_among_optima(h, mm, mm.cost, first)


def least_among_optima(h: highspy.Highs, mm: MatrixModel, primary: np.ndarray, first: RunResult) -> RunResult:
    """Among the optimal plans of ``max primary·x``, one with the least ``mm.tie_break·x`` (Σ α Aut).

    Optimal plans tie often, and which one HiGHS returns is an accident of its
    search. The rule reported in every solution: maximise Z; among the plans
    within ``TIE_TOLERANCE`` (relative) of Z*, minimise Σ α Aut; among those,
    the plan HiGHS's deterministic search returns (same model and options, same
    plan). ``h`` holds ``mm`` with costs ``primary`` and has just given
    ``first``. The second solve adds the row ``primary·x ≥ Z* − tol``, starts
    from ``first``'s plan and runs in the time the limit leaves; then, with the
    integer decisions of its plan fixed, the continuous ones (E_t) are
    re-optimised for Z, so the reported objective is the plan's own. ``h`` is
    left as it was. A second solve that finds nothing better keeps ``first``.
    """
    secondary = mm.tie_break
    if secondary is None or first.status != "optimal" or first.values is None or not np.any(secondary):
        return first
    worst = float(secondary @ first.values)
    limit = h.getOptionValue("time_limit")
    limit = float(limit[1] if isinstance(limit, tuple) else limit)
    left = limit - first.time_s
    if worst <= 1e-12 or left <= 0.05:
        return first
    best = float(primary @ first.values)
    nz = np.flatnonzero(primary).astype(np.int32)
    h.addRow(best - TIE_TOLERANCE * max(1.0, abs(best)), highspy.kHighsInf, len(nz), nz, primary[nz].astype(float))
    row = h.getNumRow() - 1
    idx = np.arange(len(primary), dtype=np.int32)
    ints = np.flatnonzero(mm.integer).astype(np.int32)
    h.changeColsCost(len(idx), idx, -np.asarray(secondary, dtype=float))
    h.setOptionValue("time_limit", left)
    third = None
    try:
        second = run_highs(h, first.values)
        h.deleteRows(1, np.array([row], dtype=np.int32))
        h.changeColsCost(len(idx), idx, np.asarray(primary, dtype=float))
        improves = second.values is not None and float(secondary @ second.values) < worst - 1e-9 * max(1.0, worst)
        if improves:
            plan = np.round(second.values[ints])
            h.changeColsBounds(len(ints), ints, plan, plan)
            third = run_highs(h, second.values)
            h.changeColsBounds(len(ints), ints, mm.col_lower[ints], mm.col_upper[ints])
    finally:
        h.setOptionValue("time_limit", limit)
        if h.getNumRow() > row:  # an exception before the row left
            h.deleteRows(1, np.array([row], dtype=np.int32))
            h.changeColsCost(len(idx), idx, np.asarray(primary, dtype=float))
    first.time_s += second.time_s + (third.time_s if third else 0.0)
    if third is None or third.values is None:
        return first
    objective = float(primary @ third.values) + mm.offset
    return RunResult(first.status, third.values, objective, first.bound, first.time_s, first.message,
                     second.interrupted or third.interrupted)


def solve_model(
    model: pyo.ConcreteModel,
    profile: str | SolverProfile = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    verbose: bool = False,
    warm_start: bool = False,
) -> tuple[RunResult, dict]:
    """Solve a Pyomo model in place (values loaded into its variables).

    Returns the run's result and the solver record of the solution format.
    With ``warm_start``, the variables' current values are offered as a start.
    """
    name, options = profile_options(profile, time_limit, gap)
    began = time.perf_counter()
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
    result = run_matrix(mm, options, verbose, start)
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
    verbose: bool = False,
    warm_start: bool = False,
):
    """Solve an instance file, an :class:`Instance`, or a (possibly extended) model.

    An instance is built straight into HiGHS's matrices (:mod:`interop.fastbuild`);
    a model from :func:`interop.build_model` may carry the analyst's own
    constraints; either way the solution is checked against the formulation and
    reported in the solution format. Returns an :class:`interop.results.Solution`.
    """
    from interop.loading import load_instance
    from interop.model import build_model
    from interop.results import solution_from_model
    from interop.schema import Instance

    if isinstance(target, (str, Path)):
        target = load_instance(target, scenario)
    if isinstance(target, Instance) and not warm_start:
        # the same model, built from arrays (tests/test_fastbuild.py checks the matrices
        # match build_model's): tens of times faster than building it in Pyomo
        from interop.fastbuild import solve_fast

        return solve_fast(target, profile=profile, time_limit=time_limit, gap=gap, verbose=verbose)
    model = build_model(target) if isinstance(target, Instance) else target
    run, record = solve_model(model, profile, time_limit, gap, verbose, warm_start)
    return solution_from_model(model, run, record, objective_kind(model))


def objective_kind(model: pyo.ConcreteModel) -> str | None:
    """'default' or 'epsilon' when the model's objective is still the one built, else None."""
    kind = getattr(model, "interop_objective", None)
    active = list(model.component_data_objects(pyo.Objective, active=True))
    if kind is None or len(active) != 1 or active[0] is not model.Z or model.Z.expr is not kind[1]:
        return None
    return kind[0]
