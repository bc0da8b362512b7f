"""The compact form of the default MILP: the same optimum with about half the columns.

A triple (p, t, c) is admissible exactly when the pair (p, t) is (the platform
acts in the task's domain and theater, and its nation is allowed on the task)
and the triple (p, c, k) is, with k = (domain, theater) the task's *class* (the
node commands that domain in that theater, shares a standard with the
platform, and no caveat forbids it). So a_{p,t,c} and h_{p,t,c} can be replaced
by what the rows actually read (``docs/performance.md``, "Theatre scale"):

* x_{p,t}, hx_{p,t}: units of p serving t, of which integrated (rows 1, 4);
* y_{p,c,k}, hy_{p,c,k}: units of p commanded by c in class k, of which
  integrated (rows 2, 3, 7, 8 and the autonomy loss),

linked by Σ_{t∈k} x_{p,t} = Σ_c y_{p,c,k} and Σ_{t∈k} hx_{p,t} = Σ_c hy_{p,c,k}
for every (p, k). Every (t, c) of a class is admissible for p, so integral
marginals split into integral triples with h ≤ a (a transportation problem
on a complete bipartite graph: :func:`triple_values` fills it north-west
corner first), and every triple plan gives marginals with the same objective:
the two MILPs have the same optimum. Row 3's h ≤ q_p g_c becomes one row per
(p, c), Σ_k hy_{p,c,k} ≤ q_p g_c, valid because Σ_k hy ≤ Σ a ≤ q_p.
``tests/model/test_compact.py`` compares the optima with the triple model and
with exhaustive enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from interop.model.data import ModelData
from interop.model.matrix import Layout, MatrixModel, _connectivity_rows, _nation_rows, _Rows


@dataclass
class CompactLayout:
    """Column offsets of the compact MILP, and how its columns map to triples."""

    n_tasks: int
    pt_p: np.ndarray  # platform of each (p, t) column
    pt_t: np.ndarray
    pt_pk: np.ndarray  # its (p, k) group
    pck_p: np.ndarray  # platform of each (p, c, k) column
    pck_c: np.ndarray  # its node
    pck_pk: np.ndarray  # its (p, k) group
    triple_pt: np.ndarray  # for each triple of A: its (p, t) column index
    triple_pck: np.ndarray  # and its (p, c, k) column index
    n_links: int
    free_nodes: np.ndarray

    @property
    def x(self) -> slice:
        return slice(self.n_tasks, self.n_tasks + len(self.pt_p))

    @property
    def hx(self) -> slice:
        return slice(self.x.stop, self.x.stop + len(self.pt_p))

    @property
    def y(self) -> slice:
        return slice(self.hx.stop, self.hx.stop + len(self.pck_c))

    @property
    def hy(self) -> slice:
        return slice(self.y.stop, self.y.stop + len(self.pck_c))

    @property
    def z(self) -> slice:
        return slice(self.hy.stop, self.hy.stop + self.n_links)

    @property
    def g(self) -> slice:
        return slice(self.z.stop, self.z.stop + len(self.free_nodes))

    @property
    def f(self) -> slice:
        return slice(self.g.stop, self.g.stop + 2 * self.n_links)

    @property
    def n_cols(self) -> int:
        return self.f.stop


def _groups(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the integer ``columns`` (sorted), as a 2-d array, and each row's group."""
    if len(columns[0]) == 0:
        return np.zeros((0, len(columns)), dtype=np.int64), np.zeros(0, dtype=np.int64)
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:  # one int64 key per row (sizes are bounded far below 2**63)
        key = key * (int(col.max()) + 1) + col
    unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return np.stack([col[first] for col in columns], axis=1), inverse.ravel()


def compact_layout(data: ModelData) -> CompactLayout:
    """The (p, t), (p, c, k) and (p, k) index sets of ``data``'s admissible triples."""
    inst, A = data.instance, data.assignments
    classes = {}
    task_class = np.array([classes.setdefault((x.domain, x.theater), len(classes)) for x in inst.tasks], dtype=np.int64)
    p, t, c = (A[k].to_numpy(np.int64) for k in ("p", "t", "c"))
    k = task_class[t] if len(t) else np.zeros(0, dtype=np.int64)
    pt, triple_pt = _groups(p, t)
    pck, triple_pck = _groups(p, c, k)
    _, pk_of = _groups(np.r_[pt[:, 0], pck[:, 0]], np.r_[task_class[pt[:, 1]], pck[:, 2]])
    pt_pk, pck_pk = pk_of[: len(pt)], pk_of[len(pt) :]
    n_pk = int(pk_of.max(initial=-1)) + 1
    # the product property that makes the compact form exact: every (t, c) of a (p, k) is a triple
    n_t = np.bincount(pt_pk, minlength=n_pk)
    n_c = np.bincount(pck_pk, minlength=n_pk)
    if int(n_t @ n_c) != len(A):  # pragma: no cover - a broken admissibility rule
        raise AssertionError("admissible triples are not a product of (p, t) and (p, c, k) pairs")
    is_root = np.array([x.root for x in inst.command_nodes], dtype=bool)
    return CompactLayout(
        n_tasks=len(inst.tasks),
        pt_p=pt[:, 0],
        pt_t=pt[:, 1],
        pt_pk=pt_pk,
        pck_p=pck[:, 0],
        pck_c=pck[:, 1],
        pck_pk=pck_pk,
        triple_pt=triple_pt,
        triple_pck=triple_pck,
        n_links=len(data.links),
        free_nodes=np.flatnonzero(~is_root),
    )


def build_compact(data: ModelData) -> tuple[MatrixModel, CompactLayout]:
    """The default MILP (not the epsilon form) in compact columns; same optimum as build_matrix."""
    inst, par = data.instance, data.instance.parameters
    lay = compact_layout(data)
    nT, nC = len(inst.tasks), len(inst.command_nodes)
    node_index = {x.id: i for i, x in enumerate(inst.command_nodes)}
    is_root = np.array([x.root for x in inst.command_nodes], dtype=bool)
    capacity = np.array([x.capacity for x in inst.command_nodes], float)
    u = np.array([node_index[x] for x in data.links["u"]], dtype=np.int64)
    v = np.array([node_index[x] for x in data.links["v"]], dtype=np.int64)
    count = np.array([x.count for x in inst.platforms], float)
    value = np.array([x.value for x in inst.platforms], float)
    nations = [x.id for x in inst.nations]
    nation_of = np.array([nations.index(x.nation) for x in inst.platforms], dtype=np.int64)
    domains = list(inst.domains)
    task_domain = np.array([domains.index(x.domain) for x in inst.tasks], dtype=np.int64)
    bonus_t = np.array([par.bonus(d) for d in domains])[task_domain] if nT else np.zeros(0)
    effect = np.array([[x.effects.get(d, 0.0) for d in domains] for x in inst.platforms]).reshape(
        len(inst.platforms), len(domains)
    )

    npt, npck, npk = len(lay.pt_p), len(lay.pck_c), int(lay.pt_pk.max(initial=-1)) + 1
    col_x, col_hx = np.arange(lay.x.start, lay.x.stop), np.arange(lay.hx.start, lay.hx.stop)
    col_y, col_hy = np.arange(lay.y.start, lay.y.stop), np.arange(lay.hy.start, lay.hy.stop)
    g_col = np.full(nC, -1, dtype=np.int64)
    g_col[lay.free_nodes] = np.arange(lay.g.start, lay.g.stop)
    z_col = np.arange(lay.z.start, lay.z.stop)
    pck_p = lay.pck_p
    e_pt = effect[lay.pt_p, task_domain[lay.pt_t]] if npt else np.zeros(0)
    kappa_y = data.kappa[nation_of[pck_p], lay.pck_c] if npck else np.zeros(0)
    rows = _Rows()

    for name, key, cols, limit in (("c1_units", lay.pt_p, col_x, count), ("c2_span", lay.pck_c, col_y, capacity)):
        present, local = np.unique(key, return_inverse=True)
        rows.add(name, local, cols, np.ones(len(cols)), np.full(len(present), -np.inf), limit[present])
    for name, left, right in (("link_units", col_x, col_y), ("link_integrated", col_hx, col_hy)):
        rows.add(
            name,
            np.r_[lay.pt_pk, lay.pck_pk],
            np.r_[left, right],
            np.r_[np.ones(npt), -np.ones(npck)],
            np.zeros(npk),
            np.zeros(npk),
        )
    ids_pt, ids_pck = np.arange(npt), np.arange(npck)
    rows.add(
        "c3_integrated",
        np.r_[ids_pt, ids_pt, npt + ids_pck, npt + ids_pck],
        np.r_[col_hx, col_x, col_hy, col_y],
        np.r_[np.ones(npt), -np.ones(npt), np.ones(npck), -np.ones(npck)],
        np.full(npt + npck, -np.inf),
        np.zeros(npt + npck),
    )
    pc, pc_of = _groups(pck_p, lay.pck_c)
    at_root = is_root[pc[:, 1]] if len(pc) else np.zeros(0, dtype=bool)
    live = np.flatnonzero(~at_root)
    rows.add(
        "c3_node",
        np.r_[pc_of, live],
        np.r_[col_hy, g_col[pc[live, 1]]],
        np.r_[np.ones(npck), -count[pc[live, 0]]],
        np.full(len(pc), -np.inf),
        np.where(at_root, count[pc[:, 0]] if len(pc) else 0.0, 0.0),
    )
    rows.add(
        "c4_effect",
        np.r_[np.arange(nT), lay.pt_t, lay.pt_t],
        np.r_[np.arange(nT), col_x, col_hx],
        np.r_[np.ones(nT), -e_pt, -e_pt * bonus_t[lay.pt_t]],
        np.full(nT, -np.inf),
        np.zeros(nT),
    )
    floor_t = np.array([x.min_coverage * x.demand for x in inst.tasks], float)
    cov = np.flatnonzero(floor_t > 0)
    rows.add("c5_coverage", np.arange(len(cov)), cov, np.ones(len(cov)), floor_t[cov], np.full(len(cov), np.inf))
    _connectivity_rows(rows, lay, u, v, is_root, g_col, z_col, float(nC))
    _nation_rows(rows, inst, nation_of[pck_p], kappa_y, value[pck_p], col_y)

    alpha = np.array([x.autonomy_weight for x in inst.nations], float)
    aut_y = alpha[nation_of[pck_p]] * value[pck_p] * kappa_y
    aut_hy = alpha[nation_of[pck_p]] * value[pck_p] * par.integration_autonomy_factor
    cost = np.zeros(lay.n_cols)
    cost[:nT] = [x.priority for x in inst.tasks]
    cost[lay.y] = -par.autonomy_scale * aut_y
    cost[lay.hy] = -par.autonomy_scale * aut_hy
    cost[lay.z] = -par.link_cost_scale * data.links["cost"].to_numpy(float)
    col_lower, col_upper = np.zeros(lay.n_cols), np.full(lay.n_cols, np.inf)
    col_upper[:nT] = [x.demand for x in inst.tasks]
    for s, ub in ((lay.x, count[lay.pt_p]), (lay.hx, count[lay.pt_p]), (lay.y, count[pck_p]), (lay.hy, count[pck_p])):
        col_upper[s] = ub
    col_upper[lay.z.start : lay.g.stop] = 1.0
    integer = np.zeros(lay.n_cols, dtype=bool)
    integer[lay.x.start : lay.g.stop] = True
    matrix, lower, upper, _ = rows.finish(lay.n_cols)
    tie_break = np.zeros(lay.n_cols)
    tie_break[lay.y], tie_break[lay.hy] = aut_y, aut_hy
    mm = MatrixModel(cost, 0.0, True, matrix, lower, upper, col_lower, col_upper, integer, tie_break=tie_break)
    return mm, lay


def triple_values(data: ModelData, compact: CompactLayout, plain: Layout, values: np.ndarray) -> np.ndarray:
    """The plain layout's solution vector (E, a, h, z, g, f) of an integral compact solution.

    In each (p, k) group the integrated units hx_{p,t} are matched to hy_{p,c,k},
    then the others (x − hx to y − hy), north-west corner first: a deterministic
    integral split with h ≤ a on admissible triples.
    """
    nA = len(data.assignments)
    x = np.round(values[compact.x]).astype(np.int64)
    hx = np.round(values[compact.hx]).astype(np.int64)
    y = np.round(values[compact.y]).astype(np.int64)
    hy = np.round(values[compact.hy]).astype(np.int64)
    pt_by_pk, pck_by_pk = _members(compact.pt_pk), _members(compact.pck_pk)
    moves: list[tuple[int, int, int, int]] = []  # (pt column, pck column, units, integrated?)
    for g in np.unique(compact.pt_pk[x > 0]):
        rows_t, rows_c = pt_by_pk[int(g)], pck_by_pk[int(g)]
        for amount_t, amount_c, integrated in ((hx, hy, 1), (x - hx, y - hy, 0)):
            for i, j, units in _northwest(amount_t[rows_t], amount_c[rows_c]):
                moves.append((int(rows_t[i]), int(rows_c[j]), units, integrated))
    a, h = np.zeros(nA, dtype=np.int64), np.zeros(nA, dtype=np.int64)
    if moves:
        i_pt, j_pck, units, integrated = (np.array(m, dtype=np.int64) for m in zip(*moves))
        n_pck = len(compact.pck_c)
        keys = compact.triple_pt * n_pck + compact.triple_pck
        order = np.argsort(keys)
        where = order[np.searchsorted(keys[order], i_pt * n_pck + j_pck)]
        np.add.at(a, where, units)
        np.add.at(h, where, units * integrated)
    out = np.zeros(plain.n_cols)
    out[plain.E] = values[: compact.n_tasks]
    out[plain.a] = a
    out[plain.h] = h[plain.h_of]
    out[plain.z] = values[compact.z][plain.z_of]
    out[plain.g] = values[compact.g]
    out[plain.f] = values[compact.f]
    return out


def _members(group: np.ndarray) -> dict[int, np.ndarray]:
    """For each group id, the positions holding it."""
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    return {int(group[chunk[0]]): chunk for chunk in np.split(order, bounds) if len(chunk)}


def _northwest(supply: np.ndarray, demand: np.ndarray) -> list[tuple[int, int, int]]:
    """An integral transport plan from ``supply`` to ``demand`` (equal totals): (i, j, units)."""
    if int(supply.sum()) != int(demand.sum()):
        raise ValueError(f"unbalanced group: {int(supply.sum())} units against {int(demand.sum())}")
    out, s, d = [], supply.copy(), demand.copy()
    i = j = 0
    while i < len(s) and j < len(d):
        units = min(s[i], d[j])
        if units > 0:
            out.append((i, j, int(units)))
        s[i] -= units
        d[j] -= units
        if s[i] == 0:
            i += 1
        else:
            j += 1
    return out
