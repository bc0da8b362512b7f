"""Robust plans (``solve --robust``) against exhaustive enumeration, by hand, and on the command line.

The enumerator (:func:`tests.bruteforce._scored_plans`) lists every plan of
an instance for every set of active links; from it each structure S (a set
of the base instance's admissible links) gets the base case's best Z with
exactly S active and, for each case, the best effectiveness of its reduced
instance with exactly S ∩ (its admissible links) active. The robust optimum
is then read off by definition (docs/resilience.md, "Robust plans"), with no
code of the model build.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from interop.analyses import robust as robust_module
from interop.analyses.resilience import reduced
from interop.analyses.robust import WORST_TOL, robust_cases, robust_plan
from interop.cli.app import run
from interop.exitcodes import NO_SOLUTION, OK
from interop.instance.loading import load_instance
from interop.solution.evaluate import Assignment, evaluate, link_admissible
from tests.bruteforce import _scored_plans, enumerable_cases, enumerate_optimum, random_document

HERE = Path(__file__).resolve().parent
HAND = str(HERE / "hand-robust.yaml")  # here, not in instances/: a shipped instance needs reference results
INFEASIBLE = str(HERE.parents[1] / "instances" / "tiny" / "hand-resilience.yaml")


def robust_document(rng):
    """A random tiny instance with three nodes, a link between every two and an integration bonus."""
    doc = random_document(rng)
    nodes = doc["command_nodes"]
    if len(nodes) < 3:
        nodes.append({**nodes[-1], "id": "C9", "root": False})
    doc["links"] = [
        {
            "id": f"L{u}{v}",
            "between": [nodes[u]["id"], nodes[v]["id"]],
            "cost": rng.choice([1.0, 4.0, 8.0]),
            "standards": ["s1", "s2"],
        }
        for u, v in itertools.combinations(range(len(nodes)), 2)
    ]
    doc["parameters"]["integration_bonus"] = {d: rng.choice([0.5, 1.0, 2.0]) for d in ("land", "air", "cyber")}
    if nodes[0]["root"]:  # a combined root that survives withdrawals, often a network anchor only
        nodes[0].update(nation="multinational", members=[n["id"] for n in doc["nations"]])
        nodes[0]["capacity"] = rng.choice([0, 0, nodes[0]["capacity"]])
    for node in nodes[1:]:  # national HQs that can command the tasks; they close on a withdrawal
        node.update(capacity=rng.randint(1, 3), theaters=["t1", "t2"], domains=["land", "air", "cyber"])
        if node["nation"] == "multinational" and rng.random() < 0.7:
            node["nation"] = rng.choice([n["id"] for n in doc["nations"]])
            node.pop("members", None)
    nations = [n["id"] for n in doc["nations"]]
    for i, platform in enumerate(doc["platforms"]):  # every nation has a platform that can serve a task
        platform["nation"] = nations[i % len(nations)]
        platform["effects"][rng.choice(doc["tasks"])["domain"]] = float(rng.randint(2, 6))
    for task in doc["tasks"]:  # fewer instances infeasible from the start; demand about what all units give
        task["min_coverage"] = rng.choice([0.0, 0.0, 0.0, 0.3])
        supply = sum(p["count"] * p["effects"].get(task["domain"], 0.0) for p in doc["platforms"])
        task["demand"] = max(2.0, supply)
    for nation in doc["nations"]:
        nation["min_commitment"] = 0.0
    doc.pop("scenarios")
    return doc


def _cases(wanted: int, start: int = 7000):
    found = enumerable_cases(robust_document, start, max_plans=20_000)
    return [(seed, insts[0]) for seed, _, insts in itertools.islice(found, wanted)]


CASES = _cases(16)


def by_structure(inst) -> dict[frozenset, tuple[float, float]]:
    """{active links: (best Z, best effectiveness)} over the feasible plans with exactly those links."""
    par = inst.parameters
    total = sum(t.priority * t.demand for t in inst.tasks)
    out = {}
    for _triples, chosen, _joined, _a, _h, feasible, effect, loss, cost in _scored_plans(inst):
        if feasible.any():
            z = effect - par.autonomy_scale * loss - par.link_cost_scale * cost
            out[frozenset(x.id for x in chosen)] = (float(z[feasible].max()), float(effect[feasible].max()) / total)
    return out


def admissible_ids(inst) -> frozenset:
    return frozenset(x.id for x in inst.links if link_admissible(inst, x.id))


def tables(inst, kind: str):
    """The base case's and each case's best (Z, effectiveness) by structure, and each case's admissible links."""
    cases = {}
    for case in robust_cases(inst, kind):
        small = reduced(inst, case)
        cases[case] = (admissible_ids(small), by_structure(small))
    return by_structure(inst), cases


def best_under(base: dict, cases: dict, level: float | None) -> float | None:
    """The best base Z over the structures that keep every case able to plan ≥ ``level`` (None: no such)."""
    live = [v for v in cases.values() if v[0] in v[1]]  # feasible with every link active

    def keeps(structure) -> bool:
        for links, table in live:
            got = table.get(structure & links)
            if got is None or (level is not None and got[1] < level - 1e-7):
                return False
        return True

    feasible = [z for s, (z, _) in base.items() if keeps(s)]
    return max(feasible) if feasible else None


def brute_robust(inst, kind: str, floor: float | None, bench: float, known=None):
    """(robust Z or None if infeasible, {case: (kept links, its table)}, level) by definition."""
    base, cases = known or tables(inst, kind)
    best = {c: table[links][1] for c, (links, table) in cases.items() if links in table}
    if floor is not None:
        level = floor * bench
    else:
        level = max(0.0, min(best.values()) - WORST_TOL) if best else None
    if level is not None and any(b < level - 1e-9 for b in best.values()):
        return None, cases, level
    return best_under(base, cases, level), cases, level


def breakpoints(base: dict, cases: dict) -> list[float]:
    """Every worst-case effectiveness some structure gives (over the cases feasible somewhere)."""
    live = [v for v in cases.values() if v[0] in v[1]]
    out = set()
    for structure in base:
        got = [table.get(structure & links) for links, table in live]
        if live and all(g is not None for g in got):
            out.add(min(g[1] for g in got))
    return sorted(out)


def _plan(sol):
    return [
        Assignment(r.platform, r.task, r.command, r.units, r.integrated_units) for r in sol.assignments.itertuples()
    ]


@pytest.mark.parametrize(("seed", "inst"), CASES, ids=[f"seed{s}" for s, _ in CASES])
def test_robust_plans_match_enumeration(seed, inst):
    plain = enumerate_optimum(inst)
    for kind, floor, shortcut in itertools.product(("withdrawal", "node"), (None, 0.5, 0.9), (True, False)):
        what = f"seed {seed} {kind} floor {floor} shortcut {shortcut}"
        sol, frame = robust_plan(inst, kind, floor, shortcut=shortcut)
        if plain.status == "infeasible":
            assert sol.status == "infeasible", what
            continue
        rec = sol.robust
        expected, cases, level = brute_robust(inst, kind, floor, rec["benchmark_effectiveness"])
        assert rec["level"] == pytest.approx(level, abs=1e-9) if level is not None else rec["level"] is None
        if expected is None:
            assert sol.status == "infeasible", what
            assert "infeasible" in sol.message, what
            continue
        assert sol.status == "optimal", what
        assert sol.objective == pytest.approx(expected, abs=1e-6), what
        assert rec["plain"]["objective"] == pytest.approx(plain.objective, abs=1e-6), what
        ev = evaluate(inst, _plan(sol), sol.links, sol.integrated_nodes)  # a plan of the default model
        assert ev.feasible and ev.objective == pytest.approx(sol.objective, abs=1e-6), what
        for row in frame.iloc[1:].itertuples():  # each case re-planned within the plain and the robust structure
            links, table = cases[row.case]
            assert row.excluded == (links not in table), what
            if row.excluded:
                continue
            assert row.best_effectiveness == pytest.approx(table[links][1], abs=1e-6), what
            for column, structure in (
                ("plain_effectiveness", rec["plain"]["links"]),
                ("robust_effectiveness", sol.links),
            ):
                got = table.get(frozenset(structure) & links)
                value = getattr(row, column)
                assert (got is None) == (value != value), f"{what} {row.case} {column}"  # NaN: infeasible there
                if got is not None:
                    assert value == pytest.approx(got[1], abs=1e-6), f"{what} {row.case} {column}"
            assert row.meets_level, what


@pytest.mark.parametrize(("seed", "inst"), CASES, ids=[f"seed{s}" for s, _ in CASES])
def test_floors_at_and_just_above_every_breakpoint(seed, inst):
    """Floors where a structure just meets, or just misses, the level: a loose or tight level row fails here."""
    for kind in ("withdrawal", "node"):
        known = tables(inst, kind)
        first, _ = robust_plan(inst, kind, 1e-9, shortcut=False)
        if not first.has_solution:
            continue
        bench = first.robust["benchmark_effectiveness"]
        floors = {round(v / bench + d, 9) for v in breakpoints(*known) for d in (0.0, 1e-3)} if bench > 0 else set()
        for floor in sorted(f for f in floors if 0 < f <= 1):
            sol, _ = robust_plan(inst, kind, floor, shortcut=False)
            expected, *_ = brute_robust(inst, kind, floor, bench, known)
            what = f"seed {seed} {kind} floor {floor}"
            if expected is None:
                assert sol.status == "infeasible", what
            else:
                assert sol.objective == pytest.approx(expected, abs=1e-6), what


def test_random_instances_include_plans_with_a_price():
    """The enumeration test is not vacuous: on some instances the robust plan is not the plain optimum."""
    for kind in ("withdrawal", "node"):
        priced = 0
        for _, inst in CASES:
            sol, _ = robust_plan(inst, kind)
            if sol.has_solution and sol.robust["price"]["objective"] > 1e-6:
                priced += 1
        assert priced >= 2, kind


def test_hand_computed_robust_plan():
    """tests/analyses/hand-robust.yaml: the header's arithmetic."""
    for kind in ("withdrawal", "node"):
        for floor in (None, 0.6, 1.0):
            sol, frame = robust_plan(HAND, kind, floor)
            rec = sol.robust
            assert sol.status == "optimal"
            assert sorted(sol.links) == ["A-J", "B-J"]
            assert sol.objective == pytest.approx(-0.4)
            assert sol.metrics["effectiveness"] == pytest.approx(0.8)
            assert rec["plain"]["objective"] == pytest.approx(8.0)
            assert rec["plain"]["links"] == []
            assert rec["price"]["objective"] == pytest.approx(8.4)
            assert rec["price"]["objective_pct"] == pytest.approx(105.0)
            assert rec["price"]["effectiveness"] == pytest.approx(-0.4)
            assert rec["plain"]["worst_effectiveness"] == pytest.approx(0.2)
            assert rec["robust"]["worst_effectiveness"] == pytest.approx(0.4)
            assert list(frame["plain_effectiveness"].iloc[1:]) == pytest.approx([0.2, 0.2])
            assert list(frame["robust_effectiveness"].iloc[1:]) == pytest.approx([0.4, 0.4])


@pytest.mark.parametrize("shortcut", [True, False])
def test_tiny_floor_gives_the_plain_optimum(shortcut):
    for path in (HAND, INFEASIBLE):
        plain = robust_plan(path, "withdrawal", 1e-6, shortcut=shortcut)[0]
        assert plain.objective == pytest.approx(plain.robust["plain"]["objective"])
        assert plain.robust["price"]["objective"] == pytest.approx(0.0, abs=1e-9)
    sol, _ = robust_plan(HAND, "node", 0.5, shortcut=shortcut)  # level 0.2: the plain structure holds it exactly
    assert sol.objective == pytest.approx(8.0) and sol.links == []


def test_infeasible_floor_is_explained():
    sol, frame = robust_plan(INFEASIBLE, "withdrawal", 0.9)
    assert sol.status == "infeasible"
    assert "withdraw:BBB reaches at most 0.3" in sol.message
    assert "highest floor any structure keeps is 0.6" in sol.message
    assert frame.loc[frame["case"] == "withdraw:AAA", "excluded"].item()  # infeasible whatever the structure
    assert robust_plan(INFEASIBLE, "withdrawal", 0.6)[0].status == "optimal"  # the ceiling itself holds


def test_sharing_the_structure_is_what_the_tests_check(monkeypatch):
    """The perturbation: each case free to choose its own links. The hand case and enumeration both catch it."""
    monkeypatch.setattr(robust_module, "SHARED_STRUCTURE", False)
    sol, _ = robust_plan(HAND, "withdrawal", shortcut=False)
    assert sol.objective == pytest.approx(8.0)  # wrong: the plain plan, as if the cases had their own links
    wrong = 0
    for _, inst in CASES:
        sol, _ = robust_plan(inst, "withdrawal", shortcut=False)
        if sol.has_solution:
            expected, *_ = brute_robust(inst, "withdrawal", None, sol.robust["benchmark_effectiveness"])
            wrong += expected is None or abs(sol.objective - expected) > 1e-6
    assert wrong >= 1


def test_cli_robust(tmp_path):
    out = tmp_path / "r"
    assert run(["solve", HAND, "--robust", "withdrawal", "--floor", "0.6", "-o", str(out)]) == OK
    doc = json.loads((out / "solution.json").read_text())
    assert doc["robust"]["kind"] == "withdrawal" and doc["robust"]["floor"] == 0.6
    assert doc["robust"]["price"]["objective"] == pytest.approx(8.4)
    assert set(doc["robust"]["case_effectiveness"]) == {"withdraw:AAA", "withdraw:BBB"}
    inst = load_instance(HAND)
    plan = [Assignment(**a) for a in doc["assignments"]]
    ev = evaluate(inst, plan, doc["links"], doc["integrated_nodes"])
    assert ev.feasible and ev.objective == pytest.approx(doc["objective"])
    lines = (out / "robust.csv").read_text().splitlines()
    assert lines[0].startswith("case,kind,target,status,excluded,best_effectiveness")
    assert [x.split(",")[0] for x in lines[1:]] == ["base", "withdraw:AAA", "withdraw:BBB"]
    bad = tmp_path / "bad"
    assert run(["solve", INFEASIBLE, "--robust", "withdrawal", "--floor", "0.9", "-o", str(bad)]) == NO_SOLUTION
    doc = json.loads((bad / "solution.json").read_text())
    assert doc["status"] == "infeasible" and "floor 0.9 infeasible" in doc["robust"]["message"]
    assert (bad / "robust.csv").exists()
    assert run(["solve", HAND, "--floor", "0.5", "-o", str(tmp_path / "x")]) == 2
    assert run(["solve", HAND, "--robust", "node", "--floor", "1.5", "-o", str(tmp_path / "y")]) == 2
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
