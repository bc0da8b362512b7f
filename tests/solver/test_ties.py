"""The tie-break's two ways (interop.solver.ties): the perturbed solve and the exact row.

The perturbed run must be accepted only when its bound proves its plan the
least, and both ways must reach the least Σ α Aut among optimal plans that
enumeration finds. The row is forced by a δ large enough to cross a
breakpoint, so a broken fallback cannot hide behind the fast path.
"""

import pytest

import interop.solver.highs as highs
from interop.model.data import model_data
from interop.model.matrix import build_matrix
from interop.solver.profiles import profile_options
from interop.solver.ties import TIE_PRECISION, certify, perturbation, tolerance
from tests.bruteforce import enumerate_least_loss_among_optima
from tests.model.test_ties import CASES

OPTIONS = profile_options("default", None, None)[1]


def test_an_exact_perturbed_run_is_accepted():
    # Z* = 10 and a plan with s = 5 whose perturbed value 10 − 0.01·5 is the bound: the floor is 5 − tol/δ
    verdict = certify(best=10.0, delta=0.01, z_plan=10.0, s_plan=5.0, bound=9.95)
    assert verdict.optimal and verdict.accepted
    assert verdict.least == pytest.approx(5.0 - tolerance(10.0) / 0.01)


def test_a_perturbed_run_with_room_under_its_bound_proves_nothing():
    # a bound 0.01 above the plan's perturbed value: some optimal plan might have s = 4
    verdict = certify(best=10.0, delta=0.01, z_plan=10.0, s_plan=5.0, bound=9.96)
    assert verdict.optimal and not verdict.accepted
    assert verdict.least == pytest.approx(4.0, abs=1e-5)


def test_a_plan_below_the_optimum_is_not_accepted_however_tight():
    verdict = certify(best=10.0, delta=0.01, z_plan=9.9, s_plan=1.0, bound=9.9 - 0.01)
    assert not verdict.optimal and not verdict.accepted


def test_no_bound_accepts_nothing():
    assert not certify(best=10.0, delta=0.01, z_plan=10.0, s_plan=5.0, bound=None).accepted


def test_delta_leaves_room_for_a_gap_of_almost_three_tolerances():
    best, worst = 435.386, 59.154
    delta = perturbation(best, worst)
    gap = 2.9 * tolerance(best)
    # the worst exact run it must accept: Z(R) = Z*, s(R) = worst, bound `gap` above the perturbed value
    assert certify(best, delta, best, worst, best - delta * worst + gap).accepted
    assert not certify(best, delta, best, worst, best - delta * worst + 3.5 * tolerance(best)).accepted
    assert perturbation(10.0, 0.0) == pytest.approx(4 * tolerance(10.0) / TIE_PRECISION)


def _least_by_run(inst) -> tuple[str, float, float] | None:
    mm, _, _ = build_matrix(model_data(inst))
    run = highs.run_matrix(mm, OPTIONS)
    if run.status != "optimal":
        return None
    return run.tie_break, run.objective, float(mm.tie_break @ run.values)


TIED = CASES[:24]


def _ways(monkeypatch=None) -> list[str]:
    ways = []
    for seed, inst in TIED:
        expected = enumerate_least_loss_among_optima(inst)
        if expected is None:
            continue
        way, objective, loss = _least_by_run(inst)
        assert objective == pytest.approx(expected[0], abs=1e-6), f"seed {seed}"
        assert loss == pytest.approx(expected[1], abs=1e-6), f"seed {seed}"
        ways.append(way)
    return ways


def test_the_perturbed_run_decides_most_ties_by_itself():
    ways = _ways()
    assert ways.count("perturbed") >= 10, ways


def test_the_row_reaches_the_least_loss_when_the_perturbation_crosses_a_breakpoint(monkeypatch):
    monkeypatch.setattr(highs, "perturbation", lambda best, worst: 1e3)  # trades any Z for less autonomy loss
    ways = _ways()
    assert ways.count("row") >= 5, ways
