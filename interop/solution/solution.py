"""The solution: what ``solution.json`` holds (solution-format.md), and its summary.

A :class:`Solution` carries its tables as pandas DataFrames. It is made by
:mod:`interop.solution.extract`, which recomputes every figure with
:mod:`interop.solution.evaluate` before anything is reported.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from interop.safeio import safe_csv
from interop.solution.files import atomic_write, clean, clean_frame, json_default, records

FORMAT = "interop-solution/1"
ASSIGNMENT_COLUMNS = ["platform", "task", "command", "units", "integrated_units"]
# the columns of the tables in the Python API (also when there is no solution)
ASSIGNMENT_TABLE_COLUMNS = [*ASSIGNMENT_COLUMNS, "nation", "domain", "node_nation", "node_lead", "relation"]
TASK_COLUMNS = ["task", "effect", "demand", "coverage"]
NATION_COLUMNS = ["nation", "committed_value", "nonnational_value", "autonomy_loss"]


def _empty(columns: list[str]):
    return lambda: pd.DataFrame(columns=columns)


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
    assignments: pd.DataFrame = field(default_factory=_empty(ASSIGNMENT_TABLE_COLUMNS))
    links: list[str] = field(default_factory=list)
    integrated_nodes: list[str] = field(default_factory=list)
    tasks: pd.DataFrame = field(default_factory=_empty(TASK_COLUMNS))
    nations: pd.DataFrame = field(default_factory=_empty(NATION_COLUMNS))
    solver: dict = field(default_factory=dict)
    message: str = ""
    diagnosis: list = field(default_factory=list)
    plan_explanation: dict = field(default_factory=dict)  # opt-in: interop.analyses.plan_explain
    model_extension: dict = field(default_factory=dict)  # a Pyomo model the analyst changed: what changed
    what_if: dict = field(default_factory=dict)  # opt-in: a quick what-if applied on the command line
    robust: dict = field(default_factory=dict)  # opt-in: solve --robust (interop.analyses.robust)
    extra_tables: dict = field(default_factory=dict)  # name -> DataFrame written beside it (robust.csv), not in JSON
    burden: dict = field(default_factory=dict)  # burden and dependence measures (interop.solution.burden)

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")

    def to_dict(self) -> dict:
        """The ``solution.json`` document (floats rounded to 12 significant digits).

        Beside the format's keys (solution-format.md) it carries ``burden``
        whenever there is a plan (the measures of :mod:`interop.solution.burden`,
        recomputable from ``assignments`` and the instance) and the opt-in keys
        of docs/contract-notes.md when they apply.
        """
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
            "assignments": records(self.assignments[ASSIGNMENT_COLUMNS]) if self.has_solution else [],
            "links": list(self.links),
            "integrated_nodes": list(self.integrated_nodes),
            "tasks": records(self.tasks) if self.has_solution else [],
            "nations": records(self.nations) if self.has_solution else [],
            "solver": self.solver,
        }
        if self.burden and self.has_solution:  # an extra key: readers of the format ignore it
            out["burden"] = self.burden
        if self.message:
            out["message"] = self.message
        if self.diagnosis:
            out["diagnosis"] = self.diagnosis
        if self.plan_explanation:
            out["plan_explanation"] = self.plan_explanation
        if self.model_extension:
            out["model_extension"] = self.model_extension
        if self.what_if:
            out["what_if"] = self.what_if
        if self.robust:
            out["robust"] = self.robust
        return clean(out)

    def write(self, directory: str | Path, force: bool = False) -> Path:
        """Write ``solution.json`` and the CSV tables into ``directory``, all or nothing.

        The files are written into a staging folder and swapped in whole
        (:mod:`interop.solution.outdir`), so that the folder never holds a mix
        of this solution's files and an earlier one's, and the earlier one's
        tables go when this solution has none. A folder holding files interop
        did not write is refused (:class:`~interop.solution.outdir.FolderRefused`)
        unless ``force``; they are never deleted.
        """
        from interop.solution.outdir import open_folder

        directory = Path(directory)
        with open_folder(directory, "solve", force=force, again="replace") as folder, folder.staging() as tmp:
            if self.has_solution:
                for name, table in self.tables().items():
                    atomic_write(tmp / f"{name}.csv", safe_csv(clean_frame(table)))  # no float noise
            for name, table in self.extra_tables.items():  # written with or without a solution
                atomic_write(tmp / f"{name}.csv", safe_csv(clean_frame(table)))
            atomic_write(tmp / "solution.json", json.dumps(self.to_dict(), indent=2, default=json_default) + "\n")
        return directory / "solution.json"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tidy tables written beside ``solution.json``."""
        return {
            "assignments": self.assignments,
            "tasks": self.tasks,
            "nations": self.nations,
            "links": pd.DataFrame({"link": self.links}),
        }


def summary(sol: Solution) -> str:
    """A short human summary: effectiveness, autonomy loss by nation, links, time."""
    head = f"{sol.instance}" + (f" [{sol.scenario}]" if sol.scenario else "")
    if sol.what_if.get("withdraw"):
        head += f" without {', '.join(sol.what_if['withdraw'])}"
    head += f": {sol.status}"
    lines = [head]
    if sol.message:
        lines.append(f"  {sol.message}")
    for item in sol.diagnosis:
        lines.append(f"  - {item.get('text', item) if isinstance(item, dict) else item}")
    if sol.has_solution and sol.metrics:
        m = sol.metrics
        gap = "" if not sol.gap else f" (gap {sol.gap:.2%})"
        if "epsilon" in sol.parameters:  # a frontier point: the epsilon-constraint form's objective
            lines.append(f"  objective F {sol.objective:.6g}{gap}   (F = weighted effect − μ · link cost)")
        else:
            lines.append(
                f"  objective Z {sol.objective:.6g}{gap}"
                "   (Z = weighted effect − λ · weighted autonomy loss − μ · link cost)"
            )
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
        lines += burden_lines(sol.burden)
    t = sol.solver.get("time_s")
    if t is not None and not math.isnan(t):
        lines.append(f"  solve time {t:.2f} s")
    return "\n".join(lines)


def burden_lines(burden: dict) -> list[str]:
    """The burden and dependence measures of a plan, as summary lines (nations that commit, tasks served)."""
    if not burden:
        return []
    nations = burden["nations"]
    committing = [n for n, v in nations.items() if v["committed_share"] > 0]
    shares = ", ".join(
        f"{n} {nations[n]['committed_share']:.0%} of {nations[n]['available_share']:.0%}" for n in committing
    )
    exposed = ", ".join(f"{n} {nations[n]['entrapment_exposure']:.0%}" for n in committing)
    served = [(t, v) for t, v in burden["tasks"].items() if v["largest_contributor"] is not None]
    tasks = ", ".join(f"{t} {v['largest_contributor']} {v['abandonment_exposure']:.0%}" for t, v in served)
    return [
        f"  burden: committed value share (of available): {shares or 'none'}"
        f"   Herfindahl {burden['herfindahl']:.3g}, Gini {burden['gini']:.3g}",
        f"  entrapment exposure (committed value under another's or shared command): {exposed or 'none'}",
        f"  abandonment exposure (largest contributor's share of each task's effect): {tasks or 'none'}",
    ]
