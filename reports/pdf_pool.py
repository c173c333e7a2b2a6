"""A bounded pool of worker processes that turn letter HTML into PDF off the event loop.

WeasyPrint is CPU-bound and synchronous (~0.1–0.2 s a letter): inside ``async def`` it
would stall every request. The API creates one pool in its lifespan, ``await``s
``render`` per letter, and closes the pool on shutdown. Workers are started with
``spawn`` (no fork of a threaded server) and warmed by rendering one small letter each,
so the first real letter does not pay for imports and font loading.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
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

    def start(self) -> None:
        """Start and warm every worker; raises ``RenderError`` if a worker cannot render."""
        if self._executor is not None:
            return
        self._executor = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm_worker,
        )
        try:
            # One task per worker while none is idle makes the executor spawn them all.
            for future in [self._executor.submit(_ping) for _ in range(self.workers)]:
                future.result()
        except Exception as error:
            self.close()
            raise RenderError(f"PDF workers failed to start: {type(error).__name__}") from error

    async def render(self, html: str) -> bytes:
        """The PDF of ``html``, rendered in a worker process; the event loop stays free."""
        if self._executor is None:
            raise RenderError("PdfRenderPool.render called before start()")
        async with self._pending:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, render_pdf, html)

    def close(self) -> None:
        """Stop the workers; queued renders are cancelled."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

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
