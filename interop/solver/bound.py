"""A bound on an LP's optimum that holds whatever the solver's tolerances: weak duality, checked here.

For ``max c·x`` subject to ``L ≤ A x ≤ U`` and ``l ≤ x ≤ u``, every vector of
row prices ``y`` gives

    c·x = (c − Aᵀy)·x + y·A x ≤ Σ_j max(d_j l_j, d_j u_j) + Σ_r (y_r U_r if y_r > 0 else y_r L_r)

with ``d = c − Aᵀy``, for every feasible ``x`` (a price is kept only on the
side where its row bound is finite). So any prices, optimal or not, from
simplex, from an interior point method stopped before crossover, or from a
first-order method, bound the LP relaxation's optimum and therefore the
MILP's. The closer the prices are to optimal, the tighter the bound; at an
exact optimum it is the LP's optimum. This is the "safe" dual bound of
Neumaier and Shcherbina (2004), without their interval arithmetic: the sums
are in floating point, whose rounding is far below the gaps reported.

A column with no finite upper bound (a flow f on a link) takes the bound its
rows imply (f ≤ |C| z ≤ |C|), so that a price vector close to optimal does
not give an infinite bound for a reduced cost of 1e-12.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from interop.model.matrix import MatrixModel


def implied_upper(mm: MatrixModel) -> np.ndarray:
    """Column upper bounds, with each infinite one replaced by the tightest one-row bound where a row gives one.

    Row r with a finite upper bound U_r and a positive coefficient a_rj gives
    x_j ≤ (U_r − the least activity of the row's other terms) / a_rj, when that
    least activity is finite.
    """
    upper = np.asarray(mm.col_upper, float).copy()
    open_cols = np.flatnonzero(np.isinf(upper))
    if not len(open_cols):
        return upper
    coo = sp.coo_array(mm.matrix)
    r, c, a = coo.row, coo.col, coo.data
    low = np.where(a > 0, mm.col_lower[c], upper[c]) * a  # each term's least value
    infinite = ~np.isfinite(low)
    n_rows = mm.matrix.shape[0]
    least = np.bincount(r, weights=np.where(infinite, 0.0, low), minlength=n_rows)
    n_inf = np.bincount(r, weights=infinite.astype(float), minlength=n_rows)
    # the least activity of the other terms of each entry's row is finite when the entry holds the row's only infinity
    others_finite = (n_inf[r] == 0) | ((n_inf[r] == 1) & infinite)
    cand = (a > 0) & np.isfinite(mm.row_upper[r]) & others_finite & np.isin(c, open_cols)
    rest = least[r] - np.where(infinite, 0.0, low)
    value = (mm.row_upper[r] - rest) / np.where(a != 0, a, 1.0)
    best = np.full(len(upper), np.inf)
    np.minimum.at(best, c[cand], value[cand])
    upper[open_cols] = np.maximum(best[open_cols], mm.col_lower[open_cols])
    return upper


def dual_bound(mm: MatrixModel, row_prices: np.ndarray, upper: np.ndarray | None = None) -> float:
    """An upper bound on ``max cost·x + offset`` over the LP relaxation of ``mm``, from any row prices.

    The prices may carry either sign convention: both ``y`` and ``−y`` give a
    valid bound, and the tighter is returned. ``upper``: the column bounds
    from :func:`implied_upper` (computed if not given).
    """
    if not mm.maximize:
        raise ValueError("dual_bound expects a maximisation")
    upper = implied_upper(mm) if upper is None else upper
    finite_up, finite_lo = np.isfinite(mm.row_upper), np.isfinite(mm.row_lower)
    row_up = np.where(finite_up, mm.row_upper, 0.0)
    row_lo = np.where(finite_lo, mm.row_lower, 0.0)
    best = np.inf
    for y in (np.asarray(row_prices, float), -np.asarray(row_prices, float)):
        y_up = np.where(finite_up, np.maximum(y, 0.0), 0.0)
        y_lo = np.where(finite_lo, np.minimum(y, 0.0), 0.0)
        y = y_up + y_lo
        d = mm.cost - mm.matrix.T @ y
        with np.errstate(invalid="ignore"):  # 0 · inf where a reduced cost is 0
            col = np.fmax(np.nan_to_num(d * mm.col_lower, nan=0.0), np.nan_to_num(d * upper, nan=0.0))
        value = float(y_up @ row_up + y_lo @ row_lo + col.sum()) + mm.offset
        best = min(best, value)
    return best
