"""Letter speed: HTML and PDF ms per letter beside a trivial baseline, and letters/s of a run.

Run: ``uv run python benchmarks/bench_letters.py [--patients 1000] [--jobs 2]``.
Targets: HTML ≤ 2 ms, PDF ≤ 80 ms per letter (one process). Figures depend on the machine,
so each is printed beside a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jinja2

from reports import DocumentKind, ScoredRow, render_html, render_pdf, run_letters
from tests.reports.factories import (
    LETTERHEAD,
    RECIPIENT,
    REFERRER,
    make_assessment,
    make_record,
)

TRIVIAL = jinja2.Environment(autoescape=True).from_string(
    "<html><head><title>x</title><style>@page{size:A4;font-family:'Liberation Sans'}"
    "body{font-family:'Liberation Sans'}</style></head><body><p>Dear {{ name }}, one paragraph.</p>"
    "</body></html>"
)


def median_ms(work: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``repeats`` calls after one warm-up call."""
    work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def letter_html() -> str:
    return render_html(DocumentKind.PCP_LETTER, make_record(), make_assessment(), LETTERHEAD, RECIPIENT)


def cohort(n: int) -> list[ScoredRow]:
    rows: list[ScoredRow] = []
    for i in range(n):
        pid = f"B{i:05d}"
        record = make_record(patient_id=pid)
        rows.append(ScoredRow(record, make_assessment(patient_id=pid), RECIPIENT, REFERRER, pid))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    html = letter_html()
    trivial_html = TRIVIAL.render(name="Dr Example")
    print(f"HTML  PCP letter       {median_ms(letter_html, 200):7.3f} ms   (target ≤ 2 ms)")
    print(f"HTML  trivial baseline {median_ms(lambda: TRIVIAL.render(name='x'), 200):7.3f} ms")
    print(f"PDF   PCP letter       {median_ms(lambda: render_pdf(html), 15):7.1f} ms   (target ≤ 80 ms)")
    print(f"PDF   trivial baseline {median_ms(lambda: render_pdf(trivial_html), 15):7.1f} ms")

    rows = cohort(args.patients)
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        manifest = run_letters(rows, Path(out), letterhead=LETTERHEAD, jobs=args.jobs)
        elapsed = time.perf_counter() - start
    letters = sum(len(row.files) for row in manifest)
    print(
        f"RUN   {args.patients} patients, {args.jobs} jobs: {letters} PDFs in {elapsed:.1f} s = "
        f"{letters / elapsed:.1f} PDFs/s ({args.patients / elapsed:.1f} patients/s, "
        "each a PCP letter + patient copy)"
    )


if __name__ == "__main__":
    main()
