"""Read the referral tables into plain frames for analyst reports (reports never import api)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select

from api.db.engine import Database
from api.db.models import Referral, ReferralEvent
from reports.cohort.funnel import EVENT_COLUMNS, REFERRAL_COLUMNS, referral_funnel
from reports.cohort.models import ReferralFunnel


def referral_tables(database: Database) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(referrals, events) with only the columns the funnel needs — no record or letter text."""
    referral_query = select(
        Referral.id, Referral.status, Referral.priority, Referral.procedure_date,
        Referral.created_at, Referral.sent_at,
    )  # fmt: skip
    event_query = select(ReferralEvent.referral_id, ReferralEvent.to_status, ReferralEvent.at)
    with database.reader() as session:
        referrals = pd.DataFrame(session.execute(referral_query).all(), columns=list(REFERRAL_COLUMNS))
        events = pd.DataFrame(session.execute(event_query).all(), columns=list(EVENT_COLUMNS))
    return referrals, events


def funnel_from_database(database_url: str, now: dt.datetime | None = None) -> ReferralFunnel:
    """The referral funnel of the database at ``database_url`` as of ``now`` (default: now, UTC)."""
    database = Database.connect(database_url)
    try:
        referrals, events = referral_tables(database)
    finally:
        database.dispose()
    return referral_funnel(referrals, events, now or dt.datetime.now(dt.UTC))
