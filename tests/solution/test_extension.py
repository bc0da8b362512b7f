"""An analyst's additions to the Pyomo model leave a trace in the solution; an infeasible one is diagnosed."""

import json

import pyomo.environ as pyo

import interop
from interop.analyses.explain import diagnose
from interop.solution.solution import summary
from tests.conftest import TINY

EXAMPLE = TINY / "format-example.yaml"


def _capped(units: int) -> pyo.ConcreteModel:
    """The wartime model with the JFC capped at ``units`` units and every task at least half covered."""
    m = interop.build_model(interop.load_instance(EXAMPLE, "wartime"))
    m.jfc_cap = pyo.Constraint(expr=sum(m.a[x] for x in m.A if x[2] == "JFC") <= units)
    return m


def test_an_added_constraint_is_recorded_in_solution_json(tmp_path):
    sol = interop.solve(_capped(1))
    assert sol.status == "optimal"
    doc = json.loads(sol.write(tmp_path).read_text())
    assert doc["model_extension"]["added"] == [{"name": "jfc_cap", "type": "Constraint", "size": 1}]
    assert doc["model_extension"]["deactivated"] == []
    assert "extended" in doc["message"] and "jfc_cap" in summary(sol)


def test_a_deactivated_constraint_is_recorded():
    m = interop.build_model(interop.load_instance(EXAMPLE, "wartime"))
    m.c5_coverage.deactivate()
    sol = interop.solve(m)
    assert sol.to_dict()["model_extension"]["deactivated"] == ["c5_coverage"]


def test_the_plain_model_and_an_instance_carry_no_extension():
    assert "model_extension" not in interop.solve(interop.build_model(interop.load_instance(EXAMPLE))).to_dict()
    assert "model_extension" not in interop.solve(EXAMPLE).to_dict()


def test_an_infeasible_extended_model_names_the_added_constraint():
    """Demand the JFC take at least 99 units: the reference model is feasible, the addition is the conflict."""
    m = interop.build_model(interop.load_instance(EXAMPLE, "wartime"))
    m.jfc_floor = pyo.Constraint(expr=sum(m.a[x] for x in m.A if x[2] == "JFC") >= 99)
    m.harmless = pyo.Constraint(expr=sum(m.a[x] for x in m.A if x[2] == "JFC") <= 1000)
    sol = interop.solve(m)
    assert sol.status == "infeasible"
    (item,) = diagnose(m)
    assert item["kind"] == "extension" and item["entity"] == "jfc_floor" and "jfc_floor" in item["text"]
    assert m.jfc_floor.active and m.harmless.active  # the analyst's model is left as it was
    assert diagnose(_capped(1)) == []  # a feasible extended model has nothing to explain


def test_tables_of_an_infeasible_solution_have_every_column():
    sol = interop.solve(_capped(-1))
    assert sol.status == "infeasible"
    assert {"platform", "nation", "node_nation", "node_lead", "relation"} <= set(sol.assignments.columns)
    assert {"task", "effect", "demand", "coverage"} <= set(sol.tasks.columns)
    assert {"nation", "committed_value", "nonnational_value", "autonomy_loss"} <= set(sol.nations.columns)


def test_api_assignments_carry_the_platform_and_node_nations():
    """interop.solve(...) tables carry the platform's nation and the node's (and its lead)."""
    inst = interop.load_instance(EXAMPLE, "wartime")
    a = interop.solve(inst).assignments
    platform = {p.id: p.nation for p in inst.platforms}
    node = {c.id: c.nation for c in inst.command_nodes}
    assert len(a) and list(a["nation"]) == [platform[p] for p in a["platform"]]
    assert list(a["node_nation"]) == [node[c] for c in a["command"]]
    assert {"node_lead", "relation", "domain"} <= set(a.columns)
