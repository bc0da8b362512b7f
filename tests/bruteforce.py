"""Random tiny instances and their optimum by exhaustive enumeration.

The enumerator knows the formulation, not the model: it lists every integer
plan (units and integrated units of each admissible assignment, for every
subset of admissible links) and scores them with numpy. Admissibility comes
from :mod:`interop.evaluate`, which shares no code with the model builder.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from interop.errors import InstanceError
from interop.instance.loading import parse_instance
from interop.instance.schema import Instance
from interop.solution.evaluate import Assignment, admissible, evaluate, joined_to_root, link_admissible

DOMAINS = ["land", "air", "cyber"]
THEATERS = ["t1", "t2"]
MAX_PLANS = 150_000


def random_document(rng: random.Random) -> dict:
    """A random tiny instance document with one scenario ``s``."""
    nations = [f"N{i}" for i in range(rng.choice([2, 2, 3]))]

    def subset(items, k_min=1):
        k = rng.randint(k_min, len(items))
        return sorted(rng.sample(items, k))

    def mostly_all(items):
        return list(items) if rng.random() < 0.7 else subset(items)

    doc = {
        "name": f"random-{rng.randrange(10**6)}",
        "parameters": {
            "autonomy_scale": rng.choice([0.2, 1.0, 2.0]),
            "link_cost_scale": rng.choice([0.5, 1.0]),
            "shared_command_factor": rng.choice([0.3, 0.5]),
            "integration_autonomy_factor": rng.choice([0.2, 0.5]),
            "integration_bonus": {d: rng.choice([0.2, 0.5, 1.0]) for d in subset(DOMAINS, 0)},
        },
        "nations": [
            {
                "id": n,
                "autonomy_weight": rng.choice([0.0, 0.5, 1.0, 2.0]),
                "max_nonnational_share": rng.choice([1.0, 1.0, 1.0, 0.5, 0.0]),
                "caveats": subset(DOMAINS, 0) if rng.random() < 0.2 else [],
                "shares_networks": rng.random() > 0.2,
                "min_commitment": rng.choice([0.0] * 8 + [0.3, 0.6]),
            }
            for n in nations
        ],
        "command_nodes": [],
        "links": [],
        "platforms": [],
        "tasks": [],
    }
    n_nodes = rng.choice([2, 3])
    for i in range(n_nodes):
        owner = rng.choice(nations + ["multinational"])
        node = {
            "id": f"C{i}",
            "nation": owner,
            "domains": mostly_all(DOMAINS),
            "theaters": mostly_all(THEATERS),
            "capacity": rng.randint(0, 3),
            "standards": mostly_all(["s1", "s2"]),
            "root": i == 0 and rng.random() < 0.85,
        }
        if owner == "multinational":
            node["members"] = subset(nations, 0)
        doc["command_nodes"].append(node)
    pairs = list(itertools.combinations(range(n_nodes), 2))
    for j, (u, v) in enumerate(rng.sample(pairs, rng.randint(0, min(2, len(pairs))))):
        doc["links"].append(
            {
                "id": f"L{j}",
                "between": [f"C{u}", f"C{v}"],
                "cost": rng.choice([0.0, 0.5, 1.0, 3.0]),
                "standards": subset(["s1", "s2"]),
            }
        )
    for i in range(rng.choice([2, 3])):
        doc["platforms"].append(
            {
                "id": f"P{i}",
                "nation": rng.choice(nations),
                "count": rng.choice([1, 2]),
                "value": rng.choice([1.0, 2.0, 3.0]),
                "standards": mostly_all(["s1", "s2"]),
                "theaters": mostly_all(THEATERS),
                "effects": {d: float(rng.randint(1, 6)) for d in subset(DOMAINS)},
            }
        )
    for i in range(rng.choice([1, 2])):
        task = {
            "id": f"T{i}",
            "domain": rng.choice(DOMAINS),
            "theater": rng.choice(THEATERS),
            "demand": float(rng.randint(2, 12)),
            "priority": float(rng.choice([1, 2, 3])),
            "min_coverage": rng.choice([0.0] * 6 + [0.3, 0.8]),
        }
        if rng.random() < 0.2:
            task["allowed_nations"] = subset(nations)
        doc["tasks"].append(task)
    scenario: dict = {"parameters": {"autonomy_scale": rng.choice([0.0, 0.5, 3.0])}}
    target = rng.choice(nations)
    scenario["update"] = {
        "nations": {target: {"autonomy_weight": rng.choice([0.0, 3.0]), "max_nonnational_share": 1.0}}
    }
    if doc["links"] and rng.random() < 0.5:
        scenario["remove"] = {"links": [doc["links"][0]["id"]]}
    scenario["add"] = {
        "tasks": [
            {
                "id": "T-extra",
                "domain": rng.choice(DOMAINS),
                "theater": rng.choice(THEATERS),
                "demand": float(rng.randint(2, 8)),
                "priority": 1.0,
            }
        ]
    }
    doc["scenarios"] = {"s": scenario}
    return doc


@dataclass
class Optimum:
    status: str  # "optimal" or "infeasible"
    objective: float | None
    plans: int


def _options(count: int, columns: list[int], integrable: list[bool]):
    """Every (a, h) split of at most ``count`` units over a platform's triples."""
    for units in itertools.product(range(count + 1), repeat=len(columns)):
        if sum(units) > count:
            continue
        ranges = [range(u + 1) if ok else range(1) for u, ok in zip(units, integrable)]
        for integrated in itertools.product(*ranges):
            yield units, integrated


def enumerable_cases(
    make: Callable[[random.Random], dict], start: int, scenarios=(None,), max_plans: int = MAX_PLANS
) -> Iterator[tuple[int, dict, list[Instance]]]:
    """Endless ``(seed, document, instances)`` from seeds ``start, start+1, …``: the documents
    whose every variant in ``scenarios`` parses and has at most ``max_plans`` plans to enumerate."""
    for seed in itertools.count(start):
        doc = make(random.Random(seed))
        try:
            insts = [parse_instance(doc, s) for s in scenarios]
        except InstanceError:
            continue
        if all(plan_count(i) <= max_plans for i in insts):
            yield seed, doc, insts


def plan_count(inst: Instance) -> int:
    """An upper bound on the plans to enumerate (to keep random cases tiny)."""
    total = 1
    for p in inst.platforms:
        k = sum(1 for t in inst.tasks for c in inst.command_nodes if admissible(inst, p, t, c) is None)
        total *= sum(1 for _ in _options(p.count, [0] * k, [True] * k))
    links = sum(1 for x in inst.links if link_admissible(inst, x.id))
    return total * 2**links


def _scored_plans(inst: Instance):
    """For every subset of admissible links: the plans' feasibility and scores.

    Yields (triples, chosen links, joined nodes, a, h, feasible, weighted
    effect, weighted autonomy loss, link cost) with one row per plan.
    """
    par = inst.parameters
    triples = [
        (p, t, c)
        for p in inst.platforms
        for t in inst.tasks
        for c in inst.command_nodes
        if admissible(inst, p, t, c) is None
    ]
    links = [x for x in inst.links if link_admissible(inst, x.id)]
    nations = {n.id: n for n in inst.nations}

    def factor(nation: str, c) -> float:  # κ(n, c) of formulation version 2, written out again on purpose
        if c.nation == nation:
            return 0.0
        if c.multinational and nation in (c.members or []):
            return par.lead_command_factor if c.lead == nation else par.shared_command_factor
        return 1.0

    kappa = np.array([factor(p.nation, c) for p, t, c in triples])
    value = np.array([p.value for p, _, _ in triples])
    alpha = np.array([nations[p.nation].autonomy_weight for p, _, _ in triples])
    for r in range(len(links) + 1):
        for chosen in itertools.combinations(links, r):
            joined = joined_to_root(inst, [x.id for x in chosen])
            link_cost = sum(x.cost for x in chosen)
            per_platform = []
            for p in inst.platforms:
                cols = [i for i, (q, _, _) in enumerate(triples) if q is p]
                ok = [triples[i][2].id in joined for i in cols]
                per_platform.append((cols, list(_options(p.count, cols, ok))))
            n_plans = int(np.prod([len(o) for _, o in per_platform]))
            if n_plans > MAX_PLANS:
                raise ValueError("too many plans")
            a = np.zeros((n_plans, len(triples)))
            h = np.zeros((n_plans, len(triples)))
            stride = n_plans
            for cols, options in per_platform:
                stride //= len(options)
                idx = (np.arange(n_plans) // stride) % len(options)
                units = np.array([o[0] for o in options]).reshape(len(options), len(cols))
                integ = np.array([o[1] for o in options]).reshape(len(options), len(cols))
                a[:, cols] = units[idx]
                h[:, cols] = integ[idx]
            feasible = np.ones(n_plans, dtype=bool)
            for c in inst.command_nodes:
                cols = [i for i, x in enumerate(triples) if x[2] is c]
                feasible &= a[:, cols].sum(axis=1) <= c.capacity
            weighted_effect = np.zeros(n_plans)
            for t in inst.tasks:
                cols = [i for i, x in enumerate(triples) if x[1] is t]
                e = np.array([triples[i][0].effects[t.domain] for i in cols])
                supply = (a[:, cols] + par.integration_bonus.get(t.domain, 0.0) * h[:, cols]) @ e
                effect = np.minimum(t.demand, supply)
                feasible &= effect >= t.min_coverage * t.demand - 1e-9
                weighted_effect += t.priority * effect
            for n in inst.nations:
                cols = [i for i, x in enumerate(triples) if x[0].nation == n.id]
                committed = a[:, cols] @ value[cols]
                foreign = a[:, cols] @ (value[cols] * (kappa[cols] > 0))
                feasible &= foreign <= n.max_nonnational_share * committed + 1e-9
                floor = n.min_commitment * sum(p.value * p.count for p in inst.platforms if p.nation == n.id)
                feasible &= committed >= floor - 1e-9
            loss = (a * kappa + par.integration_autonomy_factor * h) @ (value * alpha)
            yield triples, chosen, joined, a, h, feasible, weighted_effect, loss, link_cost


def enumerate_optimum(inst: Instance) -> Optimum:
    """The optimal objective of ``inst`` by listing every integer plan."""
    par = inst.parameters
    best, plans = None, 0
    for triples, chosen, joined, a, h, feasible, weighted_effect, loss, link_cost in _scored_plans(inst):
        plans += len(feasible)
        z = weighted_effect - par.autonomy_scale * loss - par.link_cost_scale * link_cost
        z[~feasible] = -np.inf
        k = int(np.argmax(z))
        if np.isfinite(z[k]) and (best is None or z[k] > best[0] + 1e-12):
            plan = [
                Assignment(p.id, t.id, c.id, int(a[k, i]), int(h[k, i]))
                for i, (p, t, c) in enumerate(triples)
                if a[k, i] > 0
            ]
            best = (float(z[k]), plan, [x.id for x in chosen], sorted(joined))
    if best is None:
        return Optimum("infeasible", None, plans)
    ev = evaluate(inst, best[1], best[2], best[3])
    assert ev.feasible, ev.violations  # the enumerator and the evaluator agree
    assert abs(ev.objective - best[0]) < 1e-6
    return Optimum("optimal", best[0], plans)


def enumerate_front(inst: Instance, tol: float = 1e-7) -> list[tuple[float, float]]:
    """Every efficient (W, F) pair: F = Σ w E − μ Σ k z against W = Σ α Aut, by increasing W."""
    pairs = []
    for *_, feasible, weighted_effect, loss, link_cost in _scored_plans(inst):
        f = weighted_effect - inst.parameters.link_cost_scale * link_cost
        pairs.append(np.column_stack([loss[feasible], f[feasible]]))
    if not pairs:
        return []
    both = np.concatenate(pairs)
    both = both[np.lexsort((-both[:, 1], both[:, 0]))]  # W up, then F down
    front, best_f = [], -np.inf
    for w, f in both:
        if f > best_f + tol * max(1.0, abs(f)):
            front.append((float(w), float(f)))
            best_f = f
    return front


def enumerate_least_loss_among_optima(inst: Instance, tol: float = 1e-9) -> tuple[float, float] | None:
    """(Z*, the least Σ α Aut among plans with Z ≥ Z* − tol·max(1, |Z*|)), or None if infeasible.

    The tie-break rule of the solution format, by listing every plan: two passes
    over the enumeration, the first for Z*, the second for the least loss.
    """
    par = inst.parameters

    def objectives():
        for *_, feasible, weighted_effect, loss, link_cost in _scored_plans(inst):
            z = weighted_effect - par.autonomy_scale * loss - par.link_cost_scale * link_cost
            z[~feasible] = -np.inf
            yield z, loss

    best = max((float(z.max()) for z, _ in objectives() if len(z)), default=-np.inf)
    if not np.isfinite(best):
        return None
    floor = best - tol * max(1.0, abs(best))
    least = min(float(loss[z >= floor].min()) for z, loss in objectives() if np.any(z >= floor))
    return best, least
