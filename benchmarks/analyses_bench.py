"""Sweeps and frontiers of this checkout against another checkout (before/after a change), in one run.

    python benchmarks/analyses_bench.py --other PATH [--instances a.yaml,b.yaml] [--repeats 3]

For each instance: the wall time of an 11-point λ sweep and of a 5-point
frontier, each in a fresh process (import, load, build, solve), run alternately
for this checkout and the checkout at ``--other`` (e.g. a ``git worktree`` of
the commit before), so both see the same machine load. Prints the medians, the
ratio this/other, and whether the objectives agree. Run on an idle machine;
compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["instances/tiny/format-example.yaml", "instances/us-rok-cfc.yaml", "instances/nato-efp.yaml"]
JOB = r"""
import json, sys, time, tempfile
began = time.perf_counter()
try:
    from interop.analyses.sweep import sweep
    from interop.analyses.frontier import frontier
except ImportError:  # the layout before the redesign
    from interop.sweep import sweep
    from interop.frontier import frontier
kind, path = sys.argv[1], sys.argv[2]
if kind == "sweep":
    table = sweep(path, {"parameters.autonomy_scale": [0.2 * k for k in range(11)]}, workers=1)
else:
    table = frontier(path, points=5, out=tempfile.mkdtemp())
print(json.dumps({"s": time.perf_counter() - began, "objective": [float(x) for x in table["objective"]]}))
"""


def _run(checkout: Path, kind: str, instance: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    with tempfile.TemporaryDirectory() as cwd:
        done = subprocess.run(
            [sys.executable, "-c", JOB, kind, str(instance)],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--other", type=Path, required=True, help="another checkout of interop")
    parser.add_argument("--instances", default=",".join(DEFAULT))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"# this: {ROOT}\n# other: {args.other.resolve()}\n# repeats {args.repeats}, medians of wall seconds")
    print(f"{'instance':<22}{'analysis':<10}{'this s':>9}{'other s':>9}{'ratio':>8}  agree")
    for name in args.instances.split(","):
        instance = ROOT / name
        for kind in ("sweep", "frontier"):
            mine, theirs, agree = [], [], True
            for _ in range(args.repeats):
                a, b = _run(ROOT, kind, instance), _run(args.other, kind, instance)
                mine.append(a["s"])
                theirs.append(b["s"])
                agree &= len(a["objective"]) == len(b["objective"]) and all(
                    abs(x - y) <= 1e-6 * max(1.0, abs(x)) for x, y in zip(a["objective"], b["objective"])
                )
            m, t = statistics.median(mine), statistics.median(theirs)
            print(f"{instance.stem:<22}{kind:<10}{m:>9.2f}{t:>9.2f}{m / t:>8.2f}  {agree}")


if __name__ == "__main__":
    main()
