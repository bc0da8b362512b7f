"""Scenarios side by side, and what changes between them.

:func:`compare` solves each scenario of an instance and returns a
:class:`Comparison` of DataFrames: per scenario the objective and
effectiveness, each nation's autonomy loss split by command relation
(national / shared / lead / foreign, in units and in value), each task's
coverage, the activated links, the integrated nodes and who leads each
combined HQ; against a baseline scenario, the units that moved (task or
command), the links switched and the per-nation and per-task deltas.

A scenario compared against a baseline is *re-planned with the least change*
(:func:`least_change`): among its optimal plans (Z ≥ Z* − 1e-9·max(1,|Z*|)),
the one with the fewest assignment changes Σ |a − b| against the baseline's
plan b, so the diff shows what the scenario forces, not how HiGHS broke a tie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from interop.instance.schema import Instance
from interop.model.matrix import MatrixModel
from interop.safeio import safe_csv
from interop.solution.extract import add_nations, relation  # noqa: F401  (re-exported)
from interop.solve import solve
from interop.solver.highs import RunResult, highs_for, run_highs
from interop.solver.profiles import profile_options
from interop.solver.ties import tolerance

BASE = "base"
RELATIONS = ("national", "shared", "lead", "foreign")
# The columns a briefing (console or HTML) shows of each of a Comparison's tables, in order.
SHOWN_COLUMNS = {
    "nations": [
        "scenario",
        "nation",
        "autonomy_loss",
        *(f"{r}_units" for r in RELATIONS),
        *(f"{r}_value" for r in RELATIONS),
        "integration_loss",
    ],
    "tasks": ["scenario", "task", "effect", "demand", "coverage"],
    "nation_deltas": [
        "scenario",
        "nation",
        "autonomy_loss",
        "weighted_autonomy_loss",
        *(f"{r}_units" for r in RELATIONS),
    ],
    "task_deltas": ["scenario", "task", "effect", "coverage"],
}


def least_change(
    inst: Instance,
    baseline: pd.DataFrame,
    profile: str = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    links: list[str] | None = None,
    nodes: list[str] | None = None,
):
    """Solve ``inst``; among its optimal plans, the one with the fewest changed units against ``baseline``.

    ``baseline`` is an assignments table (platform, task, command, units). The
    first solve gives Z*; the second adds the row Z ≥ Z* − 1e-9·max(1,|Z*|)
    and minimises Σ_{cells} |a − b| (auxiliary d ≥ |a − b| for the baseline's
    cells, a itself elsewhere), plus, with a weight too small to trade against
    one unit, the links and integrated nodes switched against ``links`` and
    ``nodes`` (Σ z over links off in the baseline + Σ (1 − z) over those on).
    Returns a checked :class:`interop.results.Solution` whose solver record
    says ``"replanned": "least_change"`` and the change count.
    """
    from interop.model.matrix import InfeasibleBuild, build_matrix
    from interop.solution.extract import matrix_decisions, solution_from_run
    from interop.solver.profiles import solver_record

    name, options = profile_options(profile, time_limit, gap)
    try:
        mm, lay, data = build_matrix(inst)
    except InfeasibleBuild:
        return solve(inst, profile=profile, time_limit=time_limit, gap=gap)
    h = highs_for(mm, options)
    first = run_highs(h)
    if first.status != "optimal" or first.values is None:
        return solve(inst, profile=profile, time_limit=time_limit, gap=gap)
    A = data.assignments
    key = list(zip(A["platform"], A["task"], A["node"]))
    b = np.zeros(len(key))
    index = {k: i for i, k in enumerate(key)}
    for row in baseline.itertuples():
        i = index.get((row.platform, row.task, row.command))
        if i is not None:
            b[i] = row.units
    mm2 = _change_model(mm, lay.a.start, b, first.objective)
    # links and integrated nodes: binaries, so |x − x_b| is linear: x if off in the baseline, −x if on
    on_links = set(links or [])
    on_nodes = set(nodes or [])
    link_ids = data.links["link"].to_numpy()[lay.z_of]
    node_ids = [inst.command_nodes[i].id for i in lay.free_nodes]
    binary = np.r_[
        [-1.0 if x in on_links else 1.0 for x in link_ids], [-1.0 if x in on_nodes else 1.0 for x in node_ids]
    ]
    if len(binary):
        mm2.cost[lay.z.start : lay.g.stop] = binary / (2.0 * (len(binary) + 1))
    h2 = highs_for(mm2, options)
    second = run_highs(h2, np.r_[first.values, np.abs(first.values[lay.a] - b)[b > 0]])
    values = first.values
    if second.values is not None:
        values = second.values[: len(mm.cost)]
    changes = float(np.abs(np.round(values[lay.a]) - b).sum())
    # the E_t of the chosen plan are re-derived by the evaluator: min(r_t, effect)
    run = RunResult("optimal", values, first.objective, first.bound, first.time_s + second.time_s, first.message)
    record = solver_record(name, options, run.time_s, replanned="least_change", changes_vs_baseline=changes)
    return solution_from_run(inst, run, record, "default", lambda: matrix_decisions(data, lay, values))


def _change_model(mm: MatrixModel, a_start: int, b: np.ndarray, best: float) -> MatrixModel:
    """``mm`` with Z ≥ best − tol as a row and min Σ |a − b| as its objective."""
    n_cols = len(mm.cost)
    cells = np.flatnonzero(b > 0)
    k = len(cells)
    tol = tolerance(best)
    a_cols = a_start + cells
    # rows: d − a ≥ −b and d + a ≥ b for each baseline cell
    r = np.r_[np.arange(k), np.arange(k), k + np.arange(k), k + np.arange(k)]
    c = np.r_[n_cols + np.arange(k), a_cols, n_cols + np.arange(k), a_cols]
    v = np.r_[np.ones(k), -np.ones(k), np.ones(k), np.ones(k)]
    aux = sp.coo_array((v, (r, c)), shape=(2 * k, n_cols + k))
    top = sp.hstack([mm.matrix, sp.csc_array((mm.matrix.shape[0], k))])
    zrow = sp.csc_array(np.r_[mm.cost, np.zeros(k)][None, :])
    matrix = sp.vstack([top, zrow, aux]).tocsc()
    cost = np.zeros(n_cols + k)
    n_assign = len(b)
    cost[a_start : a_start + n_assign] = np.where(b > 0, 0.0, 1.0)
    cost[n_cols:] = 1.0
    return MatrixModel(
        cost=cost,
        offset=0.0,
        maximize=False,
        matrix=matrix,
        row_lower=np.r_[mm.row_lower, best - mm.offset - tol, -b[cells], b[cells]],
        row_upper=np.r_[mm.row_upper, np.inf, np.full(2 * k, np.inf)],
        col_lower=np.r_[mm.col_lower, np.zeros(k)],
        col_upper=np.r_[mm.col_upper, np.full(k, np.inf)],
        integer=np.r_[mm.integer, np.zeros(k, dtype=bool)],
    )


@dataclass
class Comparison:
    """Scenarios side by side (``summary``, ``nations``, ``tasks``, ``links``, ``nodes``, ``leads``)
    and their changes against the baseline (``moves``, ``link_changes``, ``nation_deltas``, ``task_deltas``)."""

    scenarios: list[str]
    baseline: str
    solutions: dict = field(default_factory=dict)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    nations: pd.DataFrame = field(default_factory=pd.DataFrame)
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    links: pd.DataFrame = field(default_factory=pd.DataFrame)
    nodes: pd.DataFrame = field(default_factory=pd.DataFrame)
    leads: pd.DataFrame = field(default_factory=pd.DataFrame)
    moves: pd.DataFrame = field(default_factory=pd.DataFrame)
    link_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    nation_deltas: pd.DataFrame = field(default_factory=pd.DataFrame)
    task_deltas: pd.DataFrame = field(default_factory=pd.DataFrame)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by its CSV name."""
        names = (
            "summary",
            "nations",
            "tasks",
            "links",
            "nodes",
            "leads",
            "moves",
            "link_changes",
            "nation_deltas",
            "task_deltas",
        )
        return {n: getattr(self, n) for n in names}

    def write(self, directory: str | Path) -> list[Path]:
        """Write ``compare_<table>.csv`` files into ``directory`` (the figure: interop.report.compare_plot)."""
        from interop.solution.files import atomic_write

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, frame in self.tables().items():
            path = out / f"compare_{name}.csv"
            atomic_write(path, safe_csv(frame))
            paths.append(path)
        return paths


def _scenario_name(s: str | None) -> str:
    return s or BASE


def _nation_rows(scen: str, inst: Instance, sol) -> list[dict]:
    """Per nation: autonomy loss and units/value under each command relation."""
    par = inst.parameters
    rows = []
    assign = sol.assignments
    for n in inst.nations:
        row: dict = {"scenario": scen, "nation": n.id}
        for rel in RELATIONS:
            row[f"{rel}_units"] = 0
            row[f"{rel}_value"] = 0.0
            row[f"{rel}_loss"] = 0.0
        row["integration_loss"] = 0.0
        value = {p.id: p.value for p in inst.platforms}
        kappa = {}
        for a in assign[assign["nation"] == n.id].itertuples():
            rel = relation(inst, n.id, a.command)
            if rel not in kappa:
                kappa[rel] = {
                    "national": 0.0,
                    "shared": par.shared_command_factor,
                    "lead": par.lead_command_factor,
                    "foreign": 1.0,
                }[rel]
            row[f"{rel}_units"] += int(a.units)
            row[f"{rel}_value"] += value[a.platform] * a.units
            row[f"{rel}_loss"] += kappa[rel] * value[a.platform] * a.units
            row["integration_loss"] += par.integration_autonomy_factor * value[a.platform] * a.integrated_units
        nat = sol.nations.set_index("nation")
        row["autonomy_loss"] = float(nat.loc[n.id, "autonomy_loss"])
        row["weighted_autonomy_loss"] = n.autonomy_weight * row["autonomy_loss"]
        rows.append(row)
    return rows


def compare(
    file: str | Path,
    scenarios: list[str | None],
    baseline: str | None = None,
    profile: str = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    replan: bool = True,
) -> Comparison:
    """Solve ``scenarios`` of ``file`` (``None`` or ``"base"``: the base) and compare them.

    The baseline (default: the first scenario) is solved as ``interop solve``
    does; every other scenario is re-planned with the least change against it
    (:func:`least_change`) unless ``replan`` is False.
    """
    from interop.instance.loading import load_instance

    names = [_scenario_name(s) for s in scenarios]
    base_name = _scenario_name(baseline) if baseline else names[0]
    if base_name not in names:
        names = [base_name, *names]
    insts = {s: load_instance(file, None if s == BASE else s) for s in names}
    sols = {base_name: solve(insts[base_name], profile=profile, time_limit=time_limit, gap=gap)}
    for s in names:
        if s == base_name:
            continue
        if replan and sols[base_name].has_solution:
            b = sols[base_name]
            sols[s] = least_change(insts[s], b.assignments, profile, time_limit, gap, b.links, b.integrated_nodes)
        else:
            sols[s] = solve(insts[s], profile=profile, time_limit=time_limit, gap=gap)
    cmp = Comparison(names, base_name, sols)
    summ, nat, tsk, lnk, nod, led = [], [], [], [], [], []
    for s in names:
        sol, inst = sols[s], insts[s]
        m = sol.metrics or {}
        summ.append(
            {
                "scenario": s,
                "status": sol.status,
                "objective": sol.objective,
                "effectiveness": m.get("effectiveness"),
                "weighted_effect": m.get("weighted_effect"),
                "weighted_autonomy_loss": m.get("weighted_autonomy_loss"),
                "link_cost": m.get("link_cost"),
                "links": len(sol.links),
                "integrated_nodes": len(sol.integrated_nodes),
                "changes_vs_baseline": sol.solver.get("changes_vs_baseline", 0.0 if s == base_name else None),
            }
        )
        if sol.has_solution:
            nat += _nation_rows(s, inst, sol)
            tsk += [{"scenario": s, **r} for r in sol.tasks.to_dict("records")]
        lnk += [{"scenario": s, "link": x} for x in sol.links]
        nod += [{"scenario": s, "node": x} for x in sol.integrated_nodes]
        led += [
            {"scenario": s, "node": c.id, "members": ",".join(c.members or []), "lead": c.lead or ""}
            for c in inst.command_nodes
            if c.multinational
        ]
    cmp.summary, cmp.nations, cmp.tasks = pd.DataFrame(summ), pd.DataFrame(nat), pd.DataFrame(tsk)
    cmp.links = pd.DataFrame(lnk, columns=["scenario", "link"])
    cmp.nodes = pd.DataFrame(nod, columns=["scenario", "node"])
    cmp.leads = pd.DataFrame(led, columns=["scenario", "node", "members", "lead"])
    _deltas(cmp)
    return cmp


def _deltas(cmp: Comparison) -> None:
    """Moves, link switches and per-nation / per-task deltas of each scenario against the baseline."""
    base = cmp.solutions[cmp.baseline]
    moves, links, nd, td = [], [], [], []
    for s in cmp.scenarios:
        sol = cmp.solutions[s]
        if s == cmp.baseline or not (sol.has_solution and base.has_solution):
            continue
        moves += [{"scenario": s, **m} for m in unit_moves(base.assignments, sol.assignments)]
        before, after = set(base.links), set(sol.links)
        links += [{"scenario": s, "link": x, "change": "on"} for x in sorted(after - before)]
        links += [{"scenario": s, "link": x, "change": "off"} for x in sorted(before - after)]
        for frame, key, out in ((cmp.nations, "nation", nd), (cmp.tasks, "task", td)):
            if frame.empty:
                continue
            a = frame[frame["scenario"] == cmp.baseline].set_index(key)
            b = frame[frame["scenario"] == s].set_index(key)
            num = [c for c in a.columns if c != "scenario" and pd.api.types.is_numeric_dtype(a[c])]
            delta = (b[num] - a[num].reindex(b.index)).reset_index()
            out += [{"scenario": s, **r} for r in delta.to_dict("records")]
    cmp.moves = pd.DataFrame(
        moves, columns=["scenario", "platform", "nation", "units", "from_task", "from_command", "to_task", "to_command"]
    )
    moved = cmp.moves.groupby("scenario")["units"].sum()
    cmp.summary["units_moved"] = [int(moved.get(s, 0)) for s in cmp.summary["scenario"]]
    cmp.link_changes = pd.DataFrame(links, columns=["scenario", "link", "change"])
    cmp.nation_deltas, cmp.task_deltas = pd.DataFrame(nd), pd.DataFrame(td)


def unit_moves(before: pd.DataFrame, after: pd.DataFrame) -> list[dict]:
    """Units that changed (task, command) between two assignment tables; idle is task ``""``.

    Per platform, units kept at the same (task, command) are matched first; the
    rest are paired in order, the surplus coming from or going to idle.
    """
    out = []
    platforms = sorted(set(before["platform"]) | set(after["platform"]))
    nation = {**dict(zip(before["platform"], before["nation"])), **dict(zip(after["platform"], after["nation"]))}
    for p in platforms:
        b = {(r.task, r.command): int(r.units) for r in before[before["platform"] == p].itertuples()}
        a = {(r.task, r.command): int(r.units) for r in after[after["platform"] == p].itertuples()}
        gone = [(k, b[k] - a.get(k, 0)) for k in sorted(b) if b[k] > a.get(k, 0)]
        came = [(k, a[k] - b.get(k, 0)) for k in sorted(a) if a[k] > b.get(k, 0)]
        surplus = sum(n for _, n in gone) - sum(n for _, n in came)
        if surplus > 0:
            came.append((("", ""), surplus))
        elif surplus < 0:
            gone.append((("", ""), -surplus))
        gi = ci = 0
        gone = [list(x) for x in gone]
        came = [list(x) for x in came]
        while gi < len(gone) and ci < len(came):
            n = min(gone[gi][1], came[ci][1])
            out.append(
                {
                    "platform": p,
                    "nation": nation[p],
                    "units": n,
                    "from_task": gone[gi][0][0],
                    "from_command": gone[gi][0][1],
                    "to_task": came[ci][0][0],
                    "to_command": came[ci][0][1],
                }
            )
            gone[gi][1] -= n
            came[ci][1] -= n
            gi += gone[gi][1] == 0
            ci += came[ci][1] == 0
    return out
