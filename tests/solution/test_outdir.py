"""The output-folder machinery: owned files, stale temporaries, one kind of run, the swap, the lock."""

import fcntl
import json

import pytest

from interop.solution.outdir import (
    LOCK,
    MANIFEST,
    STAGING,
    FolderBusy,
    FolderRefused,
    first_foreign,
    held_folder,
    open_folder,
    read_manifest,
    record_files,
)


def _manifest(folder, command, files, **extra):
    doc = {"format": "interop-outdir/1", "command": command, "files": files, **extra}
    (folder / MANIFEST).write_text(json.dumps(doc))


def test_only_the_temporaries_of_owned_files_are_removed(tmp_path):
    (tmp_path / "points" / "p0").mkdir(parents=True)
    ours = [tmp_path / ".sweep.csv.a1b2c3d4.tmp", tmp_path / "points" / "p0" / ".solution.json.zz_x9y8w.tmp"]
    theirs = [
        tmp_path / ".notes.tmp",
        tmp_path / ".other.csv.a1b2c3d4.tmp",  # the shape of ours, but not a file the manifest lists
        tmp_path / "points" / ".solution.json.a1b2c3d4.tmp",
        tmp_path / "points" / "p0" / "solution.json.a1b2c3d4.tmp",
    ]
    for path in ours + theirs:
        path.write_text("x")
    _manifest(tmp_path, "sweep", ["sweep.csv", "points/p0/solution.json"])
    with open_folder(tmp_path, "sweep", force=True):
        pass
    assert not any(p.exists() for p in ours)
    assert all(p.exists() for p in theirs)


def test_force_deletes_only_the_files_of_the_earlier_manifest(tmp_path):
    (tmp_path / "points" / "p0").mkdir(parents=True)
    (tmp_path / "points" / "p0" / "solution.json").write_text("{}")
    (tmp_path / "points" / "p0" / "mine.txt").write_text("mine")
    (tmp_path / "sweep.csv").write_text("a\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not yours")
    _manifest(tmp_path, "sweep", ["sweep.csv", "points/p0/solution.json", f"../{outside.name}", str(outside)])
    with open_folder(tmp_path / ".", "frontier", force=True) as folder:
        assert folder.files == set()
    assert not (tmp_path / "sweep.csv").exists() and not (tmp_path / "points" / "p0" / "solution.json").exists()
    assert (tmp_path / "points" / "p0" / "mine.txt").read_text() == "mine"
    assert outside.read_text() == "not yours"  # a crafted manifest cannot reach out of the folder
    assert read_manifest(tmp_path)["command"] == "frontier"


def test_another_kind_of_run_is_refused_without_force(tmp_path):
    _manifest(tmp_path, "sweep", [])
    with pytest.raises(FolderRefused, match="interop sweep"):
        open_folder(tmp_path, "frontier")
    assert held_folder(tmp_path) is None and not (tmp_path / LOCK).exists()  # a refused run lets go


def test_a_nested_run_and_our_bookkeeping_are_not_foreign(tmp_path):
    (tmp_path / "sweep").mkdir()
    _manifest(tmp_path / "sweep", "sweep", [])
    (tmp_path / "sweep" / "sweep.csv").write_text("a\n")
    (tmp_path / LOCK).write_text("1\n")
    (tmp_path / f"{STAGING}abc").mkdir()
    assert first_foreign(tmp_path, set()) is None
    (tmp_path / "sweep-notes.txt").write_text("mine")
    assert first_foreign(tmp_path, set()) == "sweep-notes.txt"


def test_the_staged_result_replaces_the_earlier_one_whole(tmp_path):
    with open_folder(tmp_path, "solve", again="replace") as folder, folder.staging() as tmp:
        (tmp / "solution.json").write_text("1")
        (tmp / "tasks.csv").write_text("1")
    with open_folder(tmp_path, "solve", again="replace") as folder:
        with pytest.raises(OSError), folder.staging() as tmp:
            (tmp / "solution.json").write_text("2")
            raise OSError(28, "No space left on device")
        with folder.staging() as tmp:
            (tmp / "solution.json").write_text("3")
    assert (tmp_path / "solution.json").read_text() == "3" and not (tmp_path / "tasks.csv").exists()
    assert read_manifest(tmp_path)["files"] == ["solution.json"]
    assert not list(tmp_path.glob(f"{STAGING}*"))


def test_a_swap_cut_off_by_a_kill_is_completed_by_the_next_run(tmp_path):
    (tmp_path / "solution.json").write_text("old")
    (tmp_path / "tasks.csv").write_text("old")
    staged = tmp_path / f"{STAGING}k1ll3d"
    staged.mkdir()
    (staged / "solution.json").write_text("new")
    (staged / "links.csv").write_text("new")
    record = {"staging": staged.name, "previous": ["solution.json", "tasks.csv"]}
    _manifest(tmp_path, "solve", ["solution.json", "links.csv"], **record)
    with open_folder(tmp_path, "solve", again="replace"):
        pass
    assert (tmp_path / "solution.json").read_text() == "new" and (tmp_path / "links.csv").read_text() == "new"
    assert not (tmp_path / "tasks.csv").exists() and not staged.exists()
    assert "staging" not in read_manifest(tmp_path)


def test_an_earlier_solve_is_refused_without_force(tmp_path):
    with open_folder(tmp_path, "solve", again="refuse") as folder, folder.staging() as tmp:
        (tmp / "solution.json").write_text("1")
    with pytest.raises(FolderRefused, match="solution.json exists"):
        open_folder(tmp_path, "solve", again="refuse")
    with open_folder(tmp_path, "solve", force=True, again="refuse"):
        pass


def test_the_lock_keeps_a_second_run_out_and_is_released(tmp_path):
    with open(tmp_path / LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("777\n")
        held.flush()
        with pytest.raises(FolderBusy, match=r"another interop run is writing to .* \(pid 777\)"):
            open_folder(tmp_path, "sweep")
    with open_folder(tmp_path, "sweep") as first:
        assert open_folder(tmp_path, "sweep") is first  # this process's own nested use
        first.leave()
        with open(tmp_path / LOCK) as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert not (tmp_path / LOCK).exists()  # released, and the folder keeps only results
    with open_folder(tmp_path, "sweep"):
        pass


def test_a_new_folder_nothing_was_written_into_is_removed_again(tmp_path):
    with open_folder(tmp_path / "new", "sweep"):
        pass
    assert not (tmp_path / "new").exists()


def test_a_figure_drawn_into_a_run_folder_becomes_the_runs(tmp_path):
    with open_folder(tmp_path, "frontier") as folder:
        folder.claim(["frontier.csv"])
    (tmp_path / "frontier.png").write_text("png")
    (tmp_path.parent / "elsewhere.png").write_text("png")
    record_files([tmp_path / "frontier.png", tmp_path.parent / "elsewhere.png"])
    assert read_manifest(tmp_path)["files"] == ["frontier.csv", "frontier.png"]
    assert first_foreign(tmp_path, set(read_manifest(tmp_path)["files"])) is None


def test_a_symlinked_subfolder_does_not_lead_the_deletion_out(tmp_path):
    folder, elsewhere = tmp_path / "run", tmp_path / "important"
    (elsewhere / "p0").mkdir(parents=True)
    (elsewhere / "p0" / "solution.json").write_text("precious")
    (elsewhere / "p0" / ".solution.json.abcdefgh.tmp").write_text("precious too")
    folder.mkdir()
    (folder / "points").symlink_to(elsewhere)
    _manifest(folder, "sweep", ["points/p0/solution.json"])
    with open_folder(folder, "sweep", force=True):
        pass
    assert (elsewhere / "p0" / "solution.json").read_text() == "precious"
    assert (elsewhere / "p0" / ".solution.json.abcdefgh.tmp").exists()


def test_a_staging_folder_a_kill_left_behind_is_removed(tmp_path):
    leftover = tmp_path / f"{STAGING}cut0ff"
    leftover.mkdir()
    (leftover / "solution.json").write_text('{"status": ')
    with open_folder(tmp_path, "solve", again="refuse"):
        assert not leftover.exists()
