"""Solutions: extraction from a solved model, checks, files and summaries.

A :class:`Solution` holds what ``solution.json`` holds (solution-format.md),
with its tables as pandas DataFrames. Every figure in it is recomputed by
:mod:`interop.evaluate` from the assignments, links and integrated nodes, and
compared with the solver's objective before anything is written.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from interop.evaluate import Assignment, evaluate, joined_to_root
from interop.safeio import safe_csv, umask_mode
from interop.schema import Instance

FORMAT = "interop-solution/1"
ASSIGNMENT_COLUMNS = ["platform", "task", "command", "units", "integrated_units"]
INTEGRALITY_TOL = 1e-5


@dataclass
class Solution:
    """One solved instance or scenario; ``to_dict`` is its ``solution.json``."""

    instance: str
    scenario: str | None
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    metrics: dict | None = None
    parameters: dict = field(default_factory=dict)
    assignments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ASSIGNMENT_COLUMNS))
    links: list[str] = field(default_factory=list)
    integrated_nodes: list[str] = field(default_factory=list)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    nations: pd.DataFrame = field(default_factory=pd.DataFrame)
    solver: dict = field(default_factory=dict)
    message: str = ""
    diagnosis: list = field(default_factory=list)

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")

    def to_dict(self) -> dict:
        """The ``solution.json`` document (floats rounded to 12 significant digits)."""
        out = {
            "format": FORMAT,
            "instance": self.instance,
            "scenario": self.scenario,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "metrics": self.metrics,
            "parameters": self.parameters,
            "assignments": _records(self.assignments[ASSIGNMENT_COLUMNS]) if self.has_solution else [],
            "links": list(self.links),
            "integrated_nodes": list(self.integrated_nodes),
            "tasks": _records(self.tasks) if self.has_solution else [],
            "nations": _records(self.nations) if self.has_solution else [],
            "solver": self.solver,
        }
        if self.message:
            out["message"] = self.message
        if self.diagnosis:
            out["diagnosis"] = self.diagnosis
        return _clean(out)

    def write(self, directory: str | Path) -> Path:
        """Write ``solution.json`` and the CSV tables atomically into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if self.has_solution:
            for name, table in self.tables().items():
                atomic_write(directory / f"{name}.csv", safe_csv(table))
        path = directory / "solution.json"
        atomic_write(path, json.dumps(self.to_dict(), indent=2, default=_json_default) + "\n")
        return path

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tidy tables written beside ``solution.json``."""
        return {
            "assignments": self.assignments,
            "tasks": self.tasks,
            "nations": self.nations,
            "links": pd.DataFrame({"link": self.links}),
        }


def _clean(value):
    """Round float noise (79.60000000000001) away without changing any figure materially."""
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def atomic_write(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` so that readers see the old or the new file, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        os.fchmod(fd, umask_mode())  # mkstemp makes 0600; a result is as readable as any new file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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


def solution_from_model(model: pyo.ConcreteModel, run, solver: dict, objective_kind: str | None) -> Solution:
    """The checked Solution of a solved model (values already loaded)."""
    return solution_from_run(effective_instance(model), run, solver, objective_kind, lambda: decisions(model))


def solution_from_run(inst: Instance, run, solver: dict, objective_kind: str | None, decide) -> Solution:
    """The checked Solution of a run; ``decide()`` gives its assignments, links and
    integrated nodes (or raises ValueError when the values are not integral)."""
    sol = Solution(inst.name, inst.scenario, run.status, parameters=parameters_used(inst), solver=solver)
    if run.status != "optimal":
        sol.message = "interrupted (Ctrl-C)" if run.interrupted else run.message
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


OPTIMAL_GAP_CHECK = 1e-6


def _assignment_table(inst: Instance, assignments: list[Assignment]) -> pd.DataFrame:
    frame = pd.DataFrame([vars(a) for a in assignments], columns=ASSIGNMENT_COLUMNS)
    nation = {p.id: p.nation for p in inst.platforms}
    domain = {t.id: t.domain for t in inst.tasks}
    frame["nation"] = frame["platform"].map(nation)
    frame["domain"] = frame["task"].map(domain)
    return frame


def summary(sol: Solution) -> str:
    """A short human summary: effectiveness, autonomy loss by nation, links, time."""
    head = f"{sol.instance}" + (f" [{sol.scenario}]" if sol.scenario else "") + f": {sol.status}"
    lines = [head]
    if sol.message:
        lines.append(f"  {sol.message}")
    for item in sol.diagnosis:
        lines.append(f"  - {item.get('text', item) if isinstance(item, dict) else item}")
    if sol.has_solution and sol.metrics:
        m = sol.metrics
        gap = "" if not sol.gap else f" (gap {sol.gap:.2%})"
        lines.append(f"  objective {sol.objective:.6g}{gap}")
        lines.append(
            f"  effectiveness {m['effectiveness']:.1%}   weighted effect {m['weighted_effect']:.6g}"
            f"   weighted autonomy loss {m['weighted_autonomy_loss']:.6g}   link cost {m['link_cost']:.6g}"
        )
        losses = ", ".join(
            f"{r.nation} {r.autonomy_loss:.4g}" for r in sol.nations.itertuples() if r.committed_value > 0
        )
        lines.append(f"  autonomy loss by nation: {losses or 'none'}")
        idle = [r.nation for r in sol.nations.itertuples() if not r.committed_value > 0]
        if idle:  # an analyst must see that a nation committed nothing
            lines.append(f"  committing nothing: {', '.join(idle)}")
        lines.append(f"  active links ({len(sol.links)}): {', '.join(sol.links) or 'none'}")
    t = sol.solver.get("time_s")
    if t is not None and not math.isnan(t):
        lines.append(f"  solve time {t:.2f} s")
    return "\n".join(lines)
