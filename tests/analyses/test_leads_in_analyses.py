"""Contract version 2 in the analyses' own model builds: sweeps, frontiers and explain read κ_ℓ.

On ``hand-lead.yaml`` (one AAA unit, value 3, effect 4, α_AAA = 2, under a
combined HQ): where AAA leads, its unit costs λ · 2 · κ_ℓ · 3 = 1.5 λ at the
default κ_ℓ = 0.25, against 3 λ as an ordinary member (κ_s = 0.5). Each test
fails if the sweeps' re-solved model (λ on the parametric path, κ_ℓ point by
point) or the elastic model of ``explain`` read a member's κ_s where the
contract says κ_ℓ, or ignore a change of κ_ℓ (checked by building those models
from an instance with the leads cleared: three of the four tests fail), or if
the frontier reports the lead's loss at κ_s.
"""

import pytest
import yaml

import interop
from interop.analyses.explain import diagnose
from interop.analyses.frontier import frontier
from interop.analyses.sweep import sweep
from interop.instance.loading import parse_instance
from tests.conftest import TINY

LEAD = TINY / "hand-lead.yaml"


def test_a_lambda_sweep_prices_the_lead_at_kappa_l():
    table = sweep(interop.load_instance(LEAD, "aaa-leads"), {"parameters.autonomy_scale": [0, 1, 2, 4]})
    # Z = max(0, 4 − 1.5 λ); with κ_s it would be 4, 1, 0, 0
    assert table["objective"].tolist() == pytest.approx([4.0, 2.5, 1.0, 0.0])
    assert table["autonomy_loss.AAA"].tolist() == pytest.approx([0.75, 0.75, 0.75, 0.0])


def test_a_sweep_of_the_lead_factor_re_solves_with_each_value():
    table = sweep(interop.load_instance(LEAD, "aaa-leads"), {"parameters.lead_command_factor": [0, 0.25, 0.5]})
    assert table["objective"].tolist() == pytest.approx([4.0, 2.5, 1.0])  # 4 − 6 κ_ℓ
    assert table["autonomy_loss.AAA"].tolist() == pytest.approx([0.0, 0.75, 1.5])


def test_the_frontier_weighs_the_leads_loss_at_kappa_l():
    """A BBB unit (value 4, effect 3, W = 0.5 · 4 = 2) competes for the one seat with AAA's (W 1.5, effect 4).

    With κ_ℓ the BBB plan is dominated (more loss, less effect). Fails if the
    front reports the lead's loss at κ_s (W 3, under which the BBB plan would be
    efficient and listed). (An ε-model alone that priced AAA at κ_s is not
    caught here: the ε steps come from the reported W; the sweep tests above
    catch the shared parametric model.)
    """
    doc = yaml.safe_load(LEAD.read_text())
    doc["platforms"].append(
        {"id": "B-inf", "nation": "BBB", "value": 4, "standards": ["s1"], "theaters": ["t1"], "effects": {"land": 3}}
    )
    table = frontier(parse_instance(doc, "aaa-leads"), exhaustive=True)
    points = sorted(zip(table["weighted_autonomy_loss"], table["effect_objective"]))
    assert points == [pytest.approx((0.0, 0.0)), pytest.approx((1.5, 4.0))]  # W = 2 · 0.25 · 3


def _needs_coverage(scenario: str):
    inst = interop.load_instance(LEAD, scenario)
    return inst.model_copy(update={"tasks": [t.model_copy(update={"min_coverage": 0.4}) for t in inst.tasks]})


def test_explain_reads_a_lead_with_kappa_l_zero_as_national_under_a_caveat():
    # caveat: AAA keeps land national and leads at κ_ℓ = 0.25, so its unit may not serve: infeasible
    (item,) = diagnose(_needs_coverage("caveat"))
    assert item["kind"] == "coverage" and "AAA caveat on land" in item["text"]
    # caveat-free: the same with κ_ℓ = 0, the lead's command counts as national: nothing to explain
    inst = _needs_coverage("caveat-free")
    assert interop.solve(inst).status == "optimal" and diagnose(inst) == []
