"""From a solver's run to a checked :class:`Solution`.

The decisions (assignments, activated links, integrated nodes) are read off
the run — from a solved Pyomo model or from the matrix build's column vector —
and every reported figure is recomputed from them by the independent
evaluator :mod:`interop.solution.evaluate` and compared with the solver's
objective before anything is reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from interop.instance.schema import Instance
from interop.model.data import ModelData
from interop.model.matrix import Layout
from interop.solution.burden import measures
from interop.solution.evaluate import Assignment, evaluate, joined_to_root
from interop.solution.solution import ASSIGNMENT_COLUMNS, Solution
from interop.solver import stop

INTEGRALITY_TOL = 1e-5
OPTIMAL_GAP_CHECK = 1e-6  # a run reported optimal with a larger relative gap is reported feasible


def parameters_used(inst: Instance) -> dict:
    """The parameter values of the solved instance, with every default filled in."""
    p = inst.parameters
    return {
        "autonomy_scale": p.autonomy_scale,
        "link_cost_scale": p.link_cost_scale,
        "shared_command_factor": p.shared_command_factor,
        "lead_command_factor": p.lead_command_factor,
        "integration_autonomy_factor": p.integration_autonomy_factor,
        "integration_bonus": {d: p.bonus(d) for d in inst.domains},
    }


def effective_instance(model: pyo.ConcreteModel) -> Instance:
    """The model's instance with λ, μ and α_n as currently set on the model."""
    inst = model.interop_data.instance
    params = inst.parameters.model_copy(
        update={"autonomy_scale": pyo.value(model.lam), "link_cost_scale": pyo.value(model.mu)}
    )
    nations = [n.model_copy(update={"autonomy_weight": pyo.value(model.alpha[n.id])}) for n in inst.nations]
    out = inst.model_copy(update={"parameters": params, "nations": nations})
    out._scenario = inst.scenario
    return out


def _integer(value: float | None, what: str) -> int:
    v = 0.0 if value is None else float(value)
    if abs(v - round(v)) > INTEGRALITY_TOL:
        raise ValueError(f"{what} = {v} is not integral")
    return int(round(v))


def decisions(model: pyo.ConcreteModel) -> tuple[list[Assignment], list[str], list[str]]:
    """The assignments, activated links and integrated nodes of a solved model."""
    out = []
    for key in model.A:
        units = _integer(model.a[key].value, f"a{key}")
        if units >= 1:
            out.append(Assignment(*key, units, _integer(model.h[key].value, f"h{key}")))
    links = [l for l in model.L if _integer(model.z[l].value, f"z[{l}]") == 1]
    # integrated nodes are reported as every node the activated links join to a
    # root: the model admits any g below that, and no objective term depends on g
    return out, links, sorted(joined_to_root(model.interop_data.instance, links), key=list(model.C).index)


def model_extension(model: pyo.ConcreteModel) -> dict:
    """What an analyst changed in a model from ``build_model``: {} if nothing.

    ``added`` lists the components ``build_model`` did not create (name, Pyomo
    type, number of elements; implicit index sets left out); ``deactivated`` the
    built constraints or objectives with an element switched off.
    """
    built = getattr(model, "interop_components", None)
    if built is None:
        return {}
    added, deactivated = [], []
    for comp in model.component_objects(descend_into=False):
        kind = comp.ctype.__name__
        if comp.name not in built:
            if kind != "Set" and kind != "SetOf":
                added.append({"name": comp.name, "type": kind, "size": len(comp) if comp.is_indexed() else 1})
        elif kind in ("Constraint", "Objective") and any(not d.active for d in comp.values()):
            deactivated.append(comp.name)
    if not added and not deactivated:
        return {}
    return {"added": added, "deactivated": deactivated}


def extension_note(ext: dict) -> str:
    """One sentence saying that (and how) the solved model differs from the reference one."""
    parts = [f"added {', '.join(a['name'] for a in ext['added'])}"] if ext.get("added") else []
    if ext.get("deactivated"):
        parts.append(f"deactivated {', '.join(ext['deactivated'])}")
    return "the model was extended by the analyst (" + "; ".join(parts) + "): the plan is optimal for that model"


def solution_from_model(model: pyo.ConcreteModel, run, solver: dict, objective_kind: str | None) -> Solution:
    """The checked Solution of a solved model (values already loaded), with any extension recorded."""
    sol = solution_from_run(effective_instance(model), run, solver, objective_kind, lambda: decisions(model))
    sol.model_extension = model_extension(model)
    if sol.model_extension:
        note = extension_note(sol.model_extension)
        sol.message = f"{sol.message}; {note}" if sol.message else note
    return sol


def solution_from_run(inst: Instance, run, solver: dict, objective_kind: str | None, decide) -> Solution:
    """The checked Solution of a run; ``decide()`` gives its assignments, links and
    integrated nodes (or raises ValueError when the values are not integral)."""
    solver = {**solver, "termination": getattr(run, "termination", "other")}  # why the run stopped
    sol = Solution(inst.name, inst.scenario, run.status, parameters=parameters_used(inst), solver=solver)
    if run.status != "optimal":
        sol.message = stop.interrupted_message() if run.interrupted else run.message
    if not sol.has_solution:
        return sol
    try:
        assignments, links, nodes = decide()
    except ValueError as exc:
        sol.status, sol.message = "error", f"solution not integral: {exc}"
        return sol
    return checked_solution(sol, inst, run, objective_kind, assignments, links, nodes)


def checked_solution(
    sol: Solution,
    inst: Instance,
    run,
    objective_kind: str | None,
    assignments: list[Assignment],
    links: list[str],
    nodes: list[str],
) -> Solution:
    """Fill ``sol`` from decisions, recomputed by :func:`evaluate` and checked against ``run``.

    ``run.objective`` is the solver's objective (None: nothing to check
    against, e.g. a sweep point known optimal without a solve).
    """
    ev = evaluate(inst, assignments, links, nodes)
    if ev.violations:
        sol.status = "error"
        sol.message = "solution violates: " + "; ".join(ev.violations[:5])
        return sol
    objective = ev.epsilon_objective if objective_kind == "epsilon" else ev.objective
    if objective_kind is not None and run.objective is not None:
        tol = 1e-6 * max(1.0, abs(run.objective))
        too_high = run.status == "optimal" and objective > run.objective + max(tol, abs(run.objective) * 1e-6)
        if objective < run.objective - tol or too_high:
            sol.status = "error"
            sol.message = f"recomputed objective {objective} differs from the solver's {run.objective}"
            return sol
    sol.objective = objective
    sol.bound = run.bound
    if objective_kind is None:  # the analyst replaced the objective: its bound is not Z's
        sol.bound = None
        sol.message = "the model's objective was replaced; 'objective' is Z of the reference formulation"
    elif run.bound is not None:
        sol.bound = max(run.bound, objective)
        sol.gap = (sol.bound - objective) / max(abs(objective), 1e-9)
        if sol.gap <= 1e-9 or sol.bound - objective <= 1e-9:
            sol.gap = 0.0
    if run.status == "optimal" and (sol.gap or 0.0) > OPTIMAL_GAP_CHECK:
        sol.status = "feasible"  # a gap limit, not a proof
    sol.metrics = {
        "effectiveness": ev.effectiveness,
        "weighted_effect": ev.weighted_effect,
        "weighted_autonomy_loss": ev.weighted_autonomy_loss,
        "link_cost": ev.link_cost,
    }
    sol.assignments = _assignment_table(inst, assignments)
    sol.links, sol.integrated_nodes = links, nodes
    sol.burden = measures(inst, {"assignments": [vars(a) for a in assignments]})
    sol.tasks = pd.DataFrame(
        [
            {"task": t.id, "effect": ev.effect[t.id], "demand": t.demand, "coverage": ev.effect[t.id] / t.demand}
            for t in inst.tasks
        ]
    )
    sol.nations = pd.DataFrame(
        [
            {
                "nation": n.id,
                "committed_value": ev.committed_value[n.id],
                "nonnational_value": ev.nonnational_value[n.id],
                "autonomy_loss": ev.autonomy_loss[n.id],
            }
            for n in inst.nations
        ]
    )
    return sol


def _assignment_table(inst: Instance, assignments: list[Assignment]) -> pd.DataFrame:
    frame = pd.DataFrame([vars(a) for a in assignments], columns=ASSIGNMENT_COLUMNS)
    nation = {p.id: p.nation for p in inst.platforms}
    domain = {t.id: t.domain for t in inst.tasks}
    frame["nation"] = frame["platform"].map(nation)
    frame["domain"] = frame["task"].map(domain)
    return add_nations(frame, inst)  # the node's nation, its lead and the command relation


def relation(inst: Instance, nation: str, node_id: str) -> str:
    """How ``nation``'s forces stand under ``node_id``: national, lead, shared or foreign command."""
    node = next(c for c in inst.command_nodes if c.id == node_id)
    if node.nation == nation:
        return "national"
    if node.multinational and nation in (node.members or []):
        return "lead" if node.lead == nation else "shared"
    return "foreign"


def add_nations(frame: pd.DataFrame, inst: Instance) -> pd.DataFrame:
    """``frame`` (an assignments table) with the node's nation, its lead and the command relation.

    ``nation`` is the platform's nation; ``node_nation`` the node's nation (or
    ``multinational``); ``node_lead`` the nation leading a combined node (empty
    if none); ``relation`` how the platform's nation stands under the node.
    """
    node = {c.id: c for c in inst.command_nodes}
    frame["node_nation"] = frame["command"].map(lambda c: node[c].nation)
    frame["node_lead"] = frame["command"].map(lambda c: node[c].lead or "")
    frame["relation"] = [relation(inst, n, c) for n, c in zip(frame["nation"], frame["command"])]
    return frame


def matrix_decisions(data: ModelData, lay: Layout, x: np.ndarray) -> tuple[list[Assignment], list[str], list[str]]:
    """Assignments, activated links and integrated nodes of a matrix-build solution vector.

    Raises ValueError when an integer column is not integral.
    """

    def integral(values: np.ndarray, what: str) -> np.ndarray:
        r = np.round(values)
        bad = np.flatnonzero(np.abs(values - r) > INTEGRALITY_TOL)
        if len(bad):
            raise ValueError(f"{what}[{bad[0]}] = {values[bad[0]]} is not integral")
        return r.astype(np.int64)

    a = integral(x[lay.a], "a")
    h = np.zeros(lay.n_assign, dtype=np.int64)
    h[lay.h_of] = integral(x[lay.h], "h")
    z = np.zeros(lay.n_links, dtype=np.int64)
    z[lay.z_of] = integral(x[lay.z], "z")
    A = data.assignments
    used = np.flatnonzero(a >= 1)
    platform, task, node = (A[k].to_numpy()[used] for k in ("platform", "task", "node"))
    out = [Assignment(*row) for row in zip(platform, task, node, a[used].tolist(), h[used].tolist())]
    links = [str(x) for x in data.links["link"].to_numpy()[z == 1]]
    inst = data.instance
    joined = joined_to_root(inst, links)
    return out, links, [c.id for c in inst.command_nodes if c.id in joined]
