"""The compact form (``interop.model.compact``) has the default model's optimum.

Checked three ways, none of which uses the compact build to judge itself:
exhaustive enumeration on random tiny instances (leads included), the plain
matrix build on generated instances, and the independent evaluator on every
plan the compact form returns (its triples are rebuilt by ``triple_values``).
A perturbed compact build must fail the comparison, so the comparison can fail.
"""

import itertools
from dataclasses import replace

import numpy as np
import pytest

import interop
from interop.instance.generate import generate
from interop.instance.loading import parse_instance
from interop.model.compact import _northwest, build_compact, compact_layout, triple_values
from interop.model.data import model_data
from interop.model.matrix import build_matrix, layout
from interop.solution.evaluate import Assignment, evaluate
from interop.solution.extract import matrix_decisions
from interop.solver.highs import highs_for, run_highs
from tests.bruteforce import enumerable_cases, enumerate_optimum, random_document
from tests.model.test_leads import lead_document

EXACT = {"mip_rel_gap": 1e-9, "mip_abs_gap": 1e-9, "threads": 1}


def _cases(make, start: int, wanted: int) -> list[tuple[int, dict]]:
    found = enumerable_cases(make, start, scenarios=(None, "s"))
    return [(seed, doc) for seed, doc, _ in itertools.islice(found, wanted)]


CASES = [("random", *c) for c in _cases(random_document, 500, 40)] + [
    ("lead", *c) for c in _cases(lead_document, 20_000, 20)
]


def _plan(sol) -> list[Assignment]:
    columns = ["platform", "task", "command", "units", "integrated_units"]
    return [Assignment(**r) for r in sol.assignments[columns].to_dict("records")]


@pytest.mark.parametrize("family,seed,doc", CASES, ids=[f"{f}{s}" for f, s, _ in CASES])
@pytest.mark.parametrize("scenario", [None, "s"])
def test_compact_solve_matches_enumeration(family, seed, doc, scenario):
    inst = parse_instance(doc, scenario)
    expected = enumerate_optimum(inst)
    sol = interop.solve(inst, start="lp")
    assert sol.status == expected.status, f"{family} seed {seed}: {sol.message}"
    if expected.objective is not None:
        assert sol.objective == pytest.approx(expected.objective, abs=1e-6)
        ev = evaluate(inst, _plan(sol), sol.links, sol.integrated_nodes)
        assert ev.feasible and ev.objective == pytest.approx(sol.objective, abs=1e-9)
        assert sol.solver["start"]["form"] == "compact"
        assert sol.solver["start"]["lp_bound"] >= sol.objective - 1e-6  # the LP bounds the MILP


def _optimum(mm) -> float | None:
    return run_highs(highs_for(mm, EXACT)).objective


GENERATED = [generate("S", seed=s, nations=3, platforms=12, tasks=5, nodes=6, theaters=2) for s in range(8)]


@pytest.mark.parametrize("seed", range(len(GENERATED)))
def test_compact_and_plain_builds_have_one_optimum(seed):
    data = model_data(parse_instance(GENERATED[seed]))
    plain, lay, _ = build_matrix(data)
    compact, clay = build_compact(data)
    run = run_highs(highs_for(compact, EXACT))
    assert run.objective == pytest.approx(_optimum(plain), abs=1e-6)
    # the plan rebuilt as triples is feasible with the same objective, by the independent evaluator
    assignments, links, nodes = matrix_decisions(data, lay, triple_values(data, clay, lay, run.values))
    ev = evaluate(data.instance, assignments, links, nodes)
    assert ev.feasible and ev.objective == pytest.approx(run.objective, abs=1e-6)


def test_a_changed_coefficient_in_the_compact_build_is_caught():
    """The comparison above can fail: one task's priority raised in the compact build only."""
    data = model_data(parse_instance(GENERATED[0]))
    plain, lay, _ = build_matrix(data)
    compact, _ = build_compact(data)
    served = int(np.argmax(run_highs(highs_for(plain, EXACT)).values[lay.E]))  # a task with effect credited
    cost = compact.cost.copy()
    cost[served] += 1.0  # the compact form's E columns come first, as the plain build's
    assert _optimum(replace(compact, cost=cost)) != pytest.approx(_optimum(plain), abs=1e-6)


def test_compact_columns_factor_the_triples():
    """Each triple's (p, t) and (p, c, k) columns name its own platform, task and node."""
    data = model_data(parse_instance(GENERATED[1]))
    lay = compact_layout(data)
    A = data.assignments
    assert np.array_equal(lay.pt_p[lay.triple_pt], A["p"].to_numpy())
    assert np.array_equal(lay.pt_t[lay.triple_pt], A["t"].to_numpy())
    assert np.array_equal(lay.pck_p[lay.triple_pck], A["p"].to_numpy())
    assert np.array_equal(lay.pck_c[lay.triple_pck], A["c"].to_numpy())
    assert np.array_equal(lay.pt_pk[lay.triple_pt], lay.pck_pk[lay.triple_pck])


def test_northwest_splits_integral_marginals():
    plan = _northwest(np.array([2, 0, 3]), np.array([1, 4]))
    assert plan == [(0, 0, 1), (0, 1, 1), (2, 1, 3)]
    with pytest.raises(ValueError, match="unbalanced"):
        _northwest(np.array([2]), np.array([1]))


def test_triple_values_keeps_integrated_within_units():
    """An integral compact solution becomes triples with h ≤ a and the same marginals."""
    data = model_data(parse_instance(GENERATED[2]))
    compact, clay = build_compact(data)
    run = run_highs(highs_for(compact, EXACT))
    lay = layout(data)
    x = triple_values(data, clay, lay, run.values)
    a, h = x[lay.a], x[lay.h]
    assert np.all(h <= a) and a.sum() == pytest.approx(run.values[clay.x].sum())
    per_pt = np.bincount(clay.triple_pt, weights=a, minlength=len(clay.pt_p))
    assert per_pt == pytest.approx(np.round(run.values[clay.x]))
    per_pck = np.bincount(clay.triple_pck, weights=h, minlength=len(clay.pck_c))
    assert per_pck == pytest.approx(np.round(run.values[clay.hy]))
