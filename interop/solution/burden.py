"""Burden and dependence measures of a plan (issue 12), from a solution document and its instance.

Per nation: its share of the committed value against its share of the
available value (Σ v_p q_p), and its entrapment exposure (the share of its
committed value under foreign command, κ > 0). Over nations: the Herfindahl
index and the Gini coefficient of the committed shares. Per task: its
abandonment exposure, the share of its supplied effect (constraint 4's
right-hand side, integration bonus included) that comes from its largest
contributing nation.
"""

from __future__ import annotations

from collections import defaultdict

from interop.instance.schema import Instance
from interop.solution.evaluate import command_factor


def gini(values: list[float]) -> float:
    """The Gini coefficient of non-negative ``values`` (0: equal; 0 for an empty or all-zero list)."""
    total = sum(values)
    if not values or total <= 0:
        return 0.0
    diffs = sum(abs(x - y) for x in values for y in values)
    return diffs / (2 * len(values) * total)


def measures(inst: Instance, doc: dict) -> dict:
    """``{"nations": {n: {...}}, "herfindahl", "gini", "tasks": {t: {...}}}`` of solution ``doc``."""
    platforms = {p.id: p for p in inst.platforms}
    tasks = {t.id: t for t in inst.tasks}
    nodes = {c.id: c for c in inst.command_nodes}
    bonus = inst.parameters.integration_bonus
    available = defaultdict(float)
    for p in inst.platforms:
        available[p.nation] += p.value * p.count
    committed: dict[str, float] = defaultdict(float)
    foreign: dict[str, float] = defaultdict(float)
    supply: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for a in doc.get("assignments", []):
        p, t = platforms[a["platform"]], tasks[a["task"]]
        committed[p.nation] += p.value * a["units"]
        if command_factor(inst, p.nation, nodes[a["command"]]) > 0:
            foreign[p.nation] += p.value * a["units"]
        effect = p.effects.get(t.domain, 0.0) * (a["units"] + bonus.get(t.domain, 0.0) * a["integrated_units"])
        supply[t.id][p.nation] += effect
    total_committed = sum(committed.values())
    total_available = sum(available.values())
    nations = {}
    for n in inst.nations:
        nations[n.id] = {
            "committed_share": committed[n.id] / total_committed if total_committed > 0 else 0.0,
            "available_share": available[n.id] / total_available if total_available > 0 else 0.0,
            "entrapment_exposure": foreign[n.id] / committed[n.id] if committed[n.id] > 0 else 0.0,
        }
    shares = [v["committed_share"] for v in nations.values()]
    by_task = {}
    for t in inst.tasks:
        contributions = supply.get(t.id, {})
        total = sum(contributions.values())
        top = max(contributions, key=contributions.get) if total > 0 else None
        by_task[t.id] = {
            "largest_contributor": top,
            "abandonment_exposure": contributions[top] / total if top is not None else 0.0,
        }
    return {
        "nations": nations,
        "herfindahl": sum(s * s for s in shares),
        "gini": gini(shares),
        "tasks": by_task,
    }
