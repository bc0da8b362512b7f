"""Which optimal plan is reported: the stable-plan tie-break (:func:`least_among_optima`) and its arithmetic.

Among the plans within :data:`TIE_TOLERANCE` of the optimum Z*, the reported
one has the least secondary value s·x (Σ α Aut). The cheap way to find it is
one solve of the perturbed objective (Z − δ s)·x, started from the first plan:
whenever its answer R is still optimal for Z, the perturbed run's dual bound B
proves that no plan within the tolerance of Z* has s·x below

    least = (Z* − tol − B) / δ,

since every such plan Q has Z(Q) − δ s(Q) ≤ B. R is accepted when s(R) is
within :data:`TIE_PRECISION` of that floor, relative to the first plan's s·x. δ is chosen from the
tolerances so that an exact perturbed run always meets the floor; a δ large
enough to trade Z for s (a breakpoint of Z in δ) shows as an R that is no
longer optimal for Z, and the caller then falls back to the exact second solve
with the row Z·x ≥ Z* − tol. Both ways give the least s·x among optimal plans;
the perturbed one proves it to 1e-5 of the first plan's s·x
instead of HiGHS's 1e-9 gap: plans whose losses differ by less count as tied.
The proof is as good as HiGHS's tolerances on the bound and the integrality.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from interop.model.matrix import MatrixModel
from interop.solver import stop
from interop.solver.highs import RunResult, mm_offset, run_highs

TIE_TOLERANCE = 1e-9  # relative: plans this close to Z* count as optimal when ties are broken
TIE_PRECISION = 1e-5  # relative: how close to the least Σ α Aut a perturbed solve must prove its plan
_GAP_ROOM = 4.0  # δ leaves room for a perturbed run's gap of just under three tolerances


def tolerance(best: float) -> float:
    """How far below Z* (``best``) a plan may be and still count as optimal."""
    return TIE_TOLERANCE * max(1.0, abs(best))


def perturbation(best: float, worst: float, precision: float = TIE_PRECISION) -> float:
    """δ for the objective Z − δ s, given Z* (``best``) and the first plan's s·x (``worst``).

    The floor's distance to s(R) is (gap + tol + Z* − Z(R)) / δ, so with the
    gap under three tolerances this δ keeps it under ``precision`` × ``worst``.
    """
    return _GAP_ROOM * tolerance(best) / (precision * max(1.0, abs(worst)))


@dataclass(frozen=True)
class Certificate:
    """What a perturbed run proved about its plan R."""

    optimal: bool  # R is within the tolerance of Z*
    least: float  # no plan within the tolerance of Z* has a smaller s·x
    accepted: bool  # R is optimal and its s·x is within the precision of ``least``


def certify(
    best: float,
    delta: float,
    z_plan: float,
    s_plan: float,
    bound: float | None,
    scale: float | None = None,
    precision: float = TIE_PRECISION,
) -> Certificate:
    """Judge a perturbed run: Z* = ``best``, R's Z and s, and the run's dual bound of (Z − δ s)·x.

    ``bound`` is an upper bound of the perturbed objective over all plans
    (without the model's constant offset); ``None`` (no proof) accepts nothing.
    ``scale`` is the loss the precision is relative to: the first plan's, the
    one δ was chosen for (:func:`perturbation`); by default s(R).
    """
    tol = tolerance(best)
    optimal = z_plan >= best - tol
    if bound is None or delta <= 0:
        return Certificate(optimal, float("-inf"), False)
    least = (best - tol - bound) / delta
    ref = s_plan if scale is None else scale
    accepted = optimal and s_plan - least <= precision * max(1.0, abs(ref))
    return Certificate(optimal, least, accepted)


def least_among_optima(
    h: highspy.Highs, mm: MatrixModel, primary: np.ndarray, first: RunResult, perturb: bool = True
) -> RunResult:
    """Among the optimal plans of ``max primary·x``, one with the least ``mm.tie_break·x`` (Σ α Aut).

    Optimal plans tie often, and which one HiGHS returns is an accident of its
    search. The rule reported in every solution: maximise Z; among the plans
    within ``TIE_TOLERANCE`` (relative) of Z*, minimise Σ α Aut; among those,
    the plan HiGHS's deterministic search returns (same model and options, same
    plan). ``h`` holds ``mm`` with costs ``primary`` and has just given
    ``first``. A run of the perturbed objective Z − δ Σ α Aut, started from
    ``first``'s plan, usually proves its plan the least (:mod:`interop.solver.ties`);
    when it does not (δ crossed a breakpoint, or the run stopped short), a
    second run adds the row ``primary·x ≥ Z* − tol`` and minimises Σ α Aut,
    in the time the limit leaves. Then, with the integer decisions of the
    chosen plan fixed, the continuous ones (E_t) are re-optimised for Z, so the
    reported objective is the plan's own. ``h`` is left as it was (unless a run
    was abandoned: then ``h`` is not touched again and the result says
    ``abandoned``); a tie-break that finds nothing better keeps ``first``.
    ``RunResult.tie_break`` says which way decided: "perturbed", "row", or
    "none" (stopped or out of time: ``first`` stands unbroken).
    ``perturb=False`` goes straight to the row (for
    benchmarks/tie_break_bench.py's before-and-after); so does a gap option
    looser than the perturbed run's proof can use.
    """
    secondary = mm.tie_break
    if secondary is None or not mm.maximize or first.status != "optimal" or first.values is None:
        return first
    if not np.any(secondary) or stop.requested() is not None:  # nothing to break, or stopping
        return first
    worst = float(secondary @ first.values)
    limit = _option(h, "time_limit")
    left = limit - first.time_s
    if worst <= 1e-12 or left <= 0.05:
        return first
    best = float(primary @ first.values)
    ints = np.flatnonzero(mm.integer).astype(np.int32)
    perturb = perturb and _option(h, "mip_rel_gap") <= PROOF_GAP
    runs: list[RunResult] = []
    chosen, method, start = None, "none", first.values
    improves = False
    try:
        if perturb:
            delta = perturbation(best, worst)
            probe = _run_with_costs(h, primary - delta * secondary, primary, first.values, left)
            runs.append(probe)
            left -= probe.time_s
            if probe.status == "optimal" and probe.values is not None and not probe.abandoned:
                bound = None if probe.bound is None else probe.bound - mm_offset(h)
                z, s = float(primary @ probe.values), float(secondary @ probe.values)
                verdict = certify(best, delta, z, s, bound, scale=worst)
                if verdict.accepted:
                    chosen, method = probe.values, "perturbed"
                elif verdict.optimal and s < worst:
                    start = probe.values  # optimal and better: a head start for the row
        if chosen is None and stop.requested() is None and left > 0.05 and not _abandoned(runs):
            chosen = _least_with_row(h, primary, secondary, best, start, left, runs)
            method = "row" if chosen is not None else method
            left -= runs[-1].time_s
        improves = chosen is not None and float(secondary @ chosen) < worst - 1e-9 * max(1.0, worst)
        if improves and not _abandoned(runs):
            plan = np.round(chosen[ints])
            h.changeColsBounds(len(ints), ints, plan, plan)
            h.setOptionValue("time_limit", max(left, 1.0))  # an LP with the plan fixed: a moment
            fixed = None
            try:
                fixed = run_highs(h, chosen)
            finally:
                if fixed is None or not fixed.abandoned:
                    h.changeColsBounds(len(ints), ints, mm.col_lower[ints], mm.col_upper[ints])
            runs.append(fixed)
    finally:
        if not _abandoned(runs):
            h.setOptionValue("time_limit", limit)
    first.time_s += sum(r.time_s for r in runs)
    first.interrupted = first.interrupted or any(r.interrupted for r in runs)
    first.abandoned = _abandoned(runs)
    first.tie_break = method
    final = runs[-1] if runs else first
    if not improves or final.values is None or final.status != "optimal":
        return first
    return RunResult(
        first.status,
        final.values,
        float(primary @ final.values) + mm.offset,
        first.bound,
        first.time_s,
        first.message,
        first.interrupted,
        first.termination,
        first.abandoned,
        tie_break=method,
    )


PROOF_GAP = 1e-6  # a relative gap option above this leaves the perturbed run too loose to prove anything


def _option(h: highspy.Highs, name: str) -> float:
    value = h.getOptionValue(name)
    return float(value[1] if isinstance(value, tuple) else value)


def _abandoned(runs: list[RunResult]) -> bool:
    """A run was left to HiGHS's thread: ``h`` is still busy and must not be touched."""
    return any(r.abandoned for r in runs)


def _run_with_costs(
    h: highspy.Highs, costs: np.ndarray, restore: np.ndarray, start: np.ndarray, limit: float
) -> RunResult:
    """One run of ``h`` with ``costs`` and the time limit ``limit``; the costs ``restore`` put back after."""
    idx = np.arange(len(costs), dtype=np.int32)
    h.changeColsCost(len(idx), idx, np.asarray(costs, dtype=float))
    run = None
    try:
        h.setOptionValue("time_limit", limit)
        run = run_highs(h, start)
    finally:
        if run is None or not run.abandoned:
            h.changeColsCost(len(idx), idx, np.asarray(restore, dtype=float))
    return run


def _least_with_row(
    h: highspy.Highs,
    primary: np.ndarray,
    secondary: np.ndarray,
    best: float,
    start: np.ndarray,
    left: float,
    runs: list[RunResult],
) -> np.ndarray | None:
    """The exact second solve: minimise ``secondary·x`` with the row ``primary·x ≥ best − tol``."""
    nz = np.flatnonzero(primary).astype(np.int32)
    h.addRow(best - tolerance(best), highspy.kHighsInf, len(nz), nz, primary[nz].astype(float))
    row = h.getNumRow() - 1
    second = None
    try:
        second = _run_with_costs(h, -np.asarray(secondary, dtype=float), primary, start, left)
    finally:
        if second is None or not second.abandoned:
            h.deleteRows(1, np.array([row], dtype=np.int32))
    runs.append(second)
    return second.values if second.status in ("optimal", "feasible") else None
