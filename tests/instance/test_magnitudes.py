"""Numbers that validate field by field but that HiGHS would refuse (issue 15, item 16).

Before the check, a platform of 1e9 units of value 1e12 validated and made a
burden-floor bound of 1e21 (HiGHS: "refused the model", exit 1); a task of
priority and demand 1e12 made the objective reach 1e24.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interop.cli import run
from interop.errors import InstanceError
from interop.instance.loading import load_instance, validate_file
from interop.instance.magnitudes import MAX_MODEL_NUMBER
from tests.conftest import ROOT, TINY

EXAMPLE = TINY / "format-example.yaml"


def _doc() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "i.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, default_flow_style=None))
    return path


def _units(doc: dict) -> None:
    doc["platforms"][1].update(count=10**9, value=1e12)
    doc["nations"][1]["min_commitment"] = 0.5


def _bonus(doc: dict) -> None:
    doc["parameters"]["integration_bonus"] = {"land": 1e12}
    doc["platforms"][0]["effects"]["land"] = 1e12


def _objective(doc: dict) -> None:
    doc["tasks"][2].update(priority=1e12, demand=1e12)


def _autonomy(doc: dict) -> None:
    doc["parameters"]["autonomy_scale"] = 1e12
    doc["platforms"][3].update(count=1000, value=1e3)


def _links(doc: dict) -> None:
    doc["parameters"]["link_cost_scale"] = 1e6
    doc["links"][1]["cost"] = 1e10


@pytest.mark.parametrize(
    "edit, place, words",
    [
        (_units, "platforms[1]", "value × count is 1e+21"),
        (_bonus, "platforms[0].effects.land", "effect × integration bonus of 'land' is 1e+24"),
        (_objective, "tasks[2]", "priority × demand is 1e+24"),
        (_autonomy, "platforms[3]", "autonomy_weight × value × count × (1 + ι) × max(1, λ) is 6e+17"),
        (_links, "links[1]", "cost × max(1, μ) is 1e+16"),
    ],
    ids=["units", "bonus", "objective", "autonomy", "links"],
)
def test_products_the_solver_refuses_are_refused_with_their_place(tmp_path, edit, place, words):
    doc = _doc()
    edit(doc)
    with pytest.raises(InstanceError) as info:
        load_instance(_write(tmp_path, doc))
    [problem] = info.value.problems
    assert problem.place == place
    assert words in problem.message and "below 1e15" in problem.message


def test_just_below_the_limit_validates(tmp_path):
    doc = _doc()
    doc["tasks"] = doc["tasks"][:1]
    doc["tasks"][0].update(priority=1e7, demand=0.99e8, min_coverage=0)
    assert doc["tasks"][0]["priority"] * doc["tasks"][0]["demand"] < MAX_MODEL_NUMBER
    load_instance(_write(tmp_path, doc))


def test_a_scenario_that_makes_a_product_too_large_is_placed_in_the_scenario(tmp_path):
    doc = _doc()
    doc["scenarios"]["wartime"]["add"]["tasks"][0].update(priority=1e12, demand=1e12)
    report = validate_file(_write(tmp_path, doc))
    [problem] = report.problems
    assert problem.place == "scenarios.wartime.add.tasks[0]" and "priority × demand" in problem.message


def test_cli_refuses_before_solving(tmp_path, capsys):
    doc = _doc()
    _units(doc)
    path = _write(tmp_path, doc)
    assert run(["solve", str(path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "platforms[1]: value × count" in err and "Traceback" not in err
    assert not (tmp_path / "o" / "solution.json").exists()
    assert run(["validate", str(path)]) == 2


def test_a_sweep_whose_values_reach_the_limit_is_refused_before_solving(tmp_path, capsys):
    argv = ["sweep", str(EXAMPLE), "--param", "parameters.autonomy_scale", "--values", "1,1e12"]
    argv += ["--param", "nations.EST.autonomy_weight", "--values", "1,1000"]  # λ and α only change costs
    assert run([*argv, "--out", str(tmp_path / "sw"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--param parameters.autonomy_scale=1e+12" in err and "max(1, λ)" in err
    assert not (tmp_path / "sw" / "points").exists()


@pytest.mark.parametrize(
    "path", sorted((ROOT / "instances").rglob("*.yaml")), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_shipped_instances_still_validate(path):
    assert validate_file(path).ok
