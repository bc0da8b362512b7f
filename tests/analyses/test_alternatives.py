"""Near-optimal alternatives: each within its slack, feasible, and different from the others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interop.analyses.alternatives import distance
from interop.cli import run
from interop.instance.loading import load_instance
from interop.solution.evaluate import Assignment, evaluate

HERE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "slack"), [("hand-resilience", 0.1), ("hand-chain", 0.5)])
def test_alternatives_within_slack_and_distinct(name, slack, tmp_path):
    path = HERE / "instances" / "tiny" / f"{name}.yaml"
    inst = load_instance(path)
    assert run(["alternatives", str(path), "--slack", str(slack), "--count", "3", "--out", str(tmp_path)]) == 0
    docs = [json.loads(p.read_text()) for p in sorted((tmp_path / "points").glob("*/solution.json"))]
    assert len(docs) >= 3
    z_star = docs[0]["objective"]
    for k, doc in enumerate(docs):
        assert doc["status"] == "optimal"
        assert doc["objective"] >= z_star - slack * max(1, abs(z_star)) - 1e-9
        plan = [Assignment(**a) for a in doc["assignments"]]
        ev = evaluate(inst, plan, doc["links"], doc["integrated_nodes"])
        assert ev.feasible and ev.objective == pytest.approx(doc["objective"])
        for other in docs[:k]:
            assert distance(inst, doc, other)["total"] > 0
    assert (tmp_path / "alternatives.csv").exists()
