"""Issue 12, quick what-ifs: ``solve --withdraw NATION`` solves the instance without that ally.

hand-resilience (hand-computed in its header): without BBB the re-planned
optimum is Z = 6 (30 % effectiveness), without AAA it is infeasible — the
same answers as the resilience cases ``withdraw:BBB`` and ``withdraw:AAA``.
Fails if --withdraw is missing, ignored, or solves something else than the
resilience case, or if the written solution does not say it is a what-if.
"""

import json
import os

import pytest

from interop.analyses.resilience import resilience, withdraw
from interop.cli import run
from interop.instance.loading import load_instance
from interop.solve import solve
from tests.conftest import TINY

CASE = TINY / "hand-resilience.yaml"


def test_withdraw_solves_the_instance_without_the_ally(tmp_path, capsys):
    assert run(["solve", str(CASE), "--withdraw", "BBB", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "solution.json").read_text())
    assert doc["objective"] == pytest.approx(6.0) and doc["what_if"] == {"withdraw": ["BBB"]}
    assert not any(a["platform"].startswith("B") for a in doc["assignments"])
    assert "hand-resilience without BBB: optimal" in capsys.readouterr().out
    table = resilience(CASE, only=["withdraw:BBB"]).set_index("case")
    assert doc["objective"] == pytest.approx(table.loc["withdraw:BBB", "objective"])


def test_withdrawing_the_ally_that_carries_the_minimum_is_infeasible(tmp_path):
    assert run(["solve", str(CASE), "--withdraw", "AAA", "--out", str(tmp_path), "--no-explain"]) == 1
    doc = json.loads((tmp_path / "solution.json").read_text())
    assert doc["status"] == "infeasible" and doc["what_if"] == {"withdraw": ["AAA"]}
    assert solve(withdraw(load_instance(CASE), "AAA")).status == "infeasible"


def test_the_default_folder_names_the_what_if(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["solve", str(CASE), "--withdraw", "BBB"]) == 0
    assert (tmp_path / "runs" / "hand-resilience" / "base-withdraw-BBB" / "solution.json").exists()
    assert not (tmp_path / "runs" / "hand-resilience" / "base").exists()  # the plain result is not overwritten


def test_an_unknown_nation_is_exit_2_before_any_solve(tmp_path, capsys):
    assert run(["solve", str(CASE), "--withdraw", "XXX", "--out", str(tmp_path / "o")]) == 2
    assert "no nation 'XXX'" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "o" / "solution.json")
