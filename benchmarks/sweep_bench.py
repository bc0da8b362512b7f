"""A 21-point autonomy sweep against 21 cold solves, on the shipped instances.

    python benchmarks/sweep_bench.py [--instances a.yaml,b.yaml] [--repeats 3] [--workers 2]

For each instance: the wall time of 21 independent cold solves (load, build,
compile, solve; λ = 0, 0.1, …, 2), of ``interop.sweep`` in one process (one
compiled model, warm starts, points skipped where the optimum is known by
linearity), and of the sweep on ``--workers`` processes. Prints medians over
the repeats, the ratios, and checks that every point's objective agrees.
Run on an idle machine; compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import interop
from interop.analyses.sweep import sweep

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [
    "instances/tiny/format-example.yaml",
    "instances/indo-pacific.yaml",
    "instances/us-rok-cfc.yaml",
    "instances/nato-efp.yaml",
]
VALUES = [round(0.1 * k, 10) for k in range(21)]


def cold(path: Path) -> tuple[float, list[float]]:
    began = time.perf_counter()
    objectives = []
    for lam in VALUES:
        inst = interop.load_instance(path)
        inst = inst.model_copy(update={"parameters": inst.parameters.model_copy(update={"autonomy_scale": lam})})
        objectives.append(interop.solve(inst).objective)
    return time.perf_counter() - began, objectives


def swept(path: Path, workers: int) -> tuple[float, list[float], int]:
    began = time.perf_counter()
    table = sweep(path, {"parameters.autonomy_scale": VALUES}, workers=workers)
    return time.perf_counter() - began, list(table["objective"]), int(table["inferred"].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", default=",".join(DEFAULT))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(
        f"# machine: {platform.node()} {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, repeats {args.repeats}"
    )
    print(
        f"{'instance':<22}{'cold 21':>10}{'sweep':>10}{'x':>7}{f'sweep -j{args.workers}':>12}{'x':>7}"
        f"{'skipped':>9}  agree"
    )
    for name in args.instances.split(","):
        path = ROOT / name
        t_cold, t_sweep, t_par, skipped, agree = [], [], [], 0, True
        for _ in range(args.repeats):
            tc, oc = cold(path)
            ts, os_, skipped = swept(path, 1)
            tp, op, _ = swept(path, args.workers)
            t_cold.append(tc)
            t_sweep.append(ts)
            t_par.append(tp)
            agree &= all(abs(a - b) <= 1e-6 * max(1, abs(a)) for a, b in zip(oc, os_)) and all(
                abs(a - b) <= 1e-6 * max(1, abs(a)) for a, b in zip(oc, op)
            )
        c, s, p = (statistics.median(x) for x in (t_cold, t_sweep, t_par))
        print(f"{path.stem:<22}{c:>9.2f}s{s:>9.2f}s{c / s:>6.1f}x{p:>11.2f}s{c / p:>6.1f}x{skipped:>9}  {agree}")


if __name__ == "__main__":
    main()
