"""E-mail delivery against a real SMTP server on loopback: delivered, refused, slow, retried, TLS."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from api.auth.principal import Principal
from api.db.engine import Database
from api.db.job_models import Escalation
from api.db.models import AuditEntry
from api.delivery.wiring import LoopComponents
from tests.api.delivery.loop import Clock, delivery_settings, loop, new_referral
from tests.api.delivery.smtp_server import Behaviour, Recorder, self_signed, server_context, smtp_server
from tests.api.referrals.factories import FAMILY_NAME, GIVEN_NAME

GP = "gp@practice.example"


def _send(components: LoopComponents, actor: Principal, referral_id: uuid.UUID) -> tuple[int, str]:
    delivery, created = components.deliveries.request(actor, referral_id, "email")
    assert created
    status, _ = components.dispatcher.attempt(delivery.id)
    return delivery.id, status


def _history(components: LoopComponents, actor: Principal, referral_id: uuid.UUID) -> list[dict[str, object]]:
    return [d.model_dump() for d in components.deliveries.history(actor, referral_id)]


def test_delivered_mail_names_no_patient_and_carries_the_pdf(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port))
        rid = new_referral(database, actor, patient_id="PAT-4711")
        _, status = _send(components, actor, rid)
    assert status == "delivered"
    [message] = recorder.messages
    subject, body = str(message["Subject"]), message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    for identifying in (GIVEN_NAME, FAMILY_NAME, "PAT-4711", "1953"):
        assert identifying not in subject and identifying not in body
    assert message["To"] == GP and f"R-{rid.hex[:8].upper()}" in subject
    assert "http://osteoref.test/a/" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    [delivery] = components.deliveries.history(actor, rid)
    assert (delivery.status, [a.outcome for a in delivery.attempts]) == ("delivered", ["delivered"])
    detail_status = _referral_status(database, rid)
    assert detail_status == "sent"


def test_link_policy_sends_no_attachment(database: Database, actor: Principal, clock: Clock) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port, mail_policy="link"))
        _send(components, actor, new_referral(database, actor))
    [message] = recorder.messages
    assert list(message.iter_attachments()) == []
    assert "confirm your practice" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_refused_recipient_fails_at_once_escalates_and_revokes_the_token(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder(Behaviour(refuse={GP: "550 5.1.1 <gp@practice.example> no such user"}))
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port))
        rid = new_referral(database, actor)
        _, status = _send(components, actor, rid)
    assert status == "failed" and recorder.messages == []
    [attempt] = components.deliveries.history(actor, rid)[0].attempts
    assert (attempt.error_code, attempt.error_text) == (
        "recipient_refused",
        "the server refused the recipient (SMTP 550)",
    )
    assert GP not in str(_history(components, actor, rid))  # the server's echo is never stored
    with database.reader() as session:
        assert [e.reason for e in session.scalars(select(Escalation))] == ["delivery_failed"]
    assert _referral_status(database, rid) == "draft"


def test_temporary_refusal_is_retried_after_the_backoff(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder(Behaviour(temporary_failures=1))
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port, delivery_retry_minutes=[5, 30]))
        rid = new_referral(database, actor)
        _, status = _send(components, actor, rid)
        assert status == "retrying"
        clock.advance(minutes=4, seconds=59)
        assert components.dispatcher.run_due().skipped + components.dispatcher.run_due().delivered == 0
        clock.advance(seconds=1)
        assert components.dispatcher.run_due().delivered == 1
    [delivery] = components.deliveries.history(actor, rid)
    assert [(a.outcome, a.error_code) for a in delivery.attempts] == [
        ("retry", "smtp_error"),
        ("delivered", None),
    ]
    assert len(recorder.messages) == 1


@pytest.mark.slow
def test_slow_server_times_out_and_is_retried(database: Database, actor: Principal, clock: Clock) -> None:
    recorder = Recorder(Behaviour(stall_seconds=1.5))
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port, smtp_timeout_seconds=0.3))
        rid = new_referral(database, actor)
        _, status = _send(components, actor, rid)
    assert status == "retrying"
    [attempt] = components.deliveries.history(actor, rid)[0].attempts
    assert attempt.error_code == "timeout"


def test_an_unreachable_server_is_given_up_after_the_last_wait(
    database: Database, actor: Principal, clock: Clock
) -> None:
    from tests.api.delivery.smtp_server import free_port  # noqa: PLC0415

    components = loop(database, clock, delivery_settings(free_port(), delivery_retry_minutes=[1, 2]))
    rid = new_referral(database, actor)
    delivery_id, status = _send(components, actor, rid)
    statuses = [status]
    for minutes in (1, 2):
        clock.advance(minutes=minutes)
        statuses.append(components.dispatcher.attempt(delivery_id)[0])
    assert statuses == ["retrying", "retrying", "failed"]
    codes = {a.error_code for a in components.deliveries.history(actor, rid)[0].attempts}
    assert codes == {"connection_refused"}


def test_starttls_with_a_trusted_self_signed_certificate(
    database: Database, actor: Principal, clock: Clock, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    recorder = Recorder()
    with smtp_server(recorder, starttls=server_context(cert, key)) as port:
        trusted = loop(database, clock, delivery_settings(port, smtp_security="starttls", smtp_ca_file=cert))
        untrusted = loop(database, clock, delivery_settings(port, smtp_security="starttls"))
        assert _send(trusted, actor, new_referral(database, actor, patient_id="A"))[1] == "delivered"
        rid = new_referral(database, actor, patient_id="B")
        assert _send(untrusted, actor, rid)[1] == "failed"
    assert recorder.tls_seen == [True]
    assert untrusted.deliveries.history(actor, rid)[0].attempts[0].error_code == "tls_certificate"


def test_implicit_tls(database: Database, actor: Principal, clock: Clock, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    recorder = Recorder()
    with smtp_server(recorder, implicit_tls=server_context(cert, key)) as port:
        components = loop(database, clock, delivery_settings(port, smtp_security="tls", smtp_ca_file=cert))
        assert _send(components, actor, new_referral(database, actor))[1] == "delivered"
    assert recorder.tls_seen == [True]


def test_asking_twice_queues_one_delivery_and_the_audit_shows_each_step(
    database: Database, actor: Principal, clock: Clock
) -> None:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        components = loop(database, clock, delivery_settings(port))
        rid = new_referral(database, actor)
        first, created = components.deliveries.request(actor, rid, "email")
        again, created_again = components.deliveries.request(actor, rid, "email")
        assert (created, created_again, again.id) == (True, False, first.id)
        components.dispatcher.attempt(first.id)
        assert components.dispatcher.attempt(first.id) == ("skipped", None)  # delivered: never twice
    assert len(recorder.messages) == 1
    with database.reader() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.target_id == str(rid))).all()
    steps = [
        (r.role, r.action, r.outcome)
        for r in rows
        if r.action.startswith(("delivery", "referrals:transition"))
    ]
    assert steps == [
        ("clinician", "delivery:request", "queued"),
        ("clinician", "delivery:request", "replayed"),
        ("system", "delivery:email", "delivered"),
        ("system", "referrals:transition:sent", "ok"),
    ]


def _referral_status(database: Database, rid: uuid.UUID) -> str:
    from api.db.models import Referral  # noqa: PLC0415

    with database.reader() as session:
        row = session.get(Referral, rid)
        assert row is not None
        return row.status
