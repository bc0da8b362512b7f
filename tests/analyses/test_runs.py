"""Run directories: the folder's lock goes when the run ends, however it ends."""

import math

import pytest

from interop.analyses.frontier import frontier
from interop.solution.outdir import LOCK, held_folder
from tests.conftest import TINY

EXAMPLE = TINY / "format-example.yaml"


def test_an_interrupted_run_lets_go_of_its_folder_at_once(tmp_path, monkeypatch):
    from interop.analyses import parametric

    real = parametric.ParametricModel.frontier_point
    calls = []

    def interrupted(self, epsilon, tolerance=1e-7):
        calls.append(epsilon)
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real(self, epsilon, tolerance)

    monkeypatch.setattr(parametric.ParametricModel, "frontier_point", interrupted)
    with pytest.raises(KeyboardInterrupt) as stopped:  # kept: its traceback holds the run's frames
        frontier(EXAMPLE, points=4, out=tmp_path)
    assert stopped.value is not None
    assert held_folder(tmp_path) is None and not (tmp_path / LOCK).exists()
    monkeypatch.setattr(parametric.ParametricModel, "frontier_point", real)
    solved = []
    monkeypatch.setattr(
        parametric.ParametricModel, "frontier_point", lambda self, e, t=1e-7: solved.append(e) or real(self, e, t)
    )
    frontier(EXAMPLE, points=4, out=tmp_path)  # resumes: the two points written are not solved again
    assert None not in solved and -math.inf not in solved  # the top (no ε) and the bottom (ε = -inf)
