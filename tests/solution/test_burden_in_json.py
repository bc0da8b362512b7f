"""Issue 12: the burden and dependence measures in ``solution.json`` (the extra key ``burden``).

Each written file is read back and its measures recomputed here from its
``assignments`` and the instance alone, with the definitions of
docs/contract-notes.md ("Extra key burden") and without interop's burden or
evaluation code, so that a wrong share, a wrong rule for who cedes command (a
lead under κ_ℓ > 0 cedes, under κ_ℓ = 0 does not), a missing integration
bonus in a task's supply or measures of another plan than the one written
fail. Fails too if the key is missing, or present on a file without a plan.
"""

import json
import random

import pytest

import interop
from interop.errors import InstanceError
from interop.instance.loading import parse_instance
from tests.bruteforce import random_document
from tests.conftest import TINY

CASES = [
    ("format-example.yaml", None),
    ("format-example.yaml", "wartime"),
    ("hand-lead.yaml", "aaa-leads"),
    ("hand-lead.yaml", "lead-free"),
    ("hand-foreign.yaml", None),
    ("hand-links.yaml", None),
    ("hand-national.yaml", None),
]


def _cedes(inst, nation: str, node) -> bool:
    """Whether ``nation`` gives up any command of its units under ``node`` (κ > 0)."""
    if node.nation == nation:
        return False
    if node.nation == "multinational" and nation in (node.members or []):
        factor = inst.parameters.lead_command_factor if node.lead == nation else inst.parameters.shared_command_factor
        return factor > 0
    return True


def recompute(inst, doc: dict) -> dict:
    """The measures of the plan in ``doc`` from its assignments and ``inst`` alone."""
    plat = {p.id: p for p in inst.platforms}
    node = {c.id: c for c in inst.command_nodes}
    task = {t.id: t for t in inst.tasks}
    ids = [n.id for n in inst.nations]
    available = {n: sum(p.value * p.count for p in inst.platforms if p.nation == n) for n in ids}
    committed = dict.fromkeys(ids, 0.0)
    ceded = dict.fromkeys(ids, 0.0)
    supply = {t: {} for t in task}
    for a in doc["assignments"]:
        p, t, c = plat[a["platform"]], task[a["task"]], node[a["command"]]
        committed[p.nation] += p.value * a["units"]
        if _cedes(inst, p.nation, c):
            ceded[p.nation] += p.value * a["units"]
        bonus = inst.parameters.integration_bonus.get(t.domain, 0.0)
        effect = p.effects.get(t.domain, 0.0) * (a["units"] + bonus * a["integrated_units"])
        supply[t.id][p.nation] = supply[t.id].get(p.nation, 0.0) + effect
    total_c, total_a = sum(committed.values()), sum(available.values())
    shares = {n: committed[n] / total_c if total_c else 0.0 for n in ids}
    nations = {
        n: {
            "committed_share": shares[n],
            "available_share": available[n] / total_a if total_a else 0.0,
            "entrapment_exposure": ceded[n] / committed[n] if committed[n] else 0.0,
        }
        for n in ids
    }
    s = list(shares.values())
    gini = sum(abs(x - y) for x in s for y in s) / (2 * len(s) * sum(s)) if sum(s) else 0.0
    tasks = {}
    for t, by_nation in supply.items():
        total = sum(by_nation.values())
        tasks[t] = {"supply": by_nation, "abandonment_exposure": max(by_nation.values()) / total if total else 0.0}
    return {"nations": nations, "herfindahl": sum(x * x for x in s), "gini": gini, "tasks": tasks}


def _check(inst, doc: dict) -> None:
    assert doc["status"] in ("optimal", "feasible") and "burden" in doc
    written, mine = doc["burden"], recompute(inst, doc)
    assert set(written["nations"]) == set(mine["nations"])
    for n, figures in mine["nations"].items():
        for key, value in figures.items():
            assert written["nations"][n][key] == pytest.approx(value, abs=1e-9), (n, key)
    assert written["herfindahl"] == pytest.approx(mine["herfindahl"], abs=1e-9)
    assert written["gini"] == pytest.approx(mine["gini"], abs=1e-9)
    assert set(written["tasks"]) == set(mine["tasks"])
    for t, figures in mine["tasks"].items():
        got = written["tasks"][t]
        assert got["abandonment_exposure"] == pytest.approx(figures["abandonment_exposure"], abs=1e-9), t
        top = got["largest_contributor"]
        if not figures["supply"] or sum(figures["supply"].values()) == 0:
            assert top is None
        else:  # on a tie any of the largest is right
            assert figures["supply"][top] == pytest.approx(max(figures["supply"].values()), abs=1e-9), t


def _written(sol, tmp_path) -> dict:
    return json.loads(sol.write(tmp_path / "out").read_text())


@pytest.mark.parametrize("name,scenario", CASES, ids=[f"{n}:{s}" for n, s in CASES])
def test_burden_in_the_file_recomputes_from_its_assignments(name, scenario, tmp_path):
    inst = interop.load_instance(TINY / name, scenario)
    doc = _written(interop.solve(inst), tmp_path)
    _check(inst, doc)


def test_a_lead_cedes_only_while_the_lead_factor_is_positive(tmp_path):
    """hand-lead: AAA's one unit under the combined HQ it leads; κ_ℓ = 0.25 exposes it, κ_ℓ = 0 does not."""
    priced = _written(interop.solve(interop.load_instance(TINY / "hand-lead.yaml", "aaa-leads")), tmp_path / "a")
    free = _written(interop.solve(interop.load_instance(TINY / "hand-lead.yaml", "lead-free")), tmp_path / "b")
    assert priced["burden"]["nations"]["AAA"]["entrapment_exposure"] == 1.0
    assert free["burden"]["nations"]["AAA"]["entrapment_exposure"] == 0.0
    assert free["burden"]["tasks"]["hold-line"] == {"largest_contributor": "AAA", "abandonment_exposure": 1.0}


def test_random_instances_recompute(tmp_path):
    """Random tiny instances (integration bonuses, shared nodes, leads absent or not): every file recomputes."""
    checked = 0
    for seed in range(200):
        try:
            inst = parse_instance(random_document(random.Random(seed)))
        except InstanceError:
            continue
        sol = interop.solve(inst)
        if not sol.has_solution or sol.assignments.empty:
            continue
        _check(inst, _written(sol, tmp_path / str(seed)))
        checked += 1
        if checked == 12:
            break
    assert checked == 12


def test_no_plan_no_burden_key_and_the_format_keys_unchanged(tmp_path):
    inst = interop.load_instance(TINY / "hand-coverage.yaml", "unreachable")
    doc = _written(interop.solve(inst), tmp_path)
    assert doc["status"] == "infeasible" and "burden" not in doc
    solved = _written(interop.solve(interop.load_instance(TINY / "format-example.yaml")), tmp_path / "b")
    contract = ["format", "instance", "scenario", "status", "objective", "bound", "gap", "metrics", "parameters"]
    contract += ["assignments", "links", "integrated_nodes", "tasks", "nations", "solver"]
    assert list(solved)[: len(contract)] == contract and set(solved) - set(contract) == {"burden"}
