"""Acknowledgement tokens and answers on both backends: scope, single use, expiry, revocation, moves."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from api.ack import tokens
from api.ack.answers import MOVES, PcpAnswerIn, parse_answer
from api.ack.service import LinkUsed
from api.auth.principal import Principal
from api.db.ack_models import AckToken, PcpResponse
from api.db.engine import Database
from api.db.job_models import Escalation
from api.db.models import Referral, ReferralEvent
from api.delivery.wiring import LoopComponents
from api.referrals.states import TRANSITIONS
from risk.errors import InvalidInput, NotFound
from tests.api.delivery.loop import SECRET, Clock, loop, new_referral


def _issue(components: LoopComponents, database: Database, rid: uuid.UUID, now: dt.datetime) -> str:
    with database.transaction() as session:
        return components.issuer.issue(session, rid, now).token


def _status(database: Database, rid: uuid.UUID) -> str:
    with database.reader() as session:
        row = session.get(Referral, rid)
        assert row is not None
        return row.status


def _sent(database: Database, actor: Principal, clock: Clock) -> tuple[LoopComponents, uuid.UUID, str]:
    components = loop(database, clock)
    rid = new_referral(database, actor)
    return components, rid, _issue(components, database, rid, clock())


def test_only_the_hash_is_stored_and_typing_variants_open_the_same_token(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components, rid, token = _sent(database, actor, clock)
    with database.reader() as session:
        row = session.scalars(select(AckToken)).one()
    assert row.token_hash == tokens.token_hash(token) and token not in row.token_hash
    typed = tokens.grouped(token).lower().replace("0", "o")
    assert components.ack.open(typed).referral.id == rid


def test_answer_moves_the_referral_uses_the_token_and_cannot_be_replayed(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components, _rid, token = _sent(database, actor, clock)
    start = dt.date(2025, 2, 1)
    answer = PcpAnswerIn(answer="treatment_started", drug_class="zoledronic_acid", treatment_start_date=start)
    recorded = components.ack.answer(token, answer)
    assert (recorded.status, recorded.follow_up) == ("treatment_started", None)
    with database.reader() as session:
        moves = [(e.from_status, e.to_status) for e in session.scalars(select(ReferralEvent))]
        response = session.scalars(select(PcpResponse)).one()
    assert moves == [
        (None, "draft"),
        ("draft", "sent"),
        ("sent", "acknowledged"),
        ("acknowledged", "treatment_started"),
    ]
    assert (response.drug_class, response.treatment_start_date) == ("zoledronic_acid", start)
    with pytest.raises(LinkUsed):
        components.ack.answer(token, PcpAnswerIn(answer="received"))
    with pytest.raises(LinkUsed):
        components.ack.open(token)


def test_received_hands_out_a_follow_up_link_for_the_treatment_news(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components, rid, token = _sent(database, actor, clock)
    recorded = components.ack.answer(token, PcpAnswerIn(answer="received"))
    assert recorded.status == "acknowledged" and recorded.follow_up is not None
    clock.advance(days=20)
    later = components.ack.answer(
        recorded.follow_up.token, PcpAnswerIn(answer="declined", reason="patient prefers not")
    )
    assert later.status == "declined" and _status(database, rid) == "declined"


def test_not_registered_ends_the_referral_and_escalates(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components, _rid, token = _sent(database, actor, clock)
    assert components.ack.answer(token, PcpAnswerIn(answer="not_registered")).status == "not_registered"
    with database.reader() as session:
        assert [e.reason for e in session.scalars(select(Escalation))] == ["not_registered"]


def test_a_token_never_reaches_another_referral(database: Database, actor: Principal, clock: Clock) -> None:
    components, first, token = _sent(database, actor, clock)
    other = new_referral(database, actor, patient_id="OTHER-1")
    # Someone points the stored row at another referral: the signature no longer matches.
    with database.transaction() as session:
        session.execute(update(AckToken).values(referral_id=other))
    with pytest.raises(NotFound):
        components.ack.open(token)
    assert _status(database, first) == "draft" and _status(database, other) == "draft"


def test_expiry_both_sides_and_revocation(database: Database, actor: Principal, clock: Clock) -> None:
    components, rid, token = _sent(database, actor, clock)
    with database.reader() as session:
        expires = session.scalars(select(AckToken)).one().expires_at
    clock.now = expires - dt.timedelta(seconds=1)
    assert components.ack.open(token).referral.id == rid
    clock.now = expires
    with pytest.raises(NotFound, match="expired"):
        components.ack.open(token)
    clock.now = expires - dt.timedelta(days=1)
    assert components.ack.revoke(rid, actor.key_id, actor.role) == 1
    with pytest.raises(NotFound, match="withdrawn"):
        components.ack.open(token)


def test_a_closed_referral_records_nothing(database: Database, actor: Principal, clock: Clock) -> None:
    components, rid, token = _sent(database, actor, clock)
    with database.transaction() as session:
        session.execute(update(Referral).where(Referral.id == rid).values(status="cancelled"))
    with pytest.raises(LinkUsed, match="closed"):
        components.ack.answer(token, PcpAnswerIn(answer="received"))
    with database.reader() as session:
        assert session.scalars(select(PcpResponse)).all() == []


def test_confirmation_stamp_belongs_to_its_token_and_expires(
    database: Database, actor: Principal, clock: Clock
) -> None:
    components, rid, token = _sent(database, actor, clock)
    other = _issue(components, database, rid, clock())
    stamp = components.ack.confirmation(components.ack.open(token))
    assert components.ack.confirmed(token, stamp).referral.id == rid
    with pytest.raises(NotFound, match="another link"):
        components.ack.confirmed(other, stamp)
    with pytest.raises(NotFound, match="expired"):
        components.ack.confirmed(token, stamp + "x")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"answer": "treatment_started", "treatment_start_date": "2025-02-01"}, "treatment started"),
        ({"answer": "treatment_started", "drug_class": "denosumab"}, "treatment started"),
        ({"answer": "declined"}, "declined"),
        ({"answer": "maybe"}, "answer"),
        (
            {"answer": "treatment_started", "drug_class": "denosumab", "treatment_start_date": "2025-01-09"},
            "treatment_start_date",
        ),
        (
            {"answer": "treatment_started", "drug_class": "denosumab", "treatment_start_date": "2025-02-04"},
            "treatment_start_date",
        ),
    ],
)
def test_incomplete_or_impossible_answers_are_refused_by_name(form: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_answer(form, procedure_date=dt.date(2025, 1, 10), today=dt.date(2025, 2, 3))
    assert field in str([*(e.field for e in refused.value.errors), *(e.rule for e in refused.value.errors)])


def test_start_dates_on_both_bounds_are_accepted() -> None:
    for day in ("2025-01-10", "2025-02-03"):
        form = {"answer": "treatment_started", "drug_class": "denosumab", "treatment_start_date": day}
        assert parse_answer(
            form, dt.date(2025, 1, 10), dt.date(2025, 2, 3)
        ).treatment_start_date == dt.date.fromisoformat(day)


def test_every_answer_path_is_a_chain_of_legal_moves() -> None:
    for paths in MOVES.values():
        for start, path in paths.items():
            current = start
            for target in path:
                assert target in TRANSITIONS[current], (start, path)
                current = target


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, tokens.TOKEN_LENGTH - 1), replacement=st.sampled_from(tokens.CROCKFORD))
def test_changing_any_character_breaks_the_signature(position: int, replacement: str) -> None:
    rid, expires = uuid.UUID(int=7), dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    token = tokens.new_token(SECRET.encode(), rid, expires)
    if token[position] == replacement:
        return
    tampered = token[:position] + replacement + token[position + 1 :]
    assert not tokens.signature_matches(SECRET.encode(), tampered, rid, expires)
    assert tokens.signature_matches(SECRET.encode(), token, rid, expires)
    assert not tokens.signature_matches(SECRET.encode(), token, rid, expires + dt.timedelta(seconds=1))
