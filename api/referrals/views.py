"""Turn stored rows into response models (the only place ORM objects meet the wire models)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from api.db.models import AuditEntry, Referral, ReferralEvent
from api.referrals.schemas import (
    AuditEntryOut,
    ModelVersion,
    PcpIn,
    ReferralCreated,
    ReferralDetail,
    ReferralEventOut,
    ReferralLinks,
    ReferralSummary,
    ReferrerIn,
)
from risk.contract import Assessment


@dataclass(frozen=True, slots=True)
class LinkBuilder:
    """Absolute links under the service's public base URL."""

    base_url: str

    def referral(self, referral_id: uuid.UUID) -> ReferralLinks:
        """The links of one referral."""
        root = f"{self.base_url.rstrip('/')}/v1/referrals/{referral_id}"
        return ReferralLinks(
            self=root,
            letter_html=f"{root}/letter.html",
            letter_pdf=f"{root}/letter.pdf",
            patient_letter_html=f"{root}/patient-letter.html",
            patient_letter_pdf=f"{root}/patient-letter.pdf",
        )


def created_view(row: Referral, links: LinkBuilder) -> ReferralCreated:
    """The response of a (replayed) creation."""
    return ReferralCreated.model_validate(
        {"id": row.id, "status": row.status, "priority": row.priority, "links": links.referral(row.id)}
    )


def summary_view(row: Referral, links: LinkBuilder) -> ReferralSummary:
    """A referral as a list item."""
    return ReferralSummary.model_validate(_summary_fields(row, links))


def detail_view(row: Referral, events: Sequence[ReferralEvent], links: LinkBuilder) -> ReferralDetail:
    """A referral with its record, assessment and history."""
    return ReferralDetail.model_validate(
        {
            **_summary_fields(row, links),
            "patient": row.record_json,
            "assessment": Assessment.model_validate(row.assessment_json),
            "model": ModelVersion(
                name=row.model_name, version=row.model_version, ruleset_version=row.ruleset_version
            ),
            "pcp": PcpIn.model_validate(row.pcp_json),
            "referrer": ReferrerIn.model_validate(row.referrer_json),
            "created_by": row.created_by,
            "events": [_event_view(e) for e in events],
        }
    )


def audit_view(row: AuditEntry) -> AuditEntryOut:
    """One audit entry."""
    return AuditEntryOut.model_validate(row, from_attributes=True)


def _event_view(row: ReferralEvent) -> ReferralEventOut:
    return ReferralEventOut.model_validate(row, from_attributes=True)


def _summary_fields(row: Referral, links: LinkBuilder) -> dict[str, object]:
    return {
        "id": row.id,
        "patient_id": row.patient_id,
        "status": row.status,
        "priority": row.priority,
        "pathway": row.pathway,
        "procedure_date": row.procedure_date,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "sent_at": row.sent_at,
        "links": links.referral(row.id),
    }
