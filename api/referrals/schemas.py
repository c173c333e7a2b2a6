"""Request and response models of the referral API (never ORM objects on the wire)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.referrals.states import Status
from reports.models import Recipient, Referrer
from risk.contract import Assessment, PatientRecord
from risk.contract.enums import Pathway, Priority


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class PcpIn(Recipient):
    """The primary-care physician the letter goes to.

    The letter's own model, so whatever the API accepts, the letter can print.
    """


class ReferrerIn(Referrer):
    """The clinician who signs the letter (the letter's own model)."""


class ReferralCreate(_In):
    """Body of ``POST /v1/referrals``."""

    patient: PatientRecord
    pcp: PcpIn
    referrer: ReferrerIn


class TransitionIn(_In):
    """Body of ``POST /v1/referrals/{id}/transitions``."""

    to: Status
    reason: str | None = Field(default=None, max_length=2000)


class ReferralLinks(_Out):
    """Where to fetch the referral and its letters."""

    self: str
    letter_html: str
    letter_pdf: str
    patient_letter_html: str
    patient_letter_pdf: str


class ReferralCreated(_Out):
    """Response of ``POST /v1/referrals`` (201 new, 200 idempotent replay)."""

    id: uuid.UUID
    status: Status
    priority: Priority
    links: ReferralLinks


class ReferralEventOut(_Out):
    """One status change; ``from_status`` null is the creation."""

    from_status: Status | None
    to_status: Status
    reason: str | None
    at: dt.datetime
    by_key_id: int | None


class ModelVersion(_Out):
    """Model and rule set that produced the stored assessment."""

    name: str
    version: str
    ruleset_version: str


class ReferralSummary(_Out):
    """A referral in a list."""

    id: uuid.UUID
    patient_id: str
    status: Status
    priority: Priority
    pathway: Pathway
    procedure_date: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    sent_at: dt.datetime | None
    links: ReferralLinks


class ReferralDetail(ReferralSummary):
    """A referral with its record, assessment, addressees and history."""

    patient: dict[str, Any]
    assessment: Assessment
    model: ModelVersion
    pcp: PcpIn
    referrer: ReferrerIn
    created_by: int | None
    events: list[ReferralEventOut]


class ReferralPage(_Out):
    """A page of referrals; ``next`` is the URL of the next page or null."""

    items: list[ReferralSummary]
    total: int
    next: str | None


class AuditEntryOut(_Out):
    """One audit log entry (no clinical text, no names)."""

    id: int
    at: dt.datetime
    actor_key_id: int | None
    role: str | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: str


class AuditPage(_Out):
    """A page of audit entries, newest first."""

    items: list[AuditEntryOut]
    total: int
    next: str | None


class Worklist(_Out):
    """The coordinator's two queues."""

    unacknowledged_after_days: int
    unacknowledged: list[ReferralSummary]
    unacknowledged_total: int
    follow_up_due: list[ReferralSummary]
    follow_up_due_total: int
    follow_up_window_weeks: tuple[int, int]
