"""Stable plans: among optimal plans the reported one has the least weighted autonomy loss.

At λ = 0 the objective ignores autonomy, so optimal plans tie often and the
least Σ α Aut among them is what the tie-break rule must reach. Checked against
exhaustive enumeration on random tiny instances, on the matrix path, the Pyomo
path and the sweeps' re-solved model; and a re-run reports the same plan.
"""

import random
from pathlib import Path

import pytest

import interop
from interop.analyses.parametric import ParametricModel
from interop.instance.loading import parse_instance
from interop.solver.profiles import profile_options
from tests.bruteforce import MAX_PLANS, enumerate_least_loss_among_optima, plan_count, random_document


def _cases(n: int) -> list[tuple[int, object]]:
    out = []
    for seed in range(1000):
        doc = random_document(random.Random(10_000 + seed))
        doc.setdefault("parameters", {})["autonomy_scale"] = 0.0
        try:
            inst = parse_instance(doc)
        except interop.InstanceError:
            continue
        if plan_count(inst) <= MAX_PLANS:
            out.append((seed, inst))
        if len(out) == n:
            break
    return out


CASES = _cases(40)


def _loss(sol) -> float:
    return sol.metrics["weighted_autonomy_loss"]


@pytest.mark.parametrize("seed,inst", CASES, ids=[f"seed{s}" for s, _ in CASES])
def test_least_autonomy_loss_among_optimal_plans_at_lambda_zero(seed, inst):
    expected = enumerate_least_loss_among_optima(inst)
    matrix = interop.solve(inst)
    if expected is None:
        assert matrix.status == "infeasible"
        return
    z_star, least = expected
    pyomo = interop.solve(interop.build_model(inst))
    _, options = profile_options("default", None, None)
    swept = ParametricModel(inst, options).solve(lam=0.0)
    for sol in (matrix, pyomo, swept):
        assert sol.status == "optimal"
        assert sol.objective == pytest.approx(z_star, abs=1e-6)
        assert _loss(sol) == pytest.approx(least, abs=1e-6), f"seed {seed}"


def test_ties_actually_occur_in_these_cases():
    """Non-degeneracy: in many cases some optimal plan loses more autonomy than the reported one."""
    import numpy as np

    from tests.bruteforce import _scored_plans

    with_ties = 0
    for _, inst in CASES[:20]:
        expected = enumerate_least_loss_among_optima(inst)
        if expected is None:
            continue
        z_star, least = expected
        worst = max(
            (
                float(loss[z >= z_star - 1e-9].max())
                for *_, feasible, we, loss, lc in _scored_plans(inst)
                for z in [np.where(feasible, we - inst.parameters.link_cost_scale * lc, -np.inf)]
                if np.any(z >= z_star - 1e-9)
            ),
            default=least,
        )
        with_ties += worst > least + 1e-6
    assert with_ties >= 5


def test_a_rerun_gives_the_same_plan():
    inst = interop.load_instance(Path(__file__).resolve().parents[2] / "instances" / "nato-efp.yaml")
    inst = inst.model_copy(update={"parameters": inst.parameters.model_copy(update={"autonomy_scale": 0.0})})
    first, second = interop.solve(inst), interop.solve(inst)
    assert first.status == second.status == "optimal"
    assert first.assignments.equals(second.assignments) and first.links == second.links
