"""Swept fields: what a dotted path names, and its values read by the field's type in the schema.

A sweep sets one field per parameter path: a number (``parameters.autonomy_scale``,
``tasks.<id>.demand``), a true/false switch (``nations.<id>.shares_networks``,
``command_nodes.<id>.root``) or a name (``command_nodes.<id>.lead``,
``platforms.<id>.nation``, ``tasks.<id>.theater``). The field's type comes from
the instance schema (:mod:`interop.instance.schema`), so ``--values`` is read
the same way a file is: numbers as a list or a range, switches as ``true`` and
``false``, names as given. An optional field (a lead) is cleared by ``none``
(or ``null``). Ids, sources and list fields (members, caveats, standards) are
not swept: a list has no one-word value; a scenario or an overlay file edits it.

Whether a value fits the instance (a lead that is a member, a nation that
exists) is decided when the instance is rebuilt at that point and revalidated
(:func:`interop.analyses.grid.with_values`).
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass

from interop.instance.schema import CommandNode, Link, Nation, Platform, Task

GLOBAL_NUMERIC = (
    "autonomy_scale",
    "link_cost_scale",
    "shared_command_factor",
    "lead_command_factor",
    "integration_autonomy_factor",
)
RANGE_LIMIT = 100_000
MODELS = {"nations": Nation, "command_nodes": CommandNode, "links": Link, "platforms": Platform, "tasks": Task}
CLEAR = ("none", "null")  # the value that clears an optional field (a lead)
PATH_FORMS = "expected parameters.NAME, parameters.integration_bonus.DOMAIN or COLLECTION.ID.FIELD"

SweptValue = float | bool | str | None


@dataclass(frozen=True)
class FieldKind:
    """The type of a swept field: ``number``, ``bool`` or ``text``; ``nullable`` if it may be cleared."""

    kind: str
    nullable: bool = False


def _kind_of(annotation: object) -> tuple[str, bool]:
    """(number | bool | text | list | other, nullable) of a pydantic field annotation."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            return "other", nullable
        return _kind_of(args[0])[0], nullable
    if origin in (list, dict):
        return "list", False
    if annotation is bool:
        return "bool", False
    if annotation in (int, float):
        return "number", False
    if annotation is str:
        return "text", False
    return "other", False


def field_kind(path: str) -> FieldKind:
    """The kind of field ``path`` names; ``KeyError`` (with the reason) if it names none a sweep can set.

    Only the path's form and the schema are checked here; whether the entity
    exists is checked against the instance (:func:`locate`).
    """
    parts = path.split(".")
    head = parts[0]
    if head == "parameters":
        if len(parts) == 2 and parts[1] in GLOBAL_NUMERIC:
            return FieldKind("number")
        if len(parts) == 3 and parts[1] == "integration_bonus":
            return FieldKind("number")
        raise KeyError(f"no numeric parameter '{'.'.join(parts[1:])}'")
    if head not in MODELS or len(parts) < 3:
        raise KeyError(PATH_FORMS)
    key, fields = parts[-1], MODELS[head].model_fields
    if key not in fields:
        raise KeyError(f"{head} have no field '{key}' (fields: {', '.join(fields)})")
    if key == "id":
        raise KeyError("an id cannot be swept (other entities refer to it)")
    if key == "source":
        raise KeyError("'source' names the evidence, not a model input: it cannot be swept")
    kind, nullable = _kind_of(fields[key].annotation)
    if kind == "list":
        raise KeyError(
            f"'{key}' is a list: a sweep sets one value per point (a number, true/false or a name);"
            " edit lists in a scenario or an --overlay file"
        )
    if kind == "other":
        raise KeyError(f"'{key}' cannot be swept")
    return FieldKind(kind, nullable)


def parse_values(spec: str) -> list[float]:
    """The values of a list (``0,0.5,1``) or an inclusive range (``start:stop:step``)."""
    text = spec.strip()
    try:
        if ":" in text:
            parts = [float(x) for x in text.split(":")]
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if step <= 0 or stop < start:
                raise ValueError("a range needs start ≤ stop and a positive step")
            count = math.floor((stop - start) / step + 1e-9) + 1
            if count > RANGE_LIMIT:
                raise ValueError(f"{count} values; the limit is {RANGE_LIMIT}")
            values = [float(f"{start + k * step:.12g}") for k in range(count)]
        else:
            values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        detail = f": {exc}" if str(exc) else ""
        raise ValueError(f"bad values '{spec}' (a list 0,0.5,1 or a range start:stop:step){detail}") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise ValueError(f"bad values '{spec}': give finite numbers")
    return values


def _parse_words(spec: str, kind: FieldKind) -> list[SweptValue]:
    words = [w.strip() for w in spec.split(",")]
    if not spec.strip() or any(not w for w in words):
        raise ValueError(f"bad values '{spec}': give a comma-separated list with no empty entry")
    if kind.kind == "bool":
        bad = [w for w in words if w.lower() not in ("true", "false")]
        if bad:
            raise ValueError(f"bad values '{spec}': a true/false field takes true and/or false (got '{bad[0]}')")
        return [w.lower() == "true" for w in words]
    return [None if kind.nullable and w.lower() in CLEAR else w for w in words]


def _checked(path: str, kind: FieldKind, value: object) -> SweptValue:
    """``value`` for a field of ``kind``, or ``ValueError``."""
    if kind.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"'{path}' is a numeric field: give finite numbers (got {value!r})")
        return float(value)
    if value is None and kind.nullable:
        return None
    if kind.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"'{path}' is not a numeric field but true/false: give booleans (got {value!r})")
        return value
    if not isinstance(value, str):
        clear = " or None (clears it)" if kind.nullable else ""
        raise ValueError(f"'{path}' is not a numeric field but a name: give text{clear} (got {value!r})")
    return value


def sweep_values(path: str, spec: Sequence[object] | str) -> list[SweptValue]:
    """The values of ``path``: a spec string read by the field's type, or a sequence checked against it.

    ``KeyError``: the path names no field a sweep sets; ``ValueError``: a value
    does not fit the field's type.
    """
    kind = field_kind(path)
    if isinstance(spec, str):
        return list(parse_values(spec)) if kind.kind == "number" else _parse_words(spec, kind)
    values = [_checked(path, kind, v) for v in spec]
    if not values:
        raise ValueError(f"no values for '{path}'")
    return values


def show(value: object) -> str:
    """A swept value as the command line spells it: ``0.5``, ``true``, ``USA``, ``none``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return str(value)


def locate(doc: dict, path: str) -> tuple[dict, str]:
    """The mapping holding the field ``path`` names in an instance document, and the key (``KeyError``: why not)."""
    field_kind(path)
    parts = path.split(".")
    head = parts[0]
    if head == "parameters":
        params = doc.setdefault("parameters", {})
        if len(parts) == 2:
            return params, parts[1]
        if parts[2] not in doc.get("domains", []):
            raise KeyError(f"'{parts[2]}' is not a domain of the instance")
        return params.setdefault("integration_bonus", {}), parts[2]
    entity_id, key = ".".join(parts[1:-1]), parts[-1]
    for entity in doc.get(head, []):
        if entity.get("id") == entity_id:
            return entity, key
    raise KeyError(f"no entry '{entity_id}' in {head}")
