"""Store card feedback idempotently and summarise acceptance and override rates for analysts."""

from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.cds.schemas import COMMENT_MAX, FeedbackItem
from api.db.cds_models import CdsFeedback
from api.db.engine import Database


class ReasonCount(BaseModel):
    """How often one override reason was given."""

    code: str | None
    display: str | None
    count: int


class ServiceSummary(BaseModel):
    """Outcomes of one service's cards."""

    service_id: str
    total: int
    accepted: int
    overridden: int
    acceptance_rate: float | None
    override_rate: float | None
    override_reasons: list[ReasonCount]


class FeedbackSummary(BaseModel):
    """Outcomes per service."""

    services: list[ServiceSummary]


def store_feedback(database: Database, service_id: str, iss: str, items: list[FeedbackItem]) -> int:
    """Insert every new outcome; a repeated (card, outcome, timestamp) is skipped. Returns rows added."""
    added = 0
    with database.transaction() as session:
        for item in items:
            added += _insert_once(session, _row(service_id, iss, item))
    return added


def _insert_once(session: Session, row: CdsFeedback) -> int:
    exists = session.scalar(
        select(CdsFeedback.id).where(
            CdsFeedback.service_id == row.service_id,
            CdsFeedback.card_uuid == row.card_uuid,
            CdsFeedback.outcome == row.outcome,
            CdsFeedback.outcome_timestamp == row.outcome_timestamp,
        )
    )
    if exists is not None:
        return 0
    try:
        with session.begin_nested():  # a concurrent twin may win the race: the savepoint absorbs it
            session.add(row)
    except IntegrityError:
        return 0
    return 1


def _row(service_id: str, iss: str, item: FeedbackItem) -> CdsFeedback:
    reason = item.overrideReason.reason if item.overrideReason else None
    comment = item.overrideReason.userComment if item.overrideReason else None
    return CdsFeedback(
        service_id=service_id,
        card_uuid=item.card,
        outcome=item.outcome,
        accepted_suggestions=[s.id for s in item.acceptedSuggestions],
        override_reason_system=_cut(reason.system, 255) if reason else None,
        override_reason_code=reason.code if reason else None,
        override_reason_display=_cut(reason.display, 255) if reason else None,
        user_comment=_cut(comment, COMMENT_MAX),
        outcome_timestamp=item.utc_timestamp(),
        iss=_cut(iss, 255) or "",
    )


def _cut(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


def summarise(database: Database) -> FeedbackSummary:
    """Acceptance and override rates and reasons, per service."""
    with database.reader() as session:
        rows = session.execute(
            select(
                CdsFeedback.service_id,
                CdsFeedback.outcome,
                CdsFeedback.override_reason_code,
                CdsFeedback.override_reason_display,
            )
        ).all()
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: dict[str, Counter[tuple[str | None, str | None]]] = defaultdict(Counter)
    for service_id, outcome, code, display in rows:
        outcomes[service_id][outcome] += 1
        if outcome == "overridden":
            reasons[service_id][(code, display)] += 1
    return FeedbackSummary(services=[_service(s, outcomes[s], reasons[s]) for s in sorted(outcomes)])


def _service(
    service_id: str, outcomes: Counter[str], reasons: Counter[tuple[str | None, str | None]]
) -> ServiceSummary:
    total = sum(outcomes.values())
    return ServiceSummary(
        service_id=service_id,
        total=total,
        accepted=outcomes["accepted"],
        overridden=outcomes["overridden"],
        acceptance_rate=_rate(outcomes["accepted"], total),
        override_rate=_rate(outcomes["overridden"], total),
        override_reasons=[
            ReasonCount(code=code, display=display, count=n) for (code, display), n in reasons.most_common()
        ],
    )


def _rate(part: int, total: int) -> float | None:
    return part / total if total else None
