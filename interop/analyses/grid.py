"""Sensitivity-sweep grids: parameter paths and values, lines of points, and bisection.

A parameter is a field named by a dotted path: a number
(``parameters.autonomy_scale``, ``parameters.integration_bonus.cyber``,
``nations.KOR.autonomy_weight``, ``tasks.defend-north.demand``), a switch
(``nations.HUN.shares_networks``) or a name (``command_nodes.CFC.lead``).
Numbers come as a list (``0,0.5,1``) or a range (``0:2:0.1``, both ends
included); switches and names as a list (``true,false``, ``USA,KOR,none``);
each is read by the field's type (:mod:`interop.analyses.sweep_paths`).

Work is reused between points. λ, μ and the α_n only change the objective,
so one compiled model in one HiGHS instance serves a whole line of points
(:class:`interop.parametric.ParametricModel`). Better still, Z is linear in
each of them: when the solutions found at both ends of an interval of one such
parameter score the same Z all along it (the same decisions, or the same
effect, link cost and losses that the parameter weighs), each is optimal at
every point inside (the optimum is a convex function of the
parameter and the solution's value a linear one), so those points need no
solve at all. A sweep bisects its lines and solves only where the optimal
solution changes. Other fields (switches and names too) change the model:
each of their values rebuilds and revalidates the instance and is solved
point by point.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from interop.analyses.sweep_paths import SweptValue, field_kind, locate, show
from interop.analyses.sweep_paths import parse_values as parse_values  # noqa: F401  (its former home)
from interop.errors import InstanceError, Problem
from interop.instance.schema import Instance
from interop.solution.evaluate import Assignment


def is_mutable(path: str) -> bool:
    """Whether ``path`` only changes the objective (λ, μ or an α_n)."""
    parts = path.split(".")
    if path in ("parameters.autonomy_scale", "parameters.link_cost_scale"):
        return True
    return len(parts) >= 3 and parts[0] == "nations" and parts[-1] == "autonomy_weight"


def instance_document(inst: Instance) -> dict:
    """A plain document of ``inst`` (scenario applied) that validates back to it."""
    return inst.model_dump(mode="json", exclude_none=True, exclude={"scenarios"})


def with_values(inst: Instance, values: dict[str, SweptValue], source: str = "<sweep>") -> Instance:
    """``inst`` with the fields named by ``values``' paths set, revalidated.

    A value that does not fit the instance (a lead that is not a member, an
    unknown nation) is an :class:`InstanceError` placed at ``--param PATH=VALUE``.
    """
    from interop.instance.loading import parse_instance

    if not values:
        return inst
    doc = instance_document(inst)
    for path, value in values.items():
        try:
            holder, key = locate(doc, path)
        except KeyError as exc:
            raise InstanceError(source, [Problem(f"--param {path}", exc.args[0])]) from None
        current = holder.get(key)
        numeric = field_kind(path).kind == "number"
        if numeric and isinstance(current, int) and float(value).is_integer():
            value = int(value)
        holder[key] = value
    try:
        out = parse_instance(doc, None, source)
    except InstanceError as exc:
        where = ", ".join(f"{p}={show(v)}" for p, v in values.items())
        problems = [Problem(f"--param {where}", f"{x.place}: {x.message}") for x in exc.problems]
        raise InstanceError(source, problems) from None
    out._scenario = inst.scenario
    return out


def check_params(inst: Instance, params: dict[str, list[SweptValue]]) -> list[Problem]:
    """Problems with the swept paths or values, each placed at its ``--param``."""
    problems = []
    doc = instance_document(inst)
    for path, values in params.items():
        try:
            locate(doc, path)
        except KeyError as exc:
            problems.append(Problem(f"--param {path}", exc.args[0]))
            continue
        if is_mutable(path) and min(values) < 0:
            problems.append(Problem(f"--param {path}", f"must be ≥ 0 (got {min(values):g})"))
    return problems


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its index in the grid and its parameter values."""

    index: int
    values: dict[str, SweptValue]

    @property
    def name(self) -> str:
        return f"p{self.index:04d}"


@dataclass
class Line:
    """Points that differ only in the last swept parameter (or a single point).

    When that parameter is mutable, one model serves the whole line and
    bisection skips the points where the optimal solution is known.
    """

    structural: dict[str, SweptValue]
    points: list[Point]
    mutable_axis: str | None
    known: dict[int, dict] = field(default_factory=dict)  # finished points (resume)


def grid(params: dict[str, list[SweptValue]]) -> list[Point]:
    """Every combination of the values, the first parameter varying slowest."""
    paths = list(params)
    return [Point(i, dict(zip(paths, combo))) for i, combo in enumerate(itertools.product(*params.values()))]


def plan(params: dict[str, list[SweptValue]], chunks: int = 1) -> list[Line]:
    """The lines of a sweep, each line cut into at most ``chunks`` contiguous pieces."""
    paths = list(params)
    axis = paths[-1] if paths and is_mutable(paths[-1]) else None
    points = grid(params)
    lines: list[Line] = []
    if axis is None:
        for p in points:
            lines.append(Line({k: v for k, v in p.values.items() if not is_mutable(k)}, [p], None))
        return lines
    width = len(params[axis])
    for start in range(0, len(points), width):
        row = points[start : start + width]
        structural = {k: v for k, v in row[0].values.items() if not is_mutable(k)}
        size = math.ceil(len(row) / max(1, min(chunks, len(row))))
        for k in range(0, len(row), size):
            lines.append(Line(structural, row[k : k + size], axis))
    return lines


def fingerprint(inst: Instance) -> str:
    """A short hash of an instance's content (scenario applied)."""
    return hashlib.sha256(inst.model_dump_json().encode()).hexdigest()[:16]


def _decisions(sol: dict) -> tuple[frozenset, frozenset]:
    rows = frozenset(
        (a["platform"], a["task"], a["command"], a["units"], a["integrated_units"]) for a in sol["assignments"]
    )
    return rows, frozenset(sol["links"])


def _line_value(sol: dict, inst: Instance, values: dict[str, float], axis: str) -> tuple[float, float]:
    """(c0, c1) with Z = c0 + c1·θ along ``axis`` (θ: λ, μ or one α_n) for this solution."""
    metrics = sol["metrics"]
    effect, cost = metrics["weighted_effect"], metrics["link_cost"]
    loss = {n["nation"]: n["autonomy_loss"] for n in sol["nations"]}
    lam = values.get("parameters.autonomy_scale", inst.parameters.autonomy_scale)
    mu = values.get("parameters.link_cost_scale", inst.parameters.link_cost_scale)
    alpha = {**{n.id: n.autonomy_weight for n in inst.nations}, **alpha_of(values)}
    weighted = sum(alpha[n] * loss.get(n, 0.0) for n in alpha)
    if axis == "parameters.autonomy_scale":
        return effect - mu * cost, -weighted
    if axis == "parameters.link_cost_scale":
        return effect - lam * weighted, -cost
    nation = next(iter(alpha_of({axis: 0.0})))
    return effect - mu * cost - lam * (weighted - alpha[nation] * loss.get(nation, 0.0)), -lam * loss.get(nation, 0.0)


def _same_optimum(left: dict, right: dict, inst: Instance, values: dict[str, float], axis: str) -> bool:
    """Both ends' solutions score the same Z at every θ on the line.

    Then each is optimal at both ends (it scores what the other scores), and
    so at every point between (or both are infeasible: the constraints are
    the same).
    """
    if left["status"] == right["status"] == "infeasible":
        return True
    ok = left["status"] in ("optimal", "feasible") and right["status"] in ("optimal", "feasible")
    if not ok:
        return False
    if _decisions(left) == _decisions(right):
        return True
    a, b = _line_value(left, inst, values, axis), _line_value(right, inst, values, axis)
    return all(abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y)) for x, y in zip(a, b))


def interpolated(inst: Instance, point: Point, left: dict, right: dict, x: float, xl: float, xr: float) -> dict:
    """The solution at ``point`` when the same decisions are optimal at both ends of its interval."""
    from interop.solution.evaluate import joined_to_root
    from interop.solution.extract import checked_solution, parameters_used
    from interop.solution.solution import Solution
    from interop.solver.highs import RunResult

    at = with_mutable(inst, point.values)
    sol = Solution(at.name, at.scenario, left["status"], parameters=parameters_used(at))
    sol.solver = {"name": "highs", "version": left["solver"].get("version"), "time_s": 0.0, "inferred": True}
    if left["status"] == "infeasible":
        sol.message = "infeasible: the constraints do not depend on this parameter"
        return _point_dict(sol, point)
    assignments = [
        Assignment(a["platform"], a["task"], a["command"], a["units"], a["integrated_units"])
        for a in left["assignments"]
    ]
    nodes = sorted(joined_to_root(at, left["links"]), key=[c.id for c in at.command_nodes].index)
    both_optimal = left["status"] == right["status"] == "optimal"
    run = RunResult("optimal" if both_optimal else "feasible", None, None, None, 0.0)
    checked_solution(sol, at, run, "default", assignments, list(left["links"]), nodes)
    t = 0.0 if xr == xl else (x - xl) / (xr - xl)
    slack = (1 - t) * _abs_gap(left) + t * _abs_gap(right)
    sol.bound = sol.objective + slack
    sol.gap = slack / max(abs(sol.objective), 1e-9) if slack > 1e-9 else 0.0
    sol.status = "optimal" if both_optimal and sol.gap <= 1e-6 else "feasible"
    sol.message = (
        f"no solve needed: the same solution is optimal at {xl:g} and {xr:g}, and Z is linear in this parameter"
    )
    return _point_dict(sol, point)


def _abs_gap(sol: dict) -> float:
    if sol.get("bound") is None or sol.get("objective") is None:
        return 0.0
    return max(0.0, sol["bound"] - sol["objective"])


def alpha_of(values: dict[str, float]) -> dict[str, float]:
    """The autonomy weights α_n among a point's values, by nation."""
    head, tail = "nations.", ".autonomy_weight"
    return {p[len(head) : -len(tail)]: v for p, v in values.items() if p.startswith(head) and p.endswith(tail)}


def with_mutable(inst: Instance, values: dict[str, float]) -> Instance:
    """``inst`` with λ, μ and α_n from ``values`` (other paths ignored)."""
    updates = {}
    if "parameters.autonomy_scale" in values:
        updates["autonomy_scale"] = float(values["parameters.autonomy_scale"])
    if "parameters.link_cost_scale" in values:
        updates["link_cost_scale"] = float(values["parameters.link_cost_scale"])
    alpha = alpha_of(values)
    nations = [
        n.model_copy(update={"autonomy_weight": float(alpha[n.id])}) if n.id in alpha else n for n in inst.nations
    ]
    out = inst.model_copy(update={"parameters": inst.parameters.model_copy(update=updates), "nations": nations})
    out._scenario = inst.scenario
    return out


def _point_dict(sol, point: Point) -> dict:
    out = sol.to_dict()
    out["sweep"] = {"point": point.index, "values": dict(point.values)}
    return out


def solve_line(
    model_for: Callable[[], object], inst: Instance, line: Line, emit: Callable[[Point, dict], None]
) -> None:
    """Solve the points of ``line`` (``inst``: its structural values applied), calling
    ``emit`` for each point as it is done; ``model_for()`` gives the line's
    :class:`~interop.parametric.ParametricModel`, built on first use.
    """
    todo = [p for p in line.points if p.index not in line.known]
    if not todo:
        return
    solved = dict(line.known)

    def solve_one(p: Point) -> None:
        # every mutable value is set, swept or not: the model may have served another sweep
        sol = model_for().solve(
            lam=p.values.get("parameters.autonomy_scale", inst.parameters.autonomy_scale),
            mu=p.values.get("parameters.link_cost_scale", inst.parameters.link_cost_scale),
            alpha={**{n.id: n.autonomy_weight for n in inst.nations}, **alpha_of(p.values)},
        )
        solved[p.index] = _point_dict(sol, p)
        emit(p, solved[p.index])

    if line.mutable_axis is None:
        for p in todo:
            solve_one(p)
        return
    axis = line.mutable_axis
    pts = line.points
    for end in (pts[0], pts[-1]):
        if end.index not in solved:
            solve_one(end)

    def same(left: dict, right: dict) -> bool:
        return _same_optimum(left, right, inst, pts[0].values, axis)

    for lo, hi in _intervals(pts, solved, solve_one, same):
        left, right = solved[pts[lo].index], solved[pts[hi].index]
        xl, xr = pts[lo].values[axis], pts[hi].values[axis]
        for p in pts[lo + 1 : hi]:
            if p.index not in solved:
                solved[p.index] = interpolated(inst, p, left, right, p.values[axis], xl, xr)
                emit(p, solved[p.index])


def _intervals(pts: list[Point], solved: dict[int, dict], solve_one, same) -> Iterator[tuple[int, int]]:
    """Bisect ``pts`` until each interval's ends share their optimal decisions (or are adjacent)."""
    stack = [(0, len(pts) - 1)]
    while stack:
        lo, hi = stack.pop()
        if hi - lo <= 1:
            continue
        inner = [k for k in range(lo + 1, hi) if pts[k].index in solved]
        if same(solved[pts[lo].index], solved[pts[hi].index]) and not inner:
            yield lo, hi
            continue
        mid = min(inner, key=lambda k: abs(k - (lo + hi) / 2)) if inner else (lo + hi) // 2
        if pts[mid].index not in solved:
            solve_one(pts[mid])
        stack.extend([(mid, hi), (lo, mid)])


def row_of(point: Point, sol: dict, params: list[str], nations: list[str]) -> dict:
    """The sweep table's row of one solved point."""
    metrics = sol.get("metrics") or {}
    loss = {n["nation"]: n["autonomy_loss"] for n in sol.get("nations", [])}
    row = {p: point.values[p] for p in params}
    row.update(
        point=point.index,
        status=sol["status"],
        objective=sol.get("objective"),
        bound=sol.get("bound"),
        gap=sol.get("gap"),
        effectiveness=metrics.get("effectiveness"),
        weighted_effect=metrics.get("weighted_effect"),
        weighted_autonomy_loss=metrics.get("weighted_autonomy_loss"),
        link_cost=metrics.get("link_cost"),
        solve_time_s=(sol.get("solver") or {}).get("time_s"),
        inferred=bool((sol.get("solver") or {}).get("inferred", False)),
    )
    for n in nations:
        row[f"autonomy_loss.{n}"] = loss.get(n)
    return row


def table(points: list[Point], solutions: dict[int, dict], params: list[str], nations: list[str]) -> pd.DataFrame:
    """The sweep table of the solved points, in grid order.

    A switch or name column keeps its values as swept (``True``, ``"KOR"``,
    ``None`` for a cleared lead): an object column, not pandas' inferred text.
    """
    done = [p for p in points if p.index in solutions]
    frame = pd.DataFrame([row_of(p, solutions[p.index], params, nations) for p in done])
    for path in params:
        if done and field_kind(path).kind != "number":
            frame[path] = pd.Series([p.values[path] for p in done], index=frame.index, dtype=object)
    return frame
