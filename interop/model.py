"""The reference formulation (``shared/design/formulation.md``) as a Pyomo model.

``build_model`` is pure: it reads a validated instance and returns a
``ConcreteModel`` that an analyst may extend with their own variables and
constraints before solving it with :func:`interop.solve`. Symbols follow the
formulation; constraint groups are named after its numbers:

==========================  ==============================================
``c1_units[p]``             1. Σ_{t,c} a ≤ q_p
``c2_span[c]``              2. Σ_{p,t} a ≤ cap_c
``c3_integrated[p,t,c]``    3. h ≤ a
``c3_node[p,t,c]``          3. h ≤ q_p g_c
``c4_effect[t]``            4. E_t ≤ Σ e (a + b h)
``c5_coverage[t]``          5. E_t ≥ m_t r_t
``c6_balance[c]``           6. inflow − outflow = g_c, c ∉ R
``c6_flow[l,dir]``          6. f ≤ |C| z_l
``c7_nonnational[n]``       7. non-national share ≤ φ_n
``c8_burden[n]``            8. committed value ≥ β_n Σ v q
``epsilon_autonomy``        Σ α Aut ≤ ε (epsilon-constraint form only)
==========================  ==============================================

Expressions ``autonomy_loss[n]`` (Aut_n), ``weighted_autonomy_loss``,
``weighted_effect`` and ``link_cost`` are on the model for reporting and for
analysts' own objectives. λ, μ, α_n and ε are mutable parameters.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from interop.schema import Instance
from interop.sets import ModelData, model_data


def _linear(coefs, variables):
    """A linear expression Σ coef·var built without Pyomo's operator overhead."""
    return pyo.quicksum((float(k) * v for k, v in zip(coefs, variables)))


def build_model(source: Instance | ModelData, *, epsilon: float | None = None) -> pyo.ConcreteModel:
    """The default model of ``source``; with ``epsilon``, its epsilon-constraint form.

    The epsilon-constraint form maximises Σ w_t E_t − μ Σ k_l z_l subject to
    Σ_n α_n Aut_n ≤ ε (formulation.md, Objective).
    """
    data = source if isinstance(source, ModelData) else model_data(source)
    inst = data.instance
    par = inst.parameters
    A = data.assignments
    m = pyo.ConcreteModel(name=inst.name)
    m.interop_data = data  # plain attribute: lets solve() report in domain terms

    triples = list(zip(A["platform"], A["task"], A["node"]))
    count = {p.id: p.count for p in inst.platforms}
    m.N = pyo.Set(initialize=data.nations, ordered=True)
    m.P = pyo.Set(initialize=[p.id for p in inst.platforms], ordered=True)
    m.T = pyo.Set(initialize=[t.id for t in inst.tasks], ordered=True)
    m.C = pyo.Set(initialize=data.nodes, ordered=True)
    m.R = pyo.Set(initialize=data.roots, within=m.C, ordered=True)
    m.A = pyo.Set(initialize=triples, dimen=3, ordered=True)
    m.L = pyo.Set(initialize=list(data.links["link"]), ordered=True)
    m.F = pyo.Set(initialize=[(l, d) for l in m.L for d in ("fwd", "rev")], dimen=2, ordered=True)

    m.lam = pyo.Param(initialize=par.autonomy_scale, mutable=True, doc="λ")
    m.mu = pyo.Param(initialize=par.link_cost_scale, mutable=True, doc="μ")
    m.alpha = pyo.Param(
        m.N, initialize={n.id: n.autonomy_weight for n in inst.nations}, mutable=True, doc="α_n"
    )

    def unit_bounds(_m, p, t, c):
        return (0, count[p])

    m.a = pyo.Var(m.A, domain=pyo.NonNegativeIntegers, bounds=unit_bounds)
    m.h = pyo.Var(m.A, domain=pyo.NonNegativeIntegers, bounds=unit_bounds)
    m.z = pyo.Var(m.L, domain=pyo.Binary)
    m.g = pyo.Var(m.C, domain=pyo.Binary)
    for r in m.R:
        m.g[r].fix(1)
    m.f = pyo.Var(m.F, domain=pyo.NonNegativeReals)
    demand = {t.id: t.demand for t in inst.tasks}
    m.E = pyo.Var(m.T, bounds=lambda _m, t: (0, demand[t]))

    a = [m.a[x] for x in triples]
    h = [m.h[x] for x in triples]
    effect, bonus = A["effect"].to_numpy(), A["bonus"].to_numpy()
    value, kappa = A["value"].to_numpy(), A["kappa"].to_numpy()

    def groups(column: str) -> dict[str, np.ndarray]:
        return {k: np.asarray(v) for k, v in A.groupby(column, sort=False).indices.items()}

    by_p, by_t, by_c, by_n = groups("platform"), groups("task"), groups("node"), groups("nation")
    empty = np.zeros(0, dtype=np.int64)

    m.c1_units = pyo.Constraint(
        m.P, rule=lambda _m, p: _linear(np.ones(len(by_p.get(p, empty))), [a[i] for i in by_p.get(p, empty)]) <= count[p]
        if p in by_p else pyo.Constraint.Skip,
    )
    cap = {c.id: c.capacity for c in inst.command_nodes}
    m.c2_span = pyo.Constraint(
        m.C, rule=lambda _m, c: _linear(np.ones(len(by_c[c])), [a[i] for i in by_c[c]]) <= cap[c]
        if c in by_c else pyo.Constraint.Skip,
    )
    m.c3_integrated = pyo.Constraint(m.A, rule=lambda _m, p, t, c: _m.h[p, t, c] <= _m.a[p, t, c])
    m.c3_node = pyo.Constraint(m.A, rule=lambda _m, p, t, c: _m.h[p, t, c] <= count[p] * _m.g[c])

    def effect_rule(_m, t):
        idx = by_t.get(t, empty)
        terms = _linear(effect[idx], [a[i] for i in idx]) + _linear(
            effect[idx] * bonus[idx], [h[i] for i in idx]
        )
        return _m.E[t] <= terms

    m.c4_effect = pyo.Constraint(m.T, rule=effect_rule)
    t_min = {t.id: t.min_coverage * t.demand for t in inst.tasks}
    m.c5_coverage = pyo.Constraint(
        m.T, rule=lambda _m, t: _m.E[t] >= t_min[t] if t_min[t] > 0 else pyo.Constraint.Skip
    )

    ends = {row.link: (row.u, row.v) for row in data.links.itertuples()}
    size = len(data.nodes)

    def flow_into(c):
        return [m.f[l, "fwd"] for l in m.L if ends[l][1] == c] + [m.f[l, "rev"] for l in m.L if ends[l][0] == c]

    def flow_out_of(c):
        return [m.f[l, "fwd"] for l in m.L if ends[l][0] == c] + [m.f[l, "rev"] for l in m.L if ends[l][1] == c]

    m.c6_balance = pyo.Constraint(
        [c for c in data.nodes if c not in set(data.roots)],
        rule=lambda _m, c: pyo.quicksum(flow_into(c))
        - pyo.quicksum(flow_out_of(c))
        == _m.g[c],
    )
    m.c6_flow = pyo.Constraint(m.F, rule=lambda _m, l, d: _m.f[l, d] <= size * _m.z[l])

    nations = {n.id: n for n in inst.nations}
    foreign = kappa > 0

    def nonnational_rule(_m, n):
        idx = by_n.get(n, empty)
        phi = nations[n].max_nonnational_share
        if phi >= 1 or not foreign[idx].any():
            return pyo.Constraint.Skip
        coefs = value[idx] * (np.where(foreign[idx], 1.0, 0.0) - phi)
        return _linear(coefs, [a[i] for i in idx]) <= 0

    m.c7_nonnational = pyo.Constraint(m.N, rule=nonnational_rule)
    floor = {
        n.id: n.min_commitment * sum(p.value * p.count for p in inst.platforms if p.nation == n.id)
        for n in inst.nations
    }

    def burden_rule(_m, n):
        idx = by_n.get(n, empty)
        if floor[n] <= 0:
            return pyo.Constraint.Skip
        if len(idx) == 0:  # a floor no admissible assignment can meet
            return pyo.Constraint.Infeasible
        return _linear(value[idx], [a[i] for i in idx]) >= floor[n]

    m.c8_burden = pyo.Constraint(m.N, rule=burden_rule)

    iota = par.integration_autonomy_factor
    m.autonomy_loss = pyo.Expression(
        m.N,
        rule=lambda _m, n: _linear(value[by_n.get(n, empty)] * kappa[by_n.get(n, empty)], [a[i] for i in by_n.get(n, empty)])
        + _linear(value[by_n.get(n, empty)] * iota, [h[i] for i in by_n.get(n, empty)]),
    )
    m.weighted_autonomy_loss = pyo.Expression(
        expr=pyo.quicksum(m.alpha[n] * m.autonomy_loss[n] for n in m.N)
    )
    priority = {t.id: t.priority for t in inst.tasks}
    m.weighted_effect = pyo.Expression(expr=pyo.quicksum(priority[t] * m.E[t] for t in m.T))
    cost = dict(zip(data.links["link"], data.links["cost"]))
    m.link_cost = pyo.Expression(expr=pyo.quicksum(cost[l] * m.z[l] for l in m.L))

    if epsilon is None:
        m.Z = pyo.Objective(
            expr=m.weighted_effect - m.lam * m.weighted_autonomy_loss - m.mu * m.link_cost,
            sense=pyo.maximize,
        )
    else:
        m.eps = pyo.Param(initialize=epsilon, mutable=True, doc="ε")
        m.epsilon_autonomy = pyo.Constraint(expr=m.weighted_autonomy_loss <= m.eps)
        m.Z = pyo.Objective(expr=m.weighted_effect - m.mu * m.link_cost, sense=pyo.maximize)
    # which objective was built, so that solve() knows what to check it against
    m.interop_objective = ("default" if epsilon is None else "epsilon", m.Z.expr)
    return m
