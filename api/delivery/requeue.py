"""Put the letters of a print batch reported not printed back in the queue, and undo their "sent".

Each letter of the batch still recorded as delivered by print is either put back or skipped:

* skipped, with the referral's status as the reason, if the referral has moved on
  (acknowledged, treatment started, declined, not registered, cancelled): the PCP answered,
  or the referral closed, so nothing is printed again;
* skipped as ``answered`` if a token of that very letter was used: its slip reached the PCP,
  so the letter was printed after all;
* otherwise put back: its unused tokens are revoked (a slip that turns up later no longer
  works), the delivery is ``queued`` again (no delivery time, no batch) with an attempt
  ``requeued`` / ``not_printed`` naming the batch, and a ``delivery:print`` audit row
  ``requeued``. The next batch prints it first (the queue is oldest first) with a new token.

The referral goes back to ``draft``, its ``sent_at`` cleared, when a put-back letter's delivery
is what made it ``sent`` (the service's own "delivered by print" move) and no other copy of it
(letter or reminder, any channel) is recorded as delivered: nothing reached the PCP, so it must
not count as sent and waiting. The reminder job keys on ``sent`` and ``sent_at``; left alone it
would remind about a letter nobody received, and escalate on a clock started by a post that
never happened. The next batch moves it to ``sent`` again with the real date; meanwhile the
draft shows in the print queue and the overdue lists. A referral a person marked sent, or one
another copy reached, stays ``sent``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.db import ack_repo, delivery_repo, referrals_repo
from api.db.delivery_models import Delivery, DeliveryAttempt
from api.db.models import Referral
from api.delivery.copies import reference_of
from api.delivery.dispatcher import close_delivery, sent_reason
from api.referrals.automatic import audit, unsend

REQUEUEABLE = ("draft", "sent")  # a referral that has moved on is not sent again
ANSWERED = "answered"
REQUEUED = "requeued"
NOT_PRINTED = "not_printed"


@dataclass(frozen=True, slots=True)
class SkippedLetter:
    """A letter of the batch left as delivered: its ``R-…`` reference and why."""

    reference: str
    reason: str


@dataclass(frozen=True, slots=True)
class PutBack:
    """What putting the letters back did."""

    requeued: int
    skipped: tuple[SkippedLetter, ...]
    back_to_draft: int


def put_back(
    session: Session, deliveries: Sequence[Delivery], batch_reference: str, now: dt.datetime
) -> PutBack:
    """Put back or skip each delivery, then take back the "sent" of referrals nothing reached."""
    requeued: list[Delivery] = []
    skipped: list[SkippedLetter] = []
    for delivery in deliveries:
        reason = _why_not(session, delivery)
        if reason is not None:
            skipped.append(SkippedLetter(reference_of(delivery.referral_id), reason))
            continue
        _requeue(session, delivery, batch_reference, now)
        requeued.append(delivery)
    channels = {d.referral_id: d.channel for d in requeued}
    unsent = [rid for rid, channel in channels.items() if _reached_nobody(session, rid, channel)]
    for referral_id in unsent:
        reason = f"print batch {batch_reference} was not printed: the letter is back in the print queue"
        unsend(session, referral_id, reason=reason, at=now)
    return PutBack(len(requeued), tuple(skipped), len(unsent))


def _why_not(session: Session, delivery: Delivery) -> str | None:
    referral = session.get(Referral, delivery.referral_id)
    assert referral is not None  # a foreign key
    if referral.status not in REQUEUEABLE:
        return referral.status
    if ack_repo.answered_through(session, delivery.id):
        return ANSWERED
    return None


def _requeue(session: Session, delivery: Delivery, batch_reference: str, now: dt.datetime) -> None:
    ack_repo.revoke_tokens(session, delivery.referral_id, now, delivery_id=delivery.id)
    delivery.attempts += 1
    attempt = DeliveryAttempt(
        delivery_id=delivery.id,
        number=delivery.attempts,
        started_at=now,
        finished_at=now,
        outcome=REQUEUED,
        error_code=NOT_PRINTED,
        error_text=f"print batch {batch_reference} was reported not printed; back in the print queue",
    )
    delivery_repo.add_attempt(session, attempt)
    delivery.print_batch_id = None
    delivery.delivered_at = None
    close_delivery(session, delivery, "queued", now)
    audit(session, "system", f"delivery:{delivery.channel}", delivery.referral_id, REQUEUED)


def _reached_nobody(session: Session, referral_id: uuid.UUID, channel: str) -> bool:
    """Whether the referral is ``sent`` only because of the letter just put back."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.status != "sent" or delivery_repo.any_delivered(session, referral_id):
        return False
    sent = [e for e in referrals_repo.events_of(session, referral_id) if e.to_status == "sent"]
    return bool(sent) and sent[-1].by_key_id is None and sent[-1].reason == sent_reason(channel)
