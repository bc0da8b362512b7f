"""Sensitivity sweeps: ``sweep()`` solves an instance over a grid of parameter values.

The grid, the parameter paths and the reuse of work between points are in
:mod:`interop.grid`; resumable directories and executors in :mod:`interop.runs`.
With ``out``, each point's ``solution.json`` goes to ``out/points/pNNNN/`` and
the table to ``out/sweep.csv``; the same call after a crash or a signal
finishes the missing points only (a point cut short by a signal is never
written: :mod:`interop.solver.stop`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from interop.analyses.grid import (
    Line,
    Point,
    check_params,
    fingerprint,
    grid,
    plan,
    solve_line,
    table,
    with_values,
)
from interop.analyses.limits import grid_problem, workers_problem
from interop.analyses.runs import RunDir, closes_run_dirs, execute, progress_bar, worker_threads, write_point
from interop.analyses.sweep_paths import SweptValue, field_kind, sweep_values
from interop.errors import InstanceError, Problem
from interop.instance.schema import Instance
from interop.solver import stop
from interop.solver.profiles import profile_options

SWEEP_FORMAT = "interop-sweep/1"
_CACHE: dict = {}  # per process: the last line's instance and compiled model


def solve_job(job: dict) -> list[tuple[str, dict]]:
    """Solve one line of points (in this process or a worker); returns (point name, solution)."""
    from interop.analyses.parametric import ParametricModel

    line: Line = job["line"]
    key = (job["fingerprint"], tuple(sorted(line.structural.items())), json.dumps(job["options"], sort_keys=True))
    if _CACHE.get("key") != key:
        _CACHE.clear()
        _CACHE["key"] = key
        _CACHE["instance"] = with_values(job["instance"], line.structural)
    inst = _CACHE["instance"]

    def model_for():
        if "model" not in _CACHE:
            _CACHE["model"] = ParametricModel(inst, job["options"], job["profile"])
        return _CACHE["model"]

    done: list[tuple[str, dict]] = []
    emit = job.get("emit")
    points_dir = job.get("points_dir")

    def on_point(point: Point, solution: dict) -> None:
        stop.check()  # a point cut short by a signal is not finished: never written or returned
        if points_dir is not None:  # a local worker writes its points as it goes
            write_point(points_dir, point.name, solution)
        if emit is not None:
            emit(point.name, solution)
        else:
            done.append((point.name, solution))

    solve_line(model_for, inst, line, on_point)
    return done


def _values(params: dict[str, Sequence[SweptValue] | str]) -> tuple[dict[str, list[SweptValue]], list[Problem]]:
    """Each path's values read by its field's type, and the problems (placed at ``--param PATH``)."""
    values, problems = {}, []
    for path, spec in params.items():
        try:
            values[path] = sweep_values(path, spec)
        except (KeyError, ValueError) as exc:
            problems.append(Problem(f"--param {path}", exc.args[0]))
    return values, problems


@closes_run_dirs
def sweep(
    target: str | Path | Instance,
    params: dict[str, Sequence[SweptValue] | str],
    *,
    scenario: str | None = None,
    out: str | Path | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    profile: str = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    force: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Solve ``target`` at every combination of ``params`` (dotted path → values).

    Values are a sequence or a spec string read by the field's type
    (:mod:`interop.analyses.sweep_paths`): numbers ``"0,0.5,1"`` or
    ``"0:2:0.1"``, switches ``"true,false"`` (or ``[True, False]``), names
    ``"USA,KOR,none"`` (``none``/``None`` clears an optional field such as a
    lead). A switch or a name changes the model: each of its values rebuilds
    and revalidates the instance, as a span of control does. Returns the sweep
    table: one row per point with the parameter values, status, objective,
    gap, effectiveness, weighted effect, weighted autonomy loss, link cost,
    solve time and each nation's autonomy loss. Raises :class:`InstanceError`
    for a bad path or value (a lead that is not a member: the path and value
    named) and :class:`interop.runs.RunConflict` when ``out`` holds another run.
    """
    from interop.instance.loading import load_instance

    stop.fresh()
    inst = load_instance(target, scenario) if isinstance(target, (str, Path)) else target
    grid_values, problems = _values(params)
    limits = [grid_problem(grid_values), workers_problem(workers)]
    problems += check_params(inst, grid_values) + [Problem("", text) for text in limits if text]
    if problems:
        raise InstanceError("sweep", problems)
    points = grid(grid_values)
    lines = plan(grid_values, chunks=max(1, workers))
    for line in {tuple(sorted(x.structural.items())): x for x in lines}.values():
        with_values(inst, line.structural)  # every model the sweep needs is valid: fail before solving
    # the grid's corner of largest numbers: the products the model is built from are largest there
    numbers = {path: values for path, values in grid_values.items() if field_kind(path).kind == "number"}
    with_values(inst, {path: max(values) for path, values in numbers.items()})
    name, options = profile_options(profile, time_limit, gap)
    manifest = {
        "format": SWEEP_FORMAT,
        "instance": inst.name,
        "scenario": inst.scenario,
        "fingerprint": fingerprint(inst),
        "params": grid_values,
        "profile": name,
        "options": options,
    }
    nations = [n.id for n in inst.nations]
    claims = ["sweep.csv", *(f"points/{p.name}/solution.json" for p in points)]  # workers write them too
    run_dir = RunDir(out, "sweep.json", manifest, force, claims=claims) if out is not None else None
    solutions: dict[int, dict] = {}
    if run_dir is not None:
        by_name = {p.name: p for p in points}
        for point_name, sol in run_dir.finished().items():
            p = by_name.get(point_name)
            if p is not None and (sol.get("sweep") or {}).get("values") == p.values:
                solutions[p.index] = sol
    for line in lines:
        line.known = {p.index: solutions[p.index] for p in line.points if p.index in solutions}
    todo = [line for line in lines if any(p.index not in line.known for p in line.points)]
    parallel = workers > 1 or executor != "local"
    job_options = {**options, "threads": worker_threads(workers)} if parallel else options
    jobs = [
        {
            "instance": inst,
            "fingerprint": manifest["fingerprint"],
            "line": line,
            "options": job_options,
            "profile": name,
            "points_dir": str(run_dir.points_dir) if run_dir is not None and executor == "local" else None,
        }
        for line in todo
    ]
    by_name = {p.name: p for p in points}
    bar = progress_bar(progress, len(points), f"sweep {inst.name}")
    with bar:
        bar.update(bar.task_ids[0], completed=len(solutions))

        def on_result(point_name: str, solution: dict) -> None:
            p = by_name[point_name]
            if run_dir is not None:
                if executor != "local":  # remote workers return their points; write them here
                    run_dir.write_point(point_name, solution)
            solutions[p.index] = solution
            if run_dir is not None:
                run_dir.write_table("sweep.csv", table(points, solutions, list(grid_values), nations))
            bar.update(bar.task_ids[0], completed=len(solutions))

        try:
            execute(jobs, solve_job, on_result, executor=executor, workers=workers, scheduler=scheduler)
        except stop.Interrupted as exc:  # what is finished is on disk; the table lists it
            if run_dir is not None:
                for point_name, sol in run_dir.finished().items():
                    p = by_name.get(point_name)
                    if p is not None and (sol.get("sweep") or {}).get("values") == p.values:
                        solutions[p.index] = sol
                run_dir.write_table("sweep.csv", table(points, solutions, list(grid_values), nations))
            raise stop.Interrupted(exc.signum, len(solutions), len(points), str(out) if out else None) from None
    frame = table(points, solutions, list(grid_values), nations)
    if run_dir is not None:
        run_dir.write_table("sweep.csv", frame)
    return frame
