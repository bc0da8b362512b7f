"""A greedy starting solution for the model of :func:`interop.model.build_model`.

``greedy_start(model)`` writes a feasible integer solution into the model's
variables (a, h, z, g, f, E), so that ``solve_model(model, warm_start=True)``
hands HiGHS an incumbent from the first node: a good incumbent lets the
branch and bound prune at once instead of waiting for its own heuristics.

The heuristic tries two integration networks: none (only the roots), and a
cheapest spanning forest of every joinable node with the roots merged, later
pruned of leaves that integrate nothing. For each it adds units one at a time,
best marginal gain first (lazy greedy: a task's remaining demand only shrinks,
so a stale gain is an upper bound), respecting units, spans of control,
fixed variables, non-national shares and, in the epsilon form, ε. Coverage
minima and burden floors are then met by the cheapest units left. It reads λ,
μ, α_n and ε as currently set on the model. If no feasible start is found the
model is left untouched.
"""

from __future__ import annotations

import heapq

import networkx as nx
import numpy as np
import pyomo.environ as pyo

from interop.sets import ModelData


class _Plan:
    """Units and integrated units chosen so far, with the running totals the checks need."""

    def __init__(self, model: pyo.ConcreteModel, integrated: set[str]) -> None:
        data: ModelData = model.interop_data
        inst = data.instance
        A = data.assignments
        self.model, self.data = model, data
        nodes, tasks = data.nodes, [t.id for t in inst.tasks]
        self.t = A["t"].to_numpy(np.int64)
        self.c = A["c"].to_numpy(np.int64)
        self.p = A["p"].to_numpy(np.int64)
        self.n = A["n"].to_numpy(np.int64)
        self.e, self.b = A["effect"].to_numpy(float), A["bonus"].to_numpy(float)
        self.v, self.kappa = A["value"].to_numpy(float), A["kappa"].to_numpy(float)
        keys = list(zip(A["platform"], A["task"], A["node"]))
        self.ub = np.array([model.a[k].ub for k in keys], dtype=np.int64)
        on = np.array([c in integrated for c in nodes], dtype=bool)
        h_ok = np.array([not model.h[k].fixed and (model.h[k].ub or 0) > 0 for k in keys], dtype=bool)
        self.h_ok = h_ok & on[self.c] if len(keys) else h_ok
        self.w = np.array([t.priority for t in inst.tasks])
        self.rem = np.array([t.demand for t in inst.tasks], dtype=float)
        self.left_p = np.array([p.count for p in inst.platforms], dtype=np.int64)
        self.left_c = np.array([c.capacity for c in inst.command_nodes], dtype=np.int64)
        nations = inst.nations
        self.phi = np.array([n.max_nonnational_share for n in nations])
        self.alpha = np.array([pyo.value(model.alpha[n.id]) for n in nations])
        self.lam = pyo.value(model.lam)
        self.iota = inst.parameters.integration_autonomy_factor
        self.eps = pyo.value(model.eps) if model.find_component("epsilon_autonomy") is not None else None
        self.committed = np.zeros(len(nations))
        self.foreign = np.zeros(len(nations))
        self.loss = 0.0  # Σ α Aut
        self.a = np.zeros(len(keys), dtype=np.int64)
        self.h = np.zeros(len(keys), dtype=np.int64)
        self.tasks = tasks

    def unit_loss(self, i: int, integ: bool) -> float:
        """α_n Aut_n added by one more unit of triple i."""
        return self.alpha[self.n[i]] * self.v[i] * (self.kappa[i] + (self.iota if integ else 0.0))

    def gain(self, i: int, integ: bool) -> float:
        """Z gained by one more unit of triple i (λ = 0 in the epsilon form)."""
        supply = self.e[i] * (1.0 + (self.b[i] if integ else 0.0))
        lam = 0.0 if self.eps is not None else self.lam
        return self.w[self.t[i]] * min(supply, max(self.rem[self.t[i]], 0.0)) - lam * self.unit_loss(i, integ)

    def allowed(self, i: int, integ: bool) -> bool:
        """Whether one more unit of triple i keeps c1, c2, bounds, c7 and ε."""
        if self.left_p[self.p[i]] <= 0 or self.left_c[self.c[i]] <= 0 or self.a[i] >= self.ub[i]:
            return False
        if integ and not self.h_ok[i]:
            return False
        n = self.n[i]
        if self.kappa[i] > 0 and self.phi[n] < 1:
            if self.foreign[n] + self.v[i] > self.phi[n] * (self.committed[n] + self.v[i]) + 1e-9:
                return False
        if self.eps is not None and self.loss + self.unit_loss(i, integ) > self.eps + 1e-9:
            return False
        return True

    def add(self, i: int, integ: bool) -> None:
        self.a[i] += 1
        self.h[i] += int(integ)
        self.left_p[self.p[i]] -= 1
        self.left_c[self.c[i]] -= 1
        self.rem[self.t[i]] -= self.e[i] * (1.0 + (self.b[i] if integ else 0.0))
        self.committed[self.n[i]] += self.v[i]
        if self.kappa[i] > 0:
            self.foreign[self.n[i]] += self.v[i]
        self.loss += self.unit_loss(i, integ)

    def fill(self, candidates: np.ndarray, need, positive: bool = True) -> None:
        """Lazy greedy over ``candidates`` while ``need()`` holds (and, if ``positive``, gain > 0)."""
        heap = [(-self.gain(i, k), i, k) for i in candidates for k in (False, True) if not k or self.h_ok[i]]
        heapq.heapify(heap)
        while heap and need():
            stale, i, k = heapq.heappop(heap)
            if positive and -stale <= 1e-12:
                break  # a stale gain bounds every gain in the heap from above
            if not self.allowed(i, k):
                continue
            g = self.gain(i, k)
            if positive and g <= 1e-12:
                continue  # gains only fall: this option is done
            if heap and -g > heap[0][0] + 1e-12:  # no longer the best: re-queue
                heapq.heappush(heap, (-g, i, k))
                continue
            self.add(i, k)
            heapq.heappush(heap, (-self.gain(i, k), i, k))


def _forest(data: ModelData, model: pyo.ConcreteModel) -> nx.Graph:
    """A cheapest spanning forest of the joinable nodes, the roots merged into one."""
    roots = set(data.roots)
    graph = nx.Graph()
    for row in data.links.itertuples():
        if model.z[row.link].fixed and not model.z[row.link].value:
            continue
        u, v = ("*" if row.u in roots else row.u), ("*" if row.v in roots else row.v)
        if u != v and (not graph.has_edge(u, v) or graph[u][v]["cost"] > row.cost):
            graph.add_edge(u, v, cost=row.cost, link=row.link, ends=(row.u, row.v))
    if "*" not in graph:
        return nx.Graph()
    component = graph.subgraph(nx.node_connected_component(graph, "*"))
    return nx.minimum_spanning_tree(component, weight="cost")


def _prune(tree: nx.Graph, used: set[str]) -> nx.Graph:
    """Drop, repeatedly, leaves other than the root that integrate no unit."""
    tree = tree.copy()
    leaves = [x for x in tree if x != "*" and tree.degree(x) == 1 and x not in used]
    while leaves:
        x = leaves.pop()
        nbrs = list(tree.neighbors(x))
        tree.remove_node(x)
        leaves += [y for y in nbrs if y != "*" and tree.degree(y) <= 1 and y not in used]
    return tree


def _plan_for(model: pyo.ConcreteModel, tree: nx.Graph) -> _Plan | None:
    """The greedy plan with the nodes of ``tree`` (and the roots) integrated, or None."""
    data = model.interop_data
    inst = data.instance
    integrated = set(data.roots) | {x for x in tree if x != "*"}
    plan = _Plan(model, integrated)
    every = np.arange(len(plan.a))
    # minima first (while units and spans are free), then everything that pays
    for j, t in enumerate(inst.tasks):  # c5: coverage minima
        if t.min_coverage > 0:
            target = t.demand * (1 - t.min_coverage)
            plan.fill(every[plan.t == j], lambda j=j, target=target: plan.rem[j] > target + 1e-9, positive=False)
            if plan.rem[j] > target + 1e-9:
                return None
    committable = np.zeros(len(inst.nations))
    index = {n.id: k for k, n in enumerate(inst.nations)}
    for p in inst.platforms:
        committable[index[p.nation]] += p.value * p.count
    for k, n in enumerate(inst.nations):  # c8: burden floors
        floor = n.min_commitment * committable[k]
        if floor > 0:
            plan.fill(every[plan.n == k], lambda k=k, f=floor: plan.committed[k] < f - 1e-9, positive=False)
            if plan.committed[k] < floor - 1e-9:
                return None
    plan.fill(every, lambda: True)
    return plan


def _objective(plan: _Plan, tree: nx.Graph, mu: float) -> float:
    supply = np.bincount(plan.t, weights=plan.e * (plan.a + plan.b * plan.h), minlength=len(plan.w))
    demand = np.array([t.demand for t in plan.data.instance.tasks])
    effect = float(plan.w @ np.minimum(demand, supply))
    cost = sum(d["cost"] for _, _, d in tree.edges(data=True))
    if plan.eps is not None:
        return effect - mu * cost
    return effect - plan.lam * plan.loss - mu * cost


def greedy_start(model: pyo.ConcreteModel) -> float | None:
    """Write a greedy feasible solution into ``model``'s variables; its objective, or None."""
    data: ModelData = model.interop_data
    mu = pyo.value(model.mu)
    best = None
    full = _forest(data, model)
    for tree in (nx.Graph(), full):
        plan = _plan_for(model, tree)
        if plan is None:
            continue
        if tree.number_of_edges():
            used = {data.nodes[c] for c in np.unique(plan.c[plan.h > 0])}
            pruned = _prune(tree, used)
            if pruned.number_of_nodes() < tree.number_of_nodes():
                tree = pruned
                plan = _plan_for(model, tree) or plan
                if any(data.nodes[c] not in tree for c in np.unique(plan.c[plan.h > 0])):
                    continue
        z = _objective(plan, tree, mu)
        if best is None or z > best[0]:
            best = (z, plan, tree)
    if best is None:
        return None
    _write(model, best[1], best[2])
    return best[0]


def _write(model: pyo.ConcreteModel, plan: _Plan, tree: nx.Graph) -> None:
    """Set a, h, z, g, f and E from ``plan`` and the forest ``tree``."""
    data = plan.data
    A = data.assignments
    for k, ai, hi in zip(zip(A["platform"], A["task"], A["node"]), plan.a.tolist(), plan.h.tolist()):
        model.a[k].set_value(ai)
        if not model.h[k].fixed:
            model.h[k].set_value(hi)
    supply = np.bincount(plan.t, weights=plan.e * (plan.a + plan.b * plan.h), minlength=len(plan.w))
    for t, s in zip(plan.data.instance.tasks, supply):
        model.E[t.id].set_value(float(min(t.demand, s)))
    flows = {(l, d): 0.0 for l in model.L for d in ("fwd", "rev")}
    active: set[str] = set()
    roots = set(data.roots)
    if "*" in tree:
        below = {}
        order = list(nx.dfs_postorder_nodes(tree, "*"))
        parent = {child: par for par, child in nx.dfs_edges(tree, "*")}
        for x in order:
            below[x] = 1 + sum(below[y] for y in tree.neighbors(x) if parent.get(y) == x)
            if x == "*":
                continue
            edge = tree[parent[x]][x]
            u, v = edge["ends"]
            active.add(edge["link"])
            flows[edge["link"], "fwd" if v == x else "rev"] = float(below[x])
    for l in model.L:
        if not model.z[l].fixed:
            model.z[l].set_value(int(l in active))
    for key, val in flows.items():
        model.f[key].set_value(val)
    integrated = roots | {x for x in tree if x != "*"}
    for c in data.nodes:
        if not model.g[c].fixed:
            model.g[c].set_value(int(c in integrated))
