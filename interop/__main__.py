"""``python -m interop``: the command line, as the ``interop`` script."""

from interop.cli import entry

entry()
