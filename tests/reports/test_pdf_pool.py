"""The PDF pool renders concurrently in worker processes, off the event loop."""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Iterator

import pytest

from reports import DocumentKind, PdfRenderPool, render_html
from reports.pdf_pool import WORKER_NICENESS
from risk.errors import RenderError
from tests.reports.factories import LETTERHEAD, RECIPIENT, make_assessment, make_record, pdf_text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pool() -> Iterator[PdfRenderPool]:
    with PdfRenderPool(workers=2) as started:
        yield started


def letter(patient_id: str) -> str:
    record = make_record(patient_id=patient_id)
    assessment = make_assessment(patient_id=patient_id)
    return render_html(DocumentKind.PCP_LETTER, record, assessment, LETTERHEAD, RECIPIENT)


def test_concurrent_renders_are_valid_pdfs(pool: PdfRenderPool) -> None:
    async def main() -> tuple[list[bytes], int]:
        ticks = 0

        async def heartbeat() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        beat = asyncio.create_task(heartbeat())
        started = time.perf_counter()
        pdfs = await asyncio.gather(*(pool.render(letter(f"P-{i}")) for i in range(6)))
        elapsed = time.perf_counter() - started
        beat.cancel()
        # The loop kept ticking while PDFs rendered: at least a third of the 10 ms slots.
        assert ticks >= elapsed / 0.01 / 3
        return list(pdfs), ticks

    pdfs, _ = asyncio.run(main())
    for i, pdf in enumerate(pdfs):
        assert pdf.startswith(b"%PDF-")
        text, pages = pdf_text(pdf)
        assert 1 <= pages <= 2
        assert f"ID P-{i}" in text


def test_workers_freeze_what_warming_loaded(pool: PdfRenderPool) -> None:
    executor = pool._executor  # the worker's own GC state is the point here
    assert executor is not None
    assert executor.submit(gc.get_freeze_count).result() > 0


def test_workers_run_at_a_lower_cpu_priority_than_the_server(pool: PdfRenderPool) -> None:
    executor = pool._executor
    assert executor is not None
    assert executor.submit(os.nice, 0).result() == min(19, os.nice(0) + WORKER_NICENESS)  # 19: the cap


def test_render_before_start_is_an_error() -> None:
    with pytest.raises(RenderError, match="before start"):
        asyncio.run(PdfRenderPool(workers=1).render("<p>x</p>"))


def test_pool_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PdfRenderPool(workers=0)


def test_a_pdf_asked_for_before_the_workers_are_warm_waits_and_is_rendered() -> None:
    background = PdfRenderPool(workers=1)
    background.start(wait=False)
    try:
        assert not background.warm  # spawning a worker and its warm-up render take seconds
        pdf = asyncio.run(background.render(letter("P-early")))
        assert pdf.startswith(b"%PDF-")
        assert "ID P-early" in pdf_text(pdf)[0]
        assert background.warm
    finally:
        background.close()


def test_a_pool_whose_worker_died_answers_a_render_error_not_a_crash() -> None:
    with PdfRenderPool(workers=1) as broken:
        executor = broken._executor  # the worker process is what this test kills
        assert executor is not None
        for process in list(executor._processes.values()):
            process.kill()
            process.join(timeout=30)
        with pytest.raises(RenderError, match="not available"):
            asyncio.run(broken.render("<p>x</p>"))
