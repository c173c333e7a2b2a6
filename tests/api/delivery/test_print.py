"""Print batches with real PDFs (WeasyPrint, pypdf): a cover sheet, every letter with its slip."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from api.auth.principal import Principal
from api.db.ack_models import AckToken
from api.db.engine import Database
from api.db.models import Referral
from reports.render import render_pdf
from risk.errors import NotFound
from tests.api.delivery.loop import Clock, loop, new_referral
from tests.api.referrals.factories import FAMILY_NAME

pytestmark = pytest.mark.slow


def real_pdfs(pages: Sequence[str]) -> list[bytes]:
    return [render_pdf(page) for page in pages]


def _texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def test_batch_has_a_cover_naming_no_patient_then_each_letter_with_its_slip(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components = loop(database, clock, render=real_pdfs)
    ids = [new_referral(database, actor, patient_id=f"PRINT-{i}") for i in range(3)]
    for rid in ids:
        components.deliveries.request(actor, rid, "print")
    batch = components.print_batches.make(actor)
    pages = _texts(batch.pdf)
    assert batch.letters == 3 and len(pages) == 4
    cover, letters = pages[0], pages[1:]
    assert "Letters to post" in cover and "3 letters" in cover
    assert FAMILY_NAME not in cover and "PRINT-" not in cover
    for rid in ids:
        assert f"R-{rid.hex[:8].upper()}" in cover
    for text in (" ".join(page.split()) for page in letters):
        assert "one click" in text and "osteoref.test/a/" in text
        assert re.search(r"Code to type if the link cannot be used: [0-9A-Z]{4}(-[0-9A-Z]{4}){5}", text)
    with database.reader() as session:
        assert {r.status for r in session.scalars(select(Referral))} == {"sent"}
        assert len(session.scalars(select(AckToken)).all()) == 3
    with pytest.raises(NotFound):
        components.print_batches.make(actor)  # the queue is empty now: nothing printed twice


def test_a_failed_render_puts_the_letters_back_and_revokes_their_tokens(
    database: Database, actor: Principal, clock: Clock
) -> None:
    def broken(pages: Sequence[str]) -> list[bytes]:
        raise RuntimeError("printer on fire")

    rid = new_referral(database, actor)
    loop(database, clock).deliveries.request(actor, rid, "print")
    with pytest.raises(RuntimeError):
        loop(database, clock, render=broken).print_batches.make(actor)
    with database.reader() as session:
        assert all(t.revoked_at is not None for t in session.scalars(select(AckToken)))
    assert loop(database, clock, render=real_pdfs).print_batches.make(actor).letters == 1
