"""The model's optimum equals exhaustive enumeration on random tiny instances.

Each seed gives a random instance with one scenario; both the base and the
scenario are solved by HiGHS and enumerated. Seeds whose enumeration would be
too large are replaced by the next ones, so that every run checks the same
fixed set of cases.
"""

import itertools

import pytest

import interop
from interop.instance.loading import parse_instance
from interop.solution.evaluate import Assignment, evaluate
from tests.bruteforce import enumerable_cases, enumerate_optimum, random_document


def _cases(wanted: int) -> list[tuple[int, dict]]:
    found = enumerable_cases(random_document, 0, scenarios=(None, "s"))
    return [(seed, doc) for seed, doc, _ in itertools.islice(found, wanted)]


CASES = _cases(200)  # 200 base + 200 scenario instances
SEEN = {"optimal": 0, "infeasible": 0}


@pytest.mark.parametrize("seed,doc", CASES, ids=[f"seed{s}" for s, _ in CASES])
@pytest.mark.parametrize("scenario", [None, "s"])
def test_model_matches_enumeration(seed, doc, scenario):
    inst = parse_instance(doc, scenario)
    expected = enumerate_optimum(inst)
    sol = interop.solve(inst)
    SEEN[expected.status] += 1
    assert sol.status == expected.status, f"seed {seed}: {sol.message}"
    if expected.objective is not None:
        assert sol.objective == pytest.approx(expected.objective, abs=1e-6)
        columns = ["platform", "task", "command", "units", "integrated_units"]
        plan = [Assignment(**r) for r in sol.assignments[columns].to_dict("records")]
        ev = evaluate(inst, plan, sol.links, sol.integrated_nodes)
        assert ev.feasible and ev.objective == pytest.approx(sol.objective, abs=1e-9)
        assert sol.metrics["weighted_effect"] == pytest.approx(ev.weighted_effect)
        assert dict(zip(sol.nations.nation, sol.nations.autonomy_loss)) == pytest.approx(ev.autonomy_loss)


def test_the_random_cases_cover_both_outcomes():
    """The random family is not degenerate: both feasible and infeasible cases occur."""
    statuses = {"optimal": 0, "infeasible": 0}
    for _, doc in CASES:
        for scenario in (None, "s"):
            statuses[enumerate_optimum(parse_instance(doc, scenario)).status] += 1
    assert statuses["optimal"] >= 200 and statuses["infeasible"] >= 20, statuses


def test_enumeration_cases_cover_both_outcomes():
    """Runs after the cases above: the random instances must exercise both statuses."""
    if sum(SEEN.values()) < 2 * len(CASES):
        pytest.skip("only part of the enumeration cases ran")
    assert SEEN["optimal"] >= 100 and SEEN["infeasible"] >= 20, SEEN
