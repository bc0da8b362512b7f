"""Resource limits of the analyses: parallel workers, grid points, frontier points, alternatives.

Each limit is stated in ``--help`` and checked before anything is allocated or started, so a
typo (``--workers 1000``, a 100k × 100k grid) is one clear message and exit 2, not a machine
out of memory.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

# One worker process per core: more only share the cores (and each holds a model in memory).
MAX_WORKERS = max(1, os.cpu_count() or 1)
# Points of a sweep grid (the product of the values per parameter); each point is a solve.
MAX_GRID_POINTS = 100_000
# ε values of a frontier, alternatives of a near-optimal search: each one is a solve.
MAX_FRONTIER_POINTS = 1_000
MAX_ALTERNATIVES = 1_000


def workers_problem(workers: int) -> str | None:
    """Why ``workers`` parallel workers are refused, or None."""
    if workers < 1:
        return f"--workers must be at least 1 (got {workers})"
    if workers > MAX_WORKERS:
        return f"--workers {workers}: at most {MAX_WORKERS}, the number of cores of this machine"
    return None


def grid_problem(values: dict[str, Sequence[float]] | Sequence[int]) -> str | None:
    """Why a grid with these values per parameter (or these counts) is refused, or None."""
    counts = [len(v) for v in values.values()] if isinstance(values, dict) else list(values)
    points = math.prod(counts)
    if points > MAX_GRID_POINTS:
        shape = " × ".join(str(c) for c in counts)
        return f"the grid has {points} points ({shape}); the limit is {MAX_GRID_POINTS}"
    return None
