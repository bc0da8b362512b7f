"""The speed-ups of ``build_model`` (tighten=True) and the greedy start change no optimum.

Each check solves the same instance with and without the speed-ups and
compares the optimal objectives, also after changing the mutable λ, μ, α_n
and ε on an already built model (as sweeps do), since some speed-ups are only
optimum-preserving, not valid for every feasible point.
"""

import random

import pyomo.environ as pyo
import pytest

import interop
from interop.evaluate import evaluate
from interop.generate import generate
from interop.heuristic import greedy_start
from interop.loading import parse_instance
from interop.model import build_model
from interop.results import decisions
from interop.solve import solve_model
from tests.bruteforce import random_document


def _tiny(count: int) -> list[interop.Instance]:
    out, seed = [], 1000
    while len(out) < count:
        doc = random_document(random.Random(seed))
        seed += 1
        try:
            out.append(parse_instance(doc, "s" if seed % 2 else None))
        except interop.InstanceError:
            continue
    return out


TINY = _tiny(60)
PARAMETERS = [None, {"lam": 0.0}, {"mu": 0.0}, {"lam": 3.0, "mu": 0.0, "alpha": 0.0}, {"mu": 5.0, "alpha": 2.0}]


def _set(model: pyo.ConcreteModel, change: dict | None) -> None:
    for key, val in (change or {}).items():
        if key == "alpha":
            for n in model.N:
                model.alpha[n] = val
        else:
            getattr(model, key).set_value(val)


def _objective(inst, change=None, *, tighten, epsilon=None):
    model = build_model(inst, tighten=tighten, epsilon=epsilon)
    _set(model, change)
    sol = interop.solve(model)
    return sol.status, sol.objective


@pytest.mark.parametrize("change", PARAMETERS, ids=lambda c: str(c))
def test_tiny_random_instances_same_optimum(change):
    for inst in TINY:
        plain = _objective(inst, change, tighten=False)
        fast = _objective(inst, change, tighten=True)
        assert fast[0] == plain[0], inst.name
        if plain[1] is not None:
            assert fast[1] == pytest.approx(plain[1], abs=1e-6), inst.name


@pytest.mark.parametrize("epsilon", [0.0, 1.0, 5.0])
def test_tiny_random_instances_same_epsilon_optimum(epsilon):
    for inst in TINY[:30]:
        plain = _objective(inst, tighten=False, epsilon=epsilon)
        fast = _objective(inst, tighten=True, epsilon=epsilon)
        assert fast[0] == plain[0], inst.name
        if plain[1] is not None:
            assert fast[1] == pytest.approx(plain[1], abs=1e-6), inst.name


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_instances_same_optimum(seed):
    inst = parse_instance(generate("S", seed=seed), None, "<gen>")
    plain = _objective(inst, tighten=False)
    fast = _objective(inst, tighten=True)
    assert fast[0] == plain[0] == "optimal"
    assert fast[1] == pytest.approx(plain[1], rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("tighten", [True, False])
def test_greedy_start_is_feasible_and_warm_starts(seed, tighten):
    inst = parse_instance(generate("S", seed=seed), None, "<gen>")
    model = build_model(inst, tighten=tighten)
    start = greedy_start(model)
    assert start is not None
    ev = evaluate(inst, *decisions(model))
    assert ev.feasible, ev.violations
    assert ev.objective == pytest.approx(start)
    run, _ = solve_model(model, warm_start=True)
    assert run.status == "optimal" and run.objective >= start - 1e-6
    assert run.objective == pytest.approx(_objective(inst, tighten=False)[1], rel=1e-7)


def test_greedy_start_respects_epsilon():
    inst = parse_instance(generate("S", seed=1), None, "<gen>")
    model = build_model(inst, epsilon=2.0)
    if greedy_start(model) is not None:
        assert pyo.value(model.weighted_autonomy_loss) <= 2.0 + 1e-9
