"""Property tests: mutated valid instances are either accepted or refused cleanly.

Each example starts from one of the tiny instances in ``instances/tiny/`` and
applies a few random edits of the kinds a careless analyst makes (a deleted
key, a value of the wrong type, a renamed, dropped or duplicated entity, an
unknown key, a scenario that edits what is not there). Whatever comes out, the
loader must either accept it or report every problem with its place: it must
never crash (exit 3, a Python exception), and an accepted instance must solve
to a documented status. Runs are derandomized so that CI is reproducible.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from interop.cli import run
from interop.errors import InstanceError
from interop.instance.loading import load_instance, validate_file
from interop.instance.schema import COLLECTIONS
from tests.conftest import TINY

STATUSES = {"optimal", "feasible", "infeasible", "unbounded", "no_solution", "error"}
BASES = {p.name: yaml.safe_load(p.read_text()) for p in sorted(TINY.glob("*.yaml"))}
SETTINGS = dict(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))

# Values of every type the schema could be handed by mistake.
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([-1, -0.5, 0, 0.5, 1.5, 1e300, -1e300]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(-3, 3), st.text(max_size=4)), max_size=3),
    st.dictionaries(st.text(max_size=6), st.one_of(st.integers(-3, 3), st.text(max_size=4)), max_size=3),
)


def _paths(node, prefix=()):
    """Every path into the document (to a mapping value or a list item)."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append(prefix + (key,))
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append(prefix + (i,))
            out += _paths(value, prefix + (i,))
    return out


def _containers(doc, kind):
    return [()] * isinstance(doc, kind) + [p for p in _paths(doc) if isinstance(_get(doc, p), kind)]


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


def _ids(doc):
    """The string ids of the document's entities (a mutated document may hold anything)."""
    ids = [e.get("id") for c in COLLECTIONS for e in _list(doc.get(c)) if isinstance(e, dict)]
    return sorted({i for i in ids if isinstance(i, str)})


def _list(value):
    return value if isinstance(value, list) else []


def _mutate(data, doc):
    """Apply one random edit to ``doc`` in place; returns a label for the edit."""
    kind = data.draw(
        st.sampled_from(
            [
                "delete",
                "set",
                "number",
                "number",
                "rename",
                "drop",
                "duplicate",
                "unknown_key",
                "scenario",
                "scenario_remove",
                "scenario_add",
            ]
        )
    )
    paths = _paths(doc)
    if kind == "delete":
        path = data.draw(st.sampled_from(paths))
        parent = _get(doc, path[:-1])
        del parent[path[-1]]
    elif kind == "set":
        path = data.draw(st.sampled_from(paths))
        value = data.draw(st.one_of(ANY_VALUE, st.sampled_from(_ids(doc) or ["x"])))
        _get(doc, path[:-1])[path[-1]] = value
    elif kind == "number":  # a plausible figure: often still valid, so that the solver is exercised too
        numbers = [p for p in paths if type(_get(doc, p)) in (int, float)]
        if not numbers:
            return kind
        path = data.draw(st.sampled_from(numbers))
        value = data.draw(st.one_of(st.integers(0, 12), st.floats(0, 1), st.floats(0, 60)))
        _get(doc, path[:-1])[path[-1]] = value
    elif kind in ("rename", "drop", "duplicate"):
        colls = [c for c in COLLECTIONS if _list(doc.get(c))]
        if not colls:
            return kind
        coll = data.draw(st.sampled_from(colls))
        i = data.draw(st.integers(0, len(doc[coll]) - 1))
        if kind == "rename":
            if not isinstance(doc[coll][i], dict):
                return kind
            doc[coll][i]["id"] = data.draw(st.sampled_from(_ids(doc) + ["NEW", "", "multinational"]))
        elif kind == "drop":
            del doc[coll][i]
        else:
            doc[coll].append(copy.deepcopy(doc[coll][i]))
    elif kind == "unknown_key":
        path = data.draw(st.sampled_from(_containers(doc, dict)))
        _get(doc, path)[data.draw(st.sampled_from(["colour", "nation_", "Id", "scenario"]))] = 1
    else:
        scenarios = doc.setdefault("scenarios", {})
        if not isinstance(scenarios, dict):
            return kind
        name = data.draw(st.sampled_from(sorted(scenarios, key=str) + ["new"]))
        scen = scenarios.setdefault(name, {})
        if not isinstance(scen, dict):
            return kind
        coll = data.draw(st.sampled_from(COLLECTIONS + ("sources", "bogus")))
        target = data.draw(st.sampled_from(_ids(doc) + ["NOPE"]))
        if kind == "scenario":
            field = data.draw(st.sampled_from(["id", "nation", "count", "members", "between", "domain", "bogus"]))
            by_id = _section(scen, "update", dict, coll)
            if by_id is not None:
                by_id[target] = {field: data.draw(ANY_VALUE)}
        elif kind == "scenario_remove":
            ids = _section(scen, "remove", list, coll)
            if ids is not None:
                ids.append(target)
        else:
            entity = copy.deepcopy(data.draw(st.sampled_from(_list(doc.get(coll)) or [{"id": target}])))
            if isinstance(entity, dict) and entity and data.draw(st.booleans()):
                entity[data.draw(st.sampled_from(sorted(entity, key=str)))] = data.draw(ANY_VALUE)
            entities = _section(scen, "add", list, coll)
            if entities is not None:
                entities.append(entity)
    return kind


def _section(scen, edit, kind, coll):
    """``scen[edit][coll]`` (created if absent), or None if a mutation made it another type."""
    edits = scen.setdefault(edit, {})
    if not isinstance(edits, dict):
        return None
    section = edits.setdefault(coll, kind())
    return section if isinstance(section, kind) else None


def _mutated(data):
    name = data.draw(st.sampled_from(sorted(BASES)))
    doc = copy.deepcopy(BASES[name])
    for _ in range(data.draw(st.integers(1, 3))):
        if isinstance(doc, dict) and doc:
            _mutate(data, doc)
    return doc


def _scenario_names(doc):
    scenarios = doc.get("scenarios")
    return sorted(s for s in scenarios if isinstance(s, str)) if isinstance(scenarios, dict) else []


@settings(max_examples=300, **SETTINGS)
@given(st.data())
def test_loading_raises_only_instance_error_with_places(data):
    """load_instance on any mutated document either succeeds or raises InstanceError.

    Every problem names its place (the document is a mapping, so there always is
    one), and validate_file never raises: an input error is never a crash.
    """
    doc = _mutated(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        for scenario in [None] + _scenario_names(doc):
            try:
                load_instance(path, scenario)
            except InstanceError as exc:
                assert exc.problems, "an InstanceError must carry its problems"
                assert all(p.place for p in exc.problems), [str(p) for p in exc.problems]
        report = validate_file(path)
        assert all(p.place for p in report.problems), [str(p) for p in report.problems]
        assert len({str(p) for p in report.problems}) == len(report.problems), "a problem reported twice"


@settings(max_examples=150, **SETTINGS)
@given(st.data())
def test_cli_validates_then_solves_or_refuses(data):
    """`interop validate` exits 0 or 2 on a mutated file, never 3 nor an exception.

    When the file is valid, `interop solve` (base or a random scenario) exits 0
    or 1 and writes a solution.json whose status is a documented one and not
    `error` (which would mean the model and the independent evaluation disagree).
    """
    doc = _mutated(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        code = run(["validate", str(path)])
        event(f"validate exit {code}")  # --hypothesis-show-statistics: how many examples reach the solver
        assert code in (0, 2)
        if code != 0:
            return
        scenario = data.draw(st.sampled_from([None] + _scenario_names(doc)))
        out = Path(tmp) / "out"
        args = ["solve", str(path), "--out", str(out), "--time-limit", "5"]
        code = run(args + (["--scenario", scenario] if scenario else []))
        assert code in (0, 1)
        status = json.loads((out / "solution.json").read_text())["status"]
        event(f"status {status}")
        assert status in STATUSES and status != "error"
        assert (code == 0) == (status in ("optimal", "feasible"))
