"""``interop sweep`` and ``interop frontier``: the effectiveness–autonomy trade-off."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from interop.analyses.limits import MAX_FRONTIER_POINTS, MAX_WORKERS
from interop.analyses.runs import RunConflict
from interop.cli.app import (
    Failure,
    InstanceFile,
    ScenarioOpt,
    app,
    default_out_dir,
    err,
    fail_input,
    load_or_fail,
    out,
    out_folder,
    profile_or_fail,
)
from interop.errors import InstanceError
from interop.exitcodes import BAD_INPUT, NO_SOLUTION, OK
from interop.safeio import error_line

SolverOpt = Annotated[str, typer.Option("--solver", help="Solver profile in solvers/ (or a path).")]
TimeOpt = Annotated[float | None, typer.Option("--time-limit", min=0, help="Seconds per solve.")]
GapOpt = Annotated[float | None, typer.Option("--gap", min=0, help="Relative MIP gap.")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace another run's results in --out (files interop did not write are kept).")
]
ProgressOpt = Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        max=MAX_WORKERS,
        help=f"Parallel workers (at most the number of cores: {MAX_WORKERS}).",
    ),
]
ExecutorOpt = Annotated[str, typer.Option("--executor", help="local or dask.")]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler address.")]


@contextmanager
def _refusals():
    """Bad values or another run's directory: one line each, exit 2."""
    try:
        yield
    except InstanceError as exc:
        fail_input(exc)
    except RunConflict as exc:
        err.print(error_line(exc))
        raise Failure(BAD_INPUT) from None


def parallel_or_fail(workers: int, executor: str, scheduler: str | None) -> dict[str, object]:
    """The run's keyword arguments for where its points are solved; a bad --executor or a
    --scheduler without dask: one line, exit 2."""
    if executor not in ("local", "dask"):
        err.print(error_line(f"--executor: '{executor}' is not local or dask"))
        raise Failure(BAD_INPUT)
    if scheduler is not None and executor != "dask":
        err.print(error_line("--scheduler needs --executor dask"))
        raise Failure(BAD_INPUT)
    return {"workers": workers, "executor": executor, "scheduler": scheduler}


def run_options(
    solver: str, time_limit: float | None, gap: float | None, force: bool, progress: bool
) -> dict[str, object]:
    """The keyword arguments a long run (sweep, frontier, resilience) takes from the options they share."""
    return {"profile": solver, "time_limit": time_limit, "gap": gap, "force": force, "progress": progress}


def _named(inst) -> str:
    """The instance and its scenario, as the console lines name them."""
    return inst.name + (f" [{inst.scenario}]" if inst.scenario else "")


@app.command()
def sweep(
    file: InstanceFile,
    param: Annotated[
        list[str],
        typer.Option("--param", "-p", help="Dotted path of a number, true/false or name field (repeat: grid)."),
    ],
    values: Annotated[
        list[str],
        typer.Option(
            "--values",
            help="0,0.5,1 or start:stop:step; true,false; names (USA,KOR; none clears a lead); one per --param.",
        ),
    ],
    scenario: ScenarioOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    workers: WorkersOpt = 1,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    solver: SolverOpt = "default",
    time_limit: TimeOpt = None,
    gap: GapOpt = None,
    force: ForceOpt = False,
    progress: ProgressOpt = True,
) -> None:
    """Solve over a grid of parameter values; write sweep.csv and points/*/solution.json.

    Numbers, switches (nations.HUN.shares_networks --values true,false) and
    names (command_nodes.CFC.lead --values USA,KOR,none) are read by the
    field's type; a value the instance does not allow (a lead that is not a
    member) is refused before any solve, naming the path and value.
    """
    from interop.analyses.limits import grid_problem
    from interop.analyses.sweep import sweep as run_sweep
    from interop.analyses.sweep_paths import sweep_values

    if len(param) != len(values):
        err.print(error_line(f"{len(param)} --param but {len(values)} --values; give one --values per --param"))
        raise Failure(BAD_INPUT)
    parallel = parallel_or_fail(workers, executor, scheduler)
    grid = {}
    for path, spec in zip(param, values):
        try:
            grid[path] = sweep_values(path, spec)
        except KeyError as exc:
            err.print(error_line(f"--param {path}: {exc.args[0]}"))
            raise Failure(BAD_INPUT) from None
        except ValueError as exc:
            err.print(error_line(f"--values for {path}: {exc}"))
            raise Failure(BAD_INPUT) from None
    too_big = grid_problem(grid)
    if too_big:
        err.print(error_line(too_big))
        raise Failure(BAD_INPUT)
    profile_or_fail(solver)
    inst = load_or_fail(file, scenario)
    directory = out_dir or default_out_dir(inst.name, inst.scenario) / "sweep"
    with out_folder(directory, "sweep", force), _refusals():
        options = run_options(solver, time_limit, gap, force, progress)
        frame = run_sweep(inst, grid, out=directory, **parallel, **options)
    solved = frame["status"].isin(["optimal", "feasible"]).sum() if len(frame) else 0
    inferred = int(frame["inferred"].sum()) if len(frame) else 0
    out.print(
        f"{_named(inst)}: {len(frame)} points, {solved} with a solution, {inferred} known optimal without a solve",
        markup=False,
    )
    out.print(f"  written: {directory / 'sweep.csv'}", markup=False)
    raise Failure(OK if solved == len(frame) else NO_SOLUTION)


@app.command()
def frontier(
    file: InstanceFile,
    scenario: ScenarioOpt = None,
    points: Annotated[
        int,
        typer.Option("--points", "-k", min=1, max=MAX_FRONTIER_POINTS, help="ε grid values (AUGMECON2 bypass)."),
    ] = 11,
    exhaustive: Annotated[bool, typer.Option("--exhaustive", help="Every efficient point, not a grid.")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    solver: SolverOpt = "default",
    time_limit: TimeOpt = None,
    gap: GapOpt = None,
    force: ForceOpt = False,
    progress: ProgressOpt = True,
) -> None:
    """The exact effectiveness–autonomy Pareto front; write frontier.csv and points/*/solution.json."""
    from interop.analyses.frontier import frontier as run_frontier

    profile_or_fail(solver)
    inst = load_or_fail(file, scenario)
    directory = out_dir or default_out_dir(inst.name, inst.scenario) / "frontier"
    with out_folder(directory, "frontier", force), _refusals():
        options = run_options(solver, time_limit, gap, force, progress)
        frame = run_frontier(inst, points=points, exhaustive=exhaustive, out=directory, **options)
    if frame.empty:
        out.print(f"{_named(inst)}: no feasible solution, so no frontier", markup=False)
        out.print(f"  written: {directory / 'frontier.csv'}", markup=False)
        raise Failure(NO_SOLUTION)
    out.print(
        f"{_named(inst)}: {len(frame)} efficient points"
        " (W = weighted autonomy loss Σ α_n Aut_n; F = weighted effect − μ · link cost)",
        markup=False,
    )
    for row in frame.itertuples():
        price = "" if row.price_of_autonomy != row.price_of_autonomy else f"   price {row.price_of_autonomy:.4g}"
        knee = "   ← knee" if row.knee else ""
        out.print(
            f"  W {row.weighted_autonomy_loss:10.4f}   F {row.effect_objective:10.4f}   "
            f"effectiveness {row.effectiveness:6.1%}{price}{knee}",
            markup=False,
        )
    out.print(f"  written: {directory / 'frontier.csv'}", markup=False)
