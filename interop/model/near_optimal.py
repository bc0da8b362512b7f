"""Modelling to generate alternatives on the matrix build: the floor on Z and the distance objective.

:func:`interop.analyses.alternatives.alternatives` asks for plans within a
slack of the optimum Z* that are as different as possible from the plans found
so far. Both pieces are linear over the columns of
:func:`interop.model.matrix.build_matrix` (:class:`interop.model.matrix.Layout`):

- the near-optimal row ``Z(x) ≥ floor``, with Z the default
  objective (λ, μ and α_n included), appended after the
  formulation's rows;
- the distance from a reference plan, exact over the link decisions z_l and
  the units y_pc = Σ_t a_ptc of platform p under node c::

      Σ_l [z⁰_l = 0] z_l + [z⁰_l = 1] (1 − z_l)
      + Σ_{p,c} ( [y⁰_pc = 0] y_pc + [y⁰_pc > 0] (y⁰_pc − y_pc) ) / q_p

  as a cost vector and a constant (the objective's offset).

The most distant plan is rarely unique, and which of the tied plans HiGHS
returns depends on the order of the columns. :class:`NearOptimalModel` hands
HiGHS the columns in the order Pyomo's compiler gives the same model built on
:func:`interop.model.pyomo_model.build_model` (variables in order of first use:
the distance's z and a, then the constraints' h, g, E and f), so the plans are
those the Pyomo formulation of this analysis finds;
``tests/analyses/test_alternatives.py`` checks the two are the same matrices
bit for bit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from interop.model.data import ModelData
from interop.model.matrix import Layout, MatrixModel

NEAR_OPTIMAL = "near_optimal"
"""The floor row's name (in ``NearOptimalModel.rows``, and the Pyomo constraint of the reference)."""


def distance_costs(
    data: ModelData, lay: Layout, links_on: set[str], commands: dict[tuple[str, str], int]
) -> tuple[np.ndarray, float]:
    """The distance from a reference plan as (cost vector over the layout's columns, constant).

    ``links_on`` are the reference's active links, ``commands`` its units per
    (platform, command node), i.e. y⁰_pc.
    """
    cost = np.zeros(lay.n_cols)
    A = data.assignments
    count = A["count"].to_numpy(float)
    used = [key for key, units in commands.items() if units > 0]
    held = pd.MultiIndex.from_arrays([A["platform"], A["node"]]).isin(used) if used else np.zeros(len(A), bool)
    cost[lay.a] = np.where(held, -1.0, 1.0) / count
    on = data.links["link"].isin(list(links_on)).to_numpy(bool)[lay.z_of]
    cost[lay.z] = np.where(on, -1.0, 1.0)
    count_of = {p.id: p.count for p in data.instance.platforms}
    constant = int(on.sum()) + sum(units / count_of[p] for (p, _c), units in commands.items())
    return cost, float(constant)


def pyomo_column_order(data: ModelData, lay: Layout) -> np.ndarray:
    """The layout's columns in the order Pyomo compiles the alternatives model: ``order[j]`` is column j's.

    Pyomo's compiler numbers a variable family (all its free members, in index
    order) when it first meets one of them, objective first: the distance's z
    and a; then, constraint by constraint, h (c3_integrated), g (c3_node, when
    some assignment is at a node that is no root), E (c4_effect), and f and g
    in the order the first flow balance (c6_balance) names them (its node's
    flows, then its g).
    """
    is_root = np.array([c.root for c in data.instance.command_nodes], dtype=bool)
    ends = np.r_[data.links["u"].to_numpy(object), data.links["v"].to_numpy(object)]
    first_free = next((c for c, root in zip(data.nodes, is_root) if not root), None)
    at_free = bool((~is_root[data.assignments["c"].to_numpy(np.int64)]).any())
    families = ["z", "a", "h", *(["g"] if at_free else []), "E"]
    families += ["f", "g"] if first_free is not None and first_free in set(ends) else ["g", "f"]
    spans = {"z": lay.z, "a": lay.a, "h": lay.h, "g": lay.g, "E": lay.E, "f": lay.f}
    seen = [np.arange(spans[k].start, spans[k].stop) for k in dict.fromkeys(families)]
    seen.append(np.arange(lay.n_cols))  # any column no family named (none: every column is in one)
    order = np.concatenate(seen).astype(np.int64)
    _, first = np.unique(order, return_index=True)
    return order[np.sort(first)]


def z_row(built: MatrixModel, data: ModelData) -> np.ndarray:
    """Z as a row over the layout's columns, each coefficient rounded as Pyomo's compiler rounds it.

    ``built.cost`` is Z too, but forms v·α·κ in another order, which can differ
    in the last bit; :meth:`ObjectiveParts.costs` forms λ·(α_n·(v κ)), as Pyomo
    does from ``Z = weighted_effect − λ Σ_n α_n autonomy_loss[n] − μ link_cost``.
    """
    inst = data.instance
    alpha = {n.id: n.autonomy_weight for n in inst.nations}
    return built.parts.costs(inst.parameters.autonomy_scale, inst.parameters.link_cost_scale, alpha)


class NearOptimalModel:
    """The default model with Z ≥ floor, its objective the distance from given plans, for HiGHS.

    ``model`` is the matrix model in Pyomo's column order
    (:func:`pyomo_column_order`); :meth:`layout_values` brings a solution of it
    back to the layout's order for :func:`interop.solution.extract.matrix_decisions`.
    """

    def __init__(self, built: MatrixModel, data: ModelData, lay: Layout, floor: float):
        self.data, self.layout = data, lay
        self.order = pyomo_column_order(data, lay)
        n = built.matrix.shape[0]
        row = sp.csr_array(z_row(built, data).reshape(1, -1))
        matrix = sp.vstack([sp.csr_array(built.matrix), row], format="csc")[:, self.order].tocsc()
        matrix.sort_indices()
        self.model = replace(
            built,
            cost=np.zeros(lay.n_cols),
            offset=0.0,
            matrix=matrix,
            row_lower=np.r_[built.row_lower, float(floor) - built.offset],
            row_upper=np.r_[built.row_upper, np.inf],
            col_lower=built.col_lower[self.order],
            col_upper=built.col_upper[self.order],
            integer=built.integer[self.order],
            tie_break=None,
            parts=None,
            columns=[],
        )
        self.rows = {**lay.rows, NEAR_OPTIMAL: (n, n + 1)}

    def maximise_distance(self, plans: list[tuple[set[str], dict[tuple[str, str], int]]]) -> MatrixModel:
        """The model with the summed distance from ``plans`` (links on, units per (platform, node)) as objective."""
        cost, constant = np.zeros(self.layout.n_cols), 0.0
        for links_on, commands in plans:
            c, k = distance_costs(self.data, self.layout, links_on, commands)
            cost, constant = cost + c, constant + k
        self.model.cost, self.model.offset = cost[self.order], constant
        return self.model

    def layout_values(self, values: np.ndarray) -> np.ndarray:
        """A solution of :attr:`model` in the layout's column order."""
        out = np.empty(len(values))
        out[self.order] = values
        return out
