"""Metrics and feasibility recomputed from a solution's decisions alone.

This module knows the formulation but not the model: it reads an instance and
a solution's assignments, activated links and integrated nodes, and computes
every reported figure with the formulas of formulation.md, plus a list of the
constraints the solution violates. It shares no code with the model builder,
so it is the independent check of every solution the project writes, and the
scoring function of the exhaustive-enumeration tests.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from interop.instance.schema import CommandNode, Instance, Platform, Task

TOL = 1e-6


@dataclass(frozen=True)
class Assignment:
    """``units`` of ``platform`` serve ``task`` under ``command``; some integrated."""

    platform: str
    task: str
    command: str
    units: int
    integrated_units: int = 0


@dataclass
class Evaluation:
    """Every reported figure of a solution, and the constraints it violates."""

    effect: dict[str, float]
    weighted_effect: float
    effectiveness: float
    committed_value: dict[str, float]
    nonnational_value: dict[str, float]
    autonomy_loss: dict[str, float]
    weighted_autonomy_loss: float
    link_cost: float
    objective: float
    epsilon_objective: float
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def command_factor(inst: Instance, nation: str, node: CommandNode) -> float:
    """κ(n, c): 0 under national command, κ_ℓ under a combined node n leads, κ_s under another shared one, else 1."""
    if node.nation == nation:
        return 0.0
    if node.multinational and nation in (node.members or []):
        if node.lead == nation:
            return inst.parameters.lead_command_factor
        return inst.parameters.shared_command_factor
    return 1.0


def admissible(inst: Instance, p: Platform | None, t: Task | None, c: CommandNode | None) -> str | None:
    """Why (p, t, c) is not an admissible assignment, or None if it is."""
    if p is None or t is None or c is None:
        return "unknown platform, task or node"
    nation = next(n for n in inst.nations if n.id == p.nation)
    if p.effects.get(t.domain, 0) <= 0:
        return f"no effect in {t.domain}"
    if t.theater not in p.theaters:  # name the platform's own theater, not only the task's
        return f"theater {t.theater}: platform in {', '.join(p.theaters)}"
    if t.theater not in c.theaters:
        return f"theater {t.theater}: node not there"
    if t.domain not in c.domains:
        return f"node does not command {t.domain}"
    if not set(p.standards) & set(c.standards):
        return "no common standard"
    if t.allowed_nations is not None and p.nation not in t.allowed_nations:
        return "nation not allowed on task"
    if t.domain in nation.caveats and command_factor(inst, p.nation, c) > 0:
        return f"caveat keeps {t.domain} national"
    return None


def link_admissible(inst: Instance, link_id: str) -> bool:
    """Whether a link is in L* (standards shared by link and ends; no refusal)."""
    link = next(x for x in inst.links if x.id == link_id)
    u, v = (next(c for c in inst.command_nodes if c.id == e) for e in link.between)
    if not set(link.standards) & set(u.standards) & set(v.standards):
        return False
    if u.nation == v.nation:
        return True
    refusing = {n.id for n in inst.nations if not n.shares_networks}
    return u.nation not in refusing and v.nation not in refusing


def joined_to_root(inst: Instance, links: list[str]) -> set[str]:
    """Nodes joined to a root node by the given links."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in inst.links:
        if link.id in links:
            u, v = link.between
            neighbours[u].add(v)
            neighbours[v].add(u)
    reached = {c.id for c in inst.command_nodes if c.root}
    frontier = list(reached)
    while frontier:
        for nxt in neighbours[frontier.pop()] - reached:
            reached.add(nxt)
            frontier.append(nxt)
    return reached


def evaluate(
    inst: Instance,
    assignments: list[Assignment],
    links: list[str],
    integrated_nodes: list[str],
) -> Evaluation:
    """All metrics of a solution and its constraint violations (formulation.md)."""
    par = inst.parameters
    bad: list[str] = []
    platforms = {p.id: p for p in inst.platforms}
    tasks = {t.id: t for t in inst.tasks}
    nodes = {c.id: c for c in inst.command_nodes}
    link_ids = {x.id for x in inst.links}
    used = defaultdict(int)
    span = defaultdict(int)
    supply = defaultdict(float)
    committed = {n.id: 0.0 for n in inst.nations}
    nonnational = {n.id: 0.0 for n in inst.nations}
    loss = {n.id: 0.0 for n in inst.nations}
    integrated = set(integrated_nodes)
    seen = set()

    for x in assignments:
        key = (x.platform, x.task, x.command)
        if key in seen:
            bad.append(f"assignment {key} listed twice")
        seen.add(key)
        why = admissible(inst, platforms.get(x.platform), tasks.get(x.task), nodes.get(x.command))
        if why is not None:
            bad.append(f"assignment {key} not admissible: {why}")
            continue
        p, t = platforms[x.platform], tasks[x.task]
        if not (0 <= x.integrated_units <= x.units <= p.count):
            bad.append(f"assignment {key}: units {x.units}, integrated {x.integrated_units}")
        if x.integrated_units > 0 and x.command not in integrated:
            bad.append(f"assignment {key}: integrated units under non-integrated node")  # 3
        used[x.platform] += x.units
        span[x.command] += x.units
        bonus = par.integration_bonus.get(t.domain, 0.0)
        supply[x.task] += p.effects[t.domain] * (x.units + bonus * x.integrated_units)
        kappa = command_factor(inst, p.nation, nodes[x.command])
        committed[p.nation] += p.value * x.units
        if kappa > 0:
            nonnational[p.nation] += p.value * x.units
        loss[p.nation] += p.value * (kappa * x.units + par.integration_autonomy_factor * x.integrated_units)

    for pid, units in used.items():
        if units > platforms[pid].count:
            bad.append(f"platform {pid}: {units} units used of {platforms[pid].count}")  # 1
    for cid, units in span.items():
        if units > nodes[cid].capacity:
            bad.append(f"node {cid}: span {units} over capacity {nodes[cid].capacity}")  # 2

    effect = {t.id: min(t.demand, supply[t.id]) for t in inst.tasks}
    for t in inst.tasks:
        if effect[t.id] < t.min_coverage * t.demand - TOL:
            bad.append(f"task {t.id}: effect {effect[t.id]:g} below minimum coverage")  # 5

    for lid in links:
        if lid not in link_ids or not link_admissible(inst, lid):
            bad.append(f"link {lid} is not an admissible link")
    reachable = joined_to_root(inst, [lid for lid in links if lid in link_ids])
    for c in integrated:
        if c not in nodes or c not in reachable:
            bad.append(f"node {c} integrated but not joined to a root")  # 6
    for c in inst.command_nodes:
        if c.root and c.id not in integrated:
            bad.append(f"root node {c.id} not integrated")

    for n in inst.nations:
        if nonnational[n.id] > n.max_nonnational_share * committed[n.id] + TOL:
            bad.append(f"nation {n.id}: non-national share above {n.max_nonnational_share:g}")  # 7
        floor = n.min_commitment * sum(p.value * p.count for p in inst.platforms if p.nation == n.id)
        if committed[n.id] < floor - TOL:
            bad.append(f"nation {n.id}: committed value {committed[n.id]:g} below floor {floor:g}")  # 8

    weights = {n.id: n.autonomy_weight for n in inst.nations}
    weighted_effect = sum(t.priority * effect[t.id] for t in inst.tasks)
    weighted_loss = sum(weights[n] * loss[n] for n in loss)
    cost = sum(x.cost for x in inst.links if x.id in set(links))
    total = sum(t.priority * t.demand for t in inst.tasks)
    return Evaluation(
        effect=effect,
        weighted_effect=weighted_effect,
        effectiveness=weighted_effect / total if total > 0 else 0.0,
        committed_value=committed,
        nonnational_value=nonnational,
        autonomy_loss=loss,
        weighted_autonomy_loss=weighted_loss,
        link_cost=cost,
        objective=weighted_effect - par.autonomy_scale * weighted_loss - par.link_cost_scale * cost,
        epsilon_objective=weighted_effect - par.link_cost_scale * cost,
        violations=bad,
    )
