"""Find referrals by patient id (the workflow's list filters have none yet); audited, id not logged."""

from __future__ import annotations

from sqlalchemy import select

from api.auth.principal import Principal
from api.db import audit_repo
from api.db.engine import Database
from api.db.models import Referral
from api.referrals.listing import MAX_PAGE
from api.referrals.schemas import ReferralSummary
from api.referrals.views import LinkBuilder, summary_view


def referrals_of_patient(
    database: Database, links: LinkBuilder, actor: Principal, patient_id: str
) -> list[ReferralSummary]:
    """The patient's referrals, newest first (at most one page); the audit row names no patient."""
    query = (
        select(Referral)
        .where(Referral.patient_id == patient_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(MAX_PAGE)
    )
    with database.transaction() as session:
        rows = session.scalars(query).all()
        audit_repo.append(
            session, actor_key_id=actor.key_id, role=actor.role, action="referrals:search", outcome="ok"
        )
        return [summary_view(row, links) for row in rows]
