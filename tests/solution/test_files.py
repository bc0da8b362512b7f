"""solution.json and its CSV tables carry no float noise (13.000000000000002), figures kept to 12 digits."""

import json
import re

import pandas as pd
import pytest

import interop
from interop.analyses.frontier import frontier
from interop.solution.files import clean
from tests.conftest import ROOT

NOISE = re.compile(r"\d\.\d*(0000000|9999999)\d*")  # 12+ digits then a stray tail


def test_clean_rounds_noise_and_keeps_figures():
    assert clean({"a": [13.000000000000002, 0.9717499999999999]}) == {"a": [13.0, 0.97175]}
    assert clean(1 / 3) == pytest.approx(1 / 3, rel=1e-12) and clean(float("nan")) is None


def test_solution_files_have_no_float_noise(tmp_path):
    """The NATO crisis scenario's coverages (37.379999999999995 …) once reached the files as they were."""
    sol = interop.solve(ROOT / "instances" / "nato-efp.yaml", scenario="crisis-hun-refusal")
    sol.write(tmp_path)
    for name in ("solution.json", "tasks.csv", "nations.csv", "assignments.csv"):
        text = (tmp_path / name).read_text()
        assert not NOISE.search(text), f"{name}: {NOISE.search(text).group()}"
    tasks = pd.read_csv(tmp_path / "tasks.csv").set_index("task")
    exact = sol.tasks.set_index("task")
    assert tasks["coverage"].tolist() == pytest.approx(exact["coverage"].tolist(), rel=1e-11)
    assert json.loads((tmp_path / "solution.json").read_text())["objective"] == pytest.approx(sol.objective)


def test_frontier_csv_has_no_float_noise(tmp_path):
    frontier(ROOT / "instances" / "tiny" / "format-example.yaml", points=6, out=tmp_path)
    text = (tmp_path / "frontier.csv").read_text()
    assert not NOISE.search(text), NOISE.search(text).group() if NOISE.search(text) else ""
