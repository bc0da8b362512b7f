"""The YAML reader builds documents from parser events (issue 15, item 11): memory bounded."""

from __future__ import annotations

import json
import tracemalloc

import pytest
import yaml

import interop.instance.loading
from interop.errors import InstanceError
from interop.instance.loading import read_document
from interop.instance.yamlread import SafeLoader, load_yaml
from tests.conftest import ROOT, TINY

EXAMPLE = TINY / "format-example.yaml"
SAMPLES = sorted((ROOT / "instances").rglob("*.yaml"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_same_document_as_pyyaml(path):
    """Every instance in the repository reads as ``yaml.load`` reads it."""
    text = path.read_text()
    assert load_yaml(text, 10**7, 1000) == yaml.load(text, Loader=SafeLoader)  # noqa: S506


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1, c: 2}\nd: {<<: *x, c: 3}\n",
        "a: &x {b: 1}\nb: &y {b: 2, z: 1}\nc: {<<: [*x, *y], q: 1}\n",
        "<<: {a: 1}\nb: 2\n",
        "a: 2001-12-14\nb: !!str 12\nc: !!float 1\nd: ~\ne: null\nf: 0x1F\ng: 1e3\nh: [1, 1, 1, x, x]\n",
        "=: 1\n",
        "",
        "x\n",
    ],
)
def test_anchors_merges_and_tags_as_pyyaml(text):
    assert repr(load_yaml(text, 10**7, 1000)) == repr(yaml.load(text, Loader=SafeLoader))  # noqa: S506


def test_no_node_tree_is_composed(monkeypatch):
    """The document is built from events: PyYAML's collection nodes are never created."""

    def refuse(*args, **kwargs):
        raise AssertionError("a node tree was composed")

    monkeypatch.setattr(yaml.nodes.MappingNode, "__init__", refuse)
    monkeypatch.setattr(yaml.nodes.SequenceNode, "__init__", refuse)
    assert read_document(EXAMPLE)["name"] == "tiny-two-nations"


def test_memory_of_a_long_list_is_that_of_the_list(tmp_path):
    """200,000 small numbers (400 kB) are read in a few MB, not the ~80 MB a node tree costs."""
    path = tmp_path / "long.yaml"
    path.write_text("a: [" + ",".join("1" for _ in range(200_000)) + "]\n")
    tracemalloc.start()
    try:
        doc = read_document(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(doc["a"]) == 200_000
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.1f} MB"


def test_json_value_count_bounded_before_parsing(monkeypatch, tmp_path):
    monkeypatch.setattr(interop.instance.loading, "MAX_YAML_NODES", 1000)
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"a": [[] for _ in range(5000)]}))
    with pytest.raises(InstanceError, match="more than 1000 JSON values"):
        read_document(path)
    path.write_text(json.dumps({"name": "x", "description": ",:[{" * 5000}))  # punctuation inside a string
    assert read_document(path)["name"] == "x"


@pytest.mark.parametrize("word", ["yes", "no", "NO", "on", "off"])
def test_yaml11_booleans_refused(tmp_path, word):
    """``nation: NO`` (Norway) is False in YAML 1.1 and text in YAML 1.2: refused with its line."""
    path = tmp_path / "b.yaml"
    path.write_text(f"name: x\nnation: {word}\n")
    with pytest.raises(InstanceError) as info:
        read_document(path)
    problem = info.value.problems[0]
    assert problem.place == "line 2, column 9" and f"ambiguous value '{word}'" in problem.message


def test_yaml12_booleans_read(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text("a: true\nb: False\nc: 'NO'\n")
    assert read_document(path) == {"a": True, "b": False, "c": "NO"}


def test_duplicate_anchor_refused(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: &x 1\nb: &x 2\nc: *x\n")
    with pytest.raises(InstanceError, match="duplicate anchor"):
        read_document(path)


def test_repeated_plain_scalars_are_resolved_once(monkeypatch):
    """Time, too, is bounded (issue 15, item 11): the C parser marks a plain scalar with style '' (not None),
    which missed the cache of resolved scalars, so an 8 MB list of small numbers took 35 s (8 s now)."""
    import interop.instance.yamlread as yamlread

    calls = []
    real = yamlread._scalar
    monkeypatch.setattr(yamlread, "_scalar", lambda *args: calls.append(args[1].value) or real(*args))
    text = "a: [" + ", ".join(["1", "2.5", "x"] * 1000) + "]\nb: {k: 1, j: 2.5}\n"
    assert load_yaml(text, max_nodes=10_000, max_depth=10) == yaml.load(text, Loader=SafeLoader)
    assert len(calls) <= 10, len(calls)
