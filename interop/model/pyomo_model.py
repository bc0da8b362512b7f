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

The row groups are those of :data:`interop.model.formulation.GROUPS`; the
matrix build (:mod:`interop.model.matrix`) builds the same MILP from arrays, and
``tests/model/test_builds_agree.py`` compares the two row by row.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from interop.instance.schema import Instance
from interop.model.data import ModelData, model_data


def _linear(coefs, variables) -> LinearExpression:
    """A linear expression Σ coef·var built without Pyomo's operator overhead."""
    return LinearExpression(constant=0, linear_coefs=[float(k) for k in coefs], linear_vars=list(variables))


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
    m.alpha = pyo.Param(m.N, initialize={n.id: n.autonomy_weight for n in inst.nations}, mutable=True, doc="α_n")

    count = A["count"].to_numpy(np.int64)
    cap_of = {c.id: c.capacity for c in inst.command_nodes}
    ub = count  # upper bound of a and h
    bounds = dict(zip(triples, ((0, int(u)) for u in ub)))
    m.a = pyo.Var(m.A, domain=pyo.NonNegativeIntegers, bounds=bounds)
    m.h = pyo.Var(m.A, domain=pyo.NonNegativeIntegers, bounds=bounds)
    m.z = pyo.Var(m.L, domain=pyo.Binary)
    m.g = pyo.Var(m.C, domain=pyo.Binary)
    for r in m.R:
        m.g[r].fix(1)
    m.f = pyo.Var(m.F, domain=pyo.NonNegativeReals)
    demand = {t.id: t.demand for t in inst.tasks}
    m.E = pyo.Var(m.T, bounds={t: (0, demand[t]) for t in demand})

    a = [m.a[x] for x in triples]
    h = [m.h[x] for x in triples]
    effect, bonus = A["effect"].to_numpy(), A["bonus"].to_numpy()
    value, kappa = A["value"].to_numpy(), A["kappa"].to_numpy()

    def groups(column: str, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
        frame = A if rows is None else A[rows]
        out = frame.groupby(column, sort=False).indices.items()
        pos = np.arange(len(A)) if rows is None else np.flatnonzero(rows)
        return {k: pos[np.asarray(v)] for k, v in out}

    by_p, by_t, by_c, by_n = groups("platform"), groups("task"), groups("node"), groups("nation")
    empty = np.zeros(0, dtype=np.int64)
    count_of = {p.id: p.count for p in inst.platforms}

    def total(idx: np.ndarray) -> LinearExpression:
        return _linear(np.ones(len(idx)), [a[i] for i in idx])

    m.c1_units = pyo.Constraint([p for p in m.P if p in by_p], rule=lambda _m, p: total(by_p[p]) <= count_of[p])
    m.c2_span = pyo.Constraint([c for c in m.C if c in by_c], rule=lambda _m, c: total(by_c[c]) <= cap_of[c])
    m.c3_integrated = pyo.Constraint(triples, rule=lambda _m, p, t, c: _m.h[p, t, c] <= _m.a[p, t, c])
    ub_of = dict(zip(triples, ub.tolist()))
    m.c3_node = pyo.Constraint(triples, rule=lambda _m, p, t, c: _m.h[p, t, c] <= ub_of[p, t, c] * _m.g[c])

    def effect_rule(_m, t):
        idx = by_t.get(t, empty)
        coefs = np.concatenate([effect[idx], effect[idx] * bonus[idx]])
        return _m.E[t] <= _linear(coefs, [a[i] for i in idx] + [h[i] for i in idx])

    m.c4_effect = pyo.Constraint(m.T, rule=effect_rule)
    t_min = {t.id: t.min_coverage * t.demand for t in inst.tasks}
    m.c5_coverage = pyo.Constraint([t for t in m.T if t_min[t] > 0], rule=lambda _m, t: _m.E[t] >= t_min[t])

    _connectivity(m, data)

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
    committable: dict[str, float] = {}
    for p in inst.platforms:
        committable[p.nation] = committable.get(p.nation, 0.0) + p.value * p.count
    floor = {n.id: n.min_commitment * committable.get(n.id, 0.0) for n in inst.nations}

    def burden_rule(_m, n):
        idx = by_n.get(n, empty)
        if floor[n] <= 0:
            return pyo.Constraint.Skip
        if len(idx) == 0:  # a floor no admissible assignment can meet
            return pyo.Constraint.Infeasible
        return _linear(value[idx], [a[i] for i in idx]) >= floor[n]

    m.c8_burden = pyo.Constraint(m.N, rule=burden_rule)

    iota = par.integration_autonomy_factor

    def loss_rule(_m, n):
        idx = by_n.get(n, empty)
        coefs = np.concatenate([value[idx] * kappa[idx], value[idx] * iota])
        return _linear(coefs, [a[i] for i in idx] + [h[i] for i in idx])

    m.autonomy_loss = pyo.Expression(m.N, rule=loss_rule)
    m.weighted_autonomy_loss = pyo.Expression(expr=pyo.quicksum(m.alpha[n] * m.autonomy_loss[n] for n in m.N))
    priority = {t.id: t.priority for t in inst.tasks}
    m.weighted_effect = pyo.Expression(expr=_linear([priority[t] for t in m.T], [m.E[t] for t in m.T]))
    m.link_cost = pyo.Expression(expr=_linear(data.links["cost"], [m.z[l] for l in m.L]))

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
    # the components built here, so that a solution can tell what an analyst added
    m.interop_components = frozenset(c.name for c in m.component_objects(descend_into=False))
    return m


def _connectivity(m: pyo.ConcreteModel, data: ModelData) -> None:
    """Constraint 6: single-commodity flow from the roots, f ≤ |C| z."""
    links = data.links
    roots = set(data.roots)
    names = list(links["link"])
    u_of, v_of = list(links["u"]), list(links["v"])
    incoming: dict[str, list] = {c: [] for c in data.nodes}
    outgoing: dict[str, list] = {c: [] for c in data.nodes}
    for l, u, v in zip(names, u_of, v_of):
        incoming[v].append(m.f[l, "fwd"])
        outgoing[u].append(m.f[l, "fwd"])
        incoming[u].append(m.f[l, "rev"])
        outgoing[v].append(m.f[l, "rev"])

    def balance_rule(_m, c):
        n_in, n_out = len(incoming[c]), len(outgoing[c])
        body = _linear([1.0] * n_in + [-1.0] * n_out, incoming[c] + outgoing[c])
        return body == _m.g[c]

    m.c6_balance = pyo.Constraint([c for c in data.nodes if c not in roots], rule=balance_rule)
    size = len(data.nodes)
    m.c6_flow = pyo.Constraint(m.F, rule=lambda _m, l, d: _m.f[l, d] <= size * _m.z[l])
