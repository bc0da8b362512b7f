"""Frontiers are exact: every point efficient, none missed, none weakly dominated.

Exhaustive frontiers of random tiny instances equal the efficient set found by
enumerating every plan; grid frontiers are checked by re-solving at each
point's ε with the public epsilon-constraint model, and by minimising the
autonomy loss at the point's effect with an analyst's own constraint.
"""

import json

import numpy as np
import pyomo.environ as pyo
import pytest

import interop
from interop.analyses.frontier import epsilon_grid, frontier, knee_index
from interop.instance.loading import parse_instance
from tests.bruteforce import enumerable_cases, enumerate_front, random_document
from tests.conftest import TINY


def _cases(with_tradeoff: int, others: int, max_plans: int = 20_000) -> list[tuple[int, dict, list]]:
    """Seeded random tiny instances with their enumerated fronts, most with a real trade-off."""
    cases, rest = [], 0
    for seed, doc, (inst,) in enumerable_cases(random_document, 1000, max_plans=max_plans):
        if len(cases) == with_tradeoff + others:
            break
        front = enumerate_front(inst)
        if len(front) >= 2 or rest < others:
            rest += len(front) < 2
            cases.append((seed, doc, front))
    return cases


CASES = _cases(with_tradeoff=30, others=10)


@pytest.mark.parametrize("seed,doc,expected", CASES, ids=[f"seed{s}" for s, _, _ in CASES])
def test_exhaustive_frontier_equals_enumeration(seed, doc, expected):
    inst = parse_instance(doc)
    table = frontier(inst, exhaustive=True)
    got = list(zip(table["weighted_autonomy_loss"], table["objective"]))
    assert len(got) == len(expected), f"seed {seed}: {got} != {expected}"
    for (w, f), (ew, ef) in zip(got, expected):
        assert w == pytest.approx(ew, abs=1e-6) and f == pytest.approx(ef, abs=1e-6)
    assert (table["status"] == "optimal").all()


def test_the_random_fronts_are_not_trivial():
    """Most cases have several efficient points (so the test above checks trade-offs), some none."""
    sizes = [len(front) for _, _, front in CASES]
    assert max(sizes) >= 4 and sum(s >= 2 for s in sizes) == 30 and 0 in sizes, sizes


def _max_effect(inst, epsilon):
    """Max F subject to W ≤ ε, with the public epsilon-constraint model."""
    return interop.solve(interop.build_model(inst, epsilon=epsilon)).objective


def _min_autonomy(inst, effect):
    """Min W subject to F ≥ effect: the analyst's own constraint and objective."""
    m = interop.build_model(inst)
    m.Z.deactivate()
    m.keep_effect = pyo.Constraint(expr=m.weighted_effect - m.mu * m.link_cost >= effect - 1e-7)
    m.least_loss = pyo.Objective(expr=m.weighted_autonomy_loss, sense=pyo.minimize)
    sol = interop.solve(m)
    return sol.metrics["weighted_autonomy_loss"]


@pytest.mark.parametrize("name", ["format-example.yaml", "hand-foreign.yaml", "hand-chain.yaml"])
def test_grid_points_are_efficient(name, tmp_path):
    inst = interop.load_instance(TINY / name)
    table = frontier(inst, points=6, out=tmp_path)
    assert len(table) >= 1
    for row in table.itertuples():
        assert row.objective == pytest.approx(_max_effect(inst, row.weighted_autonomy_loss + 1e-9), abs=1e-6)
        assert row.weighted_autonomy_loss == pytest.approx(_min_autonomy(inst, row.objective), abs=1e-6)
        sol = json.loads((tmp_path / "points" / f"e{row.point:03d}" / "solution.json").read_text())
        assert sol["status"] == "optimal" and sol["objective"] == pytest.approx(row.objective)
    assert (tmp_path / "frontier.csv").exists()


def test_format_example_front_by_hand():
    """The example's front, worked out from its five efficient plans."""
    table = frontier(TINY / "format-example.yaml", exhaustive=True)
    assert list(table["weighted_autonomy_loss"]) == pytest.approx([0.0, 0.5, 1.7, 2.9, 4.15])
    assert list(table["objective"]) == pytest.approx([75.0, 79.9, 81.3, 82.5, 83.0])
    assert list(table["price_of_autonomy"][1:]) == pytest.approx([9.8, 1.4 / 1.2, 1.0, 0.4])
    assert table["knee"].tolist() == [False, True, False, False, False]


def test_grid_bypasses_values_the_last_point_satisfies():
    assert epsilon_grid(0.0, 4.0, 5) == [4.0, 3.0, 2.0, 1.0, 0.0]
    assert epsilon_grid(2.0, 2.0, 5) == [2.0]
    grid = frontier(TINY / "format-example.yaml", points=41)
    exhaustive = frontier(TINY / "format-example.yaml", exhaustive=True)
    assert len(grid) == len(exhaustive)  # a fine grid finds every point, each once


def test_knee_is_the_bulge():
    w = np.array([0.0, 1.0, 2.0, 3.0])
    assert knee_index(w, np.array([0.0, 9.0, 9.5, 10.0])) == 1
    assert knee_index(w, np.array([0.0, 0.5, 1.0, 10.0])) == 2


def test_infeasible_instance_has_no_front(tmp_path):
    table = frontier(TINY / "hand-coverage.yaml", scenario="unreachable", out=tmp_path)
    assert table.empty
    sol = json.loads((tmp_path / "points" / "e000" / "solution.json").read_text())
    assert sol["status"] == "infeasible"


def test_frontier_resumes_after_a_crash(tmp_path, monkeypatch):
    """A run stopped after two points finishes with the rest, and the table is whole."""
    full = frontier(TINY / "format-example.yaml", points=6, out=tmp_path / "full")
    from interop.analyses import parametric

    real = parametric.ParametricModel.frontier_point
    calls = {"n": 0}

    def crashing(self, epsilon, tolerance=1e-7):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(self, epsilon, tolerance)

    monkeypatch.setattr(parametric.ParametricModel, "frontier_point", crashing)
    with pytest.raises(KeyboardInterrupt):
        frontier(TINY / "format-example.yaml", points=6, out=tmp_path / "cut")
    assert len(list((tmp_path / "cut" / "points").iterdir())) == 2
    monkeypatch.setattr(parametric.ParametricModel, "frontier_point", real)
    resumed = frontier(TINY / "format-example.yaml", points=6, out=tmp_path / "cut")
    cols = ["point", "weighted_autonomy_loss", "objective", "status", "knee"]
    assert resumed[cols].equals(full[cols])
    assert (tmp_path / "cut" / "frontier.csv").read_text() == (tmp_path / "full" / "frontier.csv").read_text()


def test_exhaustive_frontier_shows_progress_with_an_estimate(monkeypatch):
    """--exhaustive cannot know its number of points: the bar's total is estimated from the W covered."""
    from interop.analyses import frontier as module

    bars, real = [], module.progress_bar

    def recording(enabled, total, label):
        bars.append(real(False, total, label))
        return bars[-1]

    monkeypatch.setattr(module, "progress_bar", recording)
    table = frontier(TINY / "format-example.yaml", exhaustive=True, progress=True)
    (task,) = bars[0].tasks
    assert task.total is not None and task.completed == task.total >= len(table) >= 2
    assert "exhaustive" in task.description
