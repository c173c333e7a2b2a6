"""A print batch reported not printed, put back in the queue: tokens, deliveries, referrals, reminders."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from api.ack.answers import PcpAnswerIn
from api.auth.principal import Principal
from api.cli import app
from api.db.ack_models import AckToken
from api.db.delivery_models import Delivery, DeliveryAttempt, PrintBatch
from api.db.engine import Database
from api.db.models import AuditEntry, Referral, ReferralEvent
from api.delivery.copies import reference_of
from api.delivery.requeue import SkippedLetter
from api.delivery.wiring import LoopComponents
from api.referrals.schemas import TransitionIn
from api.referrals.service import ReferralService
from api.referrals.views import LinkBuilder
from api.reminders.job import ReminderJob
from api.reminders.settings import ReminderSettings
from api.settings import get_settings
from risk.errors import Conflict, NotFound
from tests.api.delivery.loop import Clock, delivery_settings, loop, new_referral
from tests.api.delivery.smtp_server import Recorder, smtp_server
from tests.api.referrals.fakes import BASE_URL, FakeLetters, FakeScorer, blank_pdf

SLIP_LINK = re.compile(r"osteoref\.test/a/([0-9A-Z]{24})")


@dataclass
class Printer:
    """Blank PDFs, keeping the acknowledgement token printed on each letter (in the order printed)."""

    tokens: list[str] = field(default_factory=list)

    def __call__(self, pages: Sequence[str]) -> list[bytes]:
        self.tokens += [found.group(1) for page in pages if (found := SLIP_LINK.search(page))]
        return [blank_pdf() for _ in pages]


def _queued(components: LoopComponents, database: Database, actor: Principal, count: int) -> list[uuid.UUID]:
    ids = [new_referral(database, actor) for _ in range(count)]
    for rid in ids:
        components.deliveries.request(actor, rid, "print")
    return ids


def _referral(database: Database, rid: uuid.UUID) -> Referral:
    with database.reader() as session:
        row = session.get(Referral, rid)
        assert row is not None
        return row


def _print_delivery(database: Database, rid: uuid.UUID) -> tuple[Delivery, list[str]]:
    with database.reader() as session:
        delivery = session.scalars(select(Delivery).where(Delivery.referral_id == rid)).one()
        attempts = session.scalars(
            select(DeliveryAttempt.outcome).where(DeliveryAttempt.delivery_id == delivery.id)
        )
        return delivery, list(attempts)


def test_a_requeued_letter_is_in_the_next_batch_with_a_new_token_and_the_old_one_is_dead(
    database: Database, actor: Principal, clock: Clock
) -> None:
    printer = Printer()
    components = loop(database, clock, render=printer)
    [rid] = _queued(components, database, actor, 1)
    first = components.print_batches.make(actor)
    printed_at = clock()
    assert _referral(database, rid).sent_at == printed_at
    clock.advance(hours=1)
    requeued = components.print_batches.requeue(actor, first.id)
    assert (requeued.requeued, requeued.skipped, requeued.back_to_draft) == (1, (), 1)
    assert requeued.reference == "P-" + first.id.hex[:8].upper()
    referral = _referral(database, rid)
    assert (referral.status, referral.sent_at) == ("draft", None)
    delivery, outcomes = _print_delivery(database, rid)
    assert (delivery.status, delivery.delivered_at, delivery.print_batch_id) == ("queued", None, None)
    assert outcomes == ["delivered", "requeued"]
    with pytest.raises(NotFound, match="expired or was withdrawn"):
        components.ack.open(printer.tokens[0])
    clock.advance(hours=1)
    second = components.print_batches.make(actor)
    assert second.letters == 1 and second.id != first.id
    old, new = printer.tokens
    assert new != old and components.ack.open(new).referral.id == rid
    with pytest.raises(NotFound):
        components.ack.open(old)
    referral = _referral(database, rid)
    assert (referral.status, referral.sent_at) == ("sent", clock())
    assert _print_delivery(database, rid)[1] == ["delivered", "requeued", "delivered"]
    with database.reader() as session:
        moves = [(e.from_status, e.to_status) for e in session.scalars(select(ReferralEvent))]
    assert moves == [(None, "draft"), ("draft", "sent"), ("sent", "draft"), ("draft", "sent")]


def test_an_acknowledged_or_answered_letter_is_skipped_and_reported(
    database: Database, actor: Principal, clock: Clock
) -> None:
    printer = Printer()
    components = loop(database, clock, render=printer)
    acknowledged, answered, lost = _queued(components, database, actor, 3)
    batch = components.print_batches.make(actor)
    components.ack.answer(printer.tokens[0], PcpAnswerIn(answer="received"))
    with database.transaction() as session:  # a used slip whose referral has not moved (yet)
        session.execute(update(AckToken).where(AckToken.referral_id == answered).values(used_at=clock()))
    requeued = components.print_batches.requeue(actor, batch.id)
    assert requeued.requeued == 1 and requeued.back_to_draft == 1
    assert requeued.skipped == (
        SkippedLetter(reference_of(acknowledged), "acknowledged"),
        SkippedLetter(reference_of(answered), "answered"),
    )
    assert [_referral(database, r).status for r in (acknowledged, answered, lost)] == [
        "acknowledged",
        "sent",
        "draft",
    ]
    assert [_print_delivery(database, r)[0].status for r in (acknowledged, answered, lost)] == [
        "delivered",
        "delivered",
        "queued",
    ]
    with database.reader() as session:
        assert session.get(PrintBatch, batch.id).requeued_letters == 1  # type: ignore[union-attr]


def test_the_requeue_is_audited_against_the_batch_and_each_referral(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components = loop(database, clock, render=Printer())
    ids = _queued(components, database, actor, 2)
    batch = components.print_batches.make(actor)
    components.print_batches.requeue(actor, batch.id)
    with database.reader() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "delivery:print_batch_requeue")
        ).all()
        per_referral = session.scalars(
            select(AuditEntry.target_id).where(
                AuditEntry.action == "delivery:print", AuditEntry.outcome == "requeued"
            )
        ).all()
    assert [(r.actor_key_id, r.role, r.target_type, r.target_id, r.outcome) for r in rows] == [
        (actor.key_id, actor.role, "print_batch", str(batch.id), "requeued_2")
    ]
    assert set(per_referral) == {str(rid) for rid in ids}


def test_an_unknown_batch_is_not_found_and_a_second_requeue_is_refused(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components = loop(database, clock, render=Printer())
    _queued(components, database, actor, 1)
    batch = components.print_batches.make(actor)
    with pytest.raises(NotFound, match="no print batch"):
        components.print_batches.requeue(actor, uuid.uuid4())
    assert components.print_batches.requeue(actor, batch.id).requeued == 1
    with pytest.raises(Conflict, match=r"already put back in the queue at 2025-02-03 09:00 UTC"):
        components.print_batches.requeue(actor, batch.id)
    with database.reader() as session:
        attempts = session.scalars(select(DeliveryAttempt.outcome)).all()
    assert attempts == ["delivered", "requeued"]  # the refused second time changed nothing


def test_a_referral_marked_sent_by_hand_or_reached_by_email_stays_sent(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port), render=Printer())
        by_hand, by_email = _queued(components, database, actor, 2)
        service = ReferralService(database, FakeScorer(), FakeLetters(), LinkBuilder(BASE_URL))
        service.transition(actor, by_hand, TransitionIn(to="sent"))
        sent_by_hand = _referral(database, by_hand).sent_at
        batch = components.print_batches.make(actor)
        email, _ = components.deliveries.request(actor, by_email, "email")
        assert components.dispatcher.attempt(email.id)[0] == "delivered"
        requeued = components.print_batches.requeue(actor, batch.id)
    assert (requeued.requeued, requeued.back_to_draft) == (2, 0)
    assert (_referral(database, by_hand).status, _referral(database, by_hand).sent_at) == (
        "sent",
        sent_by_hand,
    )
    assert _referral(database, by_email).status == "sent"


def test_no_reminder_nor_escalation_for_a_letter_that_was_put_back(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components = loop(database, clock, render=Printer())
    [rid] = _queued(components, database, actor, 1)
    batch = components.print_batches.make(actor)
    components.print_batches.requeue(actor, batch.id)
    clock.advance(days=60)  # past every reminder and escalation threshold
    job = ReminderJob(database, components.dispatcher, components.deliveries, ReminderSettings(), clock, "t")
    summary = job.run()
    assert (summary.reminders_queued, summary.escalated) == (0, 0)
    assert components.print_batches.make(actor).letters == 1
    assert _referral(database, rid).sent_at == clock()  # the reminder clock starts at the real post


def test_recent_batches_are_listed_newest_first_with_their_requeue(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components = loop(database, clock, render=Printer())
    _queued(components, database, actor, 2)
    older = components.print_batches.make(actor)
    clock.advance(minutes=5)
    _queued(components, database, actor, 1)
    newer = components.print_batches.make(actor)
    components.print_batches.requeue(actor, older.id)
    listed = components.print_batches.recent()
    assert [(b.id, b.letters, b.requeued_letters) for b in listed] == [(newer.id, 1, None), (older.id, 2, 2)]
    assert listed[1].requeued_at == clock() and listed[0].requeued_at is None
    assert listed[0].created_at == clock()


def test_the_cli_puts_a_batch_back_and_names_what_it_skipped(
    database: Database, actor: Principal, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = Printer()
    components = loop(database, clock, render=printer)
    acknowledged, _lost = _queued(components, database, actor, 2)
    batch = components.print_batches.make(actor)
    components.ack.answer(printer.tokens[0], PcpAnswerIn(answer="received"))
    monkeypatch.setenv("OSTEOREF_DATABASE_URL", database.engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        done = CliRunner().invoke(app, ["delivery", "requeue-batch", str(batch.id)])
        again = CliRunner().invoke(app, ["delivery", "requeue-batch", str(batch.id)])
        unknown = CliRunner().invoke(app, ["delivery", "requeue-batch", str(uuid.UUID(int=1))])
        malformed = CliRunner().invoke(app, ["delivery", "requeue-batch", "P-1234"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == [
        f"batch P-{batch.id.hex[:8].upper()}: 1 letters back in the queue, "
        "1 referrals back to draft, 1 skipped",
        f"  skipped {reference_of(acknowledged)}: acknowledged",
    ]
    assert (
        again.exit_code == 1
        and again.output.startswith("error: print batch P-")
        and "already put back" in again.output
    )
    assert unknown.exit_code == 1 and unknown.output.startswith("error: no print batch with id 00000000-")
    assert malformed.exit_code == 2
