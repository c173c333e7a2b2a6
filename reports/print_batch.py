"""One PDF of letters to post: a cover sheet listing the envelopes, then each letter in order."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reports.models import Letterhead, Line
from reports.render import environment

COVER_TEMPLATE = "print_cover.html.j2"


@dataclass(frozen=True, slots=True)
class Envelope:
    """One letter of the batch as the cover lists it: addressee and a non-identifying reference."""

    name: str
    practice: str | None
    reference: str
    address: Sequence[Line] = field(default_factory=tuple)
    pages: int = 0


def page_count(pdf: bytes) -> int:
    """Pages of a PDF."""
    from pypdf import PdfReader  # noqa: PLC0415 (the service starts without it: only print batches use it)

    return len(PdfReader(io.BytesIO(pdf)).pages)


def cover_html(letterhead: Letterhead, batch_ref: str, made: dt.datetime, entries: Sequence[Envelope]) -> str:
    """The cover sheet (escaped; no patient data is passed to it)."""
    template = environment().get_template(COVER_TEMPLATE)
    return template.render(
        letterhead=letterhead, batch_ref=batch_ref, made=made.strftime("%Y-%m-%d %H:%M UTC"), entries=entries
    )


def merge(pdfs: Sequence[bytes]) -> bytes:
    """The PDFs one after another in a single file."""
    from pypdf import PdfWriter  # noqa: PLC0415 (the service starts without it: only print batches use it)

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(io.BytesIO(pdf))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
