"""Read the referral tables into plain frames for analyst reports (reports never import api)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from api.db.ack_models import PcpResponse
from api.db.delivery_models import Delivery
from api.db.engine import Database
from api.db.models import Referral, ReferralEvent
from reports.cohort import loop
from reports.cohort.funnel import EVENT_COLUMNS, REFERRAL_COLUMNS, referral_funnel
from reports.cohort.models import LoopKpis, ReferralFunnel


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


@dataclass(frozen=True)
class LoopTables:
    """The referral loop as plain frames: referrals, events, letter deliveries, PCP answers."""

    referrals: pd.DataFrame
    events: pd.DataFrame
    deliveries: pd.DataFrame
    responses: pd.DataFrame

    def kpis(self, now: dt.datetime) -> LoopKpis:
        """The loop KPIs as of ``now``."""
        return loop.loop_kpis(self.referrals, self.events, self.deliveries, self.responses, now)

    def treatment_starts(self) -> pd.DataFrame:
        """Each patient's earliest treatment start reported by a PCP."""
        return loop.pcp_treatment_starts(self.referrals, self.responses)


def loop_tables(database: Database) -> LoopTables:
    """Read the loop tables (practice names and dates only: no record, letter or patient name)."""
    referrals = select(
        Referral.id, Referral.priority, Referral.pcp_json, Referral.procedure_date, Referral.patient_id
    )
    events = select(ReferralEvent.referral_id, ReferralEvent.to_status, ReferralEvent.at)
    deliveries = select(Delivery.referral_id, Delivery.delivered_at).where(Delivery.purpose == "letter")
    responses = select(
        PcpResponse.referral_id, PcpResponse.answer, PcpResponse.treatment_start_date, PcpResponse.answered_at
    )
    with database.reader() as session:
        rows = [
            (r.id, r.priority, _practice(r.pcp_json), r.procedure_date, r.patient_id)
            for r in session.execute(referrals)
        ]
        return LoopTables(
            referrals=pd.DataFrame(rows, columns=list(loop.REFERRAL_COLUMNS)),
            events=pd.DataFrame(session.execute(events).all(), columns=list(loop.EVENT_COLUMNS)),
            deliveries=pd.DataFrame(session.execute(deliveries).all(), columns=list(loop.DELIVERY_COLUMNS)),
            responses=pd.DataFrame(session.execute(responses).all(), columns=list(loop.RESPONSE_COLUMNS)),
        )


def _practice(pcp: dict[str, object]) -> str:
    return str(pcp.get("practice") or pcp.get("name") or "unknown")


def loop_from_database(database_url: str) -> LoopTables:
    """The loop tables of the database at ``database_url``."""
    database = Database.connect(database_url)
    try:
        return loop_tables(database)
    finally:
        database.dispose()
