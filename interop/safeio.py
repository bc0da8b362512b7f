"""Safe file input and output helpers: bounded reads of regular files, umask-respecting
permissions, spreadsheet-safe CSV cells and console-safe text."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from rich.text import Text

# A cell that a spreadsheet would run as a formula starts with one of these.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ReadRefused(OSError):
    """The path is not a regular file, or it holds more bytes than allowed."""


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes (enforced while reading).

    A device (``/dev/zero``), FIFO, socket or directory is refused without blocking:
    the file is opened with ``O_NONBLOCK`` and checked with ``fstat`` before any read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise ReadRefused(f"{kind}; only regular files are read")
        size = os.fstat(fd).st_size
        if size > limit:
            raise ReadRefused(f"file is {size} bytes; the limit is {limit}")
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise ReadRefused(f"file holds more than {limit} bytes; the limit is {limit}")  # it grew
        return b"".join(chunks)
    finally:
        os.close(fd)


def umask_mode(base: int = 0o666) -> int:
    """``base`` as the current umask leaves it (what ``open()`` would give a new file)."""
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text with formula-like text cells (and column names) neutralised.

    Numbers are untouched (a negative number is data, not a formula).
    """
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out.to_csv(index=False)


def console_line(tag: str, style: str, message: object) -> Text:
    """``tag: message`` for a rich console, the tag styled and the message never read as markup.

    File names, options and exception texts are user text: ``q[/]n.yaml`` or ``[red]`` must
    print as they are, not be interpreted (or crash the console).
    """
    from rich.text import Text

    return Text.assemble((tag, style), ": ", str(message))


def error_line(message: object) -> Text:
    return console_line("error", "bold red", message)


def warning_line(message: object) -> Text:
    return console_line("warning", "yellow", message)


def plain(value: object) -> Text:
    """A table cell or title holding user text, shown as it is."""
    from rich.text import Text

    return Text(str(value))


def silence(stream: object = None) -> None:
    """Point ``stream`` (default stdout) at /dev/null once its reader has gone.

    What is written to it from then on is dropped, and the flush at exit cannot fail.
    """
    import sys

    stream = sys.stdout if stream is None else stream
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def unwritable_dir(directory: str | Path) -> str | None:
    """Why results cannot be written into ``directory`` (created if missing), or None.

    Probed by creating and removing a file of our own, so that a read-only folder, a
    path through an existing file or a full disk is found before a solve, not after.
    """
    import tempfile

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        return "exists and is not a directory"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=directory, prefix=".interop-probe.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return f"cannot write there: {exc.strerror or exc}"
    return None
