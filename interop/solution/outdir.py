"""Output folders that lose nothing: a manifest of owned files, a lock, results swapped in whole.

Every command that writes a folder (``solve``, ``sweep``, ``frontier``,
``resilience``, ``alternatives``, ``compare``, ``report``) opens it with
:func:`open_folder`, before any solve, which

- checks that the folder can be written (:func:`interop.safeio.unwritable_dir`);
- takes a lock, ``.interop.lock`` (``fcntl.flock``, non-blocking; the file is
  there while a run writes): a second run into the same folder is refused with
  "another interop run is writing to DIR (pid N)";
- reads ``.interop-manifest.json``: the command that wrote the folder and the
  files it wrote (paths relative to the folder). One kind of run per folder: a
  folder holding another command's results is refused unless ``force``, and
  then only the files that manifest lists are deleted. A file the manifest
  does not list is not interop's: its presence is refused unless ``force``,
  and even then it is never deleted (a subfolder with a manifest of its own
  is another run's and is left alone);
- removes its own stale temporaries only, the ``.NAME.XXXXXXXX.tmp`` that
  :func:`interop.solution.files.atomic_write` leaves for a file NAME the
  manifest lists, when a run is killed mid-write.

A resumable run (``again="resume"``) claims each file in the manifest before
writing it, so that a killed run's files are known to the next. A one-shot
result (``solve``, ``compare``…) is written whole into a staging folder beside
(:meth:`OutFolder.staging`), then swapped in: the manifest records the swap
before it starts and the next run completes a swap that a kill cut off, so a
reader never sees files of two runs side by side, and a failure while writing
(a full disk) leaves the previous result as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from interop.safeio import umask_mode, unwritable_dir
from interop.solution.files import atomic_write

MANIFEST = ".interop-manifest.json"
LOCK = ".interop.lock"
STAGING = ".interop-new."
PROBE = ".interop-probe."  # unwritable_dir's probe, there for an instant
FORMAT = "interop-outdir/1"
AGAIN = ("resume", "replace", "refuse")
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")  # atomic_write's (tempfile.mkstemp) names
_HELD: dict[str, OutFolder] = {}  # folders this process has open, by real path


class FolderRefused(Exception):
    """The output folder cannot be used as asked; the message says why and what to do."""


class FolderBusy(FolderRefused):
    """Another interop run holds the folder's lock."""


class OutFolder:
    """An output folder opened by this process: locked, its own files known.

    ``command`` is the kind of run (one per folder). ``again`` says what an
    earlier result of the same command means: ``resume`` keeps it (the run
    goes on from it), ``replace`` swaps it for the new one, ``refuse`` needs
    ``force`` (``solve`` does not overwrite a solution unless told).
    """

    def __init__(self, path: str | Path, command: str, *, force: bool = False, again: str = "resume"):
        if again not in AGAIN:
            raise ValueError(f"again must be one of {AGAIN}")
        self.path = Path(path)
        self.command = command
        self.force = force
        self.again = again
        self.files: set[str] = set()  # what the manifest lists now
        self.inherited: set[str] = set()  # files of an earlier run this run may trust (resume)
        self._lock_fd: int | None = None
        self._created = False
        self._depth = 0

    # -- opening ---------------------------------------------------------------------------

    def open(self) -> OutFolder:
        """Check, lock and read the folder (see the module docstring); raises :class:`FolderRefused`."""
        self._created = not self.path.exists()
        problem = unwritable_dir(self.path)
        if problem:
            raise FolderRefused(f"--out {self.path}: {problem}")
        self._lock()
        try:
            self._take_over()
        except BaseException:
            self.release()
            raise
        return self

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # no flock on this platform: no lock
            return
        lock = self.path / LOCK
        for _ in range(10):
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, umask_mode())
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
                os.close(fd)
                raise FolderBusy(f"another interop run is writing to {self.path} (pid {holder})") from None
            try:
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:  # not a lock file its last holder removed while we opened it
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._lock_fd = fd
                return
            os.close(fd)
        raise FolderBusy(f"another interop run is writing to {self.path} (its lock keeps changing)")

    def _take_over(self) -> None:
        previous = read_manifest(self.path)
        if previous is not None and _is_staging(previous.get("staging")):
            _finish_swap(self.path, previous)  # a swap cut off by a kill: complete it
            previous = read_manifest(self.path)
        for leftover in self.path.glob(f"{STAGING}*"):  # a staging folder never swapped in: ours
            shutil.rmtree(leftover, ignore_errors=True)
        owned = set(previous.get("files", [])) if previous is not None else set()
        if previous is not None and not self.force:
            earlier = previous.get("command", "?")
            if earlier != self.command:
                raise FolderRefused(
                    f"{self.path} holds the results of 'interop {earlier}' and a folder holds one kind of run;"
                    f" use another --out, or --force to replace them"
                )
            if self.again == "refuse":
                shown = next((f for f in ("solution.json", *sorted(owned)) if f in owned), MANIFEST)
                raise FolderRefused(
                    f"{self.path / shown} exists (an earlier '{earlier}' result); use --force or another --out"
                )
        if not self.force:
            enclosing = enclosing_run(self.path)
            if enclosing is not None:
                raise FolderRefused(
                    f"{self.path} is part of the 'interop {enclosing[1]}' run in {enclosing[0]};"
                    " use another --out, or --force to write into it"
                )
            foreign = first_foreign(self.path, owned)
            if foreign is not None:
                raise FolderRefused(
                    f"{self.path} holds files that interop's manifest there ({MANIFEST}) does not list,"
                    f" such as {foreign}; use another --out, or --force to write beside them (they are kept)"
                )
        remove_stale_temporaries(self.path, owned | {MANIFEST})
        self.files = owned
        if self.again == "resume":
            if previous is not None and (self.force or previous.get("command") != self.command):
                delete_files(self.path, owned)  # the earlier run is replaced: only its own files go
                self.files = set()
                self._write_manifest()
            self.inherited = set(self.files)

    # -- writing ---------------------------------------------------------------------------

    def claim(self, names: Iterable[str]) -> None:
        """Record ``names`` (paths relative to the folder) as this run's before they are written."""
        new = {str(Path(n).as_posix()) for n in names} - self.files
        if new:
            self.files |= new
            self._write_manifest()

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh folder beside the result to write it into; swapped in whole when the block ends.

        If the block raises, the staging folder is removed and the folder keeps
        its previous result as it was.
        """
        tmp = Path(tempfile.mkdtemp(dir=self.path, prefix=STAGING))
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        new = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        record = {"format": FORMAT, "command": self.command, "files": new}
        record |= {"staging": tmp.name, "previous": sorted(self.files - set(new))}
        try:
            atomic_write(self.path / MANIFEST, json.dumps(record, indent=2) + "\n")  # the swap, before it starts
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _finish_swap(self.path, record)
        self.files = set(new)

    def _write_manifest(self) -> None:
        doc = {"format": FORMAT, "command": self.command, "files": sorted(self.files)}
        atomic_write(self.path / MANIFEST, json.dumps(doc, indent=2) + "\n")

    # -- closing ---------------------------------------------------------------------------

    def release(self) -> None:
        """Unlock; a folder this run created and wrote nothing into is removed again."""
        _HELD.pop(os.path.realpath(self.path), None)
        if self._lock_fd is None:
            return
        (self.path / LOCK).unlink(missing_ok=True)  # still held: a run that opened it meanwhile tries again
        if self._created and not self.files and not (self.path / MANIFEST).exists():
            try:
                self.path.rmdir()
            except OSError:
                pass
        os.close(self._lock_fd)
        self._lock_fd = None

    def __enter__(self) -> OutFolder:
        return self

    def __exit__(self, *exc) -> None:
        self.leave()

    def leave(self) -> None:
        """End one use (one ``open_folder``); the last one releases the folder."""
        self._depth -= 1
        if self._depth <= 0:
            self.release()


def open_folder(path: str | Path, command: str, *, force: bool = False, again: str = "resume") -> OutFolder:
    """The output folder ``path`` for a run of ``command``, opened and locked (see :class:`OutFolder`).

    If this process has the folder open already (the CLI opens it before the
    analysis it calls), that one is returned and its checks are not repeated.
    Use it as a context manager; it is released when the outermost ``with`` ends.
    """
    held = held_folder(path)
    if held is None:
        held = OutFolder(path, command, force=force, again=again).open()
        _HELD[os.path.realpath(held.path)] = held
    held._depth += 1
    return held


def held_folder(path: str | Path) -> OutFolder | None:
    """The folder at ``path`` if this process has it open."""
    return _HELD.get(os.path.realpath(path))


def read_manifest(path: str | Path) -> dict | None:
    """The folder's manifest, or None if it has none (or none that interop could have written)."""
    try:
        doc = json.loads((Path(path) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("files"), list):
        return None
    doc["files"] = [f for f in doc["files"] if isinstance(f, str) and _inside(f)]
    return doc


def record_files(paths: Iterable[str | Path], levels: int = 3) -> None:
    """Add files another command (``plot``) wrote into a run's folder to that folder's manifest.

    The run's folder is the nearest of the files' ``levels`` parents holding a
    manifest; a file in none is left alone, and so is a folder another run holds.
    """
    by_folder: dict[Path, list[str]] = {}
    for file in map(Path, paths):
        for folder in list(file.absolute().parents)[:levels]:
            if (folder / MANIFEST).is_file():
                by_folder.setdefault(folder, []).append(file.absolute().relative_to(folder).as_posix())
                break
    for path, rel in by_folder.items():
        held = held_folder(path)
        if held is not None:
            held.claim(rel)
            continue
        folder = OutFolder(path, "plot")
        try:
            folder._lock()
            current = read_manifest(path)
            if current is not None and not current.get("staging"):
                folder.command, folder.files = current.get("command", "?"), set(current["files"])
                folder.claim(rel)
        except (OSError, FolderRefused):  # busy or unwritable: the figures stay unlisted
            pass
        finally:
            folder.release()


def enclosing_run(path: Path, levels: int = 3) -> tuple[Path, str] | None:
    """The run folder above ``path`` (up to ``levels`` up) whose manifest lists files inside ``path``."""
    here = path.absolute()
    for folder in list(here.parents)[:levels]:
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        prefix = here.relative_to(folder).as_posix() + "/"
        if any(f.startswith(prefix) for f in manifest["files"]):
            shown = os.path.relpath(folder)
            return (folder if shown.startswith("..") else Path(shown)), manifest.get("command", "?")
    return None


def first_foreign(path: Path, owned: set[str]) -> str | None:
    """The first file below ``path`` that interop did not write (not in ``owned``), or None."""
    for root, dirs, files in os.walk(path):
        base = Path(root)
        dirs[:] = [d for d in dirs if not d.startswith(STAGING) and not (base / d / MANIFEST).exists()]
        for name in files:
            rel = (base / name).relative_to(path).as_posix()
            if rel in owned or rel in (MANIFEST, LOCK) or (name.startswith(PROBE) and name.endswith(".tmp")):
                continue
            stale = _TEMPORARY.match(name)
            if stale and (base / stale["name"]).relative_to(path).as_posix() in owned | {MANIFEST}:
                continue
            return rel
    return None


def remove_stale_temporaries(path: Path, owned: Iterable[str]) -> None:
    """Remove the temporaries ``atomic_write`` left for the files in ``owned``, and no other file."""
    by_dir: dict[Path, set[str]] = {}
    for rel in owned:
        target = path / rel
        by_dir.setdefault(target.parent, set()).add(target.name)
    root = os.path.realpath(path)
    for directory, names in by_dir.items():
        if not _below(root, directory):
            continue
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            match = _TEMPORARY.match(entry)
            if match and match["name"] in names:
                (directory / entry).unlink(missing_ok=True)


def delete_files(path: Path, names: Iterable[str]) -> None:
    """Delete the files ``names`` below ``path`` and the folders they leave empty (nothing else)."""
    root = os.path.realpath(path)
    for rel in sorted(names):
        target = path / rel
        if not _inside(rel) or not _below(root, target.parent):
            continue
        if target.is_file() or target.is_symlink():
            target.unlink(missing_ok=True)
        parent = target.parent
        while parent != path and parent.is_dir():
            try:
                parent.rmdir()  # only if empty: a user's file keeps its folder
            except OSError:
                break
            parent = parent.parent


def _finish_swap(path: Path, record: dict) -> None:
    """Move the staged files into place, delete the previous run's other files, drop the record."""
    staged = path / record["staging"]
    if staged.is_dir():
        for rel in record["files"]:
            source = staged / rel
            if source.is_file() and _below(os.path.realpath(path), (path / rel).parent):
                (path / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, path / rel)
    delete_files(path, set(record.get("previous", [])) - set(record["files"]))
    shutil.rmtree(staged, ignore_errors=True)
    doc = {"format": FORMAT, "command": record["command"], "files": record["files"]}
    atomic_write(path / MANIFEST, json.dumps(doc, indent=2) + "\n")


def _below(root: str, directory: Path) -> bool:
    """``directory`` is ``root`` or inside it, symbolic links followed (a link cannot lead out)."""
    real = os.path.realpath(directory)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _is_staging(name: object) -> bool:
    return isinstance(name, str) and name.startswith(STAGING) and "/" not in name and ".." not in name


def _inside(rel: str) -> bool:
    """A relative path that stays inside the folder (a crafted manifest cannot reach out)."""
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts
