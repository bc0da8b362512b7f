"""Hand-computed optima of the tiny instances (the reasoning is in each file's header)."""

import json

import pytest

import interop
from interop.cli import run
from interop.solution.evaluate import Assignment, evaluate
from tests.conftest import TINY

CASES = [
    ("hand-national.yaml", None, "optimal", 5.0),
    ("hand-foreign.yaml", None, "optimal", 0.0),
    ("hand-foreign.yaml", "cheap", "optimal", 1.0),
    ("hand-foreign.yaml", "shared", "optimal", 1.0),
    ("hand-chain.yaml", None, "optimal", 12.8),
    ("hand-chain.yaml", "broken", "optimal", 10.0),
    ("hand-chain.yaml", "pricey", "optimal", 10.0),
    ("hand-limits.yaml", None, "optimal", 10.0),
    ("hand-limits.yaml", "free", "optimal", 15.0),
    ("hand-limits.yaml", "floor", "infeasible", None),
    ("hand-limits.yaml", "caveat", "optimal", 5.0),
    ("hand-coverage.yaml", None, "optimal", 6.0),
    ("hand-coverage.yaml", "unreachable", "infeasible", None),
    ("hand-lead.yaml", None, "optimal", 1.0),
    ("hand-lead.yaml", "aaa-leads", "optimal", 2.5),
    ("hand-lead.yaml", "no-lead", "optimal", 1.0),
    ("hand-lead.yaml", "lead-free", "optimal", 4.0),
    ("hand-lead.yaml", "caveat", "optimal", 0.0),
    ("hand-lead.yaml", "caveat-free", "optimal", 4.0),
    ("hand-lead.yaml", "share", "optimal", 4.0),
    ("hand-lead.yaml", "share-priced", "optimal", 0.0),
    # format-example.yaml: base 82.8 effect - 1.7 autonomy - 1.5 links; wartime worked in
    # tests/test_core_hand.py::test_format_example_by_hand
    ("format-example.yaml", None, "optimal", 79.6),
    ("format-example.yaml", "wartime", "optimal", 82.845),
]


@pytest.mark.parametrize("name,scenario,status,objective", CASES)
def test_hand_optimum(name, scenario, status, objective):
    sol = interop.solve(TINY / name, scenario=scenario)
    assert sol.status == status
    if objective is None:
        assert sol.objective is None and sol.assignments.empty
    else:
        assert sol.objective == pytest.approx(objective, abs=1e-7)
        assert sol.gap == pytest.approx(0.0, abs=1e-6)


def test_chain_integrates_through_both_links():
    sol = interop.solve(TINY / "hand-chain.yaml")
    assert sol.links == ["R-X", "X-Y"]
    assert sol.integrated_nodes == ["R", "X", "Y"]
    row = sol.assignments.iloc[0]
    assert (row.platform, row.command, row.units, row.integrated_units) == ("A-arm", "Y", 1, 1)


def test_format_example_by_hand():
    """Wartime: EST accepts the shared JFC; both land units integrated under it.

    defend-north: EST 2 x 4 x 1.2 + US 9 x 1.2 = 20.4, capped at 20, x priority 3 = 60;
    air-policing 2 x 7 capped at 10, x 2 = 20; network-defence 5 capped at 4, x 1 = 4.
    Autonomy: EST 3 x 2 x (0.5 + 0.2) = 4.2 (alpha 0.5), USA 5 x (0.5 + 0.2) = 3.5
    (alpha 0.5): weighted 3.85, x lambda 0.3 = 1.155. Z = 84 - 1.155 = 82.845.
    """
    inst = interop.load_instance(TINY / "format-example.yaml", "wartime")
    plan = [
        Assignment("EST-inf-bn", "defend-north", "JFC", 2, 2),
        Assignment("US-armor-bn", "defend-north", "JFC", 1, 1),
        Assignment("EST-cyber", "network-defence", "EST-HQ", 1, 0),
        Assignment("US-f35-sqn", "air-policing", "US-HQ", 2, 0),
    ]
    ev = evaluate(inst, plan, [], ["JFC"])
    assert ev.feasible
    assert ev.weighted_effect == pytest.approx(84.0)
    assert ev.autonomy_loss == pytest.approx({"USA": 3.5, "EST": 4.2})
    assert ev.objective == pytest.approx(82.845)


def test_cli_writes_the_solution_format(tmp_path):
    code = run(["solve", str(TINY / "hand-chain.yaml"), "--out", str(tmp_path)])
    assert code == 0
    doc = json.loads((tmp_path / "solution.json").read_text())
    assert list(doc)[:8] == ["format", "instance", "scenario", "status", "objective", "bound", "gap", "metrics"]
    assert doc["format"] == "interop-solution/1"
    assert doc["scenario"] is None and doc["status"] == "optimal"
    assert doc["objective"] == pytest.approx(12.8)
    assert doc["assignments"] == [
        {"platform": "A-arm", "task": "strike", "command": "Y", "units": 1, "integrated_units": 1}
    ]
    assert doc["links"] == ["R-X", "X-Y"] and doc["integrated_nodes"] == ["R", "X", "Y"]
    assert doc["tasks"] == [{"task": "strike", "effect": 15.0, "demand": 100.0, "coverage": 0.15}]
    assert doc["nations"] == [{"nation": "AAA", "committed_value": 1.0, "nonnational_value": 0.0, "autonomy_loss": 0.2}]
    assert doc["metrics"] == pytest.approx(
        {"effectiveness": 0.15, "weighted_effect": 15.0, "weighted_autonomy_loss": 0.2, "link_cost": 2.0}
    )
    assert doc["solver"]["name"] == "highs" and doc["solver"]["options"]["mip_rel_gap"] == 1e-9
    for table in ("assignments", "tasks", "nations", "links"):
        assert (tmp_path / f"{table}.csv").is_file()


def test_cli_infeasible_exit_code_and_file(tmp_path):
    code = run(["solve", str(TINY / "hand-limits.yaml"), "-s", "floor", "--out", str(tmp_path)])
    assert code == 1
    doc = json.loads((tmp_path / "solution.json").read_text())
    assert doc["status"] == "infeasible" and doc["scenario"] == "floor"
    assert doc["objective"] is None and doc["assignments"] == []
