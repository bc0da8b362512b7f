"""Explaining a solved plan: binding limits and their relaxation values, idle units, the λ range.

Expected values are derived by hand in the header of instances/tiny/hand-idle.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import interop
from interop.analyses.plan_explain import explain_plan, explanation_lines
from interop.cli import run
from interop.instance.loading import load_instance

IDLE = Path(__file__).resolve().parents[2] / "instances" / "tiny" / "hand-idle.yaml"


def _explain(scenario):
    inst = load_instance(IDLE, scenario)
    return explain_plan(inst, interop.solve(inst))


@pytest.fixture(scope="module")
def base():
    return _explain(None)


def test_binding_limits_and_the_value_of_relaxing_them(base):
    worth = {(b["kind"], b["id"]): b["value_of_relaxing"] for b in base["binding"]}
    assert worth == pytest.approx(
        {("span", "CHQ"): 0.0, ("span", "A-HQ"): 0.5, ("units", "A-inf"): 1.75, ("units", "B-inf"): 0.0}
    )
    assert {b["method"] for b in base["binding"]} == {"re-solve"}


def test_lambda_range_is_exact(base):
    r = base["lambda_range"]
    assert (r["lower"], r["upper"], r["current"]) == pytest.approx((0.0, 8.0, 1.0))
    pricey = _explain("pricey")["lambda_range"]
    assert pricey["lower"] == pytest.approx(8.0) and pricey["upper"] is None  # A t2 alone: no autonomy cost


@pytest.mark.parametrize(
    "scenario, platform, reason",
    [
        (None, "C-ship", "no admissible task or HQ"),
        ("full", "B-inf", "HQs full"),
        ("pricey", "B-inf", "not worth its autonomy cost"),
        ("pricey", "A-inf", "not worth its autonomy cost"),
        ("closed", "B-inf", "share limit"),
        ("met", "B-inf", "tasks already met"),
    ],
)
def test_why_idle(scenario, platform, reason):
    idle = {i["platform"]: i["reason"] for i in _explain(scenario)["idle"]}
    assert idle[platform] == reason


def test_share_limit_binds_even_with_nothing_committed():
    closed = _explain("closed")
    share = [b for b in closed["binding"] if b["kind"] == "share"]
    assert [(b["id"], b["relaxed"]) for b in share] == [("BBB", 1.0)]
    assert share[0]["value_of_relaxing"] == pytest.approx(1.75)
    assert not [b for b in _explain(None)["binding"] if b["kind"] == "share"]


def test_solve_explain_plan_writes_the_key(tmp_path, capsys):
    assert run(["solve", str(IDLE), "--explain-plan", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "solution.json").read_text())
    assert doc["plan_explanation"]["lambda_range"]["upper"] == pytest.approx(8.0)
    assert "idle: C-ship" in capsys.readouterr().out
    assert run(["solve", str(IDLE), "--out", str(tmp_path / "plain")]) == 0
    assert "plan_explanation" not in json.loads((tmp_path / "plain" / "solution.json").read_text())


def test_relaxation_resolves_are_capped_nation_limits_first():
    from interop.analyses.plan_explain import binding_limits

    inst = load_instance(IDLE, "closed")
    items = binding_limits(inst, interop.solve(inst), max_resolves=1)
    assert items[0]["kind"] == "share" and items[0]["value_of_relaxing"] == pytest.approx(1.75)
    assert all(i["method"] == "not re-solved (limit)" and i["value_of_relaxing"] is None for i in items[1:])


def test_alpha_ranges_are_exact(base):
    """Hand-idle base (λ = 1): AAA cedes 0.5, BBB 0.25. The plan holds for α_AAA up to 8 (then the
    CHQ seat of A-inf, worth 4 − 0.5·α, is not worth it against B alone: 9.75 − 0.5α = 5.75) and for
    α_BBB up to 8 (9.5 − 0.25α = 7.5, B-inf leaves CHQ)."""
    r = base["alpha_ranges"]
    assert (r["AAA"]["lower"], r["AAA"]["upper"], r["AAA"]["current"]) == pytest.approx((0.0, 8.0, 1.0))
    assert (r["BBB"]["lower"], r["BBB"]["upper"]) == pytest.approx((0.0, 8.0))
    lines = "\n".join(explanation_lines(base))
    assert "α_AAA in [0, 8]" in lines
