"""Resilience: hand-computed withdrawal and HQ loss, kept against re-planned, CLI agreement, resume."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from interop.analyses.resilience import instance_document, reduced, resilience
from interop.cli import run
from interop.instance.loading import load_instance

HERE = Path(__file__).resolve().parents[2]
HAND = HERE / "instances" / "tiny" / "hand-resilience.yaml"
CHAIN = HERE / "instances" / "tiny" / "hand-chain.yaml"


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    out = tmp_path_factory.mktemp("res")
    return resilience(HAND, out=out), out


def test_hand_computed(hand):
    frame, _ = hand
    by = frame.set_index("case")
    assert list(frame["case"]) == ["withdraw:AAA", "withdraw:BBB", "lose-node:A-HQ", "lose-node:B-HQ"]
    assert by.loc["withdraw:AAA", "status"] == "infeasible"  # coverage 5 > 4 left
    assert not by.loc["withdraw:AAA", "kept_feasible"]
    assert by.loc["withdraw:AAA", "kept_effectiveness"] == pytest.approx(0.2)
    assert by.loc["withdraw:BBB", "objective"] == pytest.approx(6.0)
    assert by.loc["withdraw:BBB", "effectiveness_drop"] == pytest.approx(0.2)
    assert by.loc["withdraw:BBB", "kept_effectiveness"] == pytest.approx(0.3)
    assert by.loc["lose-node:A-HQ", "objective"] == pytest.approx(9.5)  # A-bn under J-HQ, κ_ℓ = 0.25
    assert by.loc["lose-node:A-HQ", "kept_effectiveness"] == pytest.approx(0.2)
    assert by.loc["lose-node:B-HQ", "objective"] == pytest.approx(9.5)  # B-bn under J-HQ, κ_s = 0.5
    assert by.loc["lose-node:B-HQ", "kept_effectiveness_drop"] == pytest.approx(0.2)
    assert list(frame.loc[frame["spof"], "case"]) == ["withdraw:AAA", "lose-node:A-HQ", "lose-node:B-HQ"]


def test_withdrawing_lead_clears_it():
    small = reduced(load_instance(HAND), "withdraw:AAA")
    jhq = next(c for c in small.command_nodes if c.id == "J-HQ")
    assert jhq.lead is None and jhq.members == ["BBB"]
    assert [c.id for c in small.command_nodes] == ["J-HQ", "B-HQ"]
    assert all(p.nation == "BBB" for p in small.platforms)


@pytest.mark.parametrize("path", [HAND, CHAIN])
def test_kept_never_beats_replanned(path, tmp_path):
    frame = resilience(path)
    feasible = frame[frame["kept_feasible"] & frame["status"].eq("optimal")]
    assert len(feasible)
    assert (feasible["kept_objective"] <= feasible["objective"] + 1e-6).all()


@pytest.mark.parametrize("case", ["withdraw:BBB", "lose-node:A-HQ", "withdraw:AAA"])
def test_replanned_equals_cli_solve(hand, case, tmp_path):
    frame, out = hand
    doc = json.loads((out / "cases" / case / "solution.json").read_text())
    path = tmp_path / "reduced.yaml"
    path.write_text(yaml.safe_dump(instance_document(reduced(load_instance(HAND), case))))
    code = run(["solve", str(path), "--out", str(tmp_path / "s"), "--no-explain"])
    cli = json.loads((tmp_path / "s" / "solution.json").read_text())
    assert cli["status"] == doc["status"]
    assert code == (0 if doc["status"] == "optimal" else 1)
    if doc["status"] == "optimal":
        assert cli["objective"] == pytest.approx(doc["objective"], abs=1e-9)
        row = frame.set_index("case").loc[case]
        assert row["objective"] == pytest.approx(cli["objective"], abs=1e-9)
    else:
        assert math.isnan(frame.set_index("case").loc[case, "objective"])


def test_resume_after_interruption(tmp_path):
    out = tmp_path / "run"
    first = resilience(HAND, out=out)
    # a kill mid-run: one case never written, another cut off mid-write
    (out / "cases" / "withdraw:BBB" / "solution.json").unlink()
    (out / "cases" / "lose-node:A-HQ" / "solution.json").write_text('{"status": ')
    untouched = out / "cases" / "lose-node:B-HQ" / "solution.json"
    stamp = untouched.stat().st_mtime_ns
    second = resilience(HAND, out=out)
    assert untouched.stat().st_mtime_ns == stamp  # not solved again
    assert (out / "cases" / "withdraw:BBB" / "solution.json").exists()
    assert second.drop(columns="kept_violations").equals(first.drop(columns="kept_violations"))
    assert len((out / "resilience.csv").read_text().strip().splitlines()) == 1 + len(first)


def test_cli_writes_table_and_plot(tmp_path):
    assert run(["resilience", str(HAND), "--out", str(tmp_path), "--no-progress"]) == 0
    header = (tmp_path / "resilience.csv").read_text().splitlines()[0].split(",")
    for col in ("case", "status", "objective", "effectiveness", "kept_effectiveness", "objective_drop"):
        assert col in header
    assert (tmp_path / "resilience.png").exists()


def test_burden_measures_hand(hand):
    from interop.solution.burden import gini, measures

    _, out = hand
    base = json.loads((out / "base" / "solution.json").read_text())
    got = measures(load_instance(HAND), base)
    # AAA commits 2 of value 1, BBB 1: shares 2/3, 1/3 (available the same); all national
    assert got["nations"]["AAA"]["committed_share"] == pytest.approx(2 / 3)
    assert got["nations"]["BBB"]["available_share"] == pytest.approx(1 / 3)
    assert got["nations"]["AAA"]["entrapment_exposure"] == 0
    assert got["herfindahl"] == pytest.approx(5 / 9)
    assert got["gini"] == pytest.approx(gini([2 / 3, 1 / 3])) and gini([1, 1]) == 0
    assert got["gini"] == pytest.approx(1 / 6)  # |2/3 - 1/3| * 2 / (2 * 2 * 1)
    # hold: AAA supplies 6 of 10
    assert got["tasks"]["hold"] == {"largest_contributor": "AAA", "abandonment_exposure": pytest.approx(0.6)}
    lost = json.loads((out / "cases" / "lose-node:B-HQ" / "solution.json").read_text())
    assert measures(load_instance(HAND), lost)["nations"]["BBB"]["entrapment_exposure"] == pytest.approx(1.0)
