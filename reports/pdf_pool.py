"""A bounded pool of worker processes that turn letter HTML into PDF off the event loop.

WeasyPrint is CPU-bound and synchronous (~0.1–0.2 s a letter): inside ``async def`` it
would stall every request. The API creates one pool in its lifespan, ``await``s
``render`` per letter, and closes the pool on shutdown. Workers are started with
``spawn`` (no fork of a threaded server) and warmed by rendering one small letter each,
so the first real letter does not pay for imports and font loading. The service starts the
pool without waiting for that warm-up (``start(wait=False)``): readiness does not pay for
WeasyPrint, and a PDF asked for meanwhile queues behind its worker's warm-up — it waits,
never fails.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType

from reports.render import render_pdf
from reports.samples import warm_up_html
from risk.errors import RenderError

DEFAULT_QUEUE_PER_WORKER = 4


# PDFs are background work: at a lower CPU priority the workers yield a busy core to the
# event loop at once, so liveness probes and scoring stay fast while letters render.
WORKER_NICENESS = 10


def _warm_worker() -> None:
    os.nice(WORKER_NICENESS)
    # Runs once in each new worker process: imports, templates, fonts. What that loads lives
    # as long as the worker, so it is frozen out of the cyclic GC's sight: a letter makes
    # enough objects to trigger several collections, each re-scanning WeasyPrint otherwise.
    render_pdf(warm_up_html())
    gc.collect()
    gc.freeze()


def _ping() -> bool:
    return True


class PdfRenderPool:
    """``workers`` processes; at most ``max_pending`` renders queued or running at once."""

    def __init__(self, workers: int = 2, max_pending: int | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1 (got {workers})")
        self.workers = workers
        self._pending = asyncio.Semaphore(max_pending or workers * DEFAULT_QUEUE_PER_WORKER)
        self._executor: ProcessPoolExecutor | None = None
        self._warming: list[Future[bool]] = []

    def start(self, *, wait: bool = True) -> None:
        """Start every worker and warm it; ``wait=False`` returns while they warm.

        Waiting raises ``RenderError`` if a worker cannot render; without waiting, the same
        failure surfaces as ``RenderError`` on the first ``render``.
        """
        if self._executor is not None:
            return
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_worker,
        )
        # One task per worker while none is idle makes the executor spawn them all.
        self._warming = [self._executor.submit(_ping) for _ in range(self.workers)]
        if not wait:
            return
        try:
            for future in self._warming:
                future.result()
        except Exception as error:
            self.close()
            raise RenderError(f"PDF workers failed to start: {type(error).__name__}") from error

    @property
    def warm(self) -> bool:
        """Whether every worker has finished its warm-up render."""
        done = [future.done() and future.exception() is None for future in self._warming]
        return bool(done) and all(done)

    async def render(self, html: str) -> bytes:
        """The PDF of ``html``, rendered in a worker process; the event loop stays free."""
        if self._executor is None:
            raise RenderError("PdfRenderPool.render called before start()")
        async with self._pending:
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._executor, render_pdf, html)
            except BrokenProcessPool as error:  # a worker died, e.g. its warm-up failed
                raise RenderError(f"PDF workers are not available: {type(error).__name__}") from error

    def close(self) -> None:
        """Stop the workers; queued renders are cancelled."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
            self._warming = []

    def __enter__(self) -> PdfRenderPool:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
