"""Running HiGHS on a :class:`interop.model.matrix.MatrixModel`: limits, interrupts.

Owning the hand-off to ``highspy`` (rather than a Pyomo solver plugin) keeps
the HiGHS log out of pipes (it goes to the console when asked for, and nowhere
otherwise), honours time limits (HiGHS checks its clock between phases, so an
overdue run is cancelled here, and one deaf to the cancel in presolve is left
behind), turns a signal or Ctrl-C into "stop and keep the best solution"
(:mod:`interop.solver.stop`), and lets sweeps keep one HiGHS instance alive.

A :class:`RunResult` keeps the solution status of the solution format
(``status``) apart from why HiGHS stopped (``termination``).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np

from interop.model.matrix import MatrixModel
from interop.solver import stop


def _silence_banner() -> None:
    """HiGHS prints a banner the first time a Highs object is made; keep it off stdout."""
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

GRACE_S = 0.5  # seconds past the time limit before interop cancels a run HiGHS has not stopped
ABANDON_S = 2.0  # seconds after a cancel before a run with no solution yet is left to itself


TERMINATIONS = (
    "optimal",
    "infeasible",
    "unbounded",
    "time_limit",
    "interrupted",
    "iteration_limit",
    "solution_limit",
    "objective_limit",
    "error",
    "other",
)
"""Why a run stopped (``RunResult.termination``), apart from what it found (``status``)."""


@dataclass
class RunResult:
    """What one HiGHS run gave.

    ``status`` is the solution format's word for what was found (optimal,
    feasible, infeasible, unbounded, no_solution, error); ``termination`` says
    why the run stopped (one of :data:`TERMINATIONS`): a ``feasible`` status
    may come with ``time_limit`` or ``interrupted``.
    """

    status: str
    values: np.ndarray | None
    objective: float | None
    bound: float | None
    time_s: float
    message: str = ""
    interrupted: bool = False
    termination: str = "other"
    abandoned: bool = False  # HiGHS ignored a cancel and was left running: its instance is unusable
    # which way broke the ties (interop.solver.ties): "perturbed", "row", "none" (stopped or out of time
    # before either decided), or "" (nothing to break)
    tie_break: str = ""


def _termination(model_status, interrupted: bool, cancelled: bool) -> str:
    """The termination word of a HiGHS model status."""
    MS = highspy.HighsModelStatus
    if interrupted:
        return "interrupted"
    if cancelled:
        return "time_limit"  # interop cancelled a run overdue on its limit
    return {
        MS.kOptimal: "optimal",
        MS.kModelEmpty: "optimal",
        MS.kInfeasible: "infeasible",
        MS.kUnbounded: "unbounded",
        MS.kUnboundedOrInfeasible: "infeasible",
        MS.kTimeLimit: "time_limit",
        MS.kIterationLimit: "iteration_limit",
        MS.kSolutionLimit: "solution_limit",
        MS.kObjectiveBound: "objective_limit",
        MS.kObjectiveTarget: "objective_limit",
        MS.kInterrupt: "interrupted",
        MS.kLoadError: "error",
        MS.kModelError: "error",
        MS.kPresolveError: "error",
        MS.kSolveError: "error",
        MS.kPostsolveError: "error",
    }.get(model_status, "other")


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
        lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous for k in mm.integer]
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError:
        big = max(np.abs(csc.data).max(initial=0.0), np.abs(mm.cost).max(initial=0.0))
        raise ValueError(f"HiGHS refused the model (largest coefficient {big:.3g}; HiGHS accepts up to 1e15)")
    return h


def run_highs(h: highspy.Highs, start: np.ndarray | None = None) -> RunResult:
    """Run ``h`` to its limits; a stop (a signal, Ctrl-C) cancels it and keeps the best solution.

    HiGHS checks its clock and its interrupt flag only now and then (rarely in
    presolve): a run overdue on its time limit by ``GRACE_S`` is cancelled
    here. A run cancelled by a signal (or, in a process that solves only once,
    :func:`interop.solver.stop.last_solve_only`, by its time limit) that has
    no solution yet and has not stopped ``ABANDON_S`` later is left to finish
    on its own thread: status ``no_solution``, and
    :func:`interop.solver.stop.abandoned` tells the process not to wait for it.
    highspy lets one solve run per process, so no HiGHS can run after that.
    """
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(np.asarray(start, dtype=float))
        sol.value_valid = True
        h.setSolution(sol)
    h.HandleKeyboardInterrupt = True
    began = time.perf_counter()
    limit = h.getOptionValue("time_limit")
    limit = float(limit[1] if isinstance(limit, tuple) else limit)
    if stop.requested() is not None:  # a stop came before this run: do not start it
        return RunResult("no_solution", None, None, None, 0.0, stop.interrupted_message(), True, "interrupted")
    n_cols = h.getNumCol()
    # the caller's start counts as an incumbent HiGHS holds; each improving solution is kept here too, so a
    # run deaf to its cancel can be left without losing it
    seen: dict = {"incumbent": start is not None, "values": None, "objective": None, "bound": None}

    def on_incumbent(event) -> None:
        seen["incumbent"] = True
        found = event.data_out
        values = np.array(found.mip_solution, dtype=float)
        if len(values) == n_cols:
            seen.update(values=values, objective=float(found.objective_function_value), bound=found.mip_dual_bound)

    h.cbMipImprovingSolution += on_incumbent
    interrupted = cancelled = abandoned = False
    cancel_at = None
    try:
        thread = h.startSolve()
    except highspy.HighsError as exc:  # a run left behind earlier still holds highspy's lock
        h.cbMipImprovingSolution -= on_incumbent
        busy = f"HiGHS busy with a run left behind: {exc}"
        return RunResult("error", None, None, None, 0.0, busy, termination="error")
    try:
        while True:
            try:
                done, _ = h.wait(0.1)
                if done:
                    break
                now = time.perf_counter()
                if not interrupted and stop.requested() is not None:
                    interrupted, cancel_at = True, cancel_at or now
                    h.cancelSolve()
                if not cancelled and not interrupted and now - began > limit + GRACE_S:
                    h.cancelSolve()  # HiGHS checks its limit between phases: hold it to it
                    cancelled, cancel_at = True, now
                may_leave = interrupted or stop.last_solve_only()  # highspy's solve lock is per process
                nothing_lost = not seen["incumbent"] or seen["values"] is not None
                if cancel_at is not None and may_leave and nothing_lost and now - cancel_at > ABANDON_S:
                    abandoned = True  # deaf to the cancel (presolve, a long LP) and nothing to lose: leave it
                    break
            except KeyboardInterrupt:  # no signal handling installed (the Python API)
                stop.request()
                interrupted, cancel_at = True, cancel_at or time.perf_counter()
                h.cancelSolve()
    finally:
        if not abandoned:
            thread.join()
            h.cbMipImprovingSolution -= on_incumbent
    elapsed = time.perf_counter() - began
    if abandoned:
        stop.note_abandoned()
        termination, message = stop_reason(None, "", interrupted, cancelled)
        if seen["values"] is not None:  # the best solution HiGHS reported before it was left
            bound = seen["bound"] if seen["bound"] is not None and np.isfinite(seen["bound"]) else None
            values, objective = seen["values"], seen["objective"]
            return RunResult("feasible", values, objective, bound, elapsed, message, interrupted, termination, True)
        return RunResult("no_solution", None, None, None, elapsed, message, interrupted, termination, abandoned=True)
    model_status = h.getModelStatus()
    info = h.getInfo()
    text = h.modelStatusToString(model_status)
    has_solution = info.primal_solution_status == 2
    MS = highspy.HighsModelStatus
    values = np.array(h.getSolution().col_value, dtype=float) if has_solution or n_cols == 0 else None
    objective = info.objective_function_value if has_solution else None
    bound = info.mip_dual_bound if info.mip_node_count >= 0 else objective
    termination, text = stop_reason(model_status, text, interrupted, cancelled)
    if model_status == MS.kModelEmpty:
        return RunResult("optimal", np.zeros(0), mm_offset(h), None, elapsed, text, termination="optimal")
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
    if status == "unbounded":
        termination = "unbounded"
    return RunResult(status, values, objective, bound, elapsed, text, interrupted, termination)


def stop_reason(model_status, text: str, interrupted: bool, cancelled: bool) -> tuple[str, str]:
    """(termination, message) of a run: a run interop cancelled on its time limit says
    "time limit", not HiGHS's "Interrupted by user"; one stopped by a signal says so."""
    termination = _termination(model_status, interrupted, cancelled)
    if termination == "interrupted" and interrupted:
        return termination, stop.interrupted_message()
    if cancelled:
        return termination, "Time limit reached (cancelled by interop: HiGHS ran past it)"
    return termination, text


def mm_offset(h: highspy.Highs) -> float:
    """The objective of an empty model: its constant offset."""
    offset = h.getObjectiveOffset()
    return float(offset[1] if isinstance(offset, tuple) else offset)
