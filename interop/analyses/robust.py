"""Robust plans (issue 12): one command structure that survives every single withdrawal or lost HQ.

The **structure** is the set of activated links (and so the integrated nodes,
every node they join to a root). It is chosen once; the assignments are
chosen per case: the base case (nothing lost) and one case per single loss —
``withdrawal``: every nation with platforms, as
:func:`interop.analyses.resilience.withdraw` defines it; ``node``: every
non-root command node, as :func:`~interop.analyses.resilience.lose_node`.

Within case k only surviving structure is usable: the case is the reduced
instance with the links the structure activates and the case keeps, and a
node is integrated in it only if those links still join it to a root (per
case flow variables bounded by the shared z, and g_k ≤ g of the base). A
case's **effectiveness within a structure**, eff_k(S), is the largest
effectiveness of any plan of the reduced instance with exactly those links
active (every constraint 1–8 of the reduced instance holds). No link cost is
charged in a case, so eff_k grows with S and activating every admissible link
gives every case its best, best_k, at once.

* ``floor`` F: maximise the base plan's Z subject to eff_k(S) ≥ F · E°, where
  E° is the effectiveness of the plain optimum (the plan ``solve`` reports).
* no floor: maximise the worst case, min_k eff_k(S); its optimum is
  W* = min_k best_k (all links), so the second, lexicographic solve maximises
  the base Z subject to eff_k(S) ≥ W* − ``WORST_TOL``.

A case with no plan under any structure (its reduced instance is infeasible
even with every link active, e.g. a withdrawal that leaves a minimum coverage
unreachable) cannot be protected by a structure: it is reported ``infeasible``
and left out of the floor and of the worst case.

The model is the extensive form, built from :func:`build_matrix` blocks: the
base block (the default model, objective Z) and one block per case
(its own E, a, h, g, f; its z columns mapped onto the base block's, so the
structure is shared), block-diagonal apart from the shared z and the rows
g_k ≤ g and Σ_t w_t E^k_t ≥ level · Σ_t w_t r_t. When the plain optimum's
structure already meets the level, the plain plan is the robust optimum and
no extensive solve is needed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from interop.analyses.resilience import reduced
from interop.analyses.robust_report import SOLVED, cases_record, price, table
from interop.instance.schema import Instance
from interop.model.data import ModelData, model_data
from interop.model.matrix import InfeasibleBuild, Layout, MatrixModel, build_matrix
from interop.solution.evaluate import joined_to_root
from interop.solution.extract import matrix_decisions, solution_from_run
from interop.solution.solution import Solution
from interop.solver import stop
from interop.solver.highs import RunResult
from interop.solver.profiles import SolverProfile, profile_options, solver_record
from interop.solver.run import run_matrix

KINDS = {"withdrawal": "withdraw", "node": "lose-node"}
WORST_TOL = 1e-6  # the worst case is held at its optimum minus this (effectiveness, in [0, 1])
SHARED_STRUCTURE = True  # False: each case chooses its own links and integration (a perturbation for the tests)


def robust_cases(inst: Instance, kind: str) -> list[str]:
    """The single-loss cases of ``kind`` (``withdrawal`` or ``node``), named as in resilience."""
    if kind not in KINDS:
        raise ValueError(f"robust kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "withdrawal":
        with_platforms = {p.nation for p in inst.platforms}
        return [f"withdraw:{n.id}" for n in inst.nations if n.id in with_platforms]
    return [f"lose-node:{c.id}" for c in inst.command_nodes if not c.root]


@dataclass
class CaseModel:
    """One case's reduced instance, its matrix block and its effectiveness within structures."""

    case: str
    data: ModelData
    mm: MatrixModel | None  # None: a constraint no variable can meet (infeasible whatever the structure)
    lay: Layout | None
    best: tuple[str, float | None, np.ndarray | None] = ("", None, None)  # every link active

    @property
    def total(self) -> float:
        return sum(t.priority * t.demand for t in self.data.instance.tasks)

    def link_ids(self) -> np.ndarray:
        return self.data.links["link"].to_numpy()[self.lay.z_of]

    def within(self, links, options: dict, deadline: float | None) -> tuple[str, float | None, np.ndarray | None]:
        """(status, eff_k, values) with exactly the ``links`` of the structure active (None: every link)."""
        if self.mm is None:
            return "infeasible", None, None
        mm, lay = self.mm, self.lay
        on = np.ones(len(lay.z_of)) if links is None else np.isin(self.link_ids(), list(links)).astype(float)
        zc = np.arange(lay.z.start, lay.z.stop)
        mm.col_lower[zc], mm.col_upper[zc] = on, on
        probe = MatrixModel(**{**vars(mm), "cost": mm.parts.effect, "tie_break": None})
        run = run_matrix(probe, options, deadline=deadline)
        if run.status not in SOLVED:
            return run.status, None, None
        total = self.total
        return run.status, (float(run.objective) / total if total > 0 else 0.0), run.values


def case_model(inst: Instance, case: str) -> CaseModel:
    """The matrix block of ``case``'s reduced instance."""
    data = model_data(reduced(inst, case))
    try:
        mm, lay, _ = build_matrix(data)
    except InfeasibleBuild:
        return CaseModel(case, data, None, None)
    mm.col_lower, mm.col_upper = mm.col_lower.copy(), mm.col_upper.copy()
    return CaseModel(case, data, mm, lay)


def extensive(base: tuple[MatrixModel, Layout, ModelData], cases: list[CaseModel], level: float):
    """The extensive form: base block (objective Z), one block per case sharing z, level rows.

    Returns the model and, per case, the map of its block's columns to the
    extensive model's columns.
    """
    mm0, lay0, data0 = base
    n0 = len(mm0.cost)
    z_of = {lid: lay0.z.start + i for i, lid in enumerate(data0.links["link"].to_numpy()[lay0.z_of])}
    g_of = {data0.nodes[c]: lay0.g.start + i for i, c in enumerate(lay0.free_nodes)}
    first = mm0.matrix.tocoo()
    rr, cc, vv = [first.row], [first.col], [first.data]
    lo, up = [mm0.row_lower], [mm0.row_upper]
    c_lo, c_up, ints = [mm0.col_lower], [mm0.col_upper], [mm0.integer]
    n_cols, n_rows, maps = n0, mm0.matrix.shape[0], []
    extra_r, extra_c, extra_v, extra_lo, extra_up = [], [], [], [], []
    for cm in cases:
        mm, lay = cm.mm, cm.lay
        k = len(mm.cost)
        own = np.ones(k, dtype=bool)
        colmap = np.full(k, -1, dtype=np.int64)
        if SHARED_STRUCTURE:
            own[lay.z] = False
            colmap[lay.z] = [z_of[lid] for lid in cm.link_ids()]
        colmap[own] = n_cols + np.arange(int(own.sum()))
        n_cols += int(own.sum())
        coo = mm.matrix.tocoo()
        rr.append(coo.row + n_rows)
        cc.append(colmap[coo.col])
        vv.append(coo.data)
        n_rows += mm.matrix.shape[0]
        lo.append(mm.row_lower)
        up.append(mm.row_upper)
        cols = np.flatnonzero(own)
        lower, upper = mm.col_lower.copy(), mm.col_upper.copy()
        lower[lay.z], upper[lay.z] = 0.0, 1.0  # the probes of CaseModel.within fix them
        c_lo.append(lower[cols])
        c_up.append(upper[cols])
        ints.append(mm.integer[cols])
        for i, c in enumerate(lay.free_nodes if SHARED_STRUCTURE else []):  # g_k ≤ g: in the base structure
            extra_r += [len(extra_lo)] * 2
            extra_c += [colmap[lay.g.start + i], g_of[cm.data.nodes[c]]]
            extra_v += [1.0, -1.0]
            extra_lo.append(-np.inf)
            extra_up.append(0.0)
        e_cols = np.arange(lay.E.start, lay.E.stop)  # Σ w E^k ≥ level · Σ w r
        extra_r += [len(extra_lo)] * len(e_cols)
        extra_c += list(colmap[e_cols])
        extra_v += list(mm.parts.effect[e_cols])
        extra_lo.append(level * cm.total - 1e-9)
        extra_up.append(np.inf)
        maps.append(colmap)
    rr.append(np.asarray(extra_r, dtype=np.int64) + n_rows)
    cc.append(np.asarray(extra_c, dtype=np.int64))
    vv.append(np.asarray(extra_v, float))
    shape = (n_rows + len(extra_lo), n_cols)
    r, c, v = (
        np.concatenate([np.asarray(x, dtype=t) for x in xs]) for xs, t in ((rr, np.int64), (cc, np.int64), (vv, float))
    )
    matrix = sp.coo_array((v, (r, c)), shape=shape).tocsc()
    pad = np.zeros(n_cols - n0)
    out = MatrixModel(
        cost=np.r_[mm0.cost, pad],
        offset=0.0,
        maximize=True,
        matrix=matrix,
        row_lower=np.concatenate([*lo, extra_lo]),
        row_upper=np.concatenate([*up, extra_up]),
        col_lower=np.concatenate(c_lo),
        col_upper=np.concatenate(c_up),
        integer=np.concatenate(ints),
        tie_break=None,  # ties among robust plans are not broken by Σ α Aut (a second solve of the whole form)
    )
    return out, maps


def _run_started(mm: MatrixModel, options: dict, verbose: bool, start, deadline) -> RunResult:
    """``run_matrix`` from ``start``, again without it if HiGHS's values do not give its objective.

    HiGHS 1.16 may return the caller's start vector unchanged, with the objective
    of the start as presolve improved it, when branch and bound finds nothing
    better: values and objective then disagree, and the values are not the plan.
    """
    run = run_matrix(mm, options, verbose, start, deadline)
    if start is None or run.values is None or run.objective is None:
        return run
    if abs(float(mm.cost @ run.values) + mm.offset - run.objective) <= 1e-6 * max(1.0, abs(run.objective)):
        return run
    again = run_matrix(mm, options, verbose, None, deadline)
    again.time_s += run.time_s
    return again


def _base_start(base, plain: Solution, links: list[str], options: dict, deadline) -> np.ndarray | None:
    """The plain plan's units with ``links`` active and every node they join integrated, as a base vector."""
    mm0, lay0, data0 = base
    probe = MatrixModel(**{**vars(mm0), "tie_break": None})
    probe.col_lower, probe.col_upper = mm0.col_lower.copy(), mm0.col_upper.copy()
    A = data0.assignments
    where = {key: i for i, key in enumerate(zip(A["platform"], A["task"], A["node"]))}
    a = np.zeros(lay0.n_assign)
    h = np.zeros(lay0.n_assign)
    for row in plain.assignments.itertuples():
        i = where[(row.platform, row.task, row.command)]
        a[i], h[i] = row.units, row.integrated_units
    joined = joined_to_root(data0.instance, links)
    z = np.isin(data0.links["link"].to_numpy()[lay0.z_of], links).astype(float)
    g = np.array([1.0 if data0.nodes[c] in joined else 0.0 for c in lay0.free_nodes])
    for part, values in ((lay0.a, a), (lay0.h, h[lay0.h_of]), (lay0.z, z), (lay0.g, g)):
        probe.col_lower[part], probe.col_upper[part] = values, values
    run = run_matrix(probe, options, deadline=deadline)
    return run.values if run.status in SOLVED else None


def _solve_extensive(inst, plain: Solution, live: list[CaseModel], level, profile, verbose, deadline, began):
    """The robust base plan by the extensive form, started from every link active (the plain plan's units)."""
    name, options = profile
    base = build_matrix(model_data(inst))
    mm, maps = extensive(base, live, 0.0 if level is None else level)
    start = _base_start(base, plain, list(base[2].links["link"]), options, deadline)
    x0 = None
    if start is not None:  # every case re-planned with every link active: feasible whenever the level is
        x0 = np.zeros(len(mm.cost))
        x0[: len(start)] = start
        for cm, colmap in zip(live, maps):
            own = colmap >= len(start)
            x0[colmap[own]] = cm.best[2][own]
    reserve = float(len(live))  # about a second per case for the report's re-plans within the structure
    ends = None if deadline is None else time.monotonic() + max(1.0, deadline - reserve - time.monotonic())
    run = _run_started(mm, options, verbose, x0, ends)
    n0 = len(base[0].cost)
    base_run = replace(run, values=None if run.values is None else run.values[:n0])
    record = solver_record(name, options, run.time_s, began, form="robust extensive")
    _, lay0, data0 = base
    return solution_from_run(inst, base_run, record, "default", lambda: matrix_decisions(data0, lay0, base_run.values))


def robust_plan(
    target: str | Path | Instance,
    kind: str,
    floor: float | None = None,
    *,
    scenario: str | None = None,
    profile: str | SolverProfile = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    deadline: float | None = None,
    shortcut: bool = True,
    verbose: bool = False,
) -> tuple[Solution, pd.DataFrame]:
    """The robust base plan of ``target`` against every single loss of ``kind``, and the per-case table.

    Returns the base plan as a :class:`Solution` of the default model (its
    ``robust`` record holds the kind, floor, price of robustness and the
    per-case effectiveness) and one row per case (the base first). An
    infeasible floor gives status ``infeasible`` and a message naming the case
    that cannot reach it. ``shortcut=False`` always solves the extensive form.
    """
    from interop.instance.loading import load_instance
    from interop.solve import solve

    if floor is not None and not 0 < floor <= 1:
        raise ValueError(f"floor must be in (0, 1], not {floor}")
    began = time.perf_counter()
    inst = load_instance(target, scenario) if isinstance(target, (str, Path)) else target
    names = robust_cases(inst, kind)
    name, options = profile_options(profile, time_limit, gap)
    if time_limit is not None:
        own = time.monotonic() + time_limit
        deadline = own if deadline is None else min(deadline, own)
    plain = solve(inst, profile=profile, time_limit=time_limit, gap=gap, deadline=deadline)
    record = {"kind": kind, "floor": floor, "cases": len(names)}
    if not plain.has_solution:
        plain.message = f"no robust plan: the instance itself has no plan ({plain.status})"
        plain.robust = record
        return plain, pd.DataFrame()
    bench = plain.metrics["effectiveness"]
    models = [case_model(inst, c) for c in names]
    rows = {}
    for cm in models:
        cm.best = cm.within(None, options, deadline)
        plain_run = cm.within(plain.links, options, deadline) if cm.best[0] in SOLVED else cm.best
        rows[cm.case] = {"best": cm.best, "plain": plain_run}
    if stop.requested() is not None:  # cut short: the cases left unsolved would be left out silently
        out = Solution(inst.name, inst.scenario, "no_solution", parameters=plain.parameters, solver=plain.solver)
        out.message, out.robust = stop.interrupted_message(), record
        return out, pd.DataFrame()
    live = [cm for cm in models if cm.best[0] in SOLVED]
    worst_possible = min((cm.best[1] for cm in live), default=None)
    if floor is not None:
        level = floor * bench
    else:
        level = None if worst_possible is None else max(0.0, worst_possible - WORST_TOL)
    record.update(benchmark_effectiveness=bench, level=level, worst_possible=worst_possible)
    short = [cm.case for cm in live if cm.best[1] < level - 1e-9] if level is not None else []
    if short:
        ceiling = worst_possible / bench if bench > 0 else 0.0
        msg = (
            f"floor {floor:g} infeasible: {short[0]} reaches at most {rows[short[0]]['best'][1]:.4g} effectiveness"
            f" under any structure, below {floor:g} × {bench:.4g} = {level:.4g}"
            + (f" (and {len(short) - 1} more: {', '.join(short[1:4])})" if len(short) > 1 else "")
            + f"; the highest floor any structure keeps is {ceiling:.4g}"
        )
        out = Solution(inst.name, inst.scenario, "infeasible", parameters=plain.parameters, solver=plain.solver)
        out.message = msg
        out.robust = {**record, "message": msg, "case_effectiveness": cases_record(rows)}
        return out, table(plain, None, rows, level)
    meets = level is None or all(
        rows[cm.case]["plain"][1] is not None and rows[cm.case]["plain"][1] >= level - 1e-9 for cm in live
    )
    if meets and shortcut:
        sol, model = plain, "plain structure meets the level"
        for cm in live:
            rows[cm.case]["robust"] = rows[cm.case]["plain"]
    else:
        sol = _solve_extensive(inst, plain, live, level, (name, options), verbose, deadline, began)
        model = "extensive form"
        for cm in live:
            rows[cm.case]["robust"] = cm.within(sol.links, options, deadline) if sol.has_solution else ("", None, None)
    frame = table(plain, sol, rows, level)
    record.update(model=model, **price(plain, sol, rows), case_effectiveness=cases_record(rows))
    record["time_s"] = round(time.perf_counter() - began, 3)
    sol.robust = record
    if not sol.has_solution:
        sol.message = sol.message or "no robust plan found within the limits"
    return sol, frame
