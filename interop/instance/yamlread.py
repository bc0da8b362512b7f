"""Reading YAML instance text: YAML 1.2 numbers, unique keys, and memory bounded while parsing.

PyYAML composes a tree of nodes (each with two source marks) before it builds a single
Python object, so an 8 MB list of small numbers cost about 1.6 GB. :func:`load_yaml`
builds the document straight from the parser's events instead, counting nodes as they
come: a document with more than ``max_nodes`` nodes is refused before it is built, and
memory is the finished document's (plus one event at a time).

Scalars are resolved and constructed by the loader's own rules, so values are those
``yaml.load`` would give (with the edits below); anchors, aliases and ``<<`` merge keys
work as in PyYAML. Errors are PyYAML's marked errors, so callers report them with their line.
"""

from __future__ import annotations

import re
import types
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from interop.errors import Problem

_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQ_TAG = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
# Numbers that YAML 1.1 (PyYAML) and YAML 1.2 read differently: 024 (octal 20 in 1.1), 1:20
# (sexagesimal 80), 1_0 (10 in 1.1, a string in 1.2), 0b11. Refused rather than guessed.
_AMBIGUOUS_NUMBER = re.compile(r"^[-+]?(?:0[0-9]|0b)|[_:]")
# Booleans of YAML 1.1 only (yes, no, on, off, y, n): YAML 1.2 reads them as text, and
# ``nation: NO`` (Norway) would become ``False``.
_YAML12_BOOLEANS = {"true", "True", "TRUE", "false", "False", "FALSE"}


class DocumentRefused(Exception):
    """The document is refused before it is built; carries the problem (with its place)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML loading with YAML 1.2 floats and ambiguous YAML 1.1 scalars refused.

    Floats are read as YAML 1.2 reads them: PyYAML (YAML 1.1) takes ``1e3`` and
    ``2.5e-3`` for strings, so that ``demand: 1e3`` would be refused as "not a
    number" although JSON and every other YAML reader call it one.
    """


SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def _unambiguous(construct):
    def constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode):
        if not node.style and _AMBIGUOUS_NUMBER.search(node.value):
            raise ConstructorError(
                None,
                None,
                f"ambiguous number '{node.value}' (YAML 1.1 and 1.2 read it differently):"
                " write it plainly (e.g. 24, 80, 10) or quote it as a string",
                node.start_mark,
            )
        return construct(loader, node)

    return constructor


def _yaml12_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode):
    if node.value not in _YAML12_BOOLEANS:
        raise ConstructorError(
            None,
            None,
            f"ambiguous value '{node.value}' (YAML 1.1 reads a boolean, YAML 1.2 text):"
            f" write true or false, or quote it ('{node.value}') as text",
            node.start_mark,
        )
    return yaml.SafeLoader.construct_yaml_bool(loader, node)


SafeLoader.add_constructor("tag:yaml.org,2002:int", _unambiguous(yaml.SafeLoader.construct_yaml_int))
SafeLoader.add_constructor("tag:yaml.org,2002:float", _unambiguous(yaml.SafeLoader.construct_yaml_float))
SafeLoader.add_constructor("tag:yaml.org,2002:bool", _yaml12_bool)


def _scalar(loader: SafeLoader, event: yaml.ScalarEvent, tag: str) -> Any:
    """The value of one scalar, constructed by the loader's rules for ``tag``."""
    if tag == _STR_TAG:
        return event.value
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    constructor = loader.yaml_constructors.get(tag) or loader.yaml_constructors[None]
    value = constructor(loader, node)
    if isinstance(value, types.GeneratorType):  # a collection tag on a scalar: its constructor objects
        value = next(value)
    return value


class _Open:
    """A mapping or sequence being built: its object, its place and (mappings) the pending key."""

    __slots__ = ("anchor", "key", "key_mark", "mark", "merges", "obj")

    def __init__(self, obj: Any, mark: Any, anchor: str | None):
        self.obj, self.mark, self.anchor = obj, mark, anchor
        self.key: Any = _NO_KEY
        self.key_mark = None
        self.merges: list[tuple[Any, Any]] = []


_NO_KEY = object()
# Plain scalars of up to this many characters are resolved once per document and their
# (immutable) values reused: a document repeats the same numbers, names and ids. (A plain
# scalar's style is None from PyYAML's parser but '' from libyaml's: hence ``not event.style``.)
_CACHED_LENGTH = 40
_CACHE_SIZE = 100_000
_MERGE = object()


def _place(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _merged(frame: _Open) -> dict:
    """A mapping's keys with its ``<<`` merges applied (explicit keys win, as in PyYAML)."""
    merged: dict = {}
    for value, mark in frame.merges:
        sources = [value] if isinstance(value, dict) else list(reversed(value)) if isinstance(value, list) else None
        if sources is None or not all(isinstance(s, dict) for s in sources):
            raise ConstructorError(
                "while constructing a mapping", frame.mark, "expected a mapping or list of mappings for merging", mark
            )
        for source in sources:
            merged.update(source)
    return {**merged, **frame.obj}


def _add(frame: _Open, value: Any, mark: Any) -> None:
    """Put ``value`` (which starts at ``mark``) into the collection being built."""
    if isinstance(frame.obj, list):
        frame.obj.append(value)
        return
    if frame.key is _NO_KEY:  # a key
        try:
            hash(value)
        except TypeError:
            raise ConstructorError("while constructing a mapping", frame.mark, "found unhashable key", mark) from None
        if value is not _MERGE and value in frame.obj:
            raise ConstructorError(None, None, f"duplicate key '{value}'", mark)
        frame.key, frame.key_mark = value, mark
        return
    if frame.key is _MERGE:
        frame.merges.append((value, mark))
    else:
        frame.obj[frame.key] = value
    frame.key = _NO_KEY


def load_yaml(text: str, max_nodes: int, max_depth: int) -> Any:
    """The one document in ``text`` (None if empty), built from parser events.

    Raises :class:`DocumentRefused` when the document holds more than ``max_nodes``
    nodes (scalars, sequences, mappings) or nests more than ``max_depth`` levels, and
    PyYAML's marked errors for syntax errors, duplicate keys, undefined aliases,
    recursive mappings and ambiguous scalars.
    """
    loader = SafeLoader(text)
    try:
        return _build(loader, max_nodes, max_depth)
    finally:
        loader.dispose()


def _build(loader: SafeLoader, max_nodes: int, max_depth: int) -> Any:
    anchors: dict[str, Any] = {}
    open_anchors: dict[str, Any] = {}  # anchors of mappings still being built: an alias to one is recursive
    anchor_marks: dict[str, Any] = {}
    stack: list[_Open] = []
    nodes = 0
    document: Any = None
    documents = 0
    first_start = None
    cache: dict[str, Any] = {}
    get_event = loader.get_event
    while True:
        event = get_event()
        kind = type(event)
        if kind is yaml.ScalarEvent and stack and type(stack[-1].obj) is list and event.anchor is None:
            # the common case (an item of a list), kept short
            text = event.value
            if event.tag is None and not event.style and text in cache:
                nodes += 1
                if nodes > max_nodes:
                    raise DocumentRefused(
                        Problem(_place(event.start_mark), f"the document holds more than {max_nodes} YAML nodes")
                    )
                stack[-1].obj.append(cache[text])
                continue
        if kind is yaml.StreamEndEvent:
            return document
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents == 2:
                raise ComposerError(
                    "expected a single document in the stream",
                    first_start,
                    "but found another document",
                    event.start_mark,
                )
            first_start = event.start_mark
            continue
        if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            frame = stack.pop()
            value = _merged(frame) if frame.merges else frame.obj
            if frame.anchor is not None:
                open_anchors.pop(frame.anchor, None)
                anchors[frame.anchor] = value
            mark = frame.mark
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise ConstructorError(None, None, "found unconstructable recursive node", open_anchors[event.anchor])
            if event.anchor not in anchors:
                raise ComposerError(None, None, f"found undefined alias '{event.anchor}'", event.start_mark)
            value, mark = anchors[event.anchor], event.start_mark
        else:
            nodes += 1
            if nodes > max_nodes:
                raise DocumentRefused(
                    Problem(_place(event.start_mark), f"the document holds more than {max_nodes} YAML nodes")
                )
            mark = event.start_mark
            anchor = event.anchor
            if anchor is not None:
                if anchor in anchor_marks:  # as PyYAML: an anchor is defined once
                    first = anchor_marks[anchor]
                    raise ComposerError(
                        f"found duplicate anchor '{anchor}'; first occurrence", first, "second occurrence", mark
                    )
                anchor_marks[anchor] = mark
            if kind is yaml.ScalarEvent:
                in_key = bool(stack) and stack[-1].key is _NO_KEY and isinstance(stack[-1].obj, dict)
                text = event.value
                plain = event.tag is None and not event.style and len(text) <= _CACHED_LENGTH
                if plain and text in cache:  # a plain scalar seen before: the same (immutable) value
                    value = cache[text]
                else:
                    tag = event.tag
                    if tag is None or tag == "!":
                        tag = loader.resolve(yaml.ScalarNode, text, event.implicit)
                    if tag == _MERGE_TAG or tag == _VALUE_TAG:
                        plain = False
                    if in_key and tag == _MERGE_TAG:
                        value = _MERGE
                    else:
                        value = _scalar(loader, event, _STR_TAG if in_key and tag == _VALUE_TAG else tag)
                    if plain and len(cache) < _CACHE_SIZE:
                        cache[text] = value
                if anchor is not None:
                    anchors[anchor] = value
            else:
                if len(stack) >= max_depth:
                    raise DocumentRefused(Problem(_place(mark), f"nested more than {max_depth} levels deep"))
                mapping = isinstance(event, yaml.MappingStartEvent)
                tag = event.tag
                if tag not in (None, "!", _MAP_TAG if mapping else _SEQ_TAG):
                    raise ConstructorError(None, None, f"the tag {tag} is not supported in instance files", mark)
                frame = _Open({} if mapping else [], mark, anchor)
                if anchor is not None:
                    if mapping:
                        open_anchors[anchor] = mark
                    else:
                        anchors[anchor] = frame.obj  # a list may contain itself; the caller finds it
                stack.append(frame)
                continue
        if stack:
            _add(stack[-1], value, mark)
        else:
            document = value
