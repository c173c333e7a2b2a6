"""Letter speed and memory: ms per letter beside a trivial baseline, letters/s, peak RSS of a run.

Run: ``uv run python benchmarks/bench_letters.py [--patients 1000] [--jobs 2]``.
Targets: HTML ≤ 2 ms, PDF ≤ 80 ms per letter (one process). Figures depend on the machine,
so each is printed beside a baseline measured in the same run.

``--memory 1000 10000`` instead runs ``osteoref letters`` (one process, PDFs stubbed so
only HTML is rendered) on synthetic cohorts of those sizes, each in a fresh process, and
prints each run's peak RSS beside that of a process that only loads the command and model:
a bounded run's peak stays flat as the cohort grows.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
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


ROOT = Path(__file__).resolve().parents[1]
# Runs in a fresh interpreter: the letters command with PDF rendering stubbed (HTML only),
# or, without a cohort, just the imports and model load every run pays (the baseline).
RSS_CHILD = """
import resource, sys
import reports.batch
from api.cli import app
from api.settings import get_settings
from risk.assess import Assessor
reports.batch.render_pdf = lambda html: b"%PDF-stub"
if len(sys.argv) > 1:
    args = ["letters", "--cohort", sys.argv[1], "--output", sys.argv[2], "--jobs", "1", *sys.argv[3:]]
    code = app(args, standalone_mode=False)
    if code not in (None, 0, 3):  # 3: some rows failed, the run still finished
        sys.exit(code)
else:
    Assessor.load(get_settings().model_path, get_settings().rule_config())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_mb(*args: str) -> float:
    """Peak RSS (MB) of a fresh process running RSS_CHILD with ``args``."""
    done = subprocess.run(
        [sys.executable, "-c", RSS_CHILD, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"letters run failed ({done.returncode}): {done.stderr[-2000:]}")
    return int(done.stdout.split()[-1]) / 1024


def memory(sizes: list[int], chunk_rows: int | None) -> None:
    """Peak RSS of HTML-only letter runs of each size beside the load-only baseline."""
    chunking = ["--chunk-rows", str(chunk_rows)] if chunk_rows else []
    baseline = peak_rss_mb()
    print(f"RSS   baseline (imports + model)  {baseline:7.1f} MB")
    with tempfile.TemporaryDirectory() as work:
        for n in sizes:
            cohort = Path(work) / f"cohort_{n}.csv"
            synth = [
                "-c",
                "from api.cli import app; app()",
                "synth",
                "--n",
                str(n),
                "--seed",
                "7",
                "--demo-pcp",
                "-o",
                str(cohort),
            ]
            subprocess.run([sys.executable, *synth], cwd=ROOT, check=True, capture_output=True)
            start = time.perf_counter()
            peak = peak_rss_mb(str(cohort), str(Path(work) / f"out_{n}"), *chunking)
            elapsed = time.perf_counter() - start
            chunk = chunk_rows or "default"
            print(
                f"RSS   {n:6d} patients, chunk {chunk}, HTML only  {peak:7.1f} MB  "
                f"(×{peak / baseline:.2f} baseline, "
                f"+{peak - baseline:.1f} MB; {elapsed:.0f} s)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--memory", type=int, nargs="+", metavar="N", help="peak RSS of runs of N patients")
    parser.add_argument("--chunk-rows", type=int, help="with --memory: the command's --chunk-rows")
    args = parser.parse_args()
    if args.memory:
        memory(args.memory, args.chunk_rows)
        return

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
