"""Pydantic models of what CDS clients send: hook requests and feedback (spec §Calling, §Feedback)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

COMMENT_MAX = 500  # free text from the EHR: stored truncated, never logged


class _In(BaseModel):
    # Clients may send fields of later spec versions; they are ignored, not refused.
    model_config = ConfigDict(extra="ignore")


class FhirAuthorization(_In):
    """The short-lived FHIR access token (never logged, never stored)."""

    access_token: str = Field(min_length=1, repr=False)
    token_type: str = "Bearer"  # noqa: S105 (the scheme name, not a secret)
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None
    patient: str | None = None


class HookContext(_In):
    """The context fields both our hooks use (draftOrders only in order-sign)."""

    userId: str = Field(min_length=1)  # noqa: N815 (spec name)
    patientId: str = Field(min_length=1)  # noqa: N815
    encounterId: str | None = None  # noqa: N815
    draftOrders: dict[str, Any] | None = None  # noqa: N815


class HookRequest(_In):
    """A hook call; ``prefetch`` keeps the difference between an omitted key and a null value."""

    hook: str
    hookInstance: str = Field(min_length=1)  # noqa: N815
    fhirServer: str | None = None  # noqa: N815
    fhirAuthorization: FhirAuthorization | None = None  # noqa: N815
    context: HookContext
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _authorization_needs_server(self) -> HookRequest:
        if self.fhirAuthorization is not None and not self.fhirServer:
            raise ValueError("fhirAuthorization requires fhirServer (cds-r-1)")
        return self


class Coding(_In):
    """A coded override reason."""

    system: str | None = None
    code: str = Field(min_length=1, max_length=100)
    display: str | None = None


class OverrideReason(_In):
    """Why the clinician overrode a card."""

    reason: Coding | None = None
    userComment: str | None = None  # noqa: N815


class AcceptedSuggestion(_In):
    """One accepted suggestion."""

    id: str = Field(min_length=1, max_length=64)


class FeedbackItem(_In):
    """The outcome of one card."""

    card: str = Field(min_length=1, max_length=64)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[AcceptedSuggestion] = Field(default_factory=list)  # noqa: N815
    overrideReason: OverrideReason | None = None  # noqa: N815
    outcomeTimestamp: AwareDatetime  # noqa: N815

    def utc_timestamp(self) -> dt.datetime:
        """The outcome time in UTC."""
        return self.outcomeTimestamp.astimezone(dt.UTC)


class FeedbackRequest(_In):
    """The feedback body: one or more card outcomes."""

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=100)
