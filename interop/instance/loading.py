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

from interop.errors import InstanceError, Problem
from interop.instance.checks import Placer, check_instance, format_loc, warnings
from interop.instance.scenarios import apply_scenario
from interop.instance.schema import COLLECTIONS, Instance
from interop.instance.yamlread import DocumentRefused, load_yaml
from interop.safeio import ReadRefused, read_regular_file

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ENTITIES = 200_000
# No instance nests deeper than about 8 levels (scenarios.S.update.platforms.P.effects.land);
# a deeper document is a mistake (or a recursive alias), and would exhaust Python's stack.
MAX_DEPTH = 24
# Values in the document once aliases are expanded (a "billion laughs" file is tiny on disk).
MAX_VALUES = 50 * MAX_ENTITIES

# YAML nodes (scalars, sequences, mappings; in JSON: values and keys) a document may hold: the
# document is refused before it is built (see interop.instance.yamlread), so this bounds the
# parse's memory (about 100 bytes a node) and time. A generated XL instance (10,000 platforms)
# holds 250,000 nodes, a 100,000-platform one 2.3 million.
MAX_YAML_NODES = 3_000_000
# Nesting the parser follows before the document is built (deeper: refused at its line);
# the document's own limit, MAX_DEPTH, is checked on the built document, with its path.
MAX_PARSE_DEPTH = 8 * MAX_DEPTH
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _json_node_problem(text: str) -> Problem | None:
    """A problem if the JSON text holds more than MAX_YAML_NODES values and keys (counted unbuilt).

    Every value but the first follows a ``,`` or a ``:`` (or opens a container), so counting
    those bounds the count; only when that bound is over the limit are the ones inside strings
    taken off (one string at a time: memory stays that of the text).
    """

    def count(t: str) -> int:
        return t.count(",") + t.count(":") + t.count("[") + t.count("{")

    nodes = count(text) + 1
    if nodes <= MAX_YAML_NODES:
        return None
    for match in _JSON_STRING.finditer(text):
        if match.end() - match.start() > 2:
            nodes -= count(match.group())
    if nodes <= MAX_YAML_NODES:
        return None
    return Problem("", f"the document holds more than {MAX_YAML_NODES} JSON values and keys")


def _text_place(data: bytes, offset: int) -> str:
    """``line L, column C`` of byte ``offset`` (columns count characters)."""
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return f"line {line}, column {column}"


def _json_object(duplicates: dict[int, tuple[dict, list[str]]]):
    """A JSON ``object_pairs_hook`` that remembers keys given twice (JSON keeps the last).

    ``duplicates`` maps id(object) to the object (kept alive, so that its id is not
    reused by another) and its repeated keys.
    """

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) < len(pairs):
            seen: set[str] = set()
            dups: list[str] = []
            for key, _ in pairs:
                if key in seen and key not in dups:
                    dups.append(key)
                seen.add(key)
            duplicates[id(obj)] = (obj, dups)
        return obj

    return hook


def _structure_problems(doc: Any, duplicates: dict[int, tuple[dict, list[str]]]) -> list[Problem]:
    """Duplicate JSON keys, recursive aliases, nesting too deep, too many values; each with its place.

    Walks the containers only (a long list of numbers costs one step), keeping for each
    a link to its parent so that a place is spelled out only when there is a problem.
    """
    problems: list[Problem] = []
    budget = MAX_VALUES

    def chain(entry: tuple) -> list[tuple]:
        out = []
        while entry is not None:
            out.append(entry)
            entry = entry[1]
        return out[::-1]

    def place(entry: tuple, *extra: Any) -> str:
        return format_loc(tuple(e[2] for e in chain(entry)[1:]) + extra).lstrip(".")

    # entry: (container, parent entry, key in the parent, depth)
    stack: list[tuple] = [(doc, None, None, 0)]
    while stack:
        entry = stack.pop()
        node, _, _, depth = entry
        for key in duplicates[id(node)][1] if id(node) in duplicates else []:
            problems.append(Problem(place(entry, key), "key given twice in one mapping"))
        if depth > MAX_DEPTH:
            seen: set[int] = set()
            for e in chain(entry):  # a container inside itself: name the place where it repeats
                if id(e[0]) in seen:
                    return problems + [Problem(place(e), "a recursive alias: the value contains itself")]
                seen.add(id(e[0]))
            return problems + [Problem(place(entry), f"nested more than {MAX_DEPTH} levels deep")]
        budget -= len(node)
        if budget < 0:
            too_many = f"the document holds more than {MAX_VALUES} values (aliases expanded)"
            return problems + [Problem(place(entry), too_many)]
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, (dict, list)):
                stack.append((value, entry, key, depth + 1))
    return problems


def read_document(path: str | Path) -> dict[str, Any]:
    """The raw mapping of a YAML or JSON instance file, or an InstanceError."""
    path = Path(path)
    name = str(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except ReadRefused as exc:
        raise InstanceError(name, [Problem("", str(exc))]) from None
    except OSError as exc:
        raise InstanceError(name, [Problem("", f"cannot read file: {exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is allowed (and dropped)
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        problem = f"not a UTF-8 text file (byte 0x{data[start]:02x} at offset {start})"
        raise InstanceError(name, [Problem(_text_place(data, start), problem)]) from None
    if "\x00" in text:
        where = _text_place(data, data.index(b"\x00"))
        raise InstanceError(name, [Problem(where, "not a text file (it contains NUL bytes)")])
    duplicates: dict[int, tuple[dict, list[str]]] = {}
    try:
        if path.suffix.lower() == ".json":
            too_big = _json_node_problem(text)
            if too_big is not None:
                raise InstanceError(name, [too_big])
            doc = json.loads(text, object_pairs_hook=_json_object(duplicates))
        else:
            doc = load_yaml(text, MAX_YAML_NODES, MAX_PARSE_DEPTH)
    except DocumentRefused as exc:
        raise InstanceError(name, [exc.problem]) from None
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
    problems = _structure_problems(doc, duplicates)
    if problems:
        raise InstanceError(name, problems)
    for coll in COLLECTIONS:
        if isinstance(doc.get(coll), list) and len(doc[coll]) > MAX_ENTITIES:
            raise InstanceError(name, [Problem(coll, f"{len(doc[coll])} entries; the limit is {MAX_ENTITIES}")])
    return doc


_MODEL_NAME = re.compile(r" or instance of \w+")
MAX_SHOWN = 60  # characters of a wrong value quoted in a message


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


_TYPE_TAG = re.compile(r"^(str|int|float|bool|list|dict|date|none|literal|function-\w+)(\[.*\])?$")


def _pydantic_problems(exc: ValidationError, placer: Placer) -> list[Problem]:
    """One problem per place from a pydantic error (union branches merged)."""
    out: dict[str, Problem] = {}
    for err in exc.errors(include_url=False):
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and (_TYPE_TAG.match(x) or x == "[key]")))
        kind = err["type"]
        if kind == "extra_forbidden":
            message = "unknown key"
        elif kind == "missing":
            message = "missing required key"
        else:
            message = _MODEL_NAME.sub("", err["msg"])
            if not isinstance(err.get("input"), (dict, list)):
                message += f" (got {_shown(err.get('input'))})"
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


def load_with_overlay(path: str | Path, overlay: str | Path) -> Instance:
    """The base instance of ``path`` with the edits of the file ``overlay`` applied.

    The overlay has the syntax of one scenario (``description``,
    ``parameters``, ``update``, ``remove``, ``add``) and is applied as the
    scenario named by the file's stem, so that an analyst need not copy the
    instance to try a what-if; the result validates exactly as a scenario does.
    """
    doc = read_document(path)
    name = Path(overlay).stem
    edits = read_document(overlay)
    scenarios = doc.get("scenarios") if isinstance(doc.get("scenarios"), dict) else {}
    if name in scenarios:
        problem = Problem("", f"'{name}' is already a scenario of {path}: rename the overlay file")
        raise InstanceError(str(overlay), [problem])
    return parse_instance({**doc, "scenarios": {**scenarios, name: edits}}, name, source=f"{path} + {overlay}")


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
