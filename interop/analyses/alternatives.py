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

import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

from interop.analyses.runs import write_point
from interop.instance.schema import Instance
from interop.model.data import model_data
from interop.model.matrix import build_matrix
from interop.model.near_optimal import NEAR_OPTIMAL, NearOptimalModel
from interop.safeio import safe_csv
from interop.solution.extract import extension_note, matrix_decisions, solution_from_run
from interop.solver import stop
from interop.solver.profiles import profile_options, solver_record
from interop.solver.run import run_matrix

# what the solved model adds to the default one, in the words of a solution's ``model_extension``
EXTENSION = {
    "added": [
        {"name": NEAR_OPTIMAL, "type": "Constraint", "size": 1},
        {"name": "diversity", "type": "Objective", "size": 1},
    ],
    "deactivated": ["Z"],
}


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
    moved = sum(abs(a.get(k, 0) - b.get(k, 0)) / count[k[0]] for k in sorted(set(a) | set(b)))  # one sum order
    return {"links": float(links), "commands": moved, "total": links + moved}


def _plans(docs: list[dict]) -> list[tuple[set[str], dict[tuple[str, str], int]]]:
    """Each solution document's active links and units per (platform, command node)."""
    return [(set(doc.get("links", [])), _commands(doc)) for doc in docs]


def _alternative(near: NearOptimalModel, docs: list[dict], profile, time_limit) -> dict:
    """The plan within the floor farthest from ``docs``, checked, as a solution document."""
    began = time.perf_counter()
    name, options = profile_options(profile, time_limit, None)
    run = run_matrix(near.maximise_distance(_plans(docs)), options)
    record = solver_record(name, options, run.time_s, began)
    data = near.data

    def decide():
        return matrix_decisions(data, near.layout, near.layout_values(run.values))

    sol = solution_from_run(data.instance, run, record, None, decide)
    if sol.has_solution:  # the plan of the default model with a floor on Z and another objective
        sol.model_extension = EXTENSION
        note = extension_note(EXTENSION)
        sol.message = f"{sol.message}; {note}" if sol.message else note
    return sol.to_dict()


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
    loss. Each alternative is solved on the matrix build
    (:mod:`interop.model.near_optimal`) and checked by the independent
    evaluator, so its ``objective`` is Z of the reference formulation.
    """
    from interop.instance.loading import load_instance
    from interop.solve import solve

    stop.fresh()
    inst = load_instance(target, scenario) if isinstance(target, (str, Path)) else target
    data = model_data(inst)
    base = solve(data, profile=profile, time_limit=time_limit).to_dict()
    stop.check()  # a stopped solve is not the optimum to stray from
    docs = [base]
    if base["status"] in ("optimal", "feasible"):
        z_star = base["objective"]
        floor = z_star - slack * max(1.0, abs(z_star))
        built, lay, _ = build_matrix(data)  # the base solve had a plan: the build holds
        near = NearOptimalModel(built, data, lay, floor - 1e-9 * max(1.0, abs(z_star)))
        for _ in range(count):
            doc = _alternative(near, docs, profile, time_limit)
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
