"""Near-optimal alternatives: plans within a slack of the optimum, as different as possible.

Modelling to generate alternatives (Hop-Skip-Jump): after the optimum Z*,
each alternative maximises its distance from the optimum and from every
earlier alternative, subject to Z ≥ Z* − slack · max(1, |Z*|). The distance
from a reference plan is linear and exact over the decisions that say who
commands whom and which links are active:

    Σ_l [z⁰_l = 0] z_l + [z⁰_l = 1] (1 − z_l)
    + Σ_{p,c} ( [y⁰_pc = 0] y_pc + [y⁰_pc > 0] (y⁰_pc − y_pc) ) / q_p

where y_pc = Σ_t a_ptc are the units of platform p under node c. The first
sum is the Hamming distance over the link decisions; the second counts, per
platform, the share of its units moved off the reference's commanders or onto
new ones. Every plan is scored by the independent evaluator, so its
``objective`` is Z of the reference formulation.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import pyomo.environ as pyo

from interop.analyses.runs import write_point
from interop.instance.schema import Instance
from interop.safeio import safe_csv
from interop.solver import stop


def _commands(doc: dict) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = defaultdict(int)
    for a in doc.get("assignments", []):
        out[(a["platform"], a["command"])] += int(a["units"])
    return dict(out)


def distance(inst: Instance, one: dict, other: dict) -> dict[str, float]:
    """How two solution documents differ: links toggled, units moved between commanders (per unit count)."""
    count = {p.id: p.count for p in inst.platforms}
    links = len(set(one.get("links", [])) ^ set(other.get("links", [])))
    a, b = _commands(one), _commands(other)
    moved = sum(abs(a.get(k, 0) - b.get(k, 0)) / count[k[0]] for k in set(a) | set(b))
    return {"links": float(links), "commands": moved, "total": links + moved}


def _distance_expr(m: pyo.ConcreteModel, ref: dict):
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


def alternatives(
    target: str | Path | Instance,
    *,
    scenario: str | None = None,
    slack: float = 0.02,
    count: int = 3,
    out: str | Path | None = None,
    profile: str = "default",
    time_limit: float | None = None,
) -> pd.DataFrame:
    """The optimum (row 0) and up to ``count`` alternatives within ``slack``; with ``out``, their solutions.

    Stops early when the most distant remaining plan repeats an earlier one
    (distance 0) or no plan is found. Columns: ``k``, ``status``,
    ``objective``, ``effectiveness``, ``weighted_autonomy_loss``,
    ``min_distance`` (to the optimum and earlier alternatives), the link and
    command parts of the distance to the optimum, and each nation's autonomy
    loss.
    """
    from interop.instance.loading import load_instance
    from interop.model.pyomo_model import build_model
    from interop.solve import solve

    stop.fresh()
    inst = load_instance(target, scenario) if isinstance(target, (str, Path)) else target
    base = solve(inst, profile=profile, time_limit=time_limit).to_dict()
    stop.check()  # a stopped solve is not the optimum to stray from
    docs = [base]
    if base["status"] in ("optimal", "feasible"):
        z_star = base["objective"]
        floor = z_star - slack * max(1.0, abs(z_star))
        m = build_model(inst)
        m.near_optimal = pyo.Constraint(expr=m.Z.expr >= floor - 1e-9 * max(1.0, abs(z_star)))
        m.Z.deactivate()
        for _ in range(count):
            if hasattr(m, "diversity"):
                m.del_component(m.diversity)
            m.diversity = pyo.Objective(expr=sum(_distance_expr(m, d) for d in docs), sense=pyo.maximize)
            doc = solve(m, profile=profile, time_limit=time_limit).to_dict()
            stop.check()  # nothing is written: the alternatives are not resumed, the command is re-run
            if doc["status"] not in ("optimal", "feasible"):
                break
            if min(distance(inst, doc, d)["total"] for d in docs) <= 1e-9:
                break
            docs.append(doc)
    rows = []
    for k, doc in enumerate(docs):
        if out is not None:
            write_point(Path(out) / "points", str(k), doc)
        gone = distance(inst, doc, base)
        row = {
            "k": k,
            "status": doc["status"],
            "objective": doc["objective"],
            "effectiveness": (doc.get("metrics") or {}).get("effectiveness"),
            "weighted_autonomy_loss": (doc.get("metrics") or {}).get("weighted_autonomy_loss"),
            "min_distance": min((distance(inst, doc, d)["total"] for d in docs[:k]), default=0.0),
            "link_changes": gone["links"],
            "command_changes": gone["commands"],
            "links": " ".join(doc.get("links", [])),
        }
        for n in doc.get("nations", []):
            row[f"autonomy_loss_{n['nation']}"] = n["autonomy_loss"]
            row[f"nonnational_value_{n['nation']}"] = n["nonnational_value"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    if out is not None:
        from interop.solution.files import atomic_write

        atomic_write(Path(out) / "alternatives.csv", safe_csv(frame))
    return frame
