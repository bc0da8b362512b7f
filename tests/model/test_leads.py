"""Contract version 2: the lead nation of a combined node and its factor κ_ℓ.

Random tiny instances in which multinational nodes name a lead, with a
scenario that moves, clears or re-prices it, are solved by both model builds
(the matrix build of ``solve`` and the Pyomo model of ``build_model``) and
compared with exhaustive enumeration, whose κ(n, c) is written out in
``tests/bruteforce.py`` independently of the package.
"""

import itertools
import random

import pytest

import interop
from interop.instance.loading import parse_instance
from interop.solution.evaluate import Assignment, evaluate
from tests.bruteforce import enumerable_cases, enumerate_optimum, random_document


def lead_document(rng: random.Random) -> dict:
    """A random tiny document with at least one led combined node and a scenario that edits the lead."""
    doc = random_document(rng)
    nations = [n["id"] for n in doc["nations"]]
    node = doc["command_nodes"][-1]
    node["nation"], node["members"] = "multinational", sorted(rng.sample(nations, rng.randint(1, len(nations))))
    node["lead"] = rng.choice(node["members"])
    # the led node can command anything, so that who leads it moves the optimum
    node.update(domains=["land", "air", "cyber"], theaters=["t1", "t2"], standards=["s1", "s2"])
    node["capacity"] = rng.randint(1, 3)
    doc["parameters"]["lead_command_factor"] = rng.choice([0.0, 0.1, 0.25, 0.9])
    others = [m for m in node["members"] if m != node["lead"]]
    edit = rng.choice(["move", "clear", "reprice"])
    scenario = doc["scenarios"]["s"]
    update = scenario.setdefault("update", {})
    if edit == "move" and others:
        update["command_nodes"] = {node["id"]: {"lead": rng.choice(others)}}
    elif edit == "clear":
        update["command_nodes"] = {node["id"]: {"lead": None}}
    else:
        scenario["parameters"]["lead_command_factor"] = rng.choice([0.0, 0.4, 1.0])
    return doc


def _cases(wanted: int) -> list[tuple[int, dict]]:
    found = enumerable_cases(lead_document, 10_000, scenarios=(None, "s"))
    return [(seed, doc) for seed, doc, _ in itertools.islice(found, wanted)]


CASES = _cases(100)


@pytest.mark.parametrize("seed,doc", CASES, ids=[f"seed{s}" for s, _ in CASES])
@pytest.mark.parametrize("scenario", [None, "s"])
def test_led_instances_match_enumeration(seed, doc, scenario):
    inst = parse_instance(doc, scenario)
    expected = enumerate_optimum(inst)
    for sol in (interop.solve(inst), interop.solve(interop.build_model(inst))):
        assert sol.status == expected.status, f"seed {seed}: {sol.message}"
        if expected.objective is None:
            continue
        assert sol.objective == pytest.approx(expected.objective, abs=1e-6)
        columns = ["platform", "task", "command", "units", "integrated_units"]
        plan = [Assignment(**r) for r in sol.assignments[columns].to_dict("records")]
        ev = evaluate(inst, plan, sol.links, sol.integrated_nodes)
        assert ev.feasible and ev.objective == pytest.approx(sol.objective, abs=1e-9)
        assert dict(zip(sol.nations.nation, sol.nations.autonomy_loss)) == pytest.approx(ev.autonomy_loss)


def test_the_lead_matters_in_the_random_family():
    """Leads change the optimum often enough for the test above to catch a build that ignores them."""
    changed = 0
    for _, doc in CASES:
        led = parse_instance(doc)
        unled = parse_instance({**doc, "command_nodes": [{**c, "lead": None} for c in doc["command_nodes"]]})
        a, b = enumerate_optimum(led), enumerate_optimum(unled)
        changed += (a.objective is None) != (b.objective is None) or (
            a.objective is not None and abs(a.objective - b.objective) > 1e-6
        )
    assert changed >= 10, changed


def _doc(**node_fields) -> dict:
    return {
        "name": "lead-check",
        "nations": [{"id": "AAA"}, {"id": "BBB"}],
        "command_nodes": [
            {"id": "HQ", "domains": ["land"], "theaters": ["t1"], "capacity": 1, "standards": ["s1"], **node_fields}
        ],
        "platforms": [
            {"id": "P", "nation": "AAA", "value": 1, "standards": ["s1"], "theaters": ["t1"], "effects": {"land": 1}}
        ],
        "tasks": [{"id": "T", "domain": "land", "theater": "t1", "demand": 1, "priority": 1}],
    }


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"nation": "AAA", "lead": "AAA"}, "only a 'multinational' node has a lead"),
        ({"nation": "multinational", "members": ["AAA"], "lead": "BBB"}, "lead 'BBB' is not one of the node's members"),
    ],
)
def test_a_wrong_lead_is_refused_at_its_place(fields, message):
    with pytest.raises(interop.InstanceError) as err:
        parse_instance(_doc(**fields))
    places = [(p.place, p.message) for p in err.value.problems]
    assert any(place == "command_nodes[0].lead" and message in text for place, text in places), places


def test_a_scenario_lead_error_is_placed_in_the_scenario():
    doc = _doc(nation="multinational", members=["AAA", "BBB"], lead="AAA")
    doc["scenarios"] = {"bad": {"update": {"command_nodes": {"HQ": {"members": ["AAA"], "lead": "BBB"}}}}}
    parse_instance(doc)  # the base is valid
    with pytest.raises(interop.InstanceError) as err:
        parse_instance(doc, "bad")
    assert [p.place for p in err.value.problems] == ["scenarios.bad.update.command_nodes.HQ.lead"]


def test_the_solution_records_the_lead_factor():
    doc = _doc(nation="multinational", members=["AAA", "BBB"], lead="AAA")
    doc["parameters"] = {"lead_command_factor": 0.1}
    sol = interop.solve(parse_instance(doc))
    assert sol.to_dict()["parameters"]["lead_command_factor"] == 0.1
    assert sol.nations.set_index("nation").autonomy_loss["AAA"] == pytest.approx(0.1)


def test_info_and_the_network_plot_say_who_leads(tmp_path, capsys):
    from interop.cli import run
    from interop.report.network import plot_network
    from tests.conftest import TINY

    assert run(["info", str(TINY / "hand-lead.yaml")]) == 0
    out = capsys.readouterr().out
    assert "1 (0)" in [c.strip() for c in next(r for r in out.splitlines() if r.startswith("│ no-lead")).split("│")]
    lead_rows = [[c.strip() for c in r.split("│")] for r in out.splitlines() if "CHQ" in r]
    assert ["", "aaa-leads", "CHQ", "AAA, BBB", "AAA", ""] in lead_rows
    assert ["", "no-lead", "CHQ", "AAA, BBB", "(none)", ""] in lead_rows

    inst = interop.load_instance(TINY / "hand-lead.yaml", scenario="aaa-leads")
    sol = interop.solve(inst)
    svg = plot_network(sol.to_dict(), inst, tmp_path / "net")[1].read_text()
    assert "led by AAA" in svg and "1 unit" in svg and "1 units" not in svg
