"""Resource limits (issue 15, item 15): refused with one message and exit 2, before allocating."""

from __future__ import annotations

import pytest

import interop.analyses.sweep as sweep_module
from interop.analyses.limits import MAX_ALTERNATIVES, MAX_FRONTIER_POINTS, MAX_GRID_POINTS, MAX_WORKERS
from interop.cli import run
from interop.errors import InstanceError
from interop.instance.loading import load_instance
from tests.conftest import TINY

EXAMPLE = str(TINY / "format-example.yaml")
BIG = ["-p", "parameters.autonomy_scale", "--values", "0:1:0.0001", "-p", "parameters.link_cost_scale"]
BIG += ["--values", "0:1:0.0001"]


def _never(*args, **kwargs):
    raise AssertionError("allocated or started although refused")


def test_huge_grid_refused_before_it_is_built(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sweep_module, "grid", _never)
    assert run(["sweep", EXAMPLE, *BIG, "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert f"the grid has 100020001 points (10001 × 10001); the limit is {MAX_GRID_POINTS}" in err
    with pytest.raises(InstanceError, match="the grid has 100020001 points"):
        sweep_module.sweep(load_instance(EXAMPLE), {"parameters.autonomy_scale": "0:1:0.0001", BIG[5]: "0:1:0.0001"})


def test_workers_capped_at_the_cores(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sweep_module, "execute", _never)
    args = ["sweep", EXAMPLE, "-p", "parameters.autonomy_scale", "--values", "0,1", "--out", str(tmp_path / "s")]
    assert run([*args, "--workers", str(MAX_WORKERS + 1)]) == 2
    assert "--workers" in capsys.readouterr().err
    with pytest.raises(InstanceError, match=f"at most {MAX_WORKERS}, the number of cores"):
        sweep_module.sweep(load_instance(EXAMPLE), {"parameters.autonomy_scale": "0,1"}, workers=1000)
    assert run(["resilience", EXAMPLE, "--workers", str(MAX_WORKERS + 1)]) == 2


def test_the_caps_are_stated_in_help(capsys):
    assert run(["sweep", "--help"]) == 0
    assert f"at most the number of cores: {MAX_WORKERS}" in " ".join(capsys.readouterr().out.split()).replace("│ ", "")


@pytest.mark.parametrize(
    "args",
    [
        ["frontier", EXAMPLE, "--points", str(MAX_FRONTIER_POINTS + 1)],
        ["report", EXAMPLE, "--points", str(MAX_FRONTIER_POINTS + 1)],
        ["alternatives", EXAMPLE, "--count", str(MAX_ALTERNATIVES + 1)],
    ],
)
def test_point_counts_bounded(args, capsys):
    assert run(args) == 2
    assert "Invalid value" in capsys.readouterr().err
