"""Peak resident memory of this process and its children (Dask workers), sampled in a thread.

``ru_maxrss`` only knows this process's lifetime peak; sampling gives the peak of one
block of work and includes worker processes of a local cluster.
"""

from __future__ import annotations

import threading
from types import TracebackType

import psutil  # type: ignore[import-untyped]  # no stubs in the locked environment

MIB = 1024 * 1024


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and all its descendants (vanished children count 0)."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += int(member.memory_info().rss)
        except psutil.Error:
            continue
    return total


class PeakRss:
    """Context manager: ``peak_mib`` is the largest sampled RSS of the process tree inside it."""

    def __init__(self, interval_s: float = 0.05, *, children: bool = True) -> None:
        self.interval_s = interval_s
        self.children = children
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._process = psutil.Process()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        rss = tree_rss(self._process) if self.children else int(self._process.memory_info().rss)
        self.peak_bytes = max(self.peak_bytes, rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    @property
    def peak_mib(self) -> float:
        """Peak in MiB."""
        return self.peak_bytes / MIB

    def __enter__(self) -> PeakRss:
        self._sample()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
