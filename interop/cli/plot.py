"""``interop plot``: figures of a frontier, a sweep or a solution's command network.

Each command reads files written by other commands and writes PNG + SVG
beside them (or at ``--out BASE``). A missing or unreadable input is one error
line and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from interop.cli.app import Failure, app, err, fail_input, out
from interop.errors import InstanceError
from interop.exitcodes import BAD_INPUT
from interop.safeio import error_line, warning_line

plot_app = typer.Typer(no_args_is_help=True, help="Draw figures (PNG and SVG) from results.")
app.add_typer(plot_app, name="plot")

OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Output base path; .png and .svg are added.", show_default=False)
]


class YAxis(StrEnum):
    objective = "objective"
    effectiveness = "effectiveness"


class XAxis(StrEnum):
    weighted = "weighted"
    unweighted = "unweighted"


def _subject(directory: Path) -> str:
    """``instance [scenario]`` from the run's manifest beside the table ('' if there is none)."""
    try:
        manifest = json.loads((directory / "frontier.json").read_text(encoding="utf-8"))
        name, scenario = str(manifest["instance"]), manifest.get("scenario")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return ""
    return name + (f" [{scenario}]" if scenario else "")


def _bad(message: str) -> Failure:
    """Report one error line and return the exit-2 failure to raise."""
    err.print(error_line(f"{message}"))
    return Failure(BAD_INPUT)


def _table(path: Path, name: str) -> tuple[pd.DataFrame, Path]:
    """Read ``name`` inside directory ``path`` (or ``path`` itself if it is a file)."""
    if not path.exists():
        raise _bad(f"{path}: no such file or directory")
    file = path / name if path.is_dir() else path
    if not file.is_file():
        raise _bad(f"{file}: no such file")
    try:
        return pd.read_csv(file), file
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise _bad(f"{file}: cannot read CSV: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def _written(paths: list[Path]) -> None:
    from interop.solution.outdir import record_files

    record_files(paths)  # a figure beside a run's results is the run's: a re-run may replace it
    for path in paths:
        out.print(f"written: {path}", markup=False)


@plot_app.command("frontier")
def frontier_cmd(
    directory: Annotated[Path, typer.Argument(help="Directory holding frontier.csv (or the CSV file).")],
    out_base: OutOpt = None,
    y: Annotated[YAxis, typer.Option("--y", help="Quantity on the y axis.")] = YAxis.objective,
    x: Annotated[
        XAxis, typer.Option("--x", help="Autonomy loss weighted by α_n (W) or unweighted (Σ Aut_n).")
    ] = XAxis.weighted,
) -> None:
    """The effectiveness–autonomy Pareto front, knee marked."""
    from interop.report.plots import plot_frontier

    table, file = _table(directory, "frontier.csv")
    default = file.parent / ("frontier" if x is XAxis.weighted else "frontier-unweighted")
    try:
        paths = plot_frontier(table, out_base or default, y=y.value, x=x.value, subject=_subject(file.parent))
    except ValueError as exc:
        raise _bad(f"{file}: {exc}") from None
    _written(paths)


@plot_app.command("sweep")
def sweep_cmd(
    directory: Annotated[Path, typer.Argument(help="Directory holding sweep.csv (or the CSV file).")],
    x: Annotated[str | None, typer.Option("--x", help="Swept parameter on the x axis (default: the first).")] = None,
    out_base: OutOpt = None,
) -> None:
    """Effectiveness and each nation's autonomy loss along a parameter sweep."""
    from interop.report.plots import plot_sweep, sweep_params

    table, file = _table(directory, "sweep.csv")
    try:
        paths = plot_sweep(table, sweep_params(table), out_base or file.parent / "sweep", x=x)
    except ValueError as exc:
        raise _bad(f"{file}: {exc}") from None
    _written(paths)


@plot_app.command("network")
def network_cmd(
    solution_file: Annotated[Path, typer.Argument(help="solution.json (or its directory).")],
    instance: Annotated[Path, typer.Option("--instance", "-i", help="The instance file it solves.")],
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Scenario (default: the solution's own).")
    ] = None,
    out_base: OutOpt = None,
) -> None:
    """A solution's command network: activated links, integrated nodes, units per node."""
    from interop.instance.loading import load_instance
    from interop.report.network import plot_network

    file = solution_file / "solution.json" if solution_file.is_dir() else solution_file
    if not file.is_file():
        raise _bad(f"{file}: no such file")
    try:
        solution = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(f"{file}: cannot read solution JSON: {exc}") from None
    if not isinstance(solution, dict) or "status" not in solution:
        raise _bad(f"{file}: not a solution file (no 'status')")
    if scenario is not None and scenario != solution.get("scenario"):
        err.print(warning_line(f"{file} solves scenario {solution.get('scenario')!r}, drawn on {scenario!r}"))
    scenario = scenario if scenario is not None else solution.get("scenario")
    try:
        inst = load_instance(instance, scenario)
    except InstanceError as exc:
        fail_input(exc)
    try:
        paths = plot_network(solution, inst, out_base or file.parent / "network")
    except (ValueError, TypeError) as exc:
        raise _bad(f"{file}: {exc}") from None
    _written(paths)
