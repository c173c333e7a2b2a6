"""Files published whole: the destination holds the old file or the new one, never a part of one."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from risk import whole_file
from risk.cohort import TableWriter
from risk.errors import InvalidInput
from risk.whole_file import WholeFile, folder_lock, partial_path, same_file, write_whole


def test_the_destination_keeps_the_old_file_until_publish(tmp_path: Path) -> None:
    target = tmp_path / "scored.csv"
    target.write_bytes(b"old\n")
    file = WholeFile(target)
    file.handle.write(b"new\n")
    file.handle.flush()
    assert target.read_bytes() == b"old\n"
    file.publish()
    assert target.read_bytes() == b"new\n"
    assert not partial_path(target).exists()


def test_discard_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "scored.csv"
    target.write_bytes(b"old\n")
    file = WholeFile(target)
    file.handle.write(b"half a fi")
    file.discard()
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scored.csv"]


def test_publish_and_discard_act_once(tmp_path: Path) -> None:
    file = WholeFile(tmp_path / "a.csv")
    file.handle.write(b"x")
    file.publish()
    file.discard()  # a second call must not delete or rename anything
    file.publish()
    assert (tmp_path / "a.csv").read_bytes() == b"x"


def test_a_restricted_file_stays_restricted(tmp_path: Path) -> None:
    """Health data a user made private (0600) must not come back readable by others."""
    target = tmp_path / "scored.csv"
    target.write_bytes(b"old\n")
    target.chmod(0o600)
    write_whole(target, b"new\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == b"new\n"


def test_a_new_file_gets_the_mode_a_plain_open_would_give(tmp_path: Path) -> None:
    plain, whole = tmp_path / "plain.csv", tmp_path / "whole.csv"
    plain.write_bytes(b"x")
    write_whole(whole, b"x")
    assert stat.S_IMODE(whole.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "store" / "scored.csv"
    real.parent.mkdir()
    real.write_bytes(b"old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    write_whole(link, b"new\n")
    assert link.is_symlink()
    assert real.read_bytes() == b"new\n"


def test_an_output_that_cannot_be_written_is_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"cannot write .*missing/x\.csv: No such file or directory"):
        WholeFile(tmp_path / "missing" / "x.csv")


def test_same_file_sees_spellings_links_and_hard_links(tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    hard = tmp_path / "hard.csv"
    os.link(first, hard)
    soft = tmp_path / "soft.csv"
    soft.symlink_to(first)
    assert same_file(first, tmp_path / "sub" / ".." / "a.csv")
    assert same_file(first, hard)
    assert same_file(soft, first)
    assert not same_file(first, tmp_path / "b.csv")  # not there yet: another file
    (tmp_path / "b.csv").write_bytes(b"x")
    assert not same_file(first, tmp_path / "b.csv")  # same bytes, another file


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_table_left_by_an_exception_is_not_written(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"scored{suffix}"
    frame = pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]})
    with TableWriter(target) as writer:
        writer.write(frame)
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="row 250,000"), TableWriter(target) as writer:
        writer.write(frame.assign(a=[9.5, 9.5]))
        raise RuntimeError("a bad byte in row 250,000")
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_a_parquet_table_without_a_chunk_makes_no_file(tmp_path: Path) -> None:
    """An empty Parquet file has no schema; as before, none is made."""
    with TableWriter(tmp_path / "none.parquet"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_second_writer_of_one_destination_is_refused_while_the_first_writes(tmp_path: Path) -> None:
    """Two runs once wrote one partial file together: the published file mixed both."""
    target = tmp_path / "scored.csv"
    first = WholeFile(target)
    first.handle.write(b"first\n")
    with pytest.raises(InvalidInput, match=r"another run is writing .*scored\.csv now"):
        WholeFile(target)
    first.publish()
    second = WholeFile(target)  # the first is done: its partial file is now the destination
    second.handle.write(b"second\n")
    assert target.read_bytes() == b"first\n"
    second.publish()
    assert target.read_bytes() == b"second\n"


def test_a_folder_is_locked_for_one_run_and_its_lock_file_goes_with_it(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "scored"
    with folder_lock(folder):
        assert (tmp_path / "new" / ".scored.lock").exists()
        with pytest.raises(InvalidInput, match=r"another run is writing .*scored now"), folder_lock(folder):
            pass
    assert list((tmp_path / "new").iterdir()) == []
    with folder_lock(folder):  # free again
        pass


def test_a_killed_runs_folder_lock_file_does_not_block_the_next_run(tmp_path: Path) -> None:
    code = (
        "import os, sys; from pathlib import Path; from risk.whole_file import folder_lock;"
        "lock = folder_lock(Path(sys.argv[1])); lock.__enter__(); os.kill(os.getpid(), 9)"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(tmp_path / "scored")], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert (tmp_path / ".scored.lock").exists()
    with folder_lock(tmp_path / "scored"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_run_that_opened_a_lock_file_as_it_was_removed_locks_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder removes its lock file while holding it; a run that opened the file just
    before, and locks it just after, holds the lock of a file nobody else will ever open."""
    folder, lock_path = tmp_path / "scored", tmp_path / ".scored.lock"
    lock_path.write_bytes(b"")
    real_lock, opened = whole_file._lock, []  # the inode of each file this run locked

    def lock_after_the_holder_left(descriptor: int) -> None:
        opened.append(os.fstat(descriptor).st_ino)
        if len(opened) == 1:
            lock_path.unlink()  # the holder finishes between this run's open and its lock
        real_lock(descriptor)

    monkeypatch.setattr(whole_file, "_lock", lock_after_the_holder_left)
    with folder_lock(folder):
        # Opened again: the held lock is on the file now at the path (the first one is gone).
        assert len(opened) == 2 and opened[1] == lock_path.stat().st_ino


def test_the_partial_file_of_a_killed_run_is_reused_not_a_lock(tmp_path: Path) -> None:
    """A run killed with SIGKILL leaves its partial file; its lock died with it."""
    target = tmp_path / "scored.csv"
    target.write_bytes(b"earlier\n")
    code = (
        "import os, sys; from pathlib import Path; from risk.whole_file import WholeFile;"
        "f = WholeFile(Path(sys.argv[1])); f.handle.write(b'half a ru'); f.handle.flush();"
        "os.kill(os.getpid(), 9)"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(target)], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert partial_path(target).read_bytes() == b"half a ru"
    assert target.read_bytes() == b"earlier\n"
    write_whole(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scored.csv"]


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_a_file_system_that_keeps_no_locks_is_still_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """Some network mounts answer flock with ENOLCK: outputs there must not become unwritable."""

    def no_locks(descriptor: int, operation: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    write_whole(tmp_path / "scored.csv", b"rows\n")
    assert (tmp_path / "scored.csv").read_bytes() == b"rows\n"


def test_a_lock_error_that_is_no_missing_lock_support_is_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(descriptor: int, operation: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(fcntl, "flock", broken)
    with pytest.raises(InvalidInput, match=r"cannot write .*scored\.csv: Input/output error"):
        WholeFile(tmp_path / "scored.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_at_the_destination_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "scored.csv").mkdir()
    with pytest.raises(InvalidInput, match=r"cannot write .*scored\.csv: it is a folder"):
        WholeFile(tmp_path / "scored.csv")
    assert [p.name for p in tmp_path.iterdir()] == ["scored.csv"]


def test_a_failed_publish_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_room(self: Path, target: Path) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    file = WholeFile(tmp_path / "scored.csv")
    file.handle.write(b"rows\n")
    monkeypatch.setattr(Path, "replace", no_room)
    with pytest.raises(OSError, match="No space left"):
        file.publish()
    assert list(tmp_path.iterdir()) == []
    assert file.handle.closed
