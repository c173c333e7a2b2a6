"""Print batches with real PDFs (WeasyPrint, pypdf): a cover sheet, every letter with its slip."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from api.auth.principal import Principal
from api.cli import app
from api.db.ack_models import AckToken
from api.db.engine import Database
from api.db.models import Referral
from api.settings import get_settings
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


def test_a_batch_that_cannot_be_kept_puts_its_letters_back(
    database: Database, actor: Principal, clock: Clock
) -> None:
    """The letters count as printed only once the PDF is saved: none is lost with a failed save."""

    def full_disk(pdf: bytes) -> None:
        raise OSError(28, "No space left on device")

    rid = new_referral(database, actor)
    loop(database, clock).deliveries.request(actor, rid, "print")
    with pytest.raises(OSError, match="No space left"):
        loop(database, clock, render=real_pdfs).print_batches.make(actor, keep=full_disk)
    kept: list[bytes] = []
    batch = loop(database, clock, render=real_pdfs).print_batches.make(actor, keep=kept.append)
    assert batch.letters == 1 and kept == [batch.pdf]


def test_print_batch_to_a_folder_that_is_not_there_loses_no_letter(
    database: Database, actor: Principal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI wrote the PDF after the letters were marked printed: a bad path lost them."""
    rid = new_referral(database, actor)
    loop(database, Clock()).deliveries.request(actor, rid, "print")
    monkeypatch.setenv("OSTEOREF_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app, ["delivery", "print-batch", "-o", str(tmp_path / "none" / "b.pdf")])
        assert refused.exit_code == 1
        assert (
            refused.output.startswith("error: cannot write ")
            and "No such file or directory" in refused.output
        )
        done = CliRunner().invoke(app, ["delivery", "print-batch", "-o", str(tmp_path / "b.pdf")])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert done.output.startswith("1 letters → ")
    assert len(PdfReader(tmp_path / "b.pdf").pages) >= 2  # the cover and the letter
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.pdf"]
