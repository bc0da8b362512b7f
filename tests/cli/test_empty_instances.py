"""Instances with nothing in them run through every command without an internal error (issue 15, item 16).

An instance with no nations, nodes, platforms or tasks is legal (docs/contract-notes.md,
"Empty collections"): before, ``report`` exited 3 (no autonomy columns to plot, no
node to place) and ``resilience`` said "the base plan has no solution" (exit 1)
although the base plan was optimal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interop.cli import run

NOTHING = {"name": "nothing", "nations": [], "command_nodes": [], "platforms": [], "tasks": []}
NO_PLATFORMS = {
    "name": "no-platforms",
    "nations": [{"id": "A"}],
    "command_nodes": [
        {"id": "HQ", "nation": "A", "domains": ["land"], "theaters": ["t"], "capacity": 1, "standards": ["s"]}
        | {"root": True}
    ],
    "platforms": [],
    "tasks": [{"id": "T", "domain": "land", "theater": "t", "demand": 1, "priority": 1}],
}


@pytest.fixture(params=[NOTHING, NO_PLATFORMS], ids=["nothing", "no-platforms"])
def empty(request, tmp_path) -> Path:
    path = tmp_path / "empty.yaml"
    path.write_text(yaml.safe_dump(request.param, sort_keys=False))
    return path


def test_resilience_of_an_empty_instance_has_nothing_to_lose(empty, tmp_path, capsys):
    assert run(["resilience", str(empty), "--out", str(tmp_path / "r"), "--no-progress"]) == 0
    assert "nothing to lose (no ally with platforms" in capsys.readouterr().out


def test_report_and_network_of_an_empty_instance(empty, tmp_path, capsys):
    assert run(["report", str(empty), "--out", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "report.html").exists()
    assert run(["solve", str(empty), "--out", str(tmp_path / "s")]) == 0
    plot = ["plot", "network", str(tmp_path / "s" / "solution.json"), "--instance", str(empty)]
    assert run([*plot, "--out", str(tmp_path / "net")]) == 0
    err = capsys.readouterr().err
    assert "Error" not in err and "nothing to decide" in err
