"""Long runs of many solves: resumable result directories, executors, progress.

A run directory holds a manifest (what was asked), one ``solution.json`` per
finished point under ``points/`` and the run's table (``sweep.csv`` or
``frontier.csv``), each written atomically. A run killed at any moment, even
by ``kill -9``, leaves only whole files; started again with the same request
it solves the missing points only and rewrites the table from the points, so
no row is partial or duplicated. A different request in the same directory
is refused unless ``force`` is given; the folder's lock, its manifest of owned
files and its one kind of run are :mod:`interop.solution.outdir`'s. After a signal (:mod:`interop.solver.stop`)
no point is written any more, so the point being solved when it came is
solved again by the resume, like any missing point; a point an older version
saved as interrupted counts as missing.

Points run in this process, in a pool of local processes, or on a Dask
cluster; each worker keeps its compiled model between the points it solves.
"""

from __future__ import annotations

import functools
import json
import os
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from interop.safeio import safe_csv
from interop.solution.files import atomic_write, json_default
from interop.solution.outdir import FolderRefused, delete_files, open_folder
from interop.solver import stop


class RunConflict(FolderRefused):
    """The directory holds another run's results (or is busy, or cannot be written)."""


_OPEN_RUNS: list[RunDir] = []  # run directories open in this process, oldest first


def closes_run_dirs(func: Callable) -> Callable:
    """Decorate a run (``sweep``…) so that the run directories it opens are closed when it returns or raises."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        mark = len(_OPEN_RUNS)
        try:
            return func(*args, **kwargs)
        finally:
            while len(_OPEN_RUNS) > mark:
                _OPEN_RUNS.pop().close()

    return run


class RunDir:
    """A resumable run's directory: manifest, finished points, table.

    The folder is opened with :func:`interop.solution.outdir.open_folder` (a
    lock, the files this kind of run owns; see that module): ``claims`` are the
    files the run will write (its points, its table), recorded before any is
    written so that a killed run's files are known as its own.
    """

    def __init__(
        self,
        path: str | Path,
        manifest_name: str,
        manifest: dict,
        force: bool = False,
        points: str = "points",
        claims: Iterable[str] = (),
    ):
        self.path = Path(path)
        self.points_dir = self.path / points
        self.manifest_path = self.path / manifest_name
        try:
            self.folder = open_folder(self.path, manifest_name.removesuffix(".json"), force=force)
        except FolderRefused as exc:
            raise RunConflict(str(exc)) from None
        try:
            self._check(manifest, force)
        except BaseException:
            self.folder.leave()
            raise
        self._leave = weakref.finalize(self, self.folder.leave)  # once: by close() or when collected
        _OPEN_RUNS.append(self)
        self.folder.claim([manifest_name, *claims])
        self.points_dir.mkdir(exist_ok=True)
        atomic_write(self.manifest_path, json.dumps(manifest, indent=2, default=json_default) + "\n")

    def close(self) -> None:
        """End this run's use of its folder (the lock goes with the folder's last use)."""
        self._leave()

    def _check(self, manifest: dict, force: bool) -> None:
        """Refuse a different request of the same kind unless ``force`` (then its files go)."""
        wanted = json.loads(json.dumps(manifest, default=json_default))
        name = self.manifest_path.name
        if name not in self.folder.inherited or not self.manifest_path.exists():
            return
        try:
            previous = json.loads(self.manifest_path.read_text())
        except (OSError, ValueError):
            previous = None
        if previous == wanted:
            return
        if not force:
            raise RunConflict(
                f"{self.path} holds the results of a different request ({name} differs);"
                " use --force to replace them or another --out"
            )
        delete_files(self.path, self.folder.inherited)  # only the earlier request's own files go
        self.folder.inherited = set()

    def finished(self) -> dict[str, dict]:
        """The solutions of the points already written by this kind of run, by point name."""
        out = {}
        for path in sorted(self.points_dir.glob("*/solution.json")):
            if path.relative_to(self.path).as_posix() not in self.folder.inherited:
                continue  # not written by this run's request: never trusted
            try:
                out[path.parent.name] = json.loads(path.read_text())
            except (OSError, ValueError):  # unreadable: solve the point again
                continue
            if stop.cut_short(out[path.parent.name]):  # stopped by a signal: not finished, solve it again
                del out[path.parent.name]
        return out

    def write_point(self, name: str, solution: dict) -> None:
        self.folder.claim([(self.points_dir / name / "solution.json").relative_to(self.path).as_posix()])
        write_point(self.points_dir, name, solution)

    def write_table(self, name: str, frame) -> Path:
        path = self.path / name
        self.folder.claim([name])
        atomic_write(path, safe_csv(frame))
        return path


def write_point(points_dir: str | Path, name: str, solution: dict) -> None:
    """Write one point's ``solution.json`` atomically; after a stop was asked for, raise
    :class:`~interop.solver.stop.Interrupted` instead (the point may be cut short: it is not finished)."""
    stop.check()
    directory = Path(points_dir) / name
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write(directory / "solution.json", json.dumps(solution, indent=2, default=json_default) + "\n")


def progress_bar(enabled: bool, total: int | None, label: str) -> Progress:
    """A progress bar on stderr: points done, elapsed and remaining time."""
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("remaining"),
        TimeRemainingColumn(),
    )
    bar = Progress(*columns, console=Console(stderr=True, emoji=False), disable=not enabled, transient=False)
    bar.add_task(label, total=total)
    return bar


def execute(
    jobs: list[dict],
    worker: Callable[[dict], list[tuple[str, dict]]],
    on_result: Callable[[str, dict], None],
    *,
    executor: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
) -> None:
    """Run ``worker`` on every job and pass each (point name, solution) to ``on_result``.

    ``local`` with one worker runs here, and the job's ``emit`` callback sees
    every point as soon as it is solved; ``local`` with several workers uses a
    pool of processes (spawned, so no HiGHS thread crosses a fork; ended at
    once on a stop, and each exits by itself if this process dies); ``dask``
    uses the cluster at ``scheduler`` or a ``LocalCluster`` of ``workers``
    processes.
    """
    if executor == "local" and workers <= 1:
        for job in jobs:
            worker({**job, "emit": on_result})
        return
    if executor == "local":
        _execute_pool(jobs, worker, on_result, workers)
        return
    if executor == "dask":
        _execute_dask(jobs, worker, on_result, workers, scheduler)
        return
    raise ValueError(f"unknown executor '{executor}' (local or dask)")


def _deliver(results: Iterable[tuple[str, dict]], on_result: Callable[[str, dict], None]) -> None:
    for name, solution in results:
        stop.check()
        on_result(name, solution)


def _execute_pool(jobs, worker, on_result, workers: int) -> None:
    """The local pool: workers start shielded from the terminal's signals and watch this process
    (:func:`interop.solver.stop.worker_init`); on a stop they are ended at once, the points they
    finished already on disk."""
    context = get_context("spawn")
    quiet_resource_tracker()
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=stop.worker_init, initargs=(os.getpid(),))

    def end() -> None:
        stop.end_processes(list((getattr(pool, "_processes", None) or {}).values()))

    remove = stop.on_exit(end)
    try:
        with stop.shielded():  # the workers start as submitted: shielded until worker_init
            pending = {pool.submit(worker, job) for job in jobs}
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            stop.check()
            for future in finished:
                _deliver(future.result(), on_result)
    except BaseException:
        end()  # a stop or a failure: no worker goes on solving
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        remove()
    pool.shutdown(wait=True)


def _execute_dask(jobs, worker, on_result, workers: int, scheduler: str | None) -> None:
    """A Dask cluster: the one at ``scheduler``, or a ``LocalCluster`` of ``workers`` processes.

    The local cluster's processes start with the stop signals blocked
    (:func:`interop.solver.stop.shielded`): a Ctrl-C to the terminal reaches
    this process only, which decides, as for the local pool. On a stop its
    workers are ended at once and the cluster closed without Dask's logging
    (no heartbeat tracebacks); each worker exits by itself if this process
    dies, even by ``kill -9`` (Dask's watch of the parent).
    """
    from dask.distributed import Client
    from dask.distributed import wait as dask_wait

    cluster = _local_cluster(workers) if scheduler is None else None
    remove = stop.on_exit(functools.partial(_kill_workers, cluster)) if cluster is not None else None
    client = None
    pending: set = set()
    ending = False
    try:
        client = Client(cluster if cluster is not None else scheduler)
        pending = set(client.map(worker, jobs, pure=False))
        while pending:  # polled, so that a stop is seen within a fraction of a second
            try:
                finished, pending = dask_wait(pending, timeout=0.2, return_when="FIRST_COMPLETED")
            except TimeoutError:
                finished = set()
            stop.check()
            for future in finished:
                _deliver(future.result(), on_result)
    except BaseException:
        ending = True
        if client is not None and cluster is None:  # a cluster of ours: its workers are ended below
            client.cancel(list(pending))
        raise
    finally:
        if remove is not None:
            remove()
        _close_dask(client, cluster, at_once=ending)


def _local_cluster(workers: int):
    """A ``LocalCluster`` of ``workers`` single-threaded processes, started shielded from the stop signals."""
    import logging

    from dask.distributed import LocalCluster

    quiet_resource_tracker()  # first: starting the tracker unblocks SIGINT and SIGTERM in this thread
    with stop.shielded():
        return LocalCluster(
            n_workers=max(1, workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def _close_dask(client, cluster, at_once: bool) -> None:
    """Close ``client`` and the local ``cluster``; ``at_once`` (a stop, a failure): its workers are
    killed first, so that none is left talking to a scheduler that is gone (Dask's heartbeat
    tracebacks), and nothing Dask logs meanwhile is shown."""
    import asyncio
    import logging

    async def end_workers(nannies) -> None:
        from distributed.core import Status

        for nanny in nannies:  # a worker that exits now is not restarted: its nanny closes
            nanny.status = Status.closing_gracefully
        _kill_workers(cluster)
        await asyncio.gather(*(n.close(timeout=1, reason="interop-stop") for n in nannies), return_exceptions=True)

    quiet = logging.getLogger("distributed")
    level = quiet.level
    if at_once:
        quiet.setLevel(logging.CRITICAL + 1)
    try:
        if cluster is not None and at_once:
            try:
                cluster.sync(end_workers, list(cluster.workers.values()))
            except Exception:  # noqa: BLE001 - closing regardless
                _kill_workers(cluster)
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    finally:
        quiet.setLevel(level)


def _kill_workers(cluster) -> None:
    """SIGKILL the local cluster's worker processes (a second signal: no waiting)."""
    import signal

    for nanny in list(getattr(cluster, "workers", {}).values()):
        pid = getattr(nanny, "pid", None)
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker, if it is not running, without its warning at exit.

    A worker killed on a stop leaves the semaphores it made to the tracker, which removes them
    when the run's processes are gone; its "leaked semaphore objects" warning then says only
    that, and would be the one noisy line of a quiet stop.
    """
    import sys
    from multiprocessing import resource_tracker

    sys.warnoptions.append("ignore:resource_tracker:UserWarning")  # passed to the tracker's interpreter
    try:
        with stop.shielded():  # SIGHUP too: the tracker ignores only SIGINT and SIGTERM
            resource_tracker.ensure_running()
    finally:
        sys.warnoptions.pop()


def worker_threads(workers: int) -> int:
    """HiGHS threads per worker so that the workers share the cores."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))
