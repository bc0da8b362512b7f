"""The ``interop`` command line (``interop --help``).

:mod:`interop.cli.app` holds the typer app and the helpers every command
shares; each sibling module registers its commands on it when imported here.
"""

from interop.cli import briefing, generate, plot, resilience, solve, tradeoff  # noqa: F401  (registers the commands)
from interop.cli.app import app, entry, run

__all__ = ["app", "entry", "run"]
