"""One model, one HiGHS: build it, run it, and break its ties (the path every solve takes)."""

from __future__ import annotations

import time

import numpy as np

from interop.model.matrix import MatrixModel
from interop.solver.highs import RunResult, highs_for, run_highs
from interop.solver.ties import least_among_optima


def run_matrix(
    mm: MatrixModel,
    options: dict,
    verbose: bool = False,
    start: np.ndarray | None = None,
    deadline: float | None = None,
) -> RunResult:
    """Hand ``mm`` to a new HiGHS and run it; a model or option HiGHS refuses is status ``error``.

    With ``deadline`` (a :func:`time.monotonic` time), HiGHS's time limit is
    what is left of it once the model is handed over.

    When ``mm.tie_break`` is set, an optimal run is followed by
    :func:`least_among_optima`, so the reported plan does not depend on how
    HiGHS broke a tie.
    """
    try:
        h = highs_for(mm, options, verbose)
    except ValueError as exc:
        return RunResult("error", None, None, None, 0.0, str(exc), termination="error")
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.0, deadline - time.monotonic()))
    first = run_highs(h, start)
    if mm.tie_break is None:
        return first
    return least_among_optima(h, mm, mm.cost, first)
