"""The brief's questions as tests: the doc's tables are what scripts/brief.py
writes from the committed solutions, and the model still says what the brief
says (λ monotonicity on every flagship, Korea's lower loss under the
Future-CFC)."""

import importlib.util
from pathlib import Path

import pytest

from interop import load_instance, solve

ROOT = Path(__file__).resolve().parents[2]


def _brief():
    spec = importlib.util.spec_from_file_location("brief", ROOT / "scripts" / "brief.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_brief_is_up_to_date():
    doc = (ROOT / "docs" / "instances.md").read_text()
    assert _brief().render(doc) == doc, "docs/instances.md is stale: run python scripts/brief.py"


def _nation(sol, nation):
    table = sol.nations
    return table.loc[table["nation"] == nation].iloc[0]


def test_korea_loses_less_autonomy_under_the_future_cfc():
    path = ROOT / "instances" / "us-rok-cfc.yaml"
    cfc = solve(path, scenario="wartime-cfc")
    fcfc = solve(path, scenario="wartime-fcfc")
    assert cfc.status == fcfc.status == "optimal"
    assert _nation(fcfc, "KOR")["autonomy_loss"] < _nation(cfc, "KOR")["autonomy_loss"] - 1e-6
    # and the committed reference results say the same
    brief = _brief()
    ref = {
        sc: next(n for n in brief.solution("us-rok-cfc", sc)["nations"] if n["nation"] == "KOR")
        for sc in ("wartime-cfc", "wartime-fcfc")
    }
    assert ref["wartime-fcfc"]["autonomy_loss"] < ref["wartime-cfc"]["autonomy_loss"]


def test_who_leads_the_cfc():
    path = ROOT / "instances" / "us-rok-cfc.yaml"
    for scenario, lead in (("wartime-cfc", "USA"), ("wartime-fcfc", "KOR")):
        nodes = {c.id: c for c in load_instance(path, scenario).command_nodes}
        assert nodes["CFC"].lead == lead


# (a) the fastest scenario of each flagship, at a few values of λ
CASES = [("nato-efp", "peacetime"), ("us-rok-cfc", None), ("indo-pacific", None)]
LAMBDAS = [0.3, 3.0]  # two points a decade apart: kept cheap (each solve is two MIPs)


@pytest.mark.parametrize(("name", "scenario"), CASES, ids=[c[0] for c in CASES])
def test_rising_lambda_never_raises_autonomy_loss_or_effect(name, scenario):
    inst = load_instance(ROOT / "instances" / f"{name}.yaml", scenario)
    seen = []
    for lam in LAMBDAS:
        params = inst.parameters.model_copy(update={"autonomy_scale": lam})
        sol = solve(inst.model_copy(update={"parameters": params}))
        assert sol.status == "optimal"
        seen.append((sol.metrics["weighted_autonomy_loss"], sol.metrics["weighted_effect"]))
    for (w0, e0), (w1, e1) in zip(seen, seen[1:]):
        assert w1 <= w0 + 1e-6
        assert e1 <= e0 + 1e-6


def test_no_instance_size_is_typed_by_hand():
    """Sizes come from the files (the `*-sizes` blocks), not prose: a typed "45 platforms" went stale once.

    Catches a count of platforms, units, nodes, links, nations or tasks written
    outside the generated blocks, and a sizes block that disagrees with the file.
    """
    import re

    doc = (ROOT / "docs" / "instances.md").read_text()
    brief = _brief()
    prose = brief.MARK.sub("", doc)
    typed = re.findall(r"\b\d+ (?:platforms|units|command nodes|candidate links|nations|tasks)\b", prose)
    assert not typed, typed
    for name in brief.FLAGSHIPS:
        inst = load_instance(brief.FLAGSHIPS[name])
        line = brief.sizes_line(name)
        assert line in doc
        assert f"{len(inst.platforms)} platforms ({sum(p.count for p in inst.platforms)} units)" in line


def test_which_destroyer_pair_the_us_withholds_under_the_future_cfc_is_a_tie():
    """The brief says the sea is a tie: the reference plan with the US East-Sea destroyers replaced by the
    West-Sea pair (same tasks' seas, same commands) scores the same Z and Σ α Aut, and is feasible.

    Fails if the model starts to prefer one sea (then the brief's table (d) names a forced unit, and the
    note that calls it a tie is wrong).
    """
    from interop.solution.evaluate import Assignment, evaluate

    inst = load_instance(ROOT / "instances" / "us-rok-cfc.yaml", "wartime-fcfc")
    ref = _brief().solution("us-rok-cfc", "wartime-fcfc")
    plan = [Assignment(**a) for a in ref["assignments"]]
    swapped = [
        Assignment("US-7F-destroyer-west", "west-sea-control", a.command, a.units, a.integrated_units)
        if a.platform == "US-7F-destroyer-east"
        else a
        for a in plan
    ]
    assert swapped != plan and not any(a.platform == "US-7F-destroyer-west" for a in plan)
    a = evaluate(inst, plan, ref["links"], ref["integrated_nodes"])
    b = evaluate(inst, swapped, ref["links"], ref["integrated_nodes"])
    assert a.feasible and b.feasible, b.violations
    assert b.objective == pytest.approx(a.objective, abs=1e-9)
    assert b.weighted_autonomy_loss == pytest.approx(a.weighted_autonomy_loss, abs=1e-9)


def test_the_brief_moves_with_the_committed_numbers(monkeypatch):
    """A committed number that changes changes the doc: the blocks are rendered from the files, not kept.

    One solution's objective and one resilience case's re-planned drop are
    nudged; each must show up as a changed cell (catches a block that the
    script stopped rendering, or a table built from something else).
    """
    brief = _brief()
    doc = (ROOT / "docs" / "instances.md").read_text()
    real = brief.solution

    def nudged(instance, scenario):
        sol = real(instance, scenario)
        if (instance, scenario) == ("nato-efp", "sovereign-cyber"):
            sol["objective"] += 0.001
        return sol

    monkeypatch.setattr(brief, "solution", nudged)
    new = brief.render(doc)
    assert new != doc and "| sovereign-cyber | optimal (gap 0) | 433.187 |" in new
    monkeypatch.setattr(brief, "solution", real)
    run = brief.resilience_run

    def worse(instance, scenario="base"):
        frame, base = run(instance, scenario)
        if instance == "indo-pacific":
            frame.loc[frame["rank"] == frame["rank"].max(), "effectiveness_drop"] = 0.5
        return frame, base

    monkeypatch.setattr(brief, "resilience_run", worse)
    assert brief.render(doc) != doc


def test_the_resilience_runs_the_brief_reads_are_committed_and_current():
    """Each run scripts/refresh_results.py lists is in results/, of the current instance file, every case there.

    Fails when an instance file changes and its resilience run is not refreshed
    (the fingerprint), or when a run was cut short (a case missing).
    """
    import json
    import sys

    from interop.analyses.grid import fingerprint

    sys.path.insert(0, str(ROOT))
    from scripts.refresh_results import RESILIENCE

    assert set(RESILIENCE) == set(_brief().FLAGSHIPS)
    for name, scenarios in RESILIENCE.items():
        for scenario in scenarios:
            folder = ROOT / "results" / name / scenario / "resilience"
            manifest = json.loads((folder / "resilience.json").read_text())
            inst = load_instance(ROOT / "instances" / f"{name}.yaml", None if scenario == "base" else scenario)
            assert manifest["fingerprint"] == fingerprint(inst), f"{folder}: stale, refresh it"
            frame = _brief().resilience_run(name, scenario)[0]
            assert sorted(frame["case"]) == sorted(manifest["cases"])
            assert all((folder / "cases" / c / "solution.json").exists() for c in manifest["cases"])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["nato-efp", "us-rok-cfc", "indo-pacific"])
def test_the_case_the_brief_names_first_is_reproduced(name):
    """The committed resilience run's worst solved case (the one the findings name) re-solves to its objective."""
    from interop.analyses.resilience import reduced
    from interop.report.tables import SOLVED, by_effectiveness_drop

    frame, _ = _brief().resilience_run(name)
    order = by_effectiveness_drop(frame)
    worst = order[order["status"].isin(SOLVED)].iloc[0]
    sol = solve(reduced(load_instance(ROOT / "instances" / f"{name}.yaml"), worst["case"]))
    assert sol.status == worst["status"]
    assert sol.objective == pytest.approx(worst["objective"], rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("name", ["nato-efp", "us-rok-cfc", "indo-pacific"])
def test_the_robust_runs_the_brief_reads_are_plans_of_the_current_instance(name):
    """The committed withdrawal-robust plan is a plan of the default model, priced against the committed optimum.

    Fails when the instance changes and the run is not refreshed (the plan
    breaks a constraint or its objective no longer recomputes), or when the
    price is not the committed plain optimum minus the robust plan's Z.
    """
    import json

    from interop.solution.evaluate import Assignment, evaluate

    brief = _brief()
    doc = brief.robust_run(name)
    inst = load_instance(ROOT / "instances" / f"{name}.yaml")
    plan = [
        Assignment(**{k: a[k] for k in ("platform", "task", "command", "units", "integrated_units")})
        for a in doc["assignments"]
    ]
    ev = evaluate(inst, plan, doc["links"], doc["integrated_nodes"])
    assert not ev.violations, ev.violations
    assert ev.objective == pytest.approx(doc["objective"], abs=1e-6)
    plain = json.loads((ROOT / "results" / name / "base" / "solution.json").read_text())
    rec = doc["robust"]
    assert rec["plain"]["objective"] == pytest.approx(plain["objective"], abs=1e-6)
    assert doc["objective"] <= plain["objective"] + 1e-6  # robustness never raises today's optimum
    assert rec["price"]["objective"] == pytest.approx(plain["objective"] - doc["objective"], abs=1e-6)
    assert f"{doc['objective']:.3f}" in brief.robust_price_block(name)
