"""Products of numbers that the model hands to HiGHS, bounded at validation (issue 15, item 16).

Each field is at most :data:`interop.instance.schema.MAX_NUMBER` (1e12), but
the model multiplies fields: a coefficient e_{p,d}·b_d, a row bound
β_n·Σ v_p q_p, objective terms w_t E_t (E_t ≤ r_t), λ α_n v_p (κ a + ι h)
and μ k_l z_l. HiGHS refuses a matrix entry of 1e15 or more and reads a bound
or a cost of 1e20 or more as infinite, so a file whose fields are each legal
could still make a model that the solver refuses or silently changes. These
checks keep every such number, and every total the objective can reach (the
stable-plan rule and the frontier put the objective and Σ α Aut in rows),
below :data:`MAX_MODEL_NUMBER`.

A problem is placed at the entity that contributes most, the one to fix.
"""

from __future__ import annotations

from collections.abc import Callable

from interop.errors import Problem
from interop.instance.schema import Instance

# HiGHS's large_matrix_value: the smallest of its limits (bounds and costs go to 1e20).
MAX_MODEL_NUMBER = 1e15

_LIMIT = "numbers in the model must stay below 1e15, the largest the solver takes"

Entity = Callable[[str, int], str]
Field = Callable[[str, int, str], str]


def _total(entity: Entity, coll: str, terms: list[float], what: str, why: str, factor: float = 1.0) -> list[Problem]:
    """A problem at the largest term's entity when ``factor · Σ terms`` reaches the limit."""
    total = factor * sum(terms)
    if not terms or total < MAX_MODEL_NUMBER:
        return []
    i = max(range(len(terms)), key=terms.__getitem__)
    message = f"{what} is {terms[i] * factor:.3g} ({total:.3g} over all {coll}: {why}); {_LIMIT}"
    return [Problem(entity(coll, i), message)]


def magnitude_problems(inst: Instance, entity: Entity, field: Field) -> list[Problem]:
    """Every product of fields that would reach :data:`MAX_MODEL_NUMBER` in the model.

    ``entity`` and ``field`` name places (a :class:`interop.instance.checks.Placer`'s methods).
    """
    problems: list[Problem] = []
    par = inst.parameters
    for i, p in enumerate(inst.platforms):  # the effect of an integrated unit, e_{p,d}·b_d (constraint 4)
        for d, e in p.effects.items():
            if e * par.bonus(d) >= MAX_MODEL_NUMBER:
                message = f"effect × integration bonus of '{d}' is {e * par.bonus(d):.3g}; {_LIMIT}"
                problems.append(Problem(field("platforms", i, "effects") + f".{d}", message))

    weighted = [t.priority * t.demand for t in inst.tasks]
    problems += _total(entity, "tasks", weighted, "priority × demand", "the objective's reach")

    held = [p.value * p.count for p in inst.platforms]
    too_much = _total(entity, "platforms", held, "value × count", "burden floors")
    if not too_much:  # the same numbers: one message is enough
        alpha = {n.id: n.autonomy_weight for n in inst.nations}
        iota, lam = par.integration_autonomy_factor, max(1.0, par.autonomy_scale)
        loss = [alpha.get(p.nation, 0.0) * v * (1 + iota) for p, v in zip(inst.platforms, held)]
        what = "autonomy_weight × value × count × (1 + ι) × max(1, λ)"
        too_much = _total(entity, "platforms", loss, what, "the weighted autonomy loss", factor=lam)
    problems += too_much

    costs = [link.cost for link in inst.links]
    mu = max(1.0, par.link_cost_scale)
    problems += _total(entity, "links", costs, "cost × max(1, μ)", "the link cost", factor=mu)
    return problems
