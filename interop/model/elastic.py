"""The default model with an elastic slack on each requirement row, for diagnosing infeasibility.

With nothing assigned every constraint of the formulation holds but three
families: minimum coverage (c5_coverage), the non-national share limits
(c7_nonnational) and the burden floors (c8_burden). :class:`ElasticModel`
takes the matrix build (:func:`interop.model.matrix.build_matrix`) and adds
one column s ≥ 0 per such row — ``row + s ≥ lower`` for a floor,
``row − s ≤ upper`` for a limit — so that
:func:`interop.analyses.explain.diagnose` can make each requirement hard
(s = 0), elastic (s free, its size in the objective) or dropped (row free)
by changing bounds, and minimise the slacks or push one requirement's row as
far as the rest allows, without building the model again.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from interop.model.data import ModelData
from interop.model.matrix import MatrixModel, build_matrix

REQUIREMENTS = ("c5_coverage", "c7_nonnational", "c8_burden")
"""The row groups that can make the default model infeasible, in diagnosis order."""

Key = tuple[str, str]  # (group, task or nation id), e.g. ("c5_coverage", "patrol")


class ElasticModel:
    """The default model's matrices with a slack column on each requirement row.

    ``keys`` lists the requirements (group, id) in row order; every
    requirement starts dropped. :attr:`model` is handed to HiGHS as it stands
    after :meth:`set_state` and one of :meth:`least_slack` or :meth:`reach`.
    """

    def __init__(self, data: ModelData):
        built, lay, _ = build_matrix(data)  # raises InfeasibleBuild for a floor with nothing to commit
        self.data, self.layout = data, lay
        self.keys: list[Key] = [(g, x) for g in REQUIREMENTS for x in lay.row_keys.get(g, [])]
        self.rows = np.array(
            [lay.rows[g][0] + i for g in REQUIREMENTS for i in range(len(lay.row_keys.get(g, [])))], dtype=np.int64
        )
        self.lower, self.upper = built.row_lower[self.rows], built.row_upper[self.rows]
        self.is_floor = np.isfinite(self.lower)
        n_rows, n_cols = built.matrix.shape
        k = len(self.keys)
        self.slack_cols = n_cols + np.arange(k)
        slack = sp.csc_array((np.where(self.is_floor, 1.0, -1.0), (self.rows, np.arange(k))), shape=(n_rows, k))
        self._row_coefs = sp.csr_array(built.matrix)[self.rows]
        self.model: MatrixModel = replace(
            built,
            cost=np.zeros(n_cols + k),
            offset=0.0,
            maximize=False,
            matrix=sp.hstack([sp.csc_array(built.matrix), slack], format="csc"),
            row_lower=built.row_lower.copy(),
            row_upper=built.row_upper.copy(),
            col_lower=np.r_[built.col_lower, np.zeros(k)],
            col_upper=np.r_[built.col_upper, np.zeros(k)],
            integer=np.r_[built.integer, np.zeros(k, dtype=bool)],
            tie_break=None,
            parts=None,
            columns=[],
        )
        self.set_state(set(), set())

    def set_state(self, hard: set[Key], elastic: set[Key]) -> None:
        """Requirements in ``hard`` enforced, in ``elastic`` enforced up to their slack, the rest dropped."""
        mm = self.model
        for i, key in enumerate(self.keys):
            kept = key in hard or key in elastic
            mm.row_lower[self.rows[i]] = self.lower[i] if kept else -np.inf
            mm.row_upper[self.rows[i]] = self.upper[i] if kept else np.inf
            mm.col_upper[self.slack_cols[i]] = np.inf if key in elastic else 0.0

    def least_slack(self, weight: dict[Key, float]) -> None:
        """Minimise Σ weight · slack."""
        mm = self.model
        mm.cost = np.zeros(len(mm.cost))
        mm.cost[self.slack_cols] = [weight[k] for k in self.keys]
        mm.maximize = False

    def reach(self, key: Key) -> None:
        """Push ``key``'s row as far as the model allows: up for a floor, down for a limit."""
        mm = self.model
        i = self.keys.index(key)
        mm.cost = np.zeros(len(mm.cost))
        mm.cost[: self._row_coefs.shape[1]] = self._row_coefs[[i]].toarray().ravel()
        mm.maximize = bool(self.is_floor[i])

    def slack(self, values: np.ndarray) -> dict[Key, float]:
        """Each requirement's slack in a solution."""
        return dict(zip(self.keys, np.asarray(values)[self.slack_cols].tolist()))

    def body(self, key: Key, values: np.ndarray) -> float:
        """The value of ``key``'s row (without its slack) in a solution."""
        i = self.keys.index(key)
        return float((self._row_coefs[[i]] @ np.asarray(values)[: self._row_coefs.shape[1]])[0])
