"""The ``interop`` command line: the typer app, its consoles and the shared helpers.

Commands live in the sibling modules and register themselves on :data:`app`;
:mod:`interop.cli` imports them all. This module imports none of them.

Exit codes are the constants of :mod:`interop.exitcodes`, whose table is the
epilog of ``interop --help`` (and what README.md lists). Bad input gets one
line per problem and no traceback; a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from interop.errors import InstanceError
from interop.exitcodes import BAD_INPUT, INTERNAL_ERROR, OK, SIGNAL_BASE, help_text
from interop.safeio import error_line, silence, warning_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Alliance command-sharing models: effectiveness against national autonomy.",
    epilog=help_text(),
    pretty_exceptions_enable=False,
)
WIDTH = None if sys.stdout.isatty() else 160  # tables stay whole when piped or captured
out = Console(highlight=False, soft_wrap=True, width=WIDTH, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, width=WIDTH, emoji=False)
STATE = {"debug": False}


def _reader_gone(console: Console) -> None:
    """What a console does when its reader has gone (``interop solve … | head -1``).

    Rich's default exits 1 at the print that found the pipe closed, which cuts a
    run short and hides its result. Instead the console drops what it prints
    from then on and the run goes on: it writes its files and exits with its own
    code. Set on the class, so that typer's help and error consoles and the
    progress bars do the same.
    """
    console.quiet = True
    silence(console.file)


Console.on_broken_pipe = _reader_gone  # type: ignore[method-assign]

InstanceFile = Annotated[Path, typer.Argument(help="Instance file (YAML or JSON).", show_default=False)]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario to apply.")]


class Failure(Exception):
    """A failure already explained to the user; carries the exit code."""

    def __init__(self, code: int):
        self.code = code


def fail_input(exc: InstanceError) -> None:
    err.print(error_line(f"{exc.source}: {len(exc.problems)} problem(s)"))
    for problem in exc.problems:
        err.print(f"  {problem}", markup=False)
    raise Failure(BAD_INPUT)


def load_or_fail(file: Path, scenario: str | None):
    """The instance of ``file`` (scenario applied), or its problems printed and exit 2.

    An instance that leaves nothing to decide (no platforms or no tasks) is
    legal; it gets a warning line, so that its "optimal, 0" is not taken at face value.
    """
    from interop.instance.checks import nothing_to_decide
    from interop.instance.loading import load_instance

    try:
        inst = load_instance(file, scenario)
    except InstanceError as exc:
        fail_input(exc)
    empty = nothing_to_decide(inst)
    if empty is not None:
        err.print(warning_line(empty))
    return inst


def profile_or_fail(solver: str):
    """The solver profile ``solver``, or a one-line error and exit 2."""
    from interop.solver.profiles import load_profile

    try:
        return load_profile(solver)
    except ValueError as exc:
        err.print(error_line(f"--solver: {exc}"))
        raise Failure(BAD_INPUT) from None


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    STATE["debug"] = debug


def default_out_dir(instance_name: str, scenario: str | None) -> Path:
    """Where ``solve`` writes without ``--out``: a run folder git ignores, never ``results/``."""
    return Path("runs") / instance_name / (scenario or "base")


@contextmanager
def out_folder(directory: Path, command: str, force: bool, again: str = "resume"):
    """The output folder, checked and locked before any solve (interop.solution.outdir), or exit 2.

    An unwritable folder, another run's lock, another kind of run's results or
    files interop did not write (without ``--force``): one line, exit 2.
    """
    from interop.solution.outdir import FolderRefused, open_folder

    try:
        folder = open_folder(directory, command, force=force, again=again)
    except FolderRefused as exc:
        err.print(error_line(exc))
        raise Failure(BAD_INPUT) from None
    with folder:
        try:
            yield folder
        except FolderRefused as exc:  # an analysis's own refusal (a different request)
            err.print(error_line(exc))
            raise Failure(BAD_INPUT) from None


def written_or_fail(directory: Path, write):
    """``write()``'s result; if writing fails (a full disk), one line naming ``--out``, exit 2."""
    try:
        return write()
    except OSError as exc:
        problem = exc.strerror or exc
        err.print(error_line(f"--out {directory}: could not write the result ({problem}); nothing there was changed"))
        raise Failure(BAD_INPUT) from None


def run(argv: list[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (used by tests and ``main``).

    Signals are handled for the length of the command (:mod:`interop.solver.stop`):
    a command stopped by one exits 128 + its number, whatever it returned.
    """
    from interop.solver import stop

    with stop.handling():
        code = _run(argv)
        signum = stop.requested()
        if signum is not None and code != stop.exit_code(signum):
            err.print(error_line(f"interrupted by {stop.signal_name(signum)}: the results may be incomplete"))
            code = stop.exit_code(signum)
    return code


def _run(argv: list[str] | None) -> int:
    from interop.solver.stop import Interrupted

    try:
        app(args=argv, standalone_mode=False)
        return OK
    except Failure as exc:
        return exc.code
    except Interrupted as exc:  # a long run stopped by a signal: what it finished is kept
        err.print(error_line(exc.describe()))
        return exc.code
    except BrokenPipeError:  # a write outside the consoles found its reader gone (| head): not an error of ours
        silence(sys.stdout)
        return OK
    except typer.Exit as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, Interrupted):  # typer turns a KeyboardInterrupt (ours too) into Exit(130)
            err.print(error_line(cause.describe()))
            return cause.code
        return exc.exit_code
    except typer.Abort as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, Interrupted):  # click turns a KeyboardInterrupt (ours too) into Abort
            err.print(error_line(cause.describe()))
            return cause.code
        err.print("aborted", markup=False)
        return SIGNAL_BASE + signal.SIGINT
    except Exception as exc:  # usage errors (typer's click) and anything unexpected
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            try:
                exc.show()  # click writes the usage error itself, not through a console
            except BrokenPipeError:  # ``2>&1 | head -1``: the code still says what went wrong
                silence(sys.stderr)
            return exc.exit_code
        if STATE["debug"]:
            raise
        err.print(error_line(f"{type(exc).__name__}: {exc}"))
        err.print("(run with --debug for the traceback)", markup=False)
        return INTERNAL_ERROR


def entry() -> None:
    from interop.solver import stop

    code = run()
    for stream in (sys.stdout, sys.stderr):  # a reader gone by now changes nothing: no "Exception ignored"
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            silence(stream)
    if stop.abandoned():  # a HiGHS thread deaf to its cancel is still running: do not wait for it
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
