"""Scenarios: named edits of a base instance (instance-format.md, Scenarios).

Edits are applied to the raw document, in the documented order (parameters
merged key by key, ``update``, ``remove``, ``add``); the result is then
validated exactly as a base instance. :class:`ScenarioPlacer` remembers where
each entity and field came from, so that a problem is reported at its place in
the scenario (``scenarios.S.add.platforms[0].nation``), not in a document the
user never wrote.
"""

from __future__ import annotations

import copy
from typing import Any

from interop.errors import Problem
from interop.instance.checks import SINGULAR, Placer
from interop.instance.schema import COLLECTIONS


class ScenarioPlacer(Placer):
    """Places in an instance made by applying scenario ``name`` to a base."""

    def __init__(self, name: str):
        self.prefix = f"scenarios.{name}"
        # (collection, index in the result) -> place of the entity in the file
        self.entities: dict[tuple[str, int], str] = {}
        # (collection, index in the result) -> {field: place of the update}
        self.updated: dict[tuple[str, int], dict[str, str]] = {}
        self.removals: dict[tuple[str, str], str] = {}

    def entity(self, collection: str, index: int) -> str:
        return self.entities.get((collection, index), f"{collection}[{index}]")

    def field(self, collection: str, index: int, field: str) -> str:
        updated = self.updated.get((collection, index), {})
        if field in updated:
            return updated[field]
        return f"{self.entity(collection, index)}.{field}"

    def removed(self, collection: str, entity_id: str) -> str | None:
        return self.removals.get((collection, entity_id))

    def translate(self, loc: tuple) -> str:
        if loc and loc[0] == "parameters":
            return f"{self.prefix}.parameters" + "".join(f".{x}" for x in loc[1:])
        return super().translate(loc)


def apply_scenario(raw: dict[str, Any], name: str) -> tuple[dict[str, Any], ScenarioPlacer, list[Problem]]:
    """The raw document of scenario ``name`` applied to base document ``raw``.

    ``raw`` must already be a schema-valid base document. Returns the edited
    document (without ``scenarios``), the placer for its problems, and the
    problems of the edits themselves (an update or removal of a missing id).
    """
    scen = raw["scenarios"][name]
    at = ScenarioPlacer(name)
    doc = {k: copy.deepcopy(v) for k, v in raw.items() if k != "scenarios"}
    problems: list[Problem] = []
    for coll in COLLECTIONS:
        doc.setdefault(coll, [])
        for i in range(len(doc[coll])):
            at.entities[(coll, i)] = f"{coll}[{i}]"

    params = dict(doc.get("parameters") or {})
    for key, value in (scen.get("parameters") or {}).items():
        if key == "integration_bonus" and isinstance(value, dict):
            params[key] = {**(params.get(key) or {}), **value}
        else:
            params[key] = value
    doc["parameters"] = params

    for coll, by_id in (scen.get("update") or {}).items():
        ids = [e["id"] for e in doc[coll]]
        for entity_id, fields in by_id.items():
            place = f"{at.prefix}.update.{coll}.{entity_id}"
            if entity_id not in ids:
                problems.append(Problem(place, f"no {SINGULAR[coll]} '{entity_id}' to update"))
                continue
            if "id" in fields:
                problems.append(Problem(f"{place}.id", "an id cannot be updated (remove and add instead)"))
                continue
            index = ids.index(entity_id)
            doc[coll][index].update(copy.deepcopy(fields))
            at.updated.setdefault((coll, index), {}).update({f: f"{place}.{f}" for f in fields})

    for coll, ids_to_remove in (scen.get("remove") or {}).items():
        for j, entity_id in enumerate(ids_to_remove):
            ids = [e["id"] for e in doc[coll]]
            if entity_id not in ids:
                problems.append(
                    Problem(f"{at.prefix}.remove.{coll}[{j}]", f"no {SINGULAR[coll]} '{entity_id}' to remove")
                )
                continue
            index = ids.index(entity_id)
            del doc[coll][index]
            _shift(at, coll, index)
            at.removals[(coll, entity_id)] = f"{at.prefix}.remove.{coll}"

    for coll, entities in (scen.get("add") or {}).items():
        for j, entity in enumerate(entities):
            at.entities[(coll, len(doc[coll]))] = f"{at.prefix}.add.{coll}[{j}]"
            doc[coll].append(copy.deepcopy(entity))
    return doc, at, problems


def _shift(at: ScenarioPlacer, coll: str, removed: int) -> None:
    """Renumber the placer's records after entity ``removed`` left ``coll``."""
    for table in (at.entities, at.updated):
        moved = {}
        for (c, i), value in list(table.items()):
            if c == coll and i >= removed:
                del table[(c, i)]
                if i > removed:
                    moved[(c, i - 1)] = value
        table.update(moved)
