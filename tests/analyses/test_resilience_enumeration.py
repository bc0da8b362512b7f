"""Every re-planned resilience case equals exhaustive enumeration of its reduced instance; alternatives hold."""

from __future__ import annotations

import itertools

import pytest

from interop.analyses.alternatives import alternatives, distance
from interop.analyses.resilience import reduced, resilience
from tests.bruteforce import enumerable_cases, enumerate_optimum, random_document


def _cases(wanted: int, start: int = 1000) -> list[tuple[int, object]]:
    found = enumerable_cases(random_document, start)
    return [(seed, insts[0]) for seed, _, insts in itertools.islice(found, wanted)]


CASES = _cases(30)


@pytest.mark.parametrize(("seed", "inst"), CASES, ids=[f"seed{s}" for s, _ in CASES])
def test_replanned_cases_match_enumeration(seed, inst):
    frame = resilience(inst)
    for row in frame.itertuples():
        expected = enumerate_optimum(reduced(inst, row.case))
        assert row.status == expected.status, f"seed {seed} {row.case}"
        if expected.objective is not None:
            assert row.objective == pytest.approx(expected.objective, abs=1e-6), f"seed {seed} {row.case}"
            if row.kept_feasible:
                assert row.kept_objective <= row.objective + 1e-6


@pytest.mark.parametrize(("seed", "inst"), CASES[:10], ids=[f"seed{s}" for s, _ in CASES[:10]])
def test_alternatives_on_random_instances(seed, inst, tmp_path):
    frame = alternatives(inst, slack=0.1, count=2, out=tmp_path)
    if frame["status"].iloc[0] != "optimal":
        return
    z_star = frame["objective"].iloc[0]
    assert (frame["objective"] >= z_star - 0.1 * max(1, abs(z_star)) - 1e-9).all()
    assert (frame["status"] == "optimal").all()
    assert (frame["min_distance"].iloc[1:] > 0).all()
    assert distance(inst, {"links": [], "assignments": []}, {"links": [], "assignments": []})["total"] == 0
