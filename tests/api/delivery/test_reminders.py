"""The reminder job with a clock the test moves: thresholds per priority, idempotent, one run at a time."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update

from api.ack.answers import PcpAnswerIn
from api.auth.principal import Principal
from api.db import job_repo
from api.db.delivery_models import Delivery
from api.db.engine import Database
from api.db.job_models import Escalation
from api.delivery.wiring import LoopComponents
from api.reminders.job import ReminderJob
from api.reminders.settings import ReminderSettings
from tests.api.delivery.loop import Clock, delivery_settings, loop, new_referral
from tests.api.delivery.smtp_server import Recorder, smtp_server

URGENT = {"prior_fractures": 2}  # the fake scorer's urgent priority


def _job(components: LoopComponents, database: Database, clock: Clock, owner: str = "test") -> ReminderJob:
    return ReminderJob(
        database, components.dispatcher, components.deliveries, ReminderSettings(), clock, owner
    )


def _sent_by_email(
    components: LoopComponents, actor: Principal, database: Database, **body: int
) -> uuid.UUID:
    rid = new_referral(database, actor, **body)
    delivery, _ = components.deliveries.request(actor, rid, "email")
    assert components.dispatcher.attempt(delivery.id)[0] == "delivered"
    return rid


def _escalations(database: Database) -> list[str]:
    with database.reader() as session:
        return [e.reason for e in session.scalars(select(Escalation))]


def test_urgent_reminder_on_day_7_escalation_on_day_14_each_once(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port))
        job = _job(components, database, clock)
        _sent_by_email(components, actor, database, **URGENT)
        clock.advance(days=6, hours=23, minutes=59)
        assert job.run().reminders_queued == 0
        clock.advance(minutes=1)
        first = job.run()
        assert (first.reminders_queued, first.delivered, first.escalated) == (1, 1, 0)
        assert job.run().reminders_queued == 0  # idempotent
        clock.advance(days=7)
        assert job.run().escalated == 1
        assert job.run().escalated == 0
    subjects = [str(m["Subject"]) for m in recorder.messages]
    assert (
        len(subjects) == 2 and subjects[1].startswith("Reminder: ") and not subjects[0].startswith("Reminder")
    )
    assert _escalations(database) == ["unacknowledged"]


def test_routine_waits_28_days_and_an_answer_stops_the_reminders(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port))
        job = _job(components, database, clock)
        routine = _sent_by_email(components, actor, database)
        answered = _sent_by_email(components, actor, database, prior_fractures=1)  # soon: 14 days
        with database.transaction() as session:
            token = components.issuer.issue(session, answered, clock()).token
        components.ack.answer(token, PcpAnswerIn(answer="received"))
        clock.advance(days=27)
        assert job.run().reminders_queued == 0
        clock.advance(days=1)
        assert job.run().reminders_queued == 1
    with database.reader() as session:
        reminded = session.scalars(select(Delivery.referral_id).where(Delivery.purpose == "reminder")).all()
    assert reminded == [routine]


def test_a_second_run_while_one_holds_the_lease_does_nothing(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components = loop(database, clock)
    now = clock()
    assert job_repo.acquire_lease(database, "reminders", "other-host", now, now + dt.timedelta(minutes=15))
    assert _job(components, database, clock).run().ran is False
    clock.advance(minutes=15, seconds=1)  # the other run died: its lease has run out
    assert _job(components, database, clock).run().ran is True


def test_a_delivery_left_half_sent_by_a_dead_run_is_sent_by_the_next(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port))
        rid = new_referral(database, actor)
        _delivery, _ = components.deliveries.request(actor, rid, "email")
        with database.transaction() as session:  # as if a runner claimed it and was killed
            session.execute(
                update(Delivery).values(status="sending", lease_until=clock() + dt.timedelta(minutes=5))
            )
        assert _job(components, database, clock).run().delivered == 0
        clock.advance(minutes=5, seconds=1)
        assert _job(components, database, clock).run().delivered == 1
    assert len(recorder.messages) == 1
