"""Referral lists and the coordinator worklist: filters as data, pages with a total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.db import audit_repo, referrals_repo
from api.db.engine import Database
from api.db.referrals_repo import ReferralFilter
from api.referrals.schemas import ReferralSummary, Worklist
from api.referrals.states import STATUSES, Status
from api.referrals.views import LinkBuilder, summary_view

MAX_PAGE = 100
FOLLOW_UP_WINDOW_WEEKS = (12, 16)  # contact the patient 12–16 weeks after the procedure
# A follow-up contact is due for every referral that was not withdrawn.
FOLLOW_UP_STATUSES: tuple[Status, ...] = tuple(s for s in STATUSES if s != "cancelled")
# Overdue: the follow-up window has closed and treatment is neither confirmed nor declined.
OVERDUE_STATUSES: tuple[Status, ...] = ("draft", "sent", "acknowledged")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The filters of ``GET /v1/referrals`` (dates are inclusive calendar days, UTC)."""

    status: Status | None = None
    priority: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    overdue_follow_up: bool = False
    limit: int = 50
    offset: int = 0


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def to_filter(query: ListQuery, today: dt.date) -> ReferralFilter:
    """The repository filter a list query means."""
    overdue = query.overdue_follow_up
    window_end = today - dt.timedelta(weeks=FOLLOW_UP_WINDOW_WEEKS[1])
    return ReferralFilter(
        status=query.status,
        priority=query.priority,
        created_from=_midnight(query.created_from) if query.created_from else None,
        created_to=(_midnight(query.created_to + dt.timedelta(days=1)) if query.created_to else None),
        statuses=OVERDUE_STATUSES if overdue else None,
        procedure_to=window_end if overdue else None,
    )


@dataclass(frozen=True)
class Lister:
    """Read-only queries over referrals, each audited as one list access."""

    database: Database
    links: LinkBuilder

    def page(self, actor: Principal, query: ListQuery, today: dt.date) -> tuple[list[ReferralSummary], int]:
        """One page of referrals matching ``query``, newest first, and the total."""
        limit = min(query.limit, MAX_PAGE)
        with self.database.transaction() as session:
            rows, total = referrals_repo.list_referrals(
                session, to_filter(query, today), limit=limit, offset=query.offset
            )
            _audit(session, actor, "referrals:list")
            return [summary_view(r, self.links) for r in rows], total

    def worklist(self, actor: Principal, days: int, now: dt.datetime, limit: int = MAX_PAGE) -> Worklist:
        """Sent but unacknowledged after ``days``; and patients in the follow-up window today."""
        today = now.date()
        early, late = FOLLOW_UP_WINDOW_WEEKS
        unacknowledged = ReferralFilter(status="sent", sent_before=now - dt.timedelta(days=days))
        due = ReferralFilter(
            statuses=FOLLOW_UP_STATUSES,
            procedure_from=today - dt.timedelta(weeks=late),
            procedure_to=today - dt.timedelta(weeks=early) + dt.timedelta(days=1),
        )
        with self.database.transaction() as session:
            late_rows, late_total = referrals_repo.list_referrals(
                session, unacknowledged, limit=limit, offset=0, order="longest_unacknowledged"
            )
            due_rows, due_total = referrals_repo.list_referrals(
                session, due, limit=limit, offset=0, order="procedure_date"
            )
            _audit(session, actor, "worklist:read")
        return Worklist(
            unacknowledged_after_days=days,
            unacknowledged=[summary_view(r, self.links) for r in late_rows],
            unacknowledged_total=late_total,
            follow_up_due=[summary_view(r, self.links) for r in due_rows],
            follow_up_due_total=due_total,
            follow_up_window_weeks=FOLLOW_UP_WINDOW_WEEKS,
        )


def _audit(session: Session, actor: Principal, action: str) -> None:
    audit_repo.append(session, actor_key_id=actor.key_id, role=actor.role, action=action, outcome="ok")
