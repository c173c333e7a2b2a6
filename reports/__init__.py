"""Letters: PCP referral letter, patient copy, pathway notes (HTML + PDF), and letter runs."""

from reports.batch import MANIFEST_NAME, LetterRun, run_letters
from reports.batch_rows import ManifestRow
from reports.documents import documents_for, key_action
from reports.models import DocumentKind, Letterhead, Recipient, Referrer
from reports.pdf_pool import PdfRenderPool
from reports.render import render_html, render_pdf
from reports.scored_row import ScoredRow

__all__ = [
    "MANIFEST_NAME",
    "DocumentKind",
    "LetterRun",
    "Letterhead",
    "ManifestRow",
    "PdfRenderPool",
    "Recipient",
    "Referrer",
    "ScoredRow",
    "documents_for",
    "key_action",
    "render_html",
    "render_pdf",
    "run_letters",
]
