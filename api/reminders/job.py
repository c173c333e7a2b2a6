"""``osteoref reminders run``: retry due deliveries, re-send unacknowledged letters, escalate.

Safe from cron or a Kubernetes CronJob: a lease row lets one run at a time (a second run
exits at once), every step is idempotent (a reminder is one delivery per referral and
channel; an escalation one row per referral and reason), and a run that dies is resumed by
the next one (its lease expires; half-sent deliveries are picked up again).
"""

from __future__ import annotations

import datetime as dt
import socket
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select

from api.db import job_repo
from api.db.delivery_models import Delivery
from api.db.engine import Database
from api.db.models import Referral
from api.delivery.dispatcher import Clock, Dispatcher, DispatchSummary
from api.delivery.service import DeliveryService
from api.referrals.automatic import audit
from api.reminders.settings import ReminderSettings
from risk.errors import Conflict, InvalidInput

JOB = "reminders"
REMINDER = "reminder"
UNACKNOWLEDGED = "unacknowledged"
FALLBACK_CHANNELS = ("email", "print")  # for a letter marked sent by hand: the first that reaches


@dataclass
class ReminderSummary:
    """What one run did (``ran`` is False when another run held the lease)."""

    ran: bool
    reminders_queued: int = 0
    escalated: int = 0
    dispatched: list[DispatchSummary] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        """Letters delivered during the run (retries and reminders)."""
        return sum(d.delivered for d in self.dispatched)


@dataclass(frozen=True)
class ReminderJob:
    """One reminder run over the database."""

    database: Database
    dispatcher: Dispatcher
    deliveries: DeliveryService
    settings: ReminderSettings
    clock: Clock
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}")

    def run(self) -> ReminderSummary:
        """Take the lease, do the three steps, give the lease back."""
        now = self.clock()
        until = now + dt.timedelta(seconds=self.settings.reminder_lease_seconds)
        if not job_repo.acquire_lease(self.database, JOB, self.owner, now, until):
            return ReminderSummary(ran=False)
        try:
            summary = ReminderSummary(ran=True, dispatched=[self.dispatcher.run_due()])
            for referral_id, priority, sent_at in self._unacknowledged():
                days = (now - sent_at) / dt.timedelta(days=1)
                if days >= self.settings.reminder_days(priority):  # type: ignore[arg-type]
                    summary.reminders_queued += self._remind(referral_id)
                if days >= self.settings.escalation_days(priority):  # type: ignore[arg-type]
                    summary.escalated += self._escalate(referral_id, now)
            summary.dispatched.append(self.dispatcher.run_due())
            return summary
        finally:
            job_repo.release_lease(self.database, JOB, self.owner)

    def _unacknowledged(self) -> list[tuple[uuid.UUID, str, dt.datetime]]:
        query = select(Referral.id, Referral.priority, Referral.sent_at).where(
            Referral.status == "sent", Referral.sent_at.is_not(None)
        )
        with self.database.reader() as session:
            return [(r.id, r.priority, r.sent_at) for r in session.execute(query.order_by(Referral.sent_at))]

    def _channels(self, referral_id: uuid.UUID) -> list[str]:
        query = select(Delivery.channel).where(
            Delivery.referral_id == referral_id, Delivery.purpose == "letter", Delivery.status == "delivered"
        )
        with self.database.reader() as session:
            used = list(dict.fromkeys(session.scalars(query)))
        return used or list(FALLBACK_CHANNELS)

    def _remind(self, referral_id: uuid.UUID) -> int:
        for channel in self._channels(referral_id):
            try:
                _, created = self.deliveries.request(None, referral_id, channel, REMINDER)
            except (InvalidInput, Conflict):
                continue  # this channel cannot reach the practice (or the referral just closed)
            return int(created)
        return 0

    def _escalate(self, referral_id: uuid.UUID, now: dt.datetime) -> int:
        with self.database.transaction() as session:
            new = job_repo.escalate(session, referral_id, UNACKNOWLEDGED, now)
            if new:
                audit(session, "system", "reminders:escalate", referral_id, UNACKNOWLEDGED)
            return int(new)
