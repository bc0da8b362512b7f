"""Stopping on a signal without writing a wrong result.

The command line installs :func:`handling` for the length of a command. The
first SIGINT (Ctrl-C), SIGTERM or SIGHUP only asks for a stop: the HiGHS run
under way is cancelled (:func:`interop.solver.highs.run_highs` polls
:func:`requested`), a run not yet started does not start, and no point of a
long run is written as finished any more (:func:`interop.analyses.runs.write_point`
raises :class:`Interrupted`), so the same command resumes exactly the points
that were not finished. A second signal ends the process at once (pool
workers included): every result file is written atomically, so nothing
partial is left visible. Either way the exit code is ``128 + signal``: 130
for SIGINT, 143 for SIGTERM, 129 for SIGHUP.

Without :func:`handling` (the Python API), Ctrl-C raises ``KeyboardInterrupt``
as usual; a HiGHS run it cancels records the stop here, and a long run then
raises :class:`Interrupted` (an ``Exception``, so that click and typer pass it
on rather than turn it into their own abort).

Workers start :func:`shielded` (the stop signals blocked), so that a Ctrl-C
to the terminal's process group reaches only the parent, which decides and
ends them: pool workers (:func:`worker_init`) then ignore SIGINT and SIGHUP,
a local Dask cluster's keep them blocked. Either kind exits on its own when
its parent is gone, even after ``kill -9``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from interop.exitcodes import HANDLED_SIGNALS, signal_exit_code

SIGNALS = tuple(getattr(signal, name) for name, _ in HANDLED_SIGNALS if hasattr(signal, name))
PARENT_POLL_S = 0.2  # how often a pool worker checks that its parent is alive

_STATE: dict = {"signal": None, "installed": False, "abandoned": 0, "last_solve": False}
_ON_EXIT: list[Callable[[], None]] = []


class Interrupted(Exception):
    """A run stopped by a signal; what it finished before is on disk, the rest is not.

    ``kept`` of ``total`` points (when known) are finished in ``where``; the
    same command resumes the others.
    """

    def __init__(
        self,
        signum: int,
        kept: int | None = None,
        total: int | None = None,
        where: str | None = None,
        unit: str = "points",
    ):
        super().__init__(signum)
        self.signum, self.kept, self.total, self.where, self.unit = signum, kept, total, where, unit

    @property
    def code(self) -> int:
        """The exit code: 128 + the signal's number."""
        return exit_code(self.signum)

    def describe(self) -> str:
        """One line for the console: the signal, what was kept, how to resume."""
        text = f"interrupted by {signal_name(self.signum)}"
        if self.kept is not None:
            of = f" of {self.total}" if self.total is not None else ""
            place = f" in {self.where}" if self.where else ""
            text += f": {self.kept}{of} {self.unit} finished and kept{place}; run the same command to resume"
        return text


def exit_code(signum: int) -> int:
    """The conventional exit code of a run ended by signal ``signum`` (128 + its number)."""
    return signal_exit_code(signum)


def signal_name(signum: int) -> str:
    """``SIGINT``, ``SIGTERM``, … for a signal number."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def requested() -> int | None:
    """The signal that asked for a stop, or None."""
    return _STATE["signal"]


def request(signum: int = signal.SIGINT) -> None:
    """Ask for a stop (what the first signal does; also used by a cancelled HiGHS run)."""
    if _STATE["signal"] is None:
        _STATE["signal"] = int(signum)


def interrupted_message() -> str:
    """A stopped solve's message: ``interrupted (SIGTERM)``."""
    signum = _STATE["signal"]
    return f"interrupted ({signal_name(signum) if signum is not None else 'Ctrl-C'})"


def check() -> None:
    """Raise :class:`Interrupted` if a stop was asked for."""
    if _STATE["signal"] is not None:
        raise Interrupted(_STATE["signal"])


def cut_short(solution: dict) -> bool:
    """Whether a solution document is of a run stopped by a signal (not a finished result)."""
    return (solution.get("solver") or {}).get("termination") == "interrupted"


def fresh() -> None:
    """Forget an earlier stop, unless the command line is handling signals (then it stands)."""
    if not _STATE["installed"]:
        _STATE["signal"] = None


def solve_once() -> None:
    """Declare that this process ends after its next solve (``interop solve``): a run deaf to
    the cancel on its time limit may then be left behind too (see :func:`interop.solver.highs.run_highs`)."""
    _STATE["last_solve"] = True


def last_solve_only() -> bool:
    """Whether :func:`solve_once` was declared (reset by :func:`handling`)."""
    return _STATE["last_solve"]


def note_abandoned() -> None:
    """Record a HiGHS thread left running (it ignored a cancel); the process must not wait for it."""
    _STATE["abandoned"] += 1


def abandoned() -> bool:
    """Whether a HiGHS thread was left running in this process."""
    return _STATE["abandoned"] > 0


def on_exit(action: Callable[[], None]) -> Callable[[], None]:
    """Run ``action`` (e.g. end pool workers) if a second signal ends the process; returns a remover."""
    _ON_EXIT.append(action)
    return lambda: _ON_EXIT.remove(action) if action in _ON_EXIT else None


def _handler(signum: int, frame) -> None:
    if _STATE["signal"] is None:
        _STATE["signal"] = signum
        return
    for action in list(_ON_EXIT):  # the second signal: stop at once
        try:
            action()
        except Exception:  # noqa: BLE001 - exiting regardless
            pass
    try:
        sys.stderr.write(f"{signal_name(signum)} again: stopped at once\n")
        sys.stderr.flush()
    except Exception:  # noqa: BLE001
        pass
    os._exit(exit_code(_STATE["signal"]))


@contextmanager
def handling() -> Iterator[None]:
    """Handle SIGINT, SIGTERM and SIGHUP as described in the module docstring, then restore."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in SIGNALS}
    _STATE.update(signal=None, installed=True, last_solve=False)
    for s in SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _STATE.update(installed=False, last_solve=False)


@contextmanager
def shielded() -> Iterator[None]:
    """Block the stop signals in this thread for the block: threads and processes started in it
    inherit them blocked, so a Ctrl-C to the terminal's process group reaches only this process
    (which ends them); a signal that comes meanwhile is handled when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def worker_init(parent: int) -> None:
    """In a pool worker: leave SIGINT and SIGHUP to the parent, die on SIGTERM, exit when ``parent`` is gone.

    The pool starts its workers :func:`shielded`; the shield is lifted here, once the
    terminal's signals are ignored, so that the parent's SIGTERM ends the worker.
    """
    for name, action in (("SIGINT", signal.SIG_IGN), ("SIGHUP", signal.SIG_IGN), ("SIGTERM", signal.SIG_DFL)):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), action)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="interop-parent-watch").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # the parent died (even by kill -9): no worker outlives its run


def end_processes(processes, grace: float = 2.0) -> None:
    """Terminate ``processes`` (multiprocessing processes), then kill those still alive after ``grace``."""
    processes = [p for p in processes if p.is_alive()]
    for p in processes:
        p.terminate()
    deadline = time.monotonic() + grace
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in processes:
        if p.is_alive():
            p.kill()
            p.join(1.0)
