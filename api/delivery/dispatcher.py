"""Try due deliveries: claim one, issue its token, send it, record the attempt, move the referral.

Each delivery is claimed with a compare-and-set and a lease, so two runners never send the
same one, and one that died mid-send is picked up again once its lease runs out. The send
happens outside any transaction; the attempt, the backoff, the referral's ``draft → sent``
and the audit row are then written in one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from api.ack.issuer import TokenIssuer
from api.db import ack_repo, delivery_repo, job_repo
from api.db.delivery_models import Delivery, DeliveryAttempt
from api.db.engine import Database
from api.db.models import Referral
from api.db.types import utcnow
from api.delivery.backoff import next_attempt_at
from api.delivery.channels import Channel, OutgoingLetter, Registry
from api.delivery.copies import LetterCopy, letter_copy
from api.delivery.outcomes import AttemptOutcome
from api.delivery.settings import DeliverySettings
from api.referrals.automatic import audit, move_along
from risk.errors import RenderError

PdfRenderer = Callable[[Sequence[str]], list[bytes]]  # HTML pages → PDFs, in order
Clock = Callable[[], dt.datetime]
DELIVERABLE = ("draft", "sent", "acknowledged")  # a final referral gets no more letters
FAILED_ESCALATION = "delivery_failed"


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery taken for one attempt, with the copy it will send."""

    delivery_id: int
    attempt: int
    channel: Channel
    copy: LetterCopy
    purpose: str


@dataclass
class DispatchSummary:
    """How a run went: counts of each outcome."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    outcomes: list[AttemptOutcome] = field(default_factory=list)

    def add(self, status: str, outcome: AttemptOutcome | None) -> None:
        """Count one delivery's result (``status`` is the delivery's status afterwards)."""
        if outcome is None:
            self.skipped += 1
            return
        self.outcomes.append(outcome)
        if status == "delivered":
            self.delivered += 1
        elif status == "retrying":
            self.retrying += 1
        else:
            self.failed += 1


@dataclass(frozen=True)
class Dispatcher:
    """Sends deliveries of the non-batched channels (e-mail, and FHIR once registered)."""

    database: Database
    channels: Registry
    issuer: TokenIssuer
    render: PdfRenderer
    settings: DeliverySettings
    clock: Clock = utcnow

    def run_due(self, limit: int = 500) -> DispatchSummary:
        """Try every delivery that is due now (up to ``limit``)."""
        names = [name for name, channel in self.channels.items() if not channel.batched]
        with self.database.reader() as session:
            due = delivery_repo.due_ids(session, self.clock(), names, limit)
        summary = DispatchSummary()
        for delivery_id in due:
            summary.add(*self.attempt(delivery_id))
        return summary

    def attempt(self, delivery_id: int) -> tuple[str, AttemptOutcome | None]:
        """One attempt at ``delivery_id`` if it is due and free: (its status after, the outcome)."""
        started = self.clock()
        claimed = self._claim(delivery_id, started)
        if claimed is None:
            return "skipped", None
        outcome = self._send(claimed)
        return self._record(claimed, outcome, started, self.clock()), outcome

    def _claim(self, delivery_id: int, now: dt.datetime) -> Claimed | None:
        lease = now + dt.timedelta(seconds=self.settings.delivery_lease_seconds)
        with self.database.transaction() as session:
            if not delivery_repo.claim(session, delivery_id, now, lease):
                return None
            delivery = session.get(Delivery, delivery_id)
            referral = session.get(Referral, delivery.referral_id) if delivery else None
            if delivery is None or referral is None:
                return None
            channel = self.channels.get(delivery.channel)
            if channel is None or channel.batched or referral.status not in DELIVERABLE:
                close_delivery(session, delivery, "cancelled", now)
                return None
            copy = letter_copy(session, self.issuer, referral, delivery.id, now)
            return Claimed(delivery.id, delivery.attempts + 1, channel, copy, delivery.purpose)

    def _send(self, claimed: Claimed) -> AttemptOutcome:
        reason = claimed.channel.unreachable(claimed.copy.recipient)
        if reason is not None:
            return AttemptOutcome.failed("unreachable", reason)
        copy = claimed.copy
        letter = OutgoingLetter(
            referral_id=copy.referral_id,
            recipient=copy.recipient,
            reference=copy.reference,
            ack_url=copy.token.url,
            expires_on=copy.token.expires_at.date(),
            pdf=lambda: self.render([copy.html])[0],
            purpose=claimed.purpose,
        )
        try:
            return claimed.channel.send(letter)
        except RenderError:
            return AttemptOutcome.retry("render_error", "the letter PDF could not be rendered")

    def _record(
        self, claimed: Claimed, outcome: AttemptOutcome, started: dt.datetime, finished: dt.datetime
    ) -> str:
        with self.database.transaction() as session:
            delivery = session.get(Delivery, claimed.delivery_id)
            assert delivery is not None
            delivery_repo.add_attempt(session, _attempt_row(claimed, outcome, started, finished))
            delivery.attempts = claimed.attempt
            status = self._status_after(delivery, outcome, finished)
            close_delivery(session, delivery, status, finished)
            audit(session, "system", f"delivery:{delivery.channel}", delivery.referral_id, status)
            if status == "delivered":
                mark_sent(session, delivery, finished)
            elif status == "failed":
                ack_repo.revoke_tokens(session, delivery.referral_id, finished, delivery_id=delivery.id)
                job_repo.escalate(session, delivery.referral_id, FAILED_ESCALATION, finished)
            return status

    def _status_after(self, delivery: Delivery, outcome: AttemptOutcome, finished: dt.datetime) -> str:
        if outcome.result != "retry":
            return outcome.result
        delivery.next_attempt_at = next_attempt_at(
            delivery.attempts, finished, self.settings.delivery_retry_minutes
        )
        return "retrying" if delivery.next_attempt_at is not None else "failed"


def _attempt_row(
    claimed: Claimed, outcome: AttemptOutcome, started: dt.datetime, finished: dt.datetime
) -> DeliveryAttempt:
    return DeliveryAttempt(
        delivery_id=claimed.delivery_id,
        number=claimed.attempt,
        started_at=started,
        finished_at=finished,
        outcome=outcome.result,
        error_code=outcome.error_code,
        error_text=outcome.error_text,
    )


def close_delivery(session: Session, delivery: Delivery, status: str, now: dt.datetime) -> None:
    """End a claim: set the status, drop the lease, stamp the time (and the delivery time)."""
    delivery.status = status
    delivery.lease_until = None
    delivery.updated_at = now
    if status == "delivered":
        delivery.delivered_at = now
    if status != "retrying":
        delivery.next_attempt_at = None
    session.flush()


def sent_reason(channel: str) -> str:
    """The reason of the ``draft → sent`` event a delivery on ``channel`` makes."""
    return f"delivered by {channel}"


def mark_sent(session: Session, delivery: Delivery, now: dt.datetime) -> None:
    """The first letter delivered on any channel moves a draft referral to ``sent``."""
    referral = session.get(Referral, delivery.referral_id)
    if referral is not None and referral.status == "draft":
        reason = sent_reason(delivery.channel)
        move_along(session, referral.id, "draft", ("sent",), reason=reason, role="system", at=now)
