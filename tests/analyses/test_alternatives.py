"""Near-optimal alternatives: each within its slack, feasible, and different from the others."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyomo.environ as pyo
import pytest

from interop.analyses import alternatives as alternatives_module
from interop.analyses.alternatives import _commands, alternatives, distance
from interop.cli import run
from interop.instance.loading import load_instance
from interop.model.compile import compile_model
from interop.model.data import model_data
from interop.model.matrix import build_matrix
from interop.model.near_optimal import NEAR_OPTIMAL, NearOptimalModel
from interop.model.pyomo_model import build_model
from interop.solution.evaluate import Assignment, evaluate
from interop.solve import solve
from tests.conftest import TINY
from tests.model.test_builds_agree import _pyomo_column_order, _small

HERE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("name", "slack"), [("hand-resilience", 0.1), ("hand-chain", 0.5)])
def test_alternatives_within_slack_and_distinct(name, slack, tmp_path):
    path = HERE / "instances" / "tiny" / f"{name}.yaml"
    inst = load_instance(path)
    assert run(["alternatives", str(path), "--slack", str(slack), "--count", "3", "--out", str(tmp_path)]) == 0
    docs = [json.loads(p.read_text()) for p in sorted((tmp_path / "points").glob("*/solution.json"))]
    assert len(docs) >= 3
    z_star = docs[0]["objective"]
    for k, doc in enumerate(docs):
        assert doc["status"] == "optimal"
        assert doc["objective"] >= z_star - slack * max(1, abs(z_star)) - 1e-9
        plan = [Assignment(**a) for a in doc["assignments"]]
        ev = evaluate(inst, plan, doc["links"], doc["integrated_nodes"])
        assert ev.feasible and ev.objective == pytest.approx(doc["objective"])
        for other in docs[:k]:
            assert distance(inst, doc, other)["total"] > 0
    assert (tmp_path / "alternatives.csv").exists()


# --- the matrix build of the alternatives model against a Pyomo-built reference -----------------------------------


def _pyomo_distance(m, ref: dict):
    """The distance from ``ref`` as a Pyomo expression (the reference of interop.model.near_optimal)."""
    count = {p.id: p.count for p in m.interop_data.instance.platforms}
    on = set(ref.get("links", []))
    expr = sum((1 - m.z[lnk]) if lnk in on else m.z[lnk] for lnk in m.L)
    y0 = _commands(ref)
    for p, t, c in m.A:
        if y0.get((p, c), 0) > 0:
            expr -= m.a[p, t, c] / count[p]
        else:
            expr += m.a[p, t, c] / count[p]
    return expr + sum(units / count[p] for (p, _c), units in y0.items())


def _pyomo_model(inst, floor: float, docs: list[dict]):
    """The default Pyomo model with Z ≥ floor and the summed distance from ``docs`` maximised."""
    m = build_model(inst)
    m.near_optimal = pyo.Constraint(expr=m.Z.expr >= floor)
    m.Z.deactivate()
    m.diversity = pyo.Objective(expr=sum(_pyomo_distance(m, d) for d in docs), sense=pyo.maximize)
    return m


def _pyomo_alternatives(inst, slack: float, count: int) -> list[dict]:
    """The alternatives as the Pyomo model finds them (the algorithm of interop.analyses.alternatives)."""
    base = solve(inst).to_dict()
    docs = [base]
    z_star = base["objective"]
    floor = z_star - slack * max(1.0, abs(z_star)) - 1e-9 * max(1.0, abs(z_star))
    for _ in range(count):
        doc = solve(_pyomo_model(inst, floor, docs)).to_dict()
        if doc["status"] not in ("optimal", "feasible") or min(distance(inst, doc, d)["total"] for d in docs) <= 1e-9:
            break
        docs.append(doc)
    return docs


def _some_plans(inst) -> list[dict]:
    """The optimum and a second plan (everything at national command, no link: the empty plan if none)."""
    base = solve(inst).to_dict()
    other = {"links": base["links"][1:], "assignments": base["assignments"][: len(base["assignments"]) // 2]}
    return [base, other]


MODEL_CASES = [
    *(
        f"{path.name}:{scenario or ''}"
        for path in sorted(TINY.glob("*.yaml"))
        for scenario in [None, *load_instance(path).scenarios]
    ),
    *(f"random:{seed}" for seed in range(8)),
]


def _case(case: str):
    name, _, scenario = case.partition(":")
    return _small(int(scenario)) if name == "random" else load_instance(TINY / name, scenario or None)


@pytest.mark.parametrize("case", MODEL_CASES)
def test_matrix_model_is_the_pyomo_model_bit_for_bit(case):
    """The near-optimal row, the distance objective and the column order are those of the Pyomo reference.

    Bit for bit, because HiGHS breaks ties in distance by the model it is handed:
    the plans are today's only if the matrices are. One plan and two (whose
    coefficients may cancel) are tried.
    """
    inst = _case(case)
    plans = _some_plans(inst)
    if plans[0]["status"] != "optimal":
        pytest.skip("no optimum to stray from")
    floor = plans[0]["objective"] - 0.1 * max(1.0, abs(plans[0]["objective"]))
    data = model_data(inst)
    built, lay, _ = build_matrix(data)
    near = NearOptimalModel(built, data, lay, floor)
    for docs in (plans[:1], plans):
        model = _pyomo_model(inst, floor, docs)
        ref = compile_model(model)
        mine = near.maximise_distance(alternatives_module._plans(docs))
        a, b = ref.matrix.tocsc(), mine.matrix.tocsc()
        a.sort_indices()
        assert a.shape == b.shape and a.nnz == b.nnz
        for field in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
        for field in ("cost", "row_lower", "row_upper", "col_lower", "col_upper", "integer"):
            np.testing.assert_array_equal(getattr(ref, field), getattr(mine, field), err_msg=field)
        assert (ref.offset, ref.maximize) == (mine.offset, mine.maximize)
        assert near.rows[NEAR_OPTIMAL] == (a.shape[0] - 1, a.shape[0])
        # column j is the same variable in both: Pyomo's column order, mapped back by layout_values
        where = _pyomo_column_order(model, lay, data)
        assert [where[id(v)] for v in ref.columns] == near.order.tolist()
        x = np.arange(lay.n_cols, dtype=float)
        np.testing.assert_array_equal(near.layout_values(x[near.order]), x)


@pytest.mark.parametrize(
    ("name", "scenario", "slack"),
    [
        ("format-example.yaml", None, 0.5),
        ("format-example.yaml", "wartime", 0.1),
        ("format-example.yaml", "wartime", 0.5),
        ("hand-resilience.yaml", None, 0.5),
        ("hand-chain.yaml", None, 0.5),
        ("hand-lead.yaml", "share-priced", 0.2),
    ],
)
def test_matrix_alternatives_equal_the_pyomo_reference(name, scenario, slack):
    """Same plans as the Pyomo model (these cases have ties in distance that the column order decides)."""
    inst = load_instance(TINY / name, scenario)
    frame = alternatives(inst, slack=slack, count=3)
    reference = _pyomo_alternatives(inst, slack, 3)
    assert len(frame) == len(reference)
    for k, doc in enumerate(reference):
        row = frame.iloc[k]
        assert row["objective"] == pytest.approx(doc["objective"], abs=1e-9)
        assert row["links"] == " ".join(doc["links"])
        gone = distance(inst, doc, reference[0])
        assert (row["link_changes"], row["command_changes"]) == pytest.approx((gone["links"], gone["commands"]))
        assert row["min_distance"] == pytest.approx(
            min((distance(inst, doc, d)["total"] for d in reference[:k]), default=0.0)
        )
