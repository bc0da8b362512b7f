"""Why an instance is infeasible, said in its own terms.

Only three families of the formulation can make the model infeasible (with
nothing assigned, every other constraint holds): minimum coverage of tasks
(5), limits on non-national command (7) and burden-sharing floors (8). HiGHS's
IIS works for LPs only, so interop finds a minimal conflicting set of these
requirements itself:

1. the elastic filter: give each requirement a slack (normalised by its size),
   minimise the slacks, make every requirement whose slack is used hard, and
   repeat until the elastic model is infeasible; the hard ones then contain a
   conflict;
2. the deletion filter: drop each of those in turn and keep it dropped if the
   rest is still infeasible; what remains is minimal (no proper subset
   conflicts), unless a check ran out of time (then it is said).

Each requirement in the set is then reported with what it needs, the most
the rest of the model allows (one more solve), and the facts of the instance
that stand in the way (caveats, standards, theaters, allowed nations).

An instance is diagnosed on the matrix build with a slack column on each
requirement row (:class:`interop.model.elastic.ElasticModel`), built once;
the filters change bounds and costs only. An analyst's extended Pyomo model
is diagnosed on that model (:func:`diagnose_model`).
"""

from __future__ import annotations

import time
from collections import Counter

import pyomo.environ as pyo

from interop.instance.schema import Instance
from interop.model.data import model_data
from interop.model.elastic import REQUIREMENTS, ElasticModel
from interop.solution.evaluate import admissible
from interop.solve import solve_model
from interop.solver import stop
from interop.solver.highs import RunResult
from interop.solver.profiles import profile_options
from interop.solver.run import run_matrix

FAMILIES = dict(zip(REQUIREMENTS, ("coverage", "nonnational", "burden")))
TOL = 1e-6
DEFAULT_BUDGET = 60.0  # seconds
MIN_CHECK_S = 0.05  # seconds: a check is not started with less time than this left


class _Checker:
    """Solves of the elastic model of the diagnosis within a time budget."""

    def __init__(self, em: ElasticModel, options: dict, budget: float, weight: dict):
        self.em, self.keys, self.options, self.weight = em, em.keys, options, weight
        self.deadline = time.monotonic() + budget
        self.timed_out = False

    def run(self, stop_at_first: bool = False) -> RunResult:
        """Run the elastic model as its state and objective stand."""
        left = self.deadline - time.monotonic()
        if left < MIN_CHECK_S or stop.requested() is not None:  # the budget is spent: decide nothing more
            self.timed_out = True
            return RunResult("no_solution", None, None, None, 0.0, "diagnosis budget spent", termination="time_limit")
        options = {**self.options, "time_limit": min(left, self.options.get("time_limit", left))}
        if stop_at_first:
            options["mip_max_improving_sols"] = 1
        result = run_matrix(self.em.model, options)
        if result.status not in ("optimal", "feasible", "infeasible"):
            self.timed_out = True
        return result

    def feasible(self, hard: set) -> bool | None:
        self.em.set_state(hard, set())
        self.em.least_slack(self.weight)
        status = self.run(stop_at_first=True).status
        return None if status not in ("optimal", "feasible", "infeasible") else status != "infeasible"


def options_profile(options: dict):
    from interop.solver.profiles import SolverProfile

    return SolverProfile("diagnosis", options)


def undecided(diagnosis: list[dict]) -> bool:
    """Whether a diagnosis says only that the budget did not suffice to decide."""
    return bool(diagnosis) and diagnosis[0].get("kind") == "undecided"


def _undecided(budget: float, known_infeasible: bool) -> dict:
    if known_infeasible:
        text = (
            f"infeasible, but the diagnosis could not find the conflicting requirements within its budget "
            f"({max(budget, 0.0):.3g} s)"
        )
    else:
        text = (
            f"could not decide within the budget ({max(budget, 0.0):.3g} s) whether the requirements conflict; "
            "give a larger --budget"
        )
    return {"kind": "undecided", "budget_s": round(max(budget, 0.0), 3), "text": text}


def diagnose(
    inst: Instance | pyo.ConcreteModel,
    *,
    profile: str = "default",
    budget: float = DEFAULT_BUDGET,
    known_infeasible: bool = False,
) -> list[dict]:
    """A minimal set of conflicting requirements of ``inst``, each explained; [] if feasible.

    When the budget (seconds) runs out before feasibility is decided, the
    list holds one entry of kind ``undecided`` (see :func:`undecided`), never
    []; ``known_infeasible`` (the caller's solve proved it) words it so.
    ``inst`` may be a Pyomo model from ``build_model`` that an analyst extended:
    see :func:`diagnose_model`.
    """
    if isinstance(inst, pyo.ConcreteModel):
        return diagnose_model(inst, profile=profile, budget=budget)
    _, options = profile_options(profile, None, None)
    options = {**options, "mip_rel_gap": 1e-6}
    out = [_empty_floor(inst, n.id) for n in inst.nations if _floor(inst, n.id) > 0 and not _has_triple(inst, n.id)]
    if out:  # a floor with nothing to commit conflicts on its own
        return out
    em = ElasticModel(model_data(inst))
    keys = em.keys
    if not keys:
        return []
    weight = {k: 1.0 / max(_size(inst, k), TOL) for k in keys}
    check = _Checker(em, options, budget, weight)
    verdict = check.feasible(set(keys))
    if verdict is None:  # timed out: not "feasible"
        return [_undecided(budget, known_infeasible)]
    if verdict:
        return []
    hard: set = set()
    while True:  # the elastic filter
        em.set_state(hard, set(keys) - hard)
        em.least_slack(weight)
        result = check.run()
        if result.status == "infeasible" or result.values is None:
            break
        slack = em.slack(result.values)
        used = {k for k in keys if k not in hard and slack[k] > TOL}
        if not used:
            break
        hard |= used
    conflict = set(hard) if hard else set(keys)
    if check.feasible(conflict) is not False:
        conflict = set(keys)
    order = {k: i for i, k in enumerate(keys)}  # ties in weight in row order, not in hash order (varies by process)
    for key in sorted(conflict, key=lambda k: (-weight[k], order[k])):  # the deletion filter
        if len(conflict) > 1 and check.feasible(conflict - {key}) is False:
            conflict.discard(key)
    return [_explain(inst, check, key, conflict) for key in keys if key in conflict] + _caveat(check)


def diagnose_model(model: pyo.ConcreteModel, *, profile: str = "default", budget: float = 60.0) -> list[dict]:
    """Why an extended model is infeasible: a minimal set of the analyst's added constraints.

    The model's own requirements are tried first without any added constraint
    (on a copy: ``model`` is left as it was); if they conflict already, they are
    diagnosed as for an instance. Otherwise each added constraint is dropped in
    turn and kept dropped while the rest stays infeasible (the deletion
    filter): those left cannot hold together with the model, each is needed.
    """
    from interop.solution.extract import model_extension

    data = model.interop_data
    added = [a["name"] for a in model_extension(model).get("added", []) if a["type"] == "Constraint"]
    if not added:
        return diagnose(data.instance, profile=profile, budget=budget)
    _, options = profile_options(profile, None, None)
    options = {**options, "mip_rel_gap": 1e-6, "mip_max_improving_sols": 1}
    copy = model.clone(memo={id(data): data})
    deadline, timed_out = time.monotonic() + budget, False

    def feasible() -> bool:
        nonlocal timed_out
        left = max(1.0, deadline - time.monotonic())
        status = solve_model(copy, options_profile({**options, "time_limit": left}))[0].status
        timed_out |= status not in ("optimal", "feasible", "infeasible")
        return status != "infeasible"

    if feasible():
        return []
    for name in added:
        getattr(copy, name).deactivate()
    if not feasible():  # the model's own requirements conflict
        return diagnose(data.instance, profile=profile, budget=budget)
    for name in added:
        getattr(copy, name).activate()
    conflict = list(added)
    for name in added:  # the deletion filter
        getattr(copy, name).deactivate()
        if len(conflict) > 1 and not feasible():
            conflict.remove(name)
        else:
            getattr(copy, name).activate()
    out = []
    for name in conflict:
        others = [c for c in conflict if c != name]
        given = f" together with {', '.join(others)}" if others else ""
        text = (
            f"the added constraint {name} cannot hold{given} with the model's own requirements"
            " (the model is feasible without it)"
        )
        out.append({"kind": "extension", "constraint": name, "entity": name, "text": text})
    if timed_out:
        out.append({"kind": "note", "text": "the diagnosis ran out of time: the set may not be minimal"})
    return out


def _caveat(check: _Checker) -> list[dict]:
    if not check.timed_out:
        return []
    text = "the diagnosis ran out of time: the set above conflicts but may not be minimal"
    return [{"kind": "note", "text": text}]


def _floor(inst: Instance, nation: str) -> float:
    n = next(x for x in inst.nations if x.id == nation)
    return n.min_commitment * sum(p.value * p.count for p in inst.platforms if p.nation == nation)


def _has_triple(inst: Instance, nation: str) -> bool:
    return any(
        admissible(inst, p, t, c) is None
        for p in inst.platforms
        if p.nation == nation
        for t in inst.tasks
        for c in inst.command_nodes
    )


def _size(inst: Instance, key) -> float:
    name, idx = key
    if name == "c5_coverage":
        t = next(x for x in inst.tasks if x.id == idx)
        return t.min_coverage * t.demand
    if name == "c8_burden":
        return _floor(inst, idx)
    return sum(p.value * p.count for p in inst.platforms if p.nation == idx)


def _empty_floor(inst: Instance, nation: str) -> dict:
    n = next(x for x in inst.nations if x.id == nation)
    reasons = [_platform_reason(inst, p, None) for p in inst.platforms if p.nation == nation]
    floor = _floor(inst, nation)
    text = (
        f"nation {nation} must commit at least {n.min_commitment:.0%} of its value ({floor:g}) "
        f"but none of its platforms has an admissible assignment: " + "; ".join(reasons[:4])
    )
    return {
        "kind": "burden",
        "constraint": f"c8_burden[{nation}]",
        "entity": nation,
        "required": floor,
        "reachable": 0.0,
        "reasons": reasons,
        "text": text,
    }


def _platform_reason(inst: Instance, p, task) -> str:
    """Why platform ``p`` cannot serve ``task`` (or any task): the commonest reasons over nodes."""
    tasks = [task] if task is not None else inst.tasks
    why = Counter(admissible(inst, p, t, c) for t in tasks for c in inst.command_nodes)
    why.pop(None, None)
    nation = next(n for n in inst.nations if n.id == p.nation)
    away = sorted({t.theater for t in tasks if t.theater not in p.theaters})
    if away:  # one phrase naming the platform's own theater against the tasks' (not one per task)
        for reason in [r for r in why if r.endswith(f"platform in {', '.join(p.theaters)}")]:
            del why[reason]
        where = "the task" if task is not None else "the tasks"
        why[f"{p.id} is in theater {', '.join(p.theaters)}, {where} in {', '.join(away)}"] = 1
    # the most specific obstacles first: a node that could command the task but for this
    rank = ("caveat", "nation not allowed", "no common standard", "theater", "node does not command", "no effect")

    def order(reason: str) -> int:
        if reason.startswith(p.id):
            return rank.index("theater")
        return next((i for i, word in enumerate(rank) if reason.startswith(word)), len(rank))

    ordered = sorted(why, key=order)
    parts = []
    for reason in ordered[:2]:
        if reason.startswith("caveat"):
            domain = reason.split()[2]
            parts.append(f"{nation.id} caveat on {domain} and no {nation.id} node commands it there")
        else:
            parts.append(reason)
    return f"no admissible command node for {p.id} ({', '.join(parts)})"


def _reachable(check: _Checker, key, conflict: set) -> float | None:
    """The best the model allows for requirement ``key`` with the rest of the conflict enforced."""
    em = check.em
    em.set_state(conflict - {key}, set())
    em.reach(key)
    result = check.run()
    if result.values is None:
        return None
    return em.body(key, result.values)


def _explain(inst: Instance, check: _Checker, key, conflict: set) -> dict:
    name, idx = key
    others = [_phrase(k) for k in sorted(conflict - {key}, key=str)]
    reach = _reachable(check, key, conflict)
    given = f" (given {', '.join(others)})" if others else ""
    if name == "c5_coverage":
        t = next(x for x in inst.tasks if x.id == idx)
        need = t.min_coverage * t.demand
        reasons = [
            _platform_reason(inst, p, t)
            for p in inst.platforms
            if p.effects.get(t.domain, 0) > 0
            and t.theater in p.theaters
            and all(admissible(inst, p, t, c) is not None for c in inst.command_nodes)
        ]
        away = [p.id for p in inst.platforms if p.effects.get(t.domain, 0) > 0 and t.theater not in p.theaters]
        if away:
            more = f" and {len(away) - 3} more" if len(away) > 3 else ""
            reasons.append(f"not in theater {t.theater}: {', '.join(away[:3])}{more}")
        able = [
            f"{p.id} ×{p.count} ({p.effects[t.domain]:g} each)"
            for p in inst.platforms
            if any(admissible(inst, p, t, c) is None for c in inst.command_nodes)
        ]
        reasons.append("can serve it: " + (", ".join(able[:6]) + (" …" if len(able) > 6 else "") if able else "none"))
        text = f"task {t.id} needs {t.min_coverage:.0%} coverage ({need:g}) but at most {_fmt(reach)} is reachable"
    elif name == "c8_burden":
        n = next(x for x in inst.nations if x.id == idx)
        need = _floor(inst, idx)
        reasons = [
            _platform_reason(inst, p, None)
            for p in inst.platforms
            if p.nation == idx
            and not any(admissible(inst, p, t, c) is None for t in inst.tasks for c in inst.command_nodes)
        ]
        text = (
            f"nation {idx} must commit at least {n.min_commitment:.0%} of its value ({need:g}) "
            f"but at most {_fmt(reach)} can be committed"
        )
    else:
        n = next(x for x in inst.nations if x.id == idx)
        need = 0.0
        national = [f"{c.id} (span {c.capacity})" for c in inst.command_nodes if c.nation == idx]
        reasons = [f"its national command nodes: {', '.join(national) if national else 'none'}"]
        text = (
            f"nation {idx} allows at most {n.max_nonnational_share:.0%} of its committed value under "
            f"non-national command, but meeting the other requirements puts at least {_fmt(reach)} "
            "more value under non-national command"
        )
    text += given
    if reasons:
        text += ": " + "; ".join(reasons[:4])
    return {
        "kind": FAMILIES[name],
        "constraint": f"{name}[{idx}]",
        "entity": idx,
        "required": need,
        "reachable": reach,
        "conflicts_with": [f"{n}[{i}]" for n, i in sorted(conflict - {key}, key=str)],
        "reasons": reasons,
        "text": text,
    }


def _phrase(key) -> str:
    """A requirement in words: "task T's minimum coverage", "N's burden floor"."""
    name, idx = key
    return {
        "c5_coverage": f"task {idx}'s minimum coverage",
        "c7_nonnational": f"{idx}'s non-national limit",
        "c8_burden": f"{idx}'s burden floor",
    }[name]


def _fmt(value: float | None) -> str:
    return "?" if value is None else f"{max(value, 0.0) + 0.0:.4g}"  # + 0.0: no "-0"
