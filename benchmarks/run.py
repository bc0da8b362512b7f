"""Benchmark: Pyomo build and hand-off against the matrix build, and HiGHS solve times.

    python benchmarks/run.py [--sizes S,M,L,XL] [--repeats 3] [--time-limit 30] [--build-only]

For each preset size (instances from :func:`interop.generate.generate`, seed
``--seed``) it measures, ``--repeats`` times and alternating so that machine
noise hits both alike:

* ``pyomo``: admissible sets, ``build_model``, the hand-off (``compile_model``
  + ``highs_for``), peak resident memory;
* ``fast``: admissible sets, ``build_matrix``, ``highs_for``, peak memory;
* ``solve`` (unless ``--build-only``): the fast model solved by HiGHS under the
  profile and ``--time-limit``: time, status and final gap.

Every measurement runs in its own subprocess so that peak memory
(``ru_maxrss``) of one does not mix with another's. The table shows medians;
the JSON written to ``benchmarks/results/<date>.json`` has every sample.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    """Peak resident memory of this process in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up(kind: str) -> None:
    """Build (and compile) a tiny model once, so lazy imports are not timed as build work."""
    from interop.instance.generate import generate
    from interop.instance.loading import parse_instance

    tiny = parse_instance(generate("S", seed=0, nations=1, platforms=2, tasks=1, nodes=2, theaters=1))
    if kind == "pyomo":
        from interop.model.compile import compile_model
        from interop.model.pyomo_model import build_model
        from interop.solver.highs import highs_for

        highs_for(compile_model(build_model(tiny)), {})
    else:
        from interop.model.matrix import build_matrix
        from interop.solver.highs import highs_for

        highs_for(build_matrix(tiny)[0], {})


def measure(kind: str, size: str, seed: int, profile: str, time_limit: float, gap: float | None) -> dict:
    """One measurement in this (fresh) process; returns its figures."""
    from interop.instance.generate import generate
    from interop.instance.loading import parse_instance
    from interop.model.data import model_data

    inst = parse_instance(generate(size, seed=seed))
    _warm_up(kind)
    base = _peak_mb()
    t0 = time.perf_counter()
    data = model_data(inst)
    out: dict = {"kind": kind, "sets_s": time.perf_counter() - t0, "assignments": len(data.assignments)}
    if kind == "pyomo":
        from interop.model.compile import compile_model
        from interop.model.pyomo_model import build_model
        from interop.solver.highs import highs_for

        t0 = time.perf_counter()
        model = build_model(data)
        out["build_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        mm = compile_model(model)
        out["compile_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        highs_for(mm, {})
        out["pass_s"] = time.perf_counter() - t0
    else:
        from interop.model.matrix import build_matrix
        from interop.solver.highs import highs_for, run_highs
        from interop.solver.profiles import profile_options

        t0 = time.perf_counter()
        mm, _, _ = build_matrix(data)
        out["build_s"] = time.perf_counter() - t0
        options = {} if kind == "fast" else profile_options(profile, time_limit, gap)[1]
        t0 = time.perf_counter()
        h = highs_for(mm, options)
        out["pass_s"] = time.perf_counter() - t0
        if kind == "solve":
            run = run_highs(h)
            out["solve_s"] = run.time_s
            out["status"] = run.status
            if run.objective is not None and run.bound is not None:
                out["gap"] = abs(run.bound - run.objective) / max(abs(run.objective), 1e-9)
            out["objective"] = run.objective
    out["rows"], out["columns"] = mm.matrix.shape
    out["integer_columns"] = int(mm.integer.sum())
    out["nonzeros"] = int(mm.matrix.nnz)
    out["peak_mb"] = _peak_mb()
    out["baseline_mb"] = base
    return out


def _child(kind: str, size: str, args: argparse.Namespace) -> dict:
    """Run :func:`measure` in a fresh interpreter and read its JSON line."""
    cmd = [
        sys.executable,
        __file__,
        "--measure",
        kind,
        "--sizes",
        size,
        "--seed",
        str(args.seed),
        "--profile",
        args.profile,
        "--time-limit",
        str(args.time_limit),
    ]
    if args.gap is not None:
        cmd += ["--gap", str(args.gap)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {size} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _median(samples: list[dict], key: str) -> float | None:
    values = [s[key] for s in samples if s.get(key) is not None]
    return statistics.median(values) if values else None


def summarise(size: str, samples: dict[str, list[dict]]) -> dict:
    """Medians of one size's samples, and the build ratios."""
    py, fa, so = samples.get("pyomo", []), samples["fast"], samples.get("solve", [])
    row = {
        "size": size,
        "assignments": fa[0]["assignments"],
        "rows": fa[0]["rows"],
        "columns": fa[0]["columns"],
        "integer_columns": fa[0]["integer_columns"],
        "sets_s": _median(fa + py, "sets_s"),
        "pyomo_build_s": _median(py, "build_s"),
        "pyomo_handoff_s": statistics.median([s["compile_s"] + s["pass_s"] for s in py]) if py else None,
        "fast_build_s": _median(fa, "build_s"),
        "fast_handoff_s": _median(fa, "pass_s"),
        "pyomo_peak_mb": _median(py, "peak_mb"),
        "fast_peak_mb": _median(fa, "peak_mb"),
        "pyomo_extra_mb": statistics.median([s["peak_mb"] - s["baseline_mb"] for s in py]) if py else None,
        "fast_extra_mb": statistics.median([s["peak_mb"] - s["baseline_mb"] for s in fa]),
        "solve_s": _median(so, "solve_s"),
        "gap": _median(so, "gap"),
        "statuses": sorted({s["status"] for s in so}),
    }
    if py:
        # ratios per repeat (pyomo and fast ran back to back), then their median
        pairs = list(zip(py, fa))
        row["ratio_build"] = statistics.median(
            [(p["build_s"] + p["compile_s"] + p["pass_s"]) / f["build_s"] for p, f in pairs]
        )
        row["ratio_end_to_end"] = statistics.median(
            [(p["build_s"] + p["compile_s"] + p["pass_s"]) / (f["build_s"] + f["pass_s"]) for p, f in pairs]
        )
    return row


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def table(rows: list[dict]) -> str:
    head = (
        "size",
        "assign",
        "rows",
        "cols",
        "sets s",
        "pyomo s",
        "handoff s",
        "fast s",
        "ratio",
        "e2e",
        "solve s",
        "gap",
        "status",
        "pyomo +MB",
        "fast +MB",
    )
    lines = [" ".join(f"{h:>10}" for h in head)]
    for r in rows:
        cells = (
            r["size"],
            str(r["assignments"]),
            str(r["rows"]),
            str(r["columns"]),
            _fmt(r["sets_s"], ".3f"),
            _fmt(r["pyomo_build_s"], ".2f"),
            _fmt(r["pyomo_handoff_s"], ".2f"),
            _fmt(r["fast_build_s"], ".3f"),
            _fmt(r.get("ratio_build"), ".0f"),
            _fmt(r.get("ratio_end_to_end"), ".1f"),
            _fmt(r["solve_s"], ".1f"),
            _fmt(r["gap"], ".1e"),
            ",".join(r["statuses"]) or "-",
            _fmt(r["pyomo_extra_mb"], ".0f"),
            _fmt(r["fast_extra_mb"], ".0f"),
        )
        lines.append(" ".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="S,M", help="comma-separated presets (S, M, L, XL); L and XL take minutes")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", default="default", help="solver profile for the solve measurement")
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per HiGHS solve")
    ap.add_argument("--gap", type=float, default=None, help="relative MIP gap (default: the profile's)")
    ap.add_argument("--build-only", action="store_true", help="skip the HiGHS solves")
    ap.add_argument("--no-pyomo", action="store_true", help="skip the Pyomo build (e.g. for XL)")
    ap.add_argument("--out", type=Path, default=None, help="JSON file (default benchmarks/results/<date>.json)")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.sizes, args.seed, args.profile, args.time_limit, args.gap)))
        return 0

    import highspy

    import interop.solve  # noqa: F401  (silences the HiGHS banner)
    from interop.solution.files import atomic_write

    kinds = ([] if args.no_pyomo else ["pyomo"]) + ["fast"] + ([] if args.build_only else ["solve"])
    summary, samples_all = [], {}
    for size in [s.strip().upper() for s in args.sizes.split(",") if s.strip()]:
        samples: dict[str, list[dict]] = {k: [] for k in kinds}
        for rep in range(args.repeats):
            for kind in kinds:
                samples[kind].append(_child(kind, size, args))
                print(
                    f"  {size} {kind} #{rep + 1}: "
                    + ", ".join(
                        f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                        for k, v in samples[kind][-1].items()
                        if k != "kind"
                    ),
                    file=sys.stderr,
                    flush=True,
                )
        samples_all[size] = samples
        summary.append(summarise(size, samples))
    print(table(summary))
    print(
        "ratio = (pyomo build + compile + passModel) / fast build; e2e = the same / (fast build + passModel);"
        f" +MB = peak RSS above the process's baseline; {os.cpu_count()} cpus, {platform.platform()}"
    )
    doc = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "highs": highspy.Highs().version(),
        },
        "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "measure"},
        "summary": summary,
        "samples": samples_all,
    }
    path = args.out or ROOT / "benchmarks" / "results" / f"{datetime.date.today().isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(doc, indent=1) + "\n")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
