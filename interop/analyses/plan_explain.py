"""Explain a solved plan: what binds, why units are idle, what a relaxation is worth, how stable it is in λ.

:func:`explain_plan` returns a dict that ``interop solve --explain-plan`` (and
``interop explain-plan``) add to ``solution.json`` under ``plan_explanation``:

- ``binding``: the limits the plan meets with equality — span of control
  (``span``), unit counts (``units``), non-national share limits (``share``),
  burden floors (``burden``) and minimum coverages (``coverage``) — each with
  the *value of relaxing it by one unit*, found by re-solving the instance with
  that limit relaxed (``method: "re-solve"``): one more unit of span or of the
  platform; a share limit (binding when one more of the nation's smallest units
  under non-national command would break it) raised just enough to admit that
  unit; a burden floor lowered by the value of
  one of its smallest units; a coverage floor lowered by one unit of effect.
- ``idle``: for each platform with uncommitted units, why: ``no admissible task
  or HQ``, ``HQs full``, ``share limit``, ``tasks already met`` or ``not worth
  its autonomy cost`` (the best single extra unit would lower Z).
- ``lambda_range``: ``lower``, ``upper`` (null: unbounded), the interval of λ over which the plan (its assignments,
  links and integrated nodes) stays optimal, by *parametric reasoning with
  re-solves*: Z of a fixed plan is linear in λ, Z* is convex piecewise linear,
  so each end is found exactly by intersecting the plan's line with the line of
  the plan optimal beyond it (Eisner–Severance), re-solving at each intersection.
- ``alpha_ranges``: per nation n, the same interval for α_n with every other
  weight held (Z is linear in α_n with slope −λ·Aut_n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from interop.instance.schema import Instance

TOL = 1e-7
MAX_STEPS = 30


def _plan_line(sol) -> tuple[float, float]:
    """(W, S) with Z(λ) = W − λ·S for the plan of ``sol`` (W: effect minus link costs, S: Σ α Aut)."""
    m = sol.metrics
    return m["weighted_effect"] - sol.parameters.get("link_cost_scale", 1.0) * m["link_cost"], m[
        "weighted_autonomy_loss"
    ]


@dataclass(frozen=True)
class Optimum:
    """The optimum of one re-solve: Z*, and the line W − λ·S of the plan found (W, S as in ``_plan_line``)."""

    objective: float
    w: float
    s: float
    lam: float


def optimum(inst: Instance, profile: str = "default") -> Optimum | None:
    """Z* of ``inst`` by one HiGHS run (no tie-break: only the value is needed), or None without a solution."""
    from interop.model.matrix import InfeasibleBuild, build_matrix
    from interop.solver.profiles import profile_options
    from interop.solver.run import run_matrix

    _, options = profile_options(profile, None, None)
    try:
        mm, _, _ = build_matrix(inst)
    except InfeasibleBuild:
        return None
    aut, mm.tie_break = mm.tie_break, None
    run = run_matrix(mm, options)
    if run.status not in ("optimal", "feasible") or run.values is None:
        return None
    lam = inst.parameters.autonomy_scale
    s = float(aut @ run.values)
    return Optimum(float(run.objective), float(run.objective) + lam * s, s, lam)


def _solve_at(inst: Instance, lam: float, profile: str) -> Optimum | None:
    from interop.analyses.grid import with_mutable

    return optimum(with_mutable(inst, {"parameters.autonomy_scale": lam}), profile)


def _optimal_at(line: tuple[float, float], other: Optimum) -> bool:
    w, s = line
    return w - other.lam * s >= other.objective - TOL * max(1.0, abs(other.objective))


def _parameter_range(p0: float, line: tuple[float, float], probe_at) -> tuple[float, float, int]:
    """The interval of a parameter p ≥ 0 (now ``p0``) over which a plan of Z(p) = A − p·B stays optimal.

    ``line`` is the plan's (A, B); ``probe_at(p)`` re-solves at p and gives the
    optimum's :class:`Optimum` (its own line) or None. Returns (lower, upper, solves).
    """
    w, s = line
    solves = 0

    def end(direction: int) -> float:
        nonlocal solves
        if direction > 0 and s <= TOL:
            return math.inf  # Z of the plan is constant, every other plan's Z falls with p
        if direction < 0 and p0 <= 0:
            return 0.0
        probe = 0.0 if direction < 0 else max(2 * p0, p0 + 1.0)
        bracketed = direction < 0  # p = 0 bounds the search below; above, until a probe beats the plan
        for _ in range(MAX_STEPS):
            other = probe_at(probe)
            solves += 1
            if other is None:
                return probe
            if _optimal_at((w, s), other):
                if bracketed:
                    return probe  # the plan's line meets the optimum here: the end of its interval
                if probe > 1e6 * max(1.0, p0):
                    return math.inf
                probe *= 4
                continue
            bracketed = True
            wq, sq = other.w, other.s
            if abs(s - sq) <= TOL:
                return probe
            probe = (w - wq) / (s - sq)  # where the plan's line meets the better plan's line
        return probe

    lo, hi = end(-1), end(+1)
    return lo, hi, solves


METHOD = "parametric: plan line intersected with the optimum's lines, re-solved at each crossing"


def lambda_range(inst: Instance, sol, profile: str = "default") -> dict:
    """The interval [lo, hi] of λ where ``sol``'s plan stays optimal (hi may be ``inf``)."""
    lam0 = inst.parameters.autonomy_scale
    lo, hi, solves = _parameter_range(lam0, _plan_line(sol), lambda lam: _solve_at(inst, lam, profile))
    return {"lower": lo, "upper": None if math.isinf(hi) else hi, "current": lam0, "solves": solves, "method": METHOD}


def _alpha_optimum(inst: Instance, nation: str, alpha: float, profile: str) -> Optimum | None:
    """Z* with α_nation = ``alpha``, and the line of its plan in α_nation (slope λ·Aut_nation)."""
    from interop.analyses.grid import with_mutable
    from interop.model.data import model_data
    from interop.model.matrix import InfeasibleBuild, build_matrix
    from interop.solution.evaluate import evaluate
    from interop.solution.extract import matrix_decisions
    from interop.solver.profiles import profile_options
    from interop.solver.run import run_matrix

    probe = with_mutable(inst, {f"nations.{nation}.autonomy_weight": alpha})
    _, options = profile_options(profile, None, None)
    data = model_data(probe)
    try:
        mm, lay, _ = build_matrix(data)
    except InfeasibleBuild:
        return None
    mm.tie_break = None
    run = run_matrix(mm, options)
    if run.status not in ("optimal", "feasible") or run.values is None:
        return None
    try:
        ev = evaluate(probe, *matrix_decisions(data, lay, run.values))
    except ValueError:
        return None
    slope = probe.parameters.autonomy_scale * ev.autonomy_loss[nation]
    return Optimum(float(run.objective), float(run.objective) + alpha * slope, slope, alpha)


def alpha_ranges(inst: Instance, sol, profile: str = "default") -> dict:
    """For each nation n, the interval of α_n (the others held) over which the plan stays optimal.

    The plan's Z is A − α_n·(λ Aut_n), with A the rest of Z, so the search is
    that of :func:`lambda_range` on α_n.
    """
    lam = inst.parameters.autonomy_scale
    weight = {n.id: n.autonomy_weight for n in inst.nations}
    loss = sol.nations.set_index("nation")["autonomy_loss"].astype(float)
    m = sol.metrics
    total = m["weighted_effect"] - inst.parameters.link_cost_scale * m["link_cost"] - lam * m["weighted_autonomy_loss"]
    out = {}
    for n in inst.nations:
        slope = lam * float(loss[n.id])
        line = (total + weight[n.id] * slope, slope)
        lo, hi, solves = _parameter_range(
            weight[n.id], line, lambda a, nation=n.id: _alpha_optimum(inst, nation, a, profile)
        )
        out[n.id] = {"lower": lo, "upper": None if math.isinf(hi) else hi, "current": weight[n.id], "solves": solves}
    return out


def _relaxations(inst: Instance, sol) -> list[dict]:
    """Each binding limit of the plan, with its slack zero."""
    a = sol.assignments
    out = []
    used_by_node = a.groupby("command")["units"].sum() if len(a) else {}
    used_by_platform = a.groupby("platform")["units"].sum() if len(a) else {}
    for c in inst.command_nodes:
        if int(used_by_node.get(c.id, 0)) >= c.capacity:
            out.append(
                {
                    "kind": "span",
                    "id": c.id,
                    "limit": c.capacity,
                    "used": int(used_by_node.get(c.id, 0)),
                    "path": f"command_nodes.{c.id}.capacity",
                    "relaxed": c.capacity + 1,
                }
            )
    for p in inst.platforms:
        if int(used_by_platform.get(p.id, 0)) >= p.count:
            out.append(
                {
                    "kind": "units",
                    "id": p.id,
                    "limit": p.count,
                    "used": p.count,
                    "path": f"platforms.{p.id}.count",
                    "relaxed": p.count + 1,
                }
            )
    nations = sol.nations.set_index("nation")
    for n in inst.nations:
        own = [p for p in inst.platforms if p.nation == n.id]
        if not own:
            continue
        vmin = min(p.value for p in own)
        committed = float(nations.loc[n.id, "committed_value"])
        nonnat = float(nations.loc[n.id, "nonnational_value"])
        held = sum(p.value * p.count for p in own)
        phi = n.max_nonnational_share
        if phi < 1 and nonnat + vmin > phi * (committed + vmin) + 1e-9:  # one more unit would break it
            out.append(
                {
                    "kind": "share",
                    "id": n.id,
                    "limit": phi,
                    "used": nonnat / committed if committed else 0.0,
                    "path": f"nations.{n.id}.max_nonnational_share",
                    "relaxed": min(1.0, (nonnat + vmin) / (committed + vmin)),
                }
            )
        if n.min_commitment > 0 and committed <= n.min_commitment * held + 1e-9:
            out.append(
                {
                    "kind": "burden",
                    "id": n.id,
                    "limit": n.min_commitment,
                    "used": committed / held,
                    "path": f"nations.{n.id}.min_commitment",
                    "relaxed": max(0.0, n.min_commitment - vmin / held),
                }
            )
    tasks = sol.tasks.set_index("task")
    for t in inst.tasks:
        if t.min_coverage > 0 and float(tasks.loc[t.id, "effect"]) <= t.min_coverage * t.demand + 1e-9:
            out.append(
                {
                    "kind": "coverage",
                    "id": t.id,
                    "limit": t.min_coverage,
                    "used": float(tasks.loc[t.id, "coverage"]),
                    "path": f"tasks.{t.id}.min_coverage",
                    "relaxed": max(0.0, t.min_coverage - 1.0 / t.demand),
                }
            )
    return out


ORDER = {"share": 0, "burden": 1, "coverage": 2, "span": 3, "units": 4}
MAX_RESOLVES = 40  # re-solves for relaxation values; the rest are listed without a value


def binding_limits(
    inst: Instance, sol, profile: str = "default", resolve: bool = True, max_resolves: int = MAX_RESOLVES
) -> list[dict]:
    """The binding limits with the value of relaxing each by one unit (by re-solve).

    Nation-wide limits first (share, burden), then coverage, span and unit
    counts; past ``max_resolves`` re-solves an item says ``method: "not
    re-solved (limit)"`` and has no value.
    """
    from interop.analyses.grid import with_values

    out = []
    for item in sorted(_relaxations(inst, sol), key=lambda x: ORDER[x["kind"]]):
        if resolve and len(out) < max_resolves:
            relaxed = optimum(with_values(inst, {item["path"]: item["relaxed"]}), profile)
            item["value_of_relaxing"] = None if relaxed is None else relaxed.objective - sol.objective
            item["method"] = "re-solve"
        elif resolve:
            item["value_of_relaxing"], item["method"] = None, "not re-solved (limit)"
        out.append(item)
    return out


def idle_units(inst: Instance, sol) -> list[dict]:
    """Each platform with uncommitted units and why they are idle."""
    from interop.model.data import model_data

    data = model_data(inst)
    A = data.assignments
    a = sol.assignments
    used_p = a.groupby("platform")["units"].sum() if len(a) else {}
    used_c = a.groupby("command")["units"].sum() if len(a) else {}
    cap = {c.id: c.capacity for c in inst.command_nodes}
    effect = sol.tasks.set_index("task")["effect"]
    task = {t.id: t for t in inst.tasks}
    nat = sol.nations.set_index("nation")
    phi = {n.id: n.max_nonnational_share for n in inst.nations}
    out = []
    for p in inst.platforms:
        idle = p.count - int(used_p.get(p.id, 0))
        if idle <= 0:
            continue
        rows = A[A["platform"] == p.id]
        room = rows[[int(used_c.get(c, 0)) < cap[c] for c in rows["node"]]]
        if rows.empty:
            reason = "no admissible task or HQ"
        elif room.empty:
            reason = "HQs full"
        else:
            # one more unit under non-national command would break the nation's share limit
            committed, nonnat = (float(nat.loc[p.nation, k]) for k in ("committed_value", "nonnational_value"))
            if nonnat + p.value > phi[p.nation] * (committed + p.value) + 1e-9:
                room = room[room["kappa"] == 0]
            if room.empty:
                reason = "share limit"
            else:
                extra = [
                    min(r.effect, max(0.0, task[r.task].demand - float(effect[r.task]))) for r in room.itertuples()
                ]
                reason = "tasks already met" if max(extra) <= 1e-12 else "not worth its autonomy cost"
        out.append({"platform": p.id, "nation": p.nation, "idle_units": idle, "reason": reason})
    return out


def explain_plan(inst: Instance, sol, profile: str = "default", resolve: bool = True) -> dict:
    """The ``plan_explanation`` block of a solved plan (see the module docstring)."""
    if not sol.has_solution:
        return {}
    out = {"binding": binding_limits(inst, sol, profile, resolve), "idle": idle_units(inst, sol)}
    if resolve:
        out["lambda_range"] = lambda_range(inst, sol, profile)
        out["alpha_ranges"] = alpha_ranges(inst, sol, profile)
    return out


def explanation_lines(expl: dict) -> list[str]:
    """The explanation as summary lines."""
    lines = []
    for b in expl.get("binding", []):
        worth = b.get("value_of_relaxing")  # None: not re-solved
        tail = "" if worth is None else f"; relaxing by one unit is worth {worth:+.4g} (re-solve)"
        lines.append(f"  binds: {b['kind']} {b['id']} (limit {b['limit']:.4g}, used {b['used']:.4g}){tail}")
    for i in expl.get("idle", []):
        lines.append(f"  idle: {i['platform']} ×{i['idle_units']} ({i['nation']}): {i['reason']}")
    r = expl.get("lambda_range")
    if r:
        lines.append(
            f"  the plan stays optimal for λ in [{r['lower']:.4g}, {r['upper']:.4g}] (now {r['current']:.4g};"
            f" parametric, {r['solves']} re-solves)"
        )
    for nation, r in (expl.get("alpha_ranges") or {}).items():
        upper = "∞" if r["upper"] is None else f"{r['upper']:.4g}"
        lines.append(f"  … and for α_{nation} in [{r['lower']:.4g}, {upper}] (now {r['current']:.4g})")
    return lines
