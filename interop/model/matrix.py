"""The matrix view of the formulation: the default MILP built from arrays.

:func:`interop.model.pyomo_model.build_model` makes a Pyomo model that
analysts can read and extend; building and compiling it costs Python objects
per variable and per constraint, which dominates the run time at a few hundred
thousand admissible assignments. :func:`build_matrix` builds the *same* MILP —
the same columns (fixed root g_c substituted out, as Pyomo's compiler does),
the same rows, bounds and objective — from :class:`interop.model.data.ModelData`
arrays with no Python loop over the triples, as a :class:`MatrixModel` that
:mod:`interop.solver.highs` solves. ``tests/model/test_builds_agree.py``
compares the two builds row by row, so neither can change alone.

Column layout (``Layout`` records the offsets): E_t | a_{ptc} | h_{ptc} | z_l |
g_c | f_{l,fwd}, f_{l,rev}, where variables the model fixes are no columns.
Row groups carry the names of :data:`interop.model.formulation.GROUPS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from interop.model.data import ModelData, model_data


@dataclass
class ObjectiveParts:
    """The objective's terms as cost vectors over the columns, for re-weighting in place.

    Z = effect − λ Σ_n α_n Aut_n − μ link (formulation.md, Objective). Aut_n is
    kept as per-column losses and the nation each column belongs to, so that
    Σ α Aut for new weights costs one pass, not one vector per nation.
    """

    effect: np.ndarray  # Σ_t w_t E_t
    link: np.ndarray  # Σ_l k_l z_l
    nations: list[str]
    loss_columns: np.ndarray  # columns that carry autonomy loss
    loss: np.ndarray  # their loss per unit (v κ for a, v ι for h), unweighted
    loss_nation: np.ndarray  # index into ``nations`` of each such column

    def weighted_autonomy(self, alpha: dict[str, float]) -> np.ndarray:
        """Σ_n α_n Aut_n as a cost vector."""
        weight = np.array([float(alpha.get(n, 0.0)) for n in self.nations])
        total = np.zeros_like(self.effect)
        total[self.loss_columns] = weight[self.loss_nation] * self.loss if len(weight) else 0.0
        return total

    def autonomy(self, nation: str) -> np.ndarray:
        """Aut_n of one nation as a cost vector."""
        return self.weighted_autonomy({nation: 1.0})

    def costs(self, lam: float, mu: float, alpha: dict[str, float]) -> np.ndarray:
        """The cost vector of Z with λ, μ and α given."""
        return self.effect - lam * self.weighted_autonomy(alpha) - mu * self.link


@dataclass
class MatrixModel:
    """A MILP in HiGHS's terms: row_lower ≤ A x ≤ row_upper, bounds, integrality."""

    cost: np.ndarray
    offset: float
    maximize: bool
    matrix: object  # scipy.sparse csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    columns: list = field(default_factory=list)  # Pyomo VarData per column, if compiled from Pyomo
    # Σ α Aut as a cost vector: among optimal plans the one minimising it is reported
    tie_break: np.ndarray | None = None
    parts: ObjectiveParts | None = None  # the objective's terms, where known


@dataclass
class Layout:
    """Where each variable family sits in the column vector, and each row group in the rows.

    Fixed variables are not columns (Pyomo's compiler substitutes them): ``h_of``
    lists the assignments whose h is a column, ``z_of`` the links whose z is,
    ``free_nodes`` the nodes whose g is.
    """

    n_tasks: int
    n_assign: int
    h_of: np.ndarray
    z_of: np.ndarray
    free_nodes: np.ndarray
    n_links: int
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # group -> (start, stop)
    # the requirement groups (c5, c7, c8): the task or nation id of each row, in row order
    row_keys: dict[str, list[str]] = field(default_factory=dict)

    @property
    def E(self) -> slice:
        return slice(0, self.n_tasks)

    @property
    def a(self) -> slice:
        return slice(self.n_tasks, self.n_tasks + self.n_assign)

    @property
    def h(self) -> slice:
        return slice(self.a.stop, self.a.stop + len(self.h_of))

    @property
    def z(self) -> slice:
        return slice(self.h.stop, self.h.stop + len(self.z_of))

    @property
    def g(self) -> slice:
        return slice(self.z.stop, self.z.stop + len(self.free_nodes))

    @property
    def f(self) -> slice:
        return slice(self.g.stop, self.g.stop + 2 * self.n_links)

    @property
    def n_cols(self) -> int:
        return self.f.stop


class InfeasibleBuild(Exception):
    """The model has a constraint with no variable that cannot hold (a floor nothing can meet)."""


class _Rows:
    """Accumulates row groups as COO triplets with their bounds."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.up: list[np.ndarray] = []
        self.count = 0
        self.groups: dict[str, tuple[int, int]] = {}
        self.keys: dict[str, list[str]] = {}

    def add(self, name: str, rows, cols, vals, lower, upper, keys: list[str] | None = None) -> None:
        """Add a group whose local row ids are ``rows`` (0..k-1) with bounds of length k (and ids ``keys``)."""
        lower, upper = np.atleast_1d(np.asarray(lower, float)), np.atleast_1d(np.asarray(upper, float))
        k = len(lower)
        self.r.append(np.asarray(rows, np.int64) + self.count)
        self.c.append(np.asarray(cols, np.int64))
        self.v.append(np.asarray(vals, float))
        self.lo.append(lower)
        self.up.append(upper)
        self.groups[name] = (self.count, self.count + k)
        if keys is not None:
            self.keys[name] = list(keys)
        self.count += k

    def finish(self, n_cols: int) -> tuple[sp.csc_array, np.ndarray, np.ndarray, dict[str, tuple[int, int]]]:
        """The matrix, row bounds and group ranges, without rows left with no variable.

        A row whose variables are all fixed (the flow balance of an isolated
        node, say) holds or makes the model infeasible; it is dropped, or
        :class:`InfeasibleBuild` raised. (Pyomo's compiler sometimes keeps such
        a row empty, sometimes drops it: the MILP is the same either way.)
        """
        r, c, v = (np.concatenate(x) if x else np.zeros(0) for x in (self.r, self.c, self.v))
        keep = v != 0
        r, c, v = r[keep].astype(np.int64), c[keep].astype(np.int64), v[keep]
        lower, upper = np.concatenate(self.lo), np.concatenate(self.up)
        used = np.bincount(r, minlength=self.count) > 0
        if np.any(~used & ((lower > 0) | (upper < 0))):
            raise InfeasibleBuild("a constraint with no variable cannot hold")
        new_id = np.cumsum(used) - 1
        groups = {k: (int(used[:a].sum()), int(used[:b].sum())) for k, (a, b) in self.groups.items()}
        a_of = {k: a for k, (a, _b) in self.groups.items()}
        self.keys = {k: [x for i, x in enumerate(ids) if used[a_of[k] + i]] for k, ids in self.keys.items()}
        m = sp.coo_array((v, (new_id[r], c)), shape=(int(used.sum()), n_cols)).tocsc()
        return m, lower[used], upper[used], groups


def layout(data: ModelData) -> Layout:
    """The column layout of :func:`build_matrix` (cheap: no matrix is built)."""
    inst = data.instance
    is_root = np.array([c.root for c in inst.command_nodes], dtype=bool)
    nA, nL = len(data.assignments), len(data.links)
    return Layout(len(inst.tasks), nA, np.arange(nA), np.arange(nL), np.flatnonzero(~is_root), nL)


def build_matrix(source, *, epsilon: float | None = None) -> tuple[MatrixModel, Layout, ModelData]:
    """The MILP of ``build_model(source, epsilon=...)`` as matrices.

    Raises :class:`InfeasibleBuild` when a burden floor is positive for a nation
    with no admissible assignment (the Pyomo model's ``Constraint.Infeasible``).
    """
    data = source if isinstance(source, ModelData) else model_data(source)
    inst, par, A = data.instance, data.instance.parameters, data.assignments
    nT, nA, nC = len(inst.tasks), len(A), len(inst.command_nodes)
    node_index = {c.id: i for i, c in enumerate(inst.command_nodes)}
    is_root = np.array([c.root for c in inst.command_nodes], dtype=bool)
    capacity = np.array([c.capacity for c in inst.command_nodes], float)
    u = np.array([node_index[x] for x in data.links["u"]], dtype=np.int64)
    v = np.array([node_index[x] for x in data.links["v"]], dtype=np.int64)
    nL = len(u)

    p, t, c, n = (A[k].to_numpy(np.int64) for k in ("p", "t", "c", "n"))
    effect, bonus = A["effect"].to_numpy(float), A["bonus"].to_numpy(float)
    value, kappa, count = A["value"].to_numpy(float), A["kappa"].to_numpy(float), A["count"].to_numpy(float)
    ub, size = count, float(nC)
    lay = layout(data)
    h_of = lay.h_of
    col_a = np.arange(lay.a.start, lay.a.stop)
    col_h = np.arange(lay.h.start, lay.h.stop)  # one per h_of
    g_col = np.full(nC, -1, dtype=np.int64)
    g_col[lay.free_nodes] = np.arange(lay.g.start, lay.g.stop)
    z_col = np.full(nL, -1, dtype=np.int64)
    z_col[lay.z_of] = np.arange(lay.z.start, lay.z.stop)
    rows = _Rows()

    # 1. units and 2. span of control, for platforms and nodes that have assignments
    for name, key, limit in (
        ("c1_units", p, np.array([x.count for x in inst.platforms], float)),
        ("c2_span", c, capacity),
    ):
        present, local = np.unique(key, return_inverse=True)
        rows.add(name, local, col_a, np.ones(nA), np.full(len(present), -np.inf), limit[present])
    # 3. h ≤ a and h ≤ ub g_c (a root's g is fixed to 1: the row becomes h ≤ ub)
    nh, ids = len(h_of), np.arange(len(h_of))
    rows.add(
        "c3_integrated",
        np.r_[ids, ids],
        np.r_[col_h, col_a[h_of]],
        np.r_[np.ones(nh), -np.ones(nh)],
        np.full(nh, -np.inf),
        np.zeros(nh),
    )
    hc = c[h_of]
    at_root = is_root[hc]
    nr = ids[~at_root]
    rows.add(
        "c3_node",
        np.r_[ids, nr],
        np.r_[col_h, g_col[hc[nr]]],
        np.r_[np.ones(nh), -ub[h_of][nr]],
        np.full(nh, -np.inf),
        np.where(at_root, ub[h_of], 0.0),
    )
    # 4. E_t − Σ e a − Σ e b h ≤ 0, every task
    rows.add(
        "c4_effect",
        np.r_[np.arange(nT), t, t[h_of]],
        np.r_[np.arange(nT), col_a, col_h],
        np.r_[np.ones(nT), -effect, -(effect * bonus)[h_of]],
        np.full(nT, -np.inf),
        np.zeros(nT),
    )
    # 5. E_t ≥ m_t r_t where positive
    floor_t = np.array([x.min_coverage * x.demand for x in inst.tasks], float)
    cov = np.flatnonzero(floor_t > 0)
    keys = [inst.tasks[i].id for i in cov]
    rows.add("c5_coverage", np.arange(len(cov)), cov, np.ones(len(cov)), floor_t[cov], np.full(len(cov), np.inf), keys)
    _connectivity_rows(rows, lay, u, v, is_root, g_col, z_col, size)
    _nation_rows(rows, inst, n, kappa, value, col_a)

    # objective: Σ w E − λ Σ α_n Aut_n − μ Σ k z (epsilon form: Aut moves to a row ≤ ε)
    alpha = np.array([x.autonomy_weight for x in inst.nations], float)
    aut_a = alpha[n] * value * kappa
    aut_h = (alpha[n] * value * par.integration_autonomy_factor)[h_of]
    cost = np.zeros(lay.n_cols)
    cost[lay.E] = [x.priority for x in inst.tasks]
    cost[lay.z] = -par.link_cost_scale * data.links["cost"].to_numpy(float)[lay.z_of]
    if epsilon is None:
        cost[lay.a] = -par.autonomy_scale * aut_a
        cost[lay.h] = -par.autonomy_scale * aut_h
    else:
        rows.add(
            "epsilon_autonomy",
            np.zeros(nA + nh, dtype=np.int64),
            np.r_[col_a, col_h],
            np.r_[aut_a, aut_h],
            [-np.inf],
            [float(epsilon)],
        )

    col_lower = np.zeros(lay.n_cols)
    col_upper = np.full(lay.n_cols, np.inf)
    col_upper[lay.E] = [x.demand for x in inst.tasks]
    col_upper[lay.a] = ub
    col_upper[lay.h] = ub[h_of]
    col_upper[lay.z] = 1.0
    col_upper[lay.g] = 1.0
    integer = np.zeros(lay.n_cols, dtype=bool)
    integer[lay.a.start : lay.g.stop] = True
    matrix, lower, upper, lay.rows = rows.finish(lay.n_cols)
    lay.row_keys = rows.keys
    tie_break = None
    if epsilon is None:  # among optimal plans, the least Σ α Aut (interop.solve.least_among_optima)
        tie_break = np.zeros(lay.n_cols)
        tie_break[lay.a], tie_break[lay.h] = aut_a, aut_h
    mm = MatrixModel(
        cost=cost,
        offset=0.0,
        maximize=True,
        matrix=matrix,
        row_lower=lower,
        row_upper=upper,
        col_lower=col_lower,
        col_upper=col_upper,
        integer=integer,
        tie_break=tie_break,
        parts=_objective_parts(lay, inst, data, n, value * kappa, (value * par.integration_autonomy_factor)[h_of]),
    )
    return mm, lay, data


def _objective_parts(lay: Layout, inst, data: ModelData, n, loss_a, loss_h) -> ObjectiveParts:
    """Σ w E, Σ k z and the autonomy losses as cost vectors (unweighted, unscaled)."""
    effect = np.zeros(lay.n_cols)
    effect[lay.E] = [x.priority for x in inst.tasks]
    link = np.zeros(lay.n_cols)
    link[lay.z] = data.links["cost"].to_numpy(float)[lay.z_of]
    columns = np.r_[np.arange(lay.a.start, lay.a.stop), np.arange(lay.h.start, lay.h.stop)]
    return ObjectiveParts(
        effect, link, [x.id for x in inst.nations], columns, np.r_[loss_a, loss_h], np.r_[n, n[lay.h_of]]
    )


def _connectivity_rows(rows: _Rows, lay: Layout, u, v, is_root, g_col, z_col, size) -> None:
    """6. flow balance and f ≤ |C|·z."""
    nL, nC = len(u), len(is_root)
    f_fwd, f_rev = lay.f.start + 2 * np.arange(nL), lay.f.start + 2 * np.arange(nL) + 1
    non_root = np.flatnonzero(~is_root)
    balance_row = np.full(nC, -1, dtype=np.int64)
    balance_row[non_root] = np.arange(len(non_root))
    # inflow at a node: fwd of links ending there, rev of links starting there; outflow the opposite
    ends = np.r_[v, u, u, v]
    fcols = np.r_[f_fwd, f_rev, f_fwd, f_rev]
    signs = np.r_[np.ones(2 * nL), -np.ones(2 * nL)]
    ok = balance_row[ends] >= 0
    has_g = g_col[non_root] >= 0
    rows.add(
        "c6_balance",
        np.r_[balance_row[ends[ok]], np.flatnonzero(has_g)],
        np.r_[fcols[ok], g_col[non_root][has_g]],
        np.r_[signs[ok], -np.ones(int(has_g.sum()))],
        np.zeros(len(non_root)),
        np.zeros(len(non_root)),
    )
    flow = np.arange(2 * nL)
    zc = np.repeat(z_col, 2)
    live = zc >= 0
    rows.add(
        "c6_flow",
        np.r_[flow, flow[live]],
        np.r_[lay.f.start + flow, zc[live]],
        np.r_[np.ones(2 * nL), np.full(int(live.sum()), -size)],
        np.full(2 * nL, -np.inf),
        np.zeros(2 * nL),
    )


def _nation_rows(rows: _Rows, inst, n, kappa, value, col_a) -> None:
    """7. non-national share and 8. burden floors."""
    nations = inst.nations
    phi = np.array([x.max_nonnational_share for x in nations], float)
    foreign = kappa > 0
    has_foreign = np.bincount(n[foreign], minlength=len(nations)) > 0
    limited = np.flatnonzero((phi < 1) & has_foreign)
    row_of = np.full(len(nations), -1, dtype=np.int64)
    row_of[limited] = np.arange(len(limited))
    sel = row_of[n] >= 0
    rows.add(
        "c7_nonnational",
        row_of[n[sel]],
        col_a[sel],
        value[sel] * (foreign[sel] - phi[n[sel]]),
        np.full(len(limited), -np.inf),
        np.zeros(len(limited)),
        [nations[i].id for i in limited],
    )
    owner = {x.id: i for i, x in enumerate(nations)}
    held = np.zeros(len(nations))
    np.add.at(held, [owner[x.nation] for x in inst.platforms], [x.value * x.count for x in inst.platforms])
    floor_n = np.array([x.min_commitment for x in nations]) * held
    floored = np.flatnonzero(floor_n > 0)
    any_assignment = np.bincount(n, minlength=len(nations)) > 0
    stuck = [nations[i].id for i in floored if not any_assignment[i]]
    if stuck:
        raise InfeasibleBuild(f"c8_burden[{stuck[0]}]: a positive floor and no admissible assignment")
    row_of = np.full(len(nations), -1, dtype=np.int64)
    row_of[floored] = np.arange(len(floored))
    sel = row_of[n] >= 0
    bounds = floor_n[floored], np.full(len(floored), np.inf)
    rows.add("c8_burden", row_of[n[sel]], col_a[sel], value[sel], *bounds, [nations[i].id for i in floored])
