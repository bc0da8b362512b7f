"""Issue 12: burden and dependence measures in every solution (``Solution.burden``) and in the summary.

Hand-computed on format-example: USA has 17 of the 25 available value points
(armour 5, two F-35 squadrons 6 each), EST 8 (two infantry battalions 3 each,
cyber 2); the optimum commits everything under national command, so the
committed shares are the available ones, Herfindahl 0.68² + 0.32² = 0.5648,
Gini |0.68 − 0.32| · 2 / (2 · 2 · 1) = 0.18, no entrapment exposure.
Fails if a solve leaves the measures out, or the summary does not say them.
"""

import pytest

import interop
from interop.solution.burden import measures
from interop.solution.solution import summary
from tests.conftest import TINY


def test_a_solve_carries_the_burden_measures_and_the_summary_says_them():
    inst = interop.load_instance(TINY / "format-example.yaml")
    sol = interop.solve(inst)
    b = sol.burden
    assert b == measures(inst, sol.to_dict())  # the same measures an analyst computes from the file
    assert b["nations"]["USA"]["committed_share"] == pytest.approx(0.68)
    assert b["nations"]["EST"]["available_share"] == pytest.approx(0.32)
    assert b["herfindahl"] == pytest.approx(0.5648) and b["gini"] == pytest.approx(0.18)
    assert b["nations"]["EST"]["entrapment_exposure"] == 0.0
    assert b["tasks"]["air-policing"] == {"largest_contributor": "USA", "abandonment_exposure": 1.0}
    text = summary(sol)
    assert "burden: committed value share (of available): USA 68% of 68%, EST 32% of 32%" in text
    assert "Herfindahl 0.565, Gini 0.18" in text
    assert "entrapment exposure" in text and "air-policing USA 100%" in text


def test_a_lead_under_its_own_combined_hq_counts_as_exposed():
    """κ_ℓ > 0: the lead still cedes some command, so its value there is exposed (hand-lead, AAA leads)."""
    sol = interop.solve(interop.load_instance(TINY / "hand-lead.yaml", "aaa-leads"))
    assert sol.burden["nations"]["AAA"]["entrapment_exposure"] == 1.0
    assert "AAA 100%" in summary(sol)


def test_no_solution_no_measures():
    inst = interop.load_instance(TINY / "hand-lead.yaml", "caveat")
    inst = inst.model_copy(update={"tasks": [t.model_copy(update={"min_coverage": 0.4}) for t in inst.tasks]})
    sol = interop.solve(inst)
    assert sol.status == "infeasible" and sol.burden == {} and "burden" not in summary(sol)
