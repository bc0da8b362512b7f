"""The price bound (``interop.solver.bound``): valid for any prices, exact at the optimal ones."""

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from interop.instance.generate import generate
from interop.instance.loading import parse_instance
from interop.model.compact import build_compact
from interop.model.data import model_data
from interop.model.matrix import MatrixModel
from interop.solver import start as start_module
from interop.solver.bound import dual_bound, implied_upper
from interop.solver.highs import highs_for, run_highs
from interop.solver.start import lp_start

EXACT = {"mip_rel_gap": 1e-9, "mip_abs_gap": 1e-9, "threads": 1}


def _lp(cost, rows, row_lower, row_upper, col_upper) -> MatrixModel:
    n = len(cost)
    return MatrixModel(
        np.array(cost, float),
        0.0,
        True,
        sp.csc_array(np.array(rows, float)),
        np.array(row_lower, float),
        np.array(row_upper, float),
        np.zeros(n),
        np.array(col_upper, float),
        np.zeros(n, dtype=bool),
    )


def test_hand_computed_bounds_of_a_two_column_lp():
    # max x1 + x2 with x1 + x2 ≤ 1, 0 ≤ x ≤ 1: optimum 1
    mm = _lp([1, 1], [[1, 1]], [-np.inf], [1], [1, 1])
    assert dual_bound(mm, np.array([1.0])) == pytest.approx(1.0)  # the optimal price
    assert dual_bound(mm, np.array([0.0])) == pytest.approx(2.0)  # no price: every column at its best bound
    assert dual_bound(mm, np.array([0.5])) == pytest.approx(1.5)  # 0.5 · 1 + (0.5 + 0.5)
    assert dual_bound(mm, np.array([-1.0])) == pytest.approx(1.0)  # either sign convention
    # a price too high: 3 from y, 2 from −y (clipped to no price): the tighter, still above the optimum
    assert dual_bound(mm, np.array([3.0])) == pytest.approx(2.0)
    mm2 = _lp([1, 1], [[1, 1]], [-np.inf], [1], [5, 5])  # wider columns: y = 3 gives 3, −y gives 10
    assert dual_bound(mm2, np.array([3.0])) == pytest.approx(3.0)


def test_a_price_on_the_side_with_no_bound_is_not_used():
    # x1 + x2 ≥ 1 has no upper side: a positive price there would "prove" 1 for max x1 + x2 (optimum 2)
    mm = _lp([1, 1], [[1, 1]], [1], [np.inf], [1, 1])
    assert dual_bound(mm, np.array([1.0])) == pytest.approx(2.0)


def test_implied_upper_bounds_a_flow_by_its_link():
    # f − 3 z ≤ 0, z ≤ 1, f unbounded above: f ≤ 3
    mm = _lp([0, 0], [[1, -3]], [-np.inf], [0], [np.inf, 1])
    assert implied_upper(mm).tolist() == [3.0, 1.0]
    # with a positive price on f, the bound uses f ≤ 3, not infinity
    mm = _lp([1, -1], [[1, -3]], [-np.inf], [0], [np.inf, 1])
    assert dual_bound(mm, np.array([0.0])) == pytest.approx(3.0)  # f = 3, z = 0 (not feasible, but a bound)
    assert dual_bound(mm, np.array([1.0])) == pytest.approx(2.0)  # d = (0, 2): z = 1: the optimum f = 3, z = 1


def _generated(seed: int) -> MatrixModel:
    doc = generate("S", seed=seed, nations=3, platforms=14, tasks=6, nodes=6, theaters=2)
    return build_compact(model_data(parse_instance(doc)))[0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_prices_bound_the_lp_and_optimal_ones_meet_it(seed):
    mm = _generated(seed)
    relaxed = replace(mm, integer=np.zeros_like(mm.integer), tie_break=None)
    h = highs_for(relaxed, {"threads": 1})
    lp = run_highs(h)
    prices = np.asarray(h.getSolution().row_dual, float)
    assert dual_bound(mm, prices) == pytest.approx(lp.objective, rel=1e-7, abs=1e-6)
    rng = np.random.default_rng(seed)
    for _ in range(20):  # prices anywhere: never below the LP optimum
        noisy = prices + rng.normal(0.0, 1.0, len(prices)) * rng.random(len(prices))
        assert dual_bound(mm, noisy) >= lp.objective - 1e-6


def test_the_interior_point_lp_gives_the_same_bound(monkeypatch):
    mm = _generated(3)
    optimum = run_highs(highs_for(mm, EXACT)).objective
    simplex = lp_start(mm, EXACT)
    monkeypatch.setattr(start_module, "IPM_MIN_COLUMNS", 1)
    ipm = lp_start(mm, EXACT)
    assert (simplex.lp_method, ipm.lp_method) == ("simplex", "ipm without crossover")
    assert ipm.bound >= optimum - 1e-6
    assert ipm.bound == pytest.approx(simplex.bound, rel=1e-6)
    assert ipm.objective is not None and ipm.objective <= optimum + 1e-6
