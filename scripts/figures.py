"""Redraw the figures under results/ from their tables: the figures the docs point to come from code.

Usage: python scripts/figures.py

For every frontier run under ``results/`` (a folder holding ``frontier.csv``
and its manifest ``frontier.json``), draws ``frontier.png``/``.svg`` (effect
objective against weighted autonomy loss) and ``frontier-unweighted.png``/
``.svg`` (against the unweighted loss Σ_n Aut_n) with ``interop plot frontier``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interop.cli.app import run  # noqa: E402


def frontier_runs(results: Path = ROOT / "results") -> list[Path]:
    """The folders under ``results`` that hold a frontier run."""
    return sorted(p.parent for p in results.glob("*/*/frontier/frontier.csv"))


def main(results: Path = ROOT / "results") -> int:
    """Draw every frontier figure; the worst exit code of the plots."""
    worst = 0
    for folder in frontier_runs(results):
        for axis in ("weighted", "unweighted"):
            worst = max(worst, run(["plot", "frontier", str(folder), "--x", axis]))
    return worst


if __name__ == "__main__":
    sys.exit(main())
