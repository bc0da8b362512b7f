"""Every exit code of the ``interop`` command line, in one table.

The CLI returns these constants; ``interop --help`` prints :data:`EXIT_CODES`
as its epilog, and ``tests/cli/test_exit_codes.py`` checks that README.md's
"Exit codes" list says the same, code for code and word for word.
"""

from __future__ import annotations

import signal

OK = 0  # a solution, a valid file, nothing to explain
NO_SOLUTION = 1  # the run finished without a solution (its files are written, with their status)
BAD_INPUT = 2  # bad input or usage: one line per problem
INTERNAL_ERROR = 3  # a bug: shown in one line, its traceback with --debug
SIGNAL_BASE = 128  # a run stopped by signal N exits SIGNAL_BASE + N

# The signals a run handles (interop.solver.stop), with what a user calls them.
HANDLED_SIGNALS: tuple[tuple[str, str], ...] = (("SIGINT", "Ctrl-C"), ("SIGTERM", ""), ("SIGHUP", ""))


def signal_exit_code(signum: int) -> int:
    """The conventional exit code of a run ended by signal ``signum``."""
    return SIGNAL_BASE + int(signum)


def _signal_codes() -> str:
    named = []
    for name, alias in HANDLED_SIGNALS:
        if hasattr(signal, name):
            named.append(f"{signal_exit_code(getattr(signal, name))} {name}" + (f" ({alias})" if alias else ""))
    return ", ".join(named)


# (code, meaning) in the order README.md and --help list them.
EXIT_CODES: tuple[tuple[str, str], ...] = (
    (str(OK), "a solution was found (or the file is valid, or there is nothing to explain)"),
    (
        str(NO_SOLUTION),
        "no solution: infeasible, unbounded, nothing found within the limits or a solver error"
        " (the solution file is still written, with its status), or a diagnosis not decided within its budget",
    ),
    (
        str(BAD_INPUT),
        "bad input or usage: one line per problem naming its place, no traceback"
        " (also an --out that cannot be written, found before the solve)",
    ),
    (str(INTERNAL_ERROR), "an unexpected internal error (a bug: --debug before the command shows its traceback)"),
    (
        f"{SIGNAL_BASE}+N",
        f"stopped by signal N: {_signal_codes()}; what was finished is kept and the same command resumes",
    ),
)


def help_text() -> str:
    """The exit codes as one paragraph, for ``interop --help``."""
    return "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES) + "."
