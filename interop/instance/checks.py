"""Rules that relate entities to each other: ids, references, domains and magnitudes.

The schema checks each entity alone; these checks need the whole instance. A
:class:`Placer` names the place of a problem, so that a problem in an instance
made by a scenario is reported where the scenario file says it (an added
platform at ``scenarios.S.add.platforms[0]``, a removed node at
``scenarios.S.remove.command_nodes``).
"""

from __future__ import annotations

from collections import Counter

from interop.errors import Problem
from interop.instance.magnitudes import magnitude_problems
from interop.instance.schema import COLLECTIONS, MULTINATIONAL, Instance

SINGULAR = {
    "nations": "nation",
    "command_nodes": "command node",
    "links": "link",
    "platforms": "platform",
    "tasks": "task",
    "sources": "source",
}


class Placer:
    """Names places in a base instance; :mod:`interop.scenarios` subclasses it."""

    def entity(self, collection: str, index: int) -> str:
        return f"{collection}[{index}]"

    def field(self, collection: str, index: int, field: str) -> str:
        return f"{self.entity(collection, index)}.{field}"

    def removed(self, collection: str, entity_id: str) -> str | None:
        """Where the scenario removed this entity, if it did."""
        return None

    def translate(self, loc: tuple) -> str:
        """Turn a pydantic error location into a place in the file."""
        if len(loc) >= 2 and loc[0] in COLLECTIONS and isinstance(loc[1], int):
            head = self.field(loc[0], loc[1], str(loc[2])) if len(loc) >= 3 else self.entity(loc[0], loc[1])
            return head + format_loc(loc[3:])
        return format_loc(loc).lstrip(".")


def format_loc(loc: tuple) -> str:
    """``('platforms', 3, 'nation')`` → ``.platforms[3].nation``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def check_instance(inst: Instance, placer: Placer | None = None) -> list[Problem]:
    """Every cross-entity problem of a schema-valid instance."""
    at = placer or Placer()
    problems: list[Problem] = []
    domains = set(inst.domains)
    nations = {n.id for n in inst.nations}
    nodes = {c.id for c in inst.command_nodes}
    sources = {s.id for s in inst.sources}

    def dangling(place: str, kind: str, ref: str) -> None:
        where = at.removed(kind, ref)
        if where is not None:
            problems.append(Problem(where, f"'{ref}' is still used by {place}"))
        else:
            problems.append(Problem(place, f"unknown {SINGULAR[kind]} '{ref}'"))

    for i, d in enumerate(inst.domains):
        if inst.domains.index(d) != i:
            problems.append(Problem(f"domains[{i}]", f"duplicate domain '{d}'"))
    for i, s in enumerate(inst.sources):
        if [x.id for x in inst.sources].index(s.id) != i:
            problems.append(Problem(f"sources[{i}].id", f"duplicate source id '{s.id}'"))
    for d in inst.parameters.integration_bonus:
        if d not in domains:
            problems.append(Problem(at.translate(("parameters", "integration_bonus", d)), f"unknown domain '{d}'"))

    for coll in COLLECTIONS:
        seen: Counter[str] = Counter()
        for i, ent in enumerate(getattr(inst, coll)):
            seen[ent.id] += 1
            if seen[ent.id] == 2:
                problems.append(Problem(at.field(coll, i, "id"), f"duplicate {SINGULAR[coll]} id '{ent.id}'"))
            refs = ent.source if isinstance(ent.source, list) else [ent.source]
            for ref in refs:
                if ref is not None and ref not in sources:
                    problems.append(Problem(at.field(coll, i, "source"), f"unknown source '{ref}'"))

    def check_domains(coll: str, i: int, field: str, values) -> None:
        for d in values:
            if d not in domains:
                problems.append(Problem(at.field(coll, i, field), f"unknown domain '{d}'"))

    for i, n in enumerate(inst.nations):
        if n.id == MULTINATIONAL:
            problems.append(Problem(at.field("nations", i, "id"), f"'{MULTINATIONAL}' is reserved"))
        check_domains("nations", i, "caveats", n.caveats)

    for i, c in enumerate(inst.command_nodes):
        if c.multinational:
            if c.members is None:
                problems.append(  # at the 'nation' that made it multinational (perhaps a scenario's update)
                    Problem(at.field("command_nodes", i, "nation"), f"a '{MULTINATIONAL}' node needs 'members'")
                )
            for m in c.members or []:
                if m not in nations:
                    dangling(at.field("command_nodes", i, "members"), "nations", m)
            if c.lead is not None and c.members is not None and c.lead not in c.members:
                problems.append(
                    Problem(
                        at.field("command_nodes", i, "lead"),
                        f"lead '{c.lead}' is not one of the node's members ({', '.join(c.members) or 'none'})",
                    )
                )
        else:
            if c.nation not in nations:
                dangling(at.field("command_nodes", i, "nation"), "nations", c.nation)
            if c.members is not None:
                problems.append(
                    Problem(
                        at.field("command_nodes", i, "members"),
                        f"only a '{MULTINATIONAL}' node has members",
                    )
                )
            if c.lead is not None:
                problems.append(
                    Problem(at.field("command_nodes", i, "lead"), f"only a '{MULTINATIONAL}' node has a lead")
                )
        check_domains("command_nodes", i, "domains", c.domains)

    for i, link in enumerate(inst.links):
        u, v = link.between
        for end in (u, v):
            if end not in nodes:
                dangling(at.field("links", i, "between"), "command_nodes", end)
        if u == v:
            problems.append(Problem(at.field("links", i, "between"), f"a link joins two nodes, not '{u}' to itself"))

    for i, p in enumerate(inst.platforms):
        if p.nation not in nations:
            dangling(at.field("platforms", i, "nation"), "nations", p.nation)
        check_domains("platforms", i, "effects", p.effects)

    platform_theaters = {h for p in inst.platforms for h in p.theaters}
    node_theaters = {h for c in inst.command_nodes for h in c.theaters}
    for i, t in enumerate(inst.tasks):
        check_domains("tasks", i, "domain", [t.domain])
        if t.theater not in platform_theaters and t.theater not in node_theaters:
            problems.append(
                Problem(
                    at.field("tasks", i, "theater"),
                    f"theater '{t.theater}' has no platform and no command node",
                )
            )
        for n in t.allowed_nations or []:
            if n not in nations:
                dangling(at.field("tasks", i, "allowed_nations"), "nations", n)
    return problems + magnitude_problems(inst, at.entity, at.field)


def nothing_to_decide(inst: Instance) -> str | None:
    """Why the model has nothing to decide (no platforms or no tasks), or None.

    The contract allows empty lists (a scenario may remove every task, a
    withdrawal every platform) and the model is then exact: the empty plan, Z = 0.
    But a file with nothing in it is more likely a mistake than a question, so
    it is said plainly rather than reported as a mere "optimal".
    """
    empty = [coll for coll in ("platforms", "tasks") if not getattr(inst, coll)]
    if not empty:
        return None
    return f"nothing to decide: the instance has no {' and no '.join(empty)} (the objective is 0)"


def warnings(inst: Instance) -> list[str]:
    """Legal but suspicious features, worth a line in ``interop validate``."""
    empty = nothing_to_decide(inst)
    if empty is not None:  # the other warnings would only repeat it
        return [empty]
    out = []
    platform_theaters = {h for p in inst.platforms for h in p.theaters}
    node_theaters = {h for c in inst.command_nodes for h in c.theaters}
    for t in inst.tasks:
        if t.theater not in platform_theaters:
            out.append(f"task '{t.id}': no platform is in theater '{t.theater}'")
        elif t.theater not in node_theaters:
            out.append(f"task '{t.id}': no command node covers theater '{t.theater}'")
    if not any(c.root for c in inst.command_nodes):
        out.append("no root node: no headquarters can be integrated")
    return out
