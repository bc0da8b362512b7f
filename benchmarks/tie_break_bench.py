"""What the stable-plan rule costs: one solve against the solve plus its tie-break, per scenario.

    python benchmarks/tie_break_bench.py [--instances a.yaml,b.yaml] [--repeats 3] [--threads 1,2]

Every solve reports, among the optimal plans, the one with the least weighted
autonomy loss (``interop.solver.highs.least_among_optima``: a second HiGHS run
with the row Z ≥ Z* − tol, then the continuous decisions re-optimised). For
each scenario of each instance this prints the median wall time of the matrix
build + HiGHS run without the tie-break (``mm.tie_break = None``) and with it,
for each thread count, the ratio, and whether both reach the same Z. Variants
alternate within a repeat so both see the same load. Run on an idle machine;
compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from interop.instance.loading import load_instance
from interop.model.data import model_data
from interop.model.matrix import build_matrix
from interop.solver.highs import run_matrix
from interop.solver.profiles import profile_options

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["instances/us-rok-cfc.yaml", "instances/nato-efp.yaml", "instances/indo-pacific.yaml"]


def _timed(inst, options: dict, tie_break: bool) -> tuple[float, float | None]:
    began = time.perf_counter()
    mm, _, _ = build_matrix(model_data(inst))
    if not tie_break:
        mm.tie_break = None
    run = run_matrix(mm, options)
    return time.perf_counter() - began, run.objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default=",".join(DEFAULT))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    _, options = profile_options("default", None, None)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"# medians of {args.repeats} wall seconds (build + HiGHS), default profile")
    print(f"{'instance':16s} {'scenario':18s} {'threads':>7s} {'plain s':>8s} {'+ties s':>8s} {'ratio':>6s}  same Z")
    ratios = []
    for path in args.instances.split(","):
        base = load_instance(ROOT / path)
        for scenario in [None, *base.scenarios]:
            inst = load_instance(ROOT / path, scenario)
            for n in threads:
                opts = dict(options, threads=n)
                plain, ties, same = [], [], True
                for _ in range(args.repeats):
                    (t0, z0), (t1, z1) = _timed(inst, opts, False), _timed(inst, opts, True)
                    plain.append(t0)
                    ties.append(t1)
                    same &= z0 is not None and z1 is not None and abs(z0 - z1) <= 1e-6 * max(1.0, abs(z0))
                p, t = statistics.median(plain), statistics.median(ties)
                ratios.append(t / p)
                print(
                    f"{base.name:16s} {scenario or 'base':18s} {n:7d} {p:8.2f} {t:8.2f} {t / p:6.2f}  {same}",
                    flush=True,
                )
    print(f"# median ratio (with ties / plain) over all rows: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
