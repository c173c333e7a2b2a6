"""Outputs that appear whole or not at all: written beside their destination, then moved into place.

A run that fails half-way (a bad byte in row 250,000, a full disk, Ctrl-C) must not leave a
file that looks like a complete scored cohort, nor destroy the one a previous run wrote:
every row is written to a hidden ``.<name>.partial`` sibling, which replaces the destination
only when the writer publishes it. The partial file is locked while it is written, so two
runs onto one output never write one file together. The destination keeps its permissions
(a file the user restricted stays restricted) and a symbolic link is written through, as a
plain open would.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from risk.errors import InvalidInput

# flock's answers on a file system that does not lock (some network and FUSE mounts).
UNLOCKABLE = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL})


def cannot_write(path: Path, error: OSError) -> InvalidInput:
    """The user error for an output the system refused (no such folder, no permission, a full disk)."""
    return InvalidInput(f"cannot write {path}: {error.strerror or error}")


def partial_path(destination: Path) -> Path:
    """The hidden sibling a file is written to before it replaces ``destination``."""
    return destination.with_name(f".{destination.name}.partial")


def _real_destination(path: Path) -> Path:
    """The file a write to ``path`` lands in: through a symbolic link, as ``open`` would."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file (one path spelled twice, a link, or a hard link)."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return first.samefile(second)
    except OSError:  # either does not exist yet: then they are different files
        return False


def _release_cached_pages(path: Path) -> None:
    """Let the kernel drop the page cache of a file about to be replaced; its bytes stay on disk.

    Writing over a file in place reused the memory of its cached pages; a partial file
    beside it needs as much new memory, which on the virtual machines measured cost more
    CPU time than the write itself (1M scored rows, 391 MB: 0.5-1.0 s against 0.1-0.3 s).
    Only a hint: where it cannot be given, nothing changes but the speed.
    """
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:  # no file yet, or one this user may not read
        return
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            advise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def _locked_partial(partial: Path) -> BinaryIO:
    """The partial file, opened empty under an exclusive lock (BlockingIOError: a live run holds it).

    The lock dies with its process, so a partial file left by a killed run never blocks the
    next one; it is reused.
    """
    descriptor = _open_locked(partial)
    try:
        os.ftruncate(descriptor, 0)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "wb")


def _open_locked(path: Path) -> int:
    """``path`` opened (made if missing) under an exclusive lock; BlockingIOError if a live run holds it.

    A file taken between the open and the lock (published or removed by the run that held
    it) is no longer the one at ``path``: the open is tried again.
    """
    while True:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            _lock(descriptor)
            if _names(descriptor, path):
                return descriptor
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)


def _busy(path: Path) -> InvalidInput:
    return InvalidInput(f"another run is writing {path} now; let it finish or give another output")


def _lock(descriptor: int) -> None:
    """Take the exclusive lock; on a file system that keeps no locks, write without one, as before."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise
    except OSError as exc:
        if exc.errno not in UNLOCKABLE:
            raise


def _names(descriptor: int, path: Path) -> bool:
    """Whether ``path`` still names the open file."""
    try:
        named = path.stat()
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)


def _keep_mode(destination: Path, descriptor: int) -> None:
    """Give the new file the permissions of the one it replaces (none there: the umask's, as open gives)."""
    try:
        mode = stat.S_IMODE(destination.stat().st_mode)
    except FileNotFoundError:
        return
    os.fchmod(descriptor, mode)


class WholeFile:
    """A binary file written to its partial sibling: ``publish`` moves it into place, ``discard`` drops it.

    The partial file is opened at once, so an output that cannot be written is refused
    before any input is read.
    """

    def __init__(self, destination: Path) -> None:
        self.path = Path(destination)
        self.destination = _real_destination(self.path)
        self.partial = partial_path(self.destination)
        if self.destination.is_dir():  # found now, not by the rename at the end of a long run
            raise InvalidInput(f"cannot write {self.path}: it is a folder")
        try:
            self.handle: BinaryIO = _locked_partial(self.partial)
        except BlockingIOError:
            raise _busy(self.path) from None
        except OSError as exc:
            with contextlib.suppress(OSError):  # the empty file the open may have made
                self.partial.unlink()
            raise cannot_write(self.path, exc) from exc
        _release_cached_pages(self.destination)
        self.finished = False

    def publish(self) -> None:
        """Close the partial file and put it in the destination's place (in one rename); once only."""
        if self.finished:
            return
        self.finished = True
        try:
            self.handle.flush()
            _keep_mode(self.destination, self.handle.fileno())
            # Renamed before it is closed: the lock holds until the file is the destination, so
            # a run starting meanwhile makes a partial file of its own instead of taking this one.
            self.partial.replace(self.destination)
        except BaseException:
            self.partial.unlink(missing_ok=True)
            raise
        finally:
            self.handle.close()

    def __enter__(self) -> WholeFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Publish when the block ends normally, discard when an exception leaves it."""
        if kind is None:
            self.publish()
        else:
            self.discard()

    def discard(self) -> None:
        """Close and delete the partial file; the destination stays as it was."""
        if self.finished:
            return
        self.finished = True
        self.partial.unlink(missing_ok=True)
        self.handle.close()


def write_whole(destination: Path, data: bytes) -> None:
    """Write ``data`` to ``destination`` so that no reader ever sees part of it."""
    with WholeFile(destination) as file:
        file.handle.write(data)


def publish_folder(staging: Path, destination: Path) -> None:
    """Put a fully written ``staging`` folder in the place of ``destination`` (replacing any earlier one).

    A folder cannot replace a non-empty one in one rename: the earlier folder is moved
    aside first and deleted once the new one is in place, so the destination holds the
    earlier run or this one, never a mixture.
    """
    if not destination.exists():
        staging.rename(destination)
        return
    aside = destination.with_name(f".{destination.name}.replaced")
    shutil.rmtree(aside, ignore_errors=True)
    destination.rename(aside)
    staging.rename(destination)
    shutil.rmtree(aside)


@contextlib.contextmanager
def folder_lock(destination: Path) -> Iterator[None]:
    """Hold, for a whole run, the lock of the one run writing a folder (a second run: InvalidInput).

    A folder is staged and renamed into place like a file, but its parts are written by many
    processes, so the lock is a hidden ``.<name>.lock`` file beside it, held by the run that
    publishes. Without it a second run would empty the first one's staging folder mid-run and
    the two would publish a mixture of their parts. The lock file is removed while still held;
    a run that opened it just before then finds it gone after locking and opens a new one.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    lock_path = destination.with_name(f".{destination.name}.lock")
    try:
        descriptor = _open_locked(lock_path)
    except BlockingIOError:
        raise _busy(destination) from None
    except OSError as exc:
        raise cannot_write(destination, exc) from exc
    try:
        yield
    finally:
        lock_path.unlink(missing_ok=True)
        os.close(descriptor)
