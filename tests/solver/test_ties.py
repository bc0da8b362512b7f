"""The tie-break's two ways (interop.solver.ties): the perturbed solve and the exact row.

The perturbed run must be accepted only when its bound proves its plan the
least, and both ways must reach the least Σ α Aut among optimal plans that
enumeration finds. The row is forced by a δ large enough to cross a
breakpoint, so a broken fallback cannot hide behind the fast path.
"""

import pytest

import interop.solver.highs as highs
import interop.solver.ties as ties
from interop.model.data import model_data
from interop.model.matrix import build_matrix
from interop.solver.profiles import profile_options
from interop.solver.run import run_matrix
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
    assert certify(best, delta, best, worst, best - delta * worst + gap, scale=worst).accepted
    assert not certify(best, delta, best, worst, best - delta * worst + 3.5 * tolerance(best), scale=worst).accepted
    assert perturbation(10.0, 0.0) == pytest.approx(4 * tolerance(10.0) / TIE_PRECISION)


def test_a_probe_that_improves_much_is_judged_on_the_first_plans_scale():
    # the first plan lost 59.154; an exact probe finds a plan losing 1: its distance to the floor is tol/δ,
    # a quarter of TIE_PRECISION × 59.154, far more than TIE_PRECISION × 1
    best, worst = 435.386, 59.154
    delta = perturbation(best, worst)
    exact = best - delta * 1.0
    assert certify(best, delta, best, 1.0, exact, scale=worst).accepted
    assert not certify(best, delta, best, 1.0, exact).accepted  # on s(R)'s own scale it would be refused


def _least_by_run(inst, offset: float = 0.0) -> tuple[str, float, float] | None:
    mm, _, _ = build_matrix(model_data(inst))
    mm.offset += offset
    run = run_matrix(mm, OPTIONS)
    if run.status != "optimal":
        return None
    return run.tie_break, run.objective, float(mm.tie_break @ run.values)


TIED = CASES[:24]


def _ways(offset: float = 0.0) -> list[str]:
    ways = []
    for seed, inst in TIED:
        expected = enumerate_least_loss_among_optima(inst)
        if expected is None:
            continue
        way, objective, loss = _least_by_run(inst, offset)
        assert objective == pytest.approx(expected[0] + offset, abs=1e-6), f"seed {seed}"
        assert loss == pytest.approx(expected[1], abs=1e-6), f"seed {seed}"
        ways.append(way)
    return ways


def test_the_perturbed_run_decides_most_ties_by_itself():
    ways = _ways()
    assert ways.count("perturbed") >= 10, ways


def test_the_row_reaches_the_least_loss_when_the_perturbation_crosses_a_breakpoint(monkeypatch):
    monkeypatch.setattr(ties, "perturbation", lambda best, worst: 1e3)  # trades any Z for less autonomy loss
    ways = _ways()
    assert ways.count("row") >= 5, ways


def test_the_objective_offset_stays_out_of_the_proof():
    """HiGHS's bound includes the model's constant; a proof that forgot to take it off would refuse every probe."""
    ways = _ways(offset=5.0)
    assert ways.count("perturbed") >= 8, ways


def test_the_highs_instance_is_left_as_it_was():
    checked = 0
    for seed, inst in TIED:
        mm, _, _ = build_matrix(model_data(inst))
        h = highs.highs_for(mm, OPTIONS)
        first = highs.run_highs(h)
        if first.status != "optimal" or float(mm.tie_break @ first.values) <= 1e-9:
            continue  # no tie-break runs
        lp = h.getLp()
        before = (h.getNumRow(), list(lp.col_cost_), list(lp.col_lower_), list(lp.col_upper_))
        limit = h.getOptionValue("time_limit")
        for perturb in (True, False):
            run = ties.least_among_optima(h, mm, mm.cost, first, perturb=perturb)
            assert run.tie_break in ("perturbed", "row"), f"seed {seed}"
            lp = h.getLp()
            assert (h.getNumRow(), list(lp.col_cost_), list(lp.col_lower_), list(lp.col_upper_)) == before
            assert h.getOptionValue("time_limit") == limit
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("path,scenario", [("us-rok-cfc.yaml", "wartime-fcfc"), ("nato-efp.yaml", None)])
def test_on_a_flagship_at_lambda_zero_both_ways_report_the_same_least_loss(path, scenario):
    """Where ties abound (λ = 0: autonomy is free), the perturbed way agrees with the exact row."""
    from pathlib import Path

    from interop.instance.loading import load_instance

    inst = load_instance(Path(__file__).resolve().parents[2] / "instances" / path, scenario)
    inst = inst.model_copy(update={"parameters": inst.parameters.model_copy(update={"autonomy_scale": 0.0})})
    found = {}
    for perturb in (True, False):
        mm, _, _ = build_matrix(model_data(inst))
        h = highs.highs_for(mm, OPTIONS)
        first = highs.run_highs(h)
        first_loss = float(mm.tie_break @ first.values)
        run = ties.least_among_optima(h, mm, mm.cost, first, perturb=perturb)
        found[perturb] = (run.tie_break, run.objective, float(mm.tie_break @ run.values))
    (way, z_fast, loss_fast), (row, z_row, loss_row) = found[True], found[False]
    assert (way, row) == ("perturbed", "row")
    assert loss_row < first_loss - 1.0  # a real tie: HiGHS's first plan lost more (68.6 → 65.0, 108.7 → 65.1)
    assert z_fast == pytest.approx(z_row, rel=1e-9)
    assert loss_fast == pytest.approx(loss_row, rel=TIE_PRECISION, abs=1e-9)
