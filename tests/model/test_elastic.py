"""The diagnosis's elastic model: the requirement rows of the matrix build, each with its slack column.

:func:`interop.analyses.explain.diagnose` reads which requirement a row is
from ``Layout.row_keys`` and what it "reaches" from the row's coefficients; a
row named after the wrong task or nation, a slack of the wrong sign or a row
cut loose from its bounds would name the wrong culprit or none. The Pyomo
model's constraints are the reference.
"""

import random

import numpy as np
import pytest
from pyomo.repn import generate_standard_repn

from interop.instance.loading import load_instance, parse_instance
from interop.model.data import model_data
from interop.model.elastic import REQUIREMENTS, ElasticModel
from interop.model.matrix import InfeasibleBuild, build_matrix
from interop.model.pyomo_model import build_model
from tests.bruteforce import random_document
from tests.conftest import TINY
from tests.model.test_builds_agree import _pyomo_column_order

CASES = [
    *(
        ("tiny", f"{path.name}:{s or ''}")
        for path in sorted(TINY.glob("*.yaml"))
        for s in [None, *load_instance(path).scenarios]
    ),
    *(("random", f"{seed}:{s or ''}") for seed in (7, 8, 21, 29, 37, 41) for s in (None, "s")),
]


def _instance(kind: str, case: str):
    name, _, scenario = case.partition(":")
    if kind == "tiny":
        return load_instance(TINY / name, scenario or None)
    return parse_instance(random_document(random.Random(int(name))), scenario or None)


@pytest.mark.parametrize("kind,case", CASES)
def test_requirement_rows_are_the_pyomo_models_requirements(kind, case):
    inst = _instance(kind, case)
    data = model_data(inst)
    try:
        em = ElasticModel(data)
    except InfeasibleBuild:  # a floor with nothing to commit: diagnosed before any model is built
        pytest.skip("no elastic model")
    m = build_model(data)
    assert em.keys == [(g, idx) for g in REQUIREMENTS for idx in getattr(m, g)]
    where = _pyomo_column_order(m, em.layout, data)
    n_cols = em.layout.n_cols
    for i, (group, idx) in enumerate(em.keys):
        con = getattr(m, group)[idx]
        repn = generate_standard_repn(con.body, compute_values=True)
        expected = np.zeros(n_cols)
        for var, coef in zip(repn.linear_vars, repn.linear_coefs):
            expected[where[id(var)]] += coef
        np.testing.assert_allclose(em._row_coefs[[i]].toarray().ravel(), expected, rtol=1e-12, atol=0)
        lower = -np.inf if con.lower is None else float(con.lower) - float(repn.constant)
        upper = np.inf if con.upper is None else float(con.upper) - float(repn.constant)
        assert (em.lower[i], em.upper[i]) == pytest.approx((lower, upper))
        # its slack: one entry, in its row, loosening it (+ for a floor, − for a limit)
        column = em.model.matrix.tocsc()[:, [em.slack_cols[i]]]
        assert column.indices.tolist() == [em.rows[i]]
        assert column.data.tolist() == [1.0 if np.isfinite(lower) else -1.0]
        x = np.zeros(em.model.matrix.shape[1])
        x[:n_cols] = np.arange(n_cols)
        assert em.body((group, idx), x) == pytest.approx(float(expected @ np.arange(n_cols)))


@pytest.mark.parametrize("case", ["hand-coverage.yaml:unreachable", "hand-limits.yaml:", "format-example.yaml:"])
def test_states_make_rows_hard_elastic_or_free(case):
    inst = _instance("tiny", case)
    built, _, _ = build_matrix(inst)
    em = ElasticModel(model_data(inst))
    if not em.keys:
        pytest.skip("no requirement")
    n_cols, rest = built.matrix.shape[1], np.setdiff1d(np.arange(built.matrix.shape[0]), em.rows)
    keys = set(em.keys)
    em.set_state(keys, set())  # all hard: the default model, the slacks held at 0
    mm = em.model
    assert (mm.matrix.tocsc()[:, :n_cols] != built.matrix.tocsc()).nnz == 0
    np.testing.assert_array_equal(mm.row_lower, built.row_lower)
    np.testing.assert_array_equal(mm.row_upper, built.row_upper)
    np.testing.assert_array_equal(mm.col_upper[:n_cols], built.col_upper)
    assert not mm.col_upper[em.slack_cols].any()
    em.set_state(set(), keys)  # all elastic: same rows, slacks free
    np.testing.assert_array_equal(mm.row_lower, built.row_lower)
    assert np.isinf(mm.col_upper[em.slack_cols]).all()
    em.set_state(set(), set())  # all dropped: the requirement rows are free, no other row moves
    assert np.isinf(mm.row_lower[em.rows]).all() and np.isinf(mm.row_upper[em.rows]).all()
    np.testing.assert_array_equal(mm.row_lower[rest], built.row_lower[rest])
    np.testing.assert_array_equal(mm.row_upper[rest], built.row_upper[rest])
    assert not mm.col_upper[em.slack_cols].any()
