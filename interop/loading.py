"""Reading instance files: safe parsing, validation, scenarios.

``load_instance`` is the one entry point analysts need; ``validate_file``
checks a file's base instance and every scenario and returns all problems
instead of raising at the first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from interop.checks import Placer, check_instance, warnings
from interop.errors import InstanceError, Problem
from interop.scenarios import apply_scenario
from interop.schema import COLLECTIONS, Instance

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ENTITIES = 200_000


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loading that refuses a key given twice in one mapping."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            duplicate = key in seen
        except TypeError:  # an unhashable key; the constructor below reports it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def read_document(path: str | Path) -> dict[str, Any]:
    """The raw mapping of a YAML or JSON instance file, or an InstanceError."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InstanceError(name, [Problem("", f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")])
        data = path.read_bytes()
    except OSError as exc:
        raise InstanceError(name, [Problem("", f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceError(name, [Problem("", f"not a UTF-8 text file (byte {exc.start})")]) from None
    if "\x00" in text:
        raise InstanceError(name, [Problem("", "not a text file (it contains NUL bytes)")])
    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(text)
        else:
            doc = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except json.JSONDecodeError as exc:
        raise InstanceError(name, [Problem(f"line {exc.lineno}, column {exc.colno}", exc.msg)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = " ".join(x for x in (exc.context, exc.problem) if x) or "YAML syntax error"
        raise InstanceError(name, [Problem(where, f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise InstanceError(name, [Problem("", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InstanceError(name, [Problem("", "document nested too deeply")]) from None
    if doc is None:
        raise InstanceError(name, [Problem("", "the file is empty")])
    if not isinstance(doc, dict):
        raise InstanceError(name, [Problem("", f"the document must be a mapping of keys, not a {type(doc).__name__}")])
    for coll in COLLECTIONS:
        if isinstance(doc.get(coll), list) and len(doc[coll]) > MAX_ENTITIES:
            raise InstanceError(name, [Problem(coll, f"{len(doc[coll])} entries; the limit is {MAX_ENTITIES}")])
    return doc


_TYPE_TAG = re.compile(r"^(str|int|float|bool|list|dict|date|none|literal|function-\w+)(\[.*\])?$")


def _pydantic_problems(exc: ValidationError, placer: Placer) -> list[Problem]:
    """One problem per place from a pydantic error (union branches merged)."""
    out: dict[str, Problem] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(
            x for x in err["loc"] if not (isinstance(x, str) and (_TYPE_TAG.match(x) or x == "[key]"))
        )
        kind = err["type"]
        if kind == "extra_forbidden":
            message = "unknown key"
        elif kind == "missing":
            message = "missing required key"
        else:
            message = err["msg"]
            if kind not in ("missing",) and not isinstance(err.get("input"), (dict, list)):
                message += f" (got {err.get('input')!r})"
        place = placer.translate(loc)
        out.setdefault(place, Problem(place, message))
    return list(out.values())


def _validate(doc: dict[str, Any], placer: Placer) -> tuple[Instance | None, list[Problem]]:
    try:
        inst = Instance.model_validate(doc)
    except ValidationError as exc:
        return None, _pydantic_problems(exc, placer)
    return inst, check_instance(inst, placer)


def parse_instance(doc: dict[str, Any], scenario: str | None = None, source: str = "<instance>") -> Instance:
    """Validate a raw document and apply ``scenario``; raise InstanceError on any problem."""
    base, problems = _validate(doc, Placer())
    if problems:
        raise InstanceError(source, problems)
    if scenario is None:
        return base
    if scenario not in base.scenarios:
        known = ", ".join(base.scenarios) or "none"
        raise InstanceError(source, [Problem("scenarios", f"no scenario '{scenario}' (known: {known})")])
    inst, problems = _scenario_instance(doc, scenario)
    if problems:
        raise InstanceError(source, problems)
    return inst


def _scenario_instance(doc: dict[str, Any], name: str) -> tuple[Instance | None, list[Problem]]:
    edited, placer, problems = apply_scenario(doc, name)
    inst, more = _validate(edited, placer)
    problems = problems + more
    if inst is not None and not problems:
        inst._scenario = name
    return inst, problems


def load_instance(path: str | Path, scenario: str | None = None) -> Instance:
    """Load and validate an instance file, with ``scenario`` applied if given.

    Raises :class:`InstanceError` listing every problem, each with its place.
    """
    return parse_instance(read_document(path), scenario, source=str(path))


@dataclass
class ValidationReport:
    """Problems and warnings of a file's base instance and each scenario."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_file(path: str | Path) -> ValidationReport:
    """Check the base instance and every scenario; never raises for bad input."""
    report = ValidationReport(str(path))
    try:
        doc = read_document(path)
    except InstanceError as exc:
        report.problems = exc.problems
        return report
    base, report.problems = _validate(doc, Placer())
    if base is None or report.problems:
        return report
    report.warnings = warnings(base)
    report.scenarios = list(base.scenarios)
    for name in base.scenarios:
        inst, problems = _scenario_instance(doc, name)
        report.problems += problems
        if inst is not None and not problems:
            report.warnings += [f"scenario {name}: {w}" for w in warnings(inst) if w not in warnings(base)]
    return report
