"""One model, many solves: the default model kept in one HiGHS instance.

Sweeps over λ, μ or the α_n and epsilon-constraint frontiers change only the
objective's coefficients or one row's bound; the constraint matrix stays the
same. :class:`ParametricModel` builds the matrix view once
(:func:`interop.model.matrix.build_matrix`, no Pyomo), keeps it in one HiGHS
instance and changes costs and bounds in place, using the objective's terms
(:class:`interop.model.matrix.ObjectiveParts`) to re-weight. A frontier's
second stage starts from its first stage's solution; sweep points start cold
(offering the previous optimum measurably slowed HiGHS down on the flagship
instances). Every solution still goes through the same extraction and metric
check as :func:`interop.solve`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np

from interop.instance.schema import Instance
from interop.model.data import model_data
from interop.model.matrix import InfeasibleBuild, build_matrix
from interop.solution.extract import matrix_decisions, solution_from_run
from interop.solution.solution import Solution
from interop.solver.highs import RunResult, highs_for, run_highs
from interop.solver.profiles import solver_record
from interop.solver.ties import least_among_optima

INF = highspy.kHighsInf


@dataclass
class FrontierPoint:
    """One lexicographic epsilon-constraint solve: its solution and raw figures."""

    solution: Solution
    effect_objective: float | None  # Σ w E − μ Σ k z
    autonomy: float | None  # Σ α Aut


class ParametricModel:
    """The default model of ``instance`` built once as matrices and re-solved in place."""

    def __init__(self, instance: Instance, options: dict, profile: str = "default", verbose: bool = False):
        began = time.perf_counter()
        self.instance = instance
        self.options = dict(options)
        self.profile = profile
        par = instance.parameters
        self.lam, self.mu = par.autonomy_scale, par.link_cost_scale
        self.alpha = {n.id: n.autonomy_weight for n in instance.nations}
        self.blocked: RunResult | None = None  # a model no solve can help: its result
        self._rows: dict[str, int] = {}
        self._row_coefs: dict[str, np.ndarray] = {}
        self._start: np.ndarray | None = None
        self._costs: np.ndarray | None = None
        self._stale = False
        self.highs = None
        self.data = model_data(instance)
        try:
            self.matrix, self.layout, _ = build_matrix(self.data)
        except InfeasibleBuild as exc:  # e.g. a burden floor with nothing to commit
            self.blocked = RunResult("infeasible", None, None, None, 0.0, str(exc), termination="infeasible")
            self.build_s = time.perf_counter() - began
            return
        try:
            self.highs = highs_for(self.matrix, options, verbose)
        except ValueError as exc:  # a coefficient or an option HiGHS does not accept
            self.blocked = RunResult("error", None, None, None, 0.0, str(exc), termination="error")
            self.build_s = time.perf_counter() - began
            return
        self.parts = self.matrix.parts
        self.c_effect = self.parts.effect
        self.c_link = self.parts.link
        self.build_s = time.perf_counter() - began
        expected = self.default_costs(self.lam, self.mu, self.alpha)
        if not np.allclose(expected, self.matrix.cost, rtol=1e-9, atol=1e-9):  # the objective is Z as built
            raise RuntimeError("internal error: the decomposed objective does not match the built one")

    # -- objective and rows -------------------------------------------------
    def default_costs(self, lam: float, mu: float, alpha: dict[str, float]) -> np.ndarray:
        """Cost vector of Z = Σ w E − λ Σ α Aut − μ Σ k z."""
        return self.parts.costs(lam, mu, alpha)

    def weighted_autonomy(self, alpha: dict[str, float]) -> np.ndarray:
        """Cost vector of Σ_n α_n Aut_n."""
        return self.parts.weighted_autonomy(alpha)

    def current_instance(self) -> Instance:
        """The instance with λ, μ and α_n as currently set (what a solution reports)."""
        inst = self.instance
        params = inst.parameters.model_copy(update={"autonomy_scale": self.lam, "link_cost_scale": self.mu})
        nations = [n.model_copy(update={"autonomy_weight": self.alpha[n.id]}) for n in inst.nations]
        out = inst.model_copy(update={"parameters": params, "nations": nations})
        out._scenario = inst.scenario
        return out

    def _solution(self, run: RunResult, record: dict, kind: str) -> Solution:
        """The checked solution of ``run`` on the current instance."""
        return solution_from_run(
            self.current_instance(), run, record, kind, lambda: matrix_decisions(self.data, self.layout, run.values)
        )

    def _set_costs(self, costs: np.ndarray) -> None:
        self._costs = np.asarray(costs, dtype=float)
        idx = np.arange(len(costs), dtype=np.int32)
        self.highs.changeColsCost(len(costs), idx, np.asarray(costs, dtype=float))

    def _row(self, name: str, coefs: np.ndarray) -> int:
        """Index of an extra row Σ coefs·x (unbounded until set), added once."""
        if name not in self._rows:
            self._row_coefs[name] = coefs
            nz = np.flatnonzero(coefs)
            self.highs.addRow(-INF, INF, len(nz), nz.astype(np.int32), coefs[nz].astype(float))
            self._rows[name] = self.highs.getNumRow() - 1
        return self._rows[name]

    def _release(self, name: str) -> None:
        """Make an extra row, if it exists, unbounded again."""
        if name in self._rows:
            self.highs.changeRowBounds(self._rows[name], -INF, INF)

    def _set_row(self, name: str, coefs: np.ndarray, lower: float = -INF, upper: float = INF) -> None:
        self.highs.changeRowBounds(self._row(name, coefs), lower, upper)

    # -- runs -----------------------------------------------------------------
    def _run(self, warm: bool = True) -> RunResult:
        if self._stale:  # the last run was left behind, still running: this one needs another instance
            self._fresh_highs()
            self._stale = False
        result = run_highs(self.highs, self._start if warm else None)
        self._stale = result.abandoned
        if result.values is not None:
            self._start = result.values
        return result

    def _record(self, seconds: float) -> dict:
        return solver_record(self.profile, self.options, seconds, reused_model=True)

    def solve(
        self, lam: float | None = None, mu: float | None = None, alpha: dict[str, float] | None = None
    ) -> Solution:
        """The checked solution of the default model with λ, μ and α_n replaced where given."""
        if lam is not None:
            self.lam = float(lam)
        if mu is not None:
            self.mu = float(mu)
        for n, w in (alpha or {}).items():
            if n not in self.alpha:
                raise KeyError(f"no nation {n!r}")
            self.alpha[n] = float(w)
        if self.blocked is not None:
            return self._solution(self.blocked, self._record(0.0), "default")
        self._release("autonomy")  # a frontier point may have left a limit
        costs = self.default_costs(self.lam, self.mu, self.alpha)
        self._set_costs(costs)
        run = self._run(warm=False)  # measured: the previous optimum as a start slowed HiGHS down
        self.matrix.tie_break = self.weighted_autonomy(self.alpha)
        run = least_among_optima(self.highs, self.matrix, costs, run)
        self._stale = self._stale or run.abandoned  # a tie-break run left behind holds this HiGHS
        sol = self._solution(run, self._record(run.time_s), "default")
        if sol.status == "error" and run.values is not None:
            # seen once in a long sweep: HiGHS's objective did not belong to the
            # values it returned (a warm-started run). Solve again from scratch.
            self._fresh_highs()
            run = least_among_optima(self.highs, self.matrix, costs, self._run())
            self._stale = self._stale or run.abandoned
            sol = self._solution(run, {**self._record(run.time_s), "retried_cold": True}, "default")
        return sol

    def _fresh_highs(self) -> None:
        """A new HiGHS instance holding the model with the current costs and no start."""
        costs = self._costs if self._costs is not None else self.matrix.cost  # not read from a HiGHS still running
        rows = [(i, name, self._row_coefs[name]) for name, i in self._rows.items()]
        self.highs = highs_for(self.matrix, self.options)
        self._rows, self._start = {}, None
        self._set_costs(costs)
        for _, name, coefs in sorted(rows, key=lambda r: r[0]):  # extra rows back, released
            self._row(name, coefs)

    def frontier_point(self, epsilon: float | None, tolerance: float = 1e-7) -> FrontierPoint:
        """The efficient solution at ``epsilon``: max Σ w E − μ Σ k z with Σ α Aut ≤ ε,
        then, keeping that value, the least Σ α Aut (so no weakly dominated point).

        ``epsilon=None`` means no autonomy limit (the effect-maximal end of the
        front); ``epsilon=-inf`` (``float('-inf')``) first minimises Σ α Aut (the
        autonomy-minimal end).
        """
        if self.blocked is not None:
            return self._failed(self.blocked, time.perf_counter(), None)
        c_w = self.weighted_autonomy(self.alpha)
        c_f = self.c_effect - self.mu * self.c_link
        self._release("floor")
        began = time.perf_counter()
        if epsilon is not None and epsilon == -INF:
            self._set_row("autonomy", c_w)
            self._set_costs(-c_w)
            first = self._run()
            if first.values is None:
                return self._failed(first, began, epsilon)
            epsilon = float(c_w @ first.values)
            epsilon += tolerance * max(1.0, abs(epsilon))
        limit = INF if epsilon is None else float(epsilon)
        self._set_row("autonomy", c_w, upper=limit)
        self._set_costs(c_f)
        stage1 = self._run()
        if stage1.values is None:
            return self._failed(stage1, began, epsilon)
        best = float(c_f @ stage1.values)
        self._set_row("floor", c_f, lower=best - tolerance * max(1.0, abs(best)))
        self._set_costs(-c_w)
        stage2 = self._run()
        self._release("floor")
        final = stage2 if stage2.values is not None else stage1
        values = final.values
        status = "optimal" if stage1.status == stage2.status == "optimal" else "feasible"
        effect = float(c_f @ values)
        bound = stage1.bound if stage1.bound is not None else None
        run = RunResult(
            status,
            values,
            effect,
            bound,
            time.perf_counter() - began,
            stage1.message,
            stage1.interrupted or stage2.interrupted,
            stage2.termination,
        )
        sol = self._solution(run, self._record(run.time_s), "epsilon")
        sol.parameters["epsilon"] = None if epsilon is None else float(epsilon)
        return FrontierPoint(sol, effect, float(c_w @ values))

    def _failed(self, run: RunResult, began: float, epsilon: float | None) -> FrontierPoint:
        run.time_s = time.perf_counter() - began
        sol = self._solution(run, self._record(run.time_s), "epsilon")
        sol.parameters["epsilon"] = None if epsilon is None or not np.isfinite(epsilon) else float(epsilon)
        return FrontierPoint(sol, None, None)
