"""Print batches: every letter waiting for post, each with its slip, behind one cover sheet.

The batch PDF is made once and handed over (its tokens exist in clear only inside it). If it
cannot be made, the letters go back to the queue and the tokens issued for them are revoked.
A batch that was made but never printed (an interrupted download, a lost pile) can be put
back in the queue once, on the word of whoever lost it (``api.delivery.requeue``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.ack.issuer import TokenIssuer
from api.auth.principal import Principal
from api.db import ack_repo, audit_repo, delivery_repo
from api.db.delivery_models import Delivery, DeliveryAttempt, PrintBatch
from api.db.engine import Database
from api.db.models import Referral
from api.db.types import utcnow
from api.delivery.copies import LetterCopy, letter_copy
from api.delivery.dispatcher import DELIVERABLE, Clock, PdfRenderer, close_delivery, mark_sent
from api.delivery.requeue import SkippedLetter, put_back
from api.referrals.automatic import audit
from reports.models import Letterhead
from reports.print_batch import Envelope, cover_html, merge, page_count
from risk.errors import Conflict, NotFound, OsteorefError

CHANNEL = "print"
MAX_LETTERS = 200  # one batch stays a printable pile and a bounded render


@dataclass(frozen=True, slots=True)
class PrintedBatch:
    """The batch made: its id, the PDF and how many letters it holds."""

    id: uuid.UUID
    pdf: bytes
    letters: int


@dataclass(frozen=True, slots=True)
class RequeuedBatch:
    """A batch put back: the letters requeued, those skipped and why, the referrals back to draft."""

    id: uuid.UUID
    reference: str
    requeued: int
    skipped: tuple[SkippedLetter, ...]
    back_to_draft: int


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """A batch as the worklist lists it (no patient data: reference, times, counts)."""

    id: uuid.UUID
    reference: str
    created_at: dt.datetime
    letters: int
    requeued_at: dt.datetime | None
    requeued_letters: int | None


@dataclass(frozen=True)
class PrintBatches:
    """Makes print batches from the print queue."""

    database: Database
    issuer: TokenIssuer
    render: PdfRenderer
    letterhead: Letterhead
    lease_seconds: int = 600
    clock: Clock = utcnow

    def make(
        self,
        actor: Principal | None,
        limit: int = MAX_LETTERS,
        *,
        keep: Callable[[bytes], None] | None = None,
    ) -> PrintedBatch:
        """Claim the queue, render cover + letters into one PDF, mark them delivered.

        ``keep`` saves the PDF before the letters count as printed: if it fails (a full disk,
        a folder that is not there), the letters go back to the queue, as after a failed render.
        """
        now = self.clock()
        claimed = self._claim(now, limit)
        if not claimed:
            raise NotFound("no letters are waiting to be printed")
        try:
            letters = self.render([copy.html for _, copy in claimed])
            batch_id = uuid.uuid4()
            envelopes = [
                _envelope(copy, page_count(pdf)) for (_, copy), pdf in zip(claimed, letters, strict=True)
            ]
            cover = self.render([cover_html(self.letterhead, _ref(batch_id), now, envelopes)])[0]
            pdf = merge([cover, *letters])
            if keep is not None:
                keep(pdf)
        except Exception:
            self._release(claimed, self.clock())
            raise
        self._record(actor, batch_id, claimed, now, self.clock())
        return PrintedBatch(batch_id, pdf, len(claimed))

    def requeue(self, actor: Principal | None, batch_id: uuid.UUID) -> RequeuedBatch:
        """Put the letters of a batch that was never printed back in the queue, in one transaction.

        What happens to each letter, its tokens and its referral: ``api.delivery.requeue``.
        NotFound for an unknown batch; Conflict for one put back already — once only, since a
        second time would find nothing to put back, and a silent "0" would hide that it was done.
        """
        now = self.clock()
        reference = _ref(batch_id)
        with self.database.transaction() as session:
            if not delivery_repo.mark_batch_requeued(session, batch_id, now):
                raise _not_requeueable(session, batch_id)
            done = put_back(session, delivery_repo.printed_in(session, batch_id), reference, now)
            batch = session.get(PrintBatch, batch_id)
            assert batch is not None  # just stamped
            batch.requeued_letters = done.requeued
            outcome = f"requeued_{done.requeued}"
            _audit_batch(session, actor, "delivery:print_batch_requeue", batch_id, outcome)
        return RequeuedBatch(batch_id, reference, done.requeued, done.skipped, done.back_to_draft)

    def recent(self, limit: int = 5) -> list[BatchSummary]:
        """The last ``limit`` batches, newest first."""
        with self.database.reader() as session:
            return [_summary(b) for b in delivery_repo.recent_batches(session, limit)]

    def _claim(self, now: dt.datetime, limit: int) -> list[tuple[int, LetterCopy]]:
        lease = now + dt.timedelta(seconds=self.lease_seconds)
        claimed: list[tuple[int, LetterCopy]] = []
        with self.database.transaction() as session:
            for delivery in delivery_repo.waiting_on(session, CHANNEL, limit):
                referral = session.get(Referral, delivery.referral_id)
                if referral is None or not delivery_repo.claim(session, delivery.id, now, lease):
                    continue
                if referral.status not in DELIVERABLE:
                    close_delivery(session, delivery, "cancelled", now)
                    continue
                claimed.append((delivery.id, letter_copy(session, self.issuer, referral, delivery.id, now)))
        return claimed

    def _release(self, claimed: list[tuple[int, LetterCopy]], now: dt.datetime) -> None:
        with self.database.transaction() as session:
            for delivery_id, copy in claimed:
                delivery = session.get(Delivery, delivery_id)
                if delivery is not None:
                    close_delivery(session, delivery, "queued", now)
                    ack_repo.revoke_tokens(session, copy.referral_id, now, delivery_id=delivery_id)

    def _record(
        self,
        actor: Principal | None,
        batch_id: uuid.UUID,
        claimed: list[tuple[int, LetterCopy]],
        started: dt.datetime,
        now: dt.datetime,
    ) -> None:
        with self.database.transaction() as session:
            delivery_repo.add_batch(
                session, PrintBatch(id=batch_id, created_at=now, letters=len(claimed), created_by=_key(actor))
            )
            for delivery_id, _ in claimed:
                _printed(session, delivery_id, batch_id, started, now)
            _audit_batch(session, actor, "delivery:print_batch", batch_id, "ok")


def _audit_batch(
    session: Session, actor: Principal | None, action: str, batch_id: uuid.UUID, outcome: str
) -> None:
    audit_repo.append(
        session,
        actor_key_id=_key(actor),
        role=actor.role if actor else "system",
        action=action,
        target_type="print_batch",
        target_id=str(batch_id),
        outcome=outcome,
    )


def _not_requeueable(session: Session, batch_id: uuid.UUID) -> OsteorefError:
    batch = session.get(PrintBatch, batch_id)
    if batch is None or batch.requeued_at is None:
        return NotFound(f"no print batch with id {batch_id}")
    when = batch.requeued_at.strftime("%Y-%m-%d %H:%M")
    return Conflict(f"print batch {_ref(batch_id)} was already put back in the queue at {when} UTC")


def _summary(batch: PrintBatch) -> BatchSummary:
    return BatchSummary(
        batch.id, _ref(batch.id), batch.created_at, batch.letters, batch.requeued_at, batch.requeued_letters
    )


def _printed(
    session: Session, delivery_id: int, batch_id: uuid.UUID, started: dt.datetime, now: dt.datetime
) -> None:
    delivery = session.get(Delivery, delivery_id)
    assert delivery is not None
    delivery.attempts += 1
    delivery.print_batch_id = batch_id
    attempt = DeliveryAttempt(
        delivery_id=delivery_id,
        number=delivery.attempts,
        started_at=started,
        finished_at=now,
        outcome="delivered",
    )
    delivery_repo.add_attempt(session, attempt)
    close_delivery(session, delivery, "delivered", now)
    audit(session, "system", "delivery:print", delivery.referral_id, "delivered")
    mark_sent(session, delivery, now)


def _key(actor: Principal | None) -> int | None:
    return actor.key_id if actor else None


def _ref(batch_id: uuid.UUID) -> str:
    return "P-" + batch_id.hex[:8].upper()


def _envelope(copy: LetterCopy, pages: int) -> Envelope:
    r = copy.recipient
    return Envelope(
        name=r.name, practice=r.practice, reference=copy.reference, address=r.address, pages=pages
    )
