"""Who a letter is from and to: the letterhead (service settings), the PCP and the referrer.

The API builds ``Letterhead`` from its settings and ``Recipient``/``Referrer`` from the
referral request body; cohort letter runs build them from the contract §4 columns.
Nothing here is hard-coded, so a deployment never sends letters from a default name.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.networks import validate_email

Line = Annotated[str, Field(max_length=200)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
# An address the letter prints and a practice may be written to: the syntax is checked
# (email-validator, no DNS look-up), so "not-an-email" never reaches a letter.
Email = Annotated[str, Field(max_length=200), AfterValidator(lambda text: validate_email(text)[1])]
MAX_ADDRESS_LINES = 8  # what fits the letter's address block; the API body uses the same limits


class _In(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Letterhead(_In):
    """The sending service: heading, contact details and the default signatory."""

    organisation: Name
    address: list[Line] = Field(default_factory=list, max_length=MAX_ADDRESS_LINES)
    phone: Line | None = None
    email: Line | None = None
    sender_name: Name
    sender_role: Line | None = None
    sender_service: Line | None = None


class Recipient(_In):
    """The patient's primary care physician (API body ``pcp``)."""

    name: Name
    practice: Line | None = None
    address: list[Line] = Field(default_factory=list, max_length=MAX_ADDRESS_LINES)
    phone: Line | None = None
    fax: Line | None = None
    email: Email | None = None


class Referrer(_In):
    """The clinician who signs the letter, when not the letterhead's default sender."""

    name: Name
    role: Line | None = None
    service: Line | None = None


class Signatory(_In):
    """The person who signs: the referrer when given, else the letterhead's sender."""

    name: Name
    role: Line | None = None
    service: Line | None = None

    @classmethod
    def of(cls, letterhead: Letterhead, referrer: Referrer | None) -> Signatory:
        """The referrer's name, with the letterhead filling in a missing role or service."""
        if referrer is None:
            return cls(
                name=letterhead.sender_name,
                role=letterhead.sender_role,
                service=letterhead.sender_service,
            )
        return cls(
            name=referrer.name,
            role=referrer.role or letterhead.sender_role,
            service=referrer.service or letterhead.sender_service,
        )


class DocumentKind(StrEnum):
    """The documents an assessment can produce (``documents_for`` picks them)."""

    PCP_LETTER = "pcp_letter"
    PATIENT_COPY = "patient_copy"
    ONCOLOGY_NOTIFICATION = "oncology_notification"
    TRAUMA_DXA_NOTE = "trauma_dxa_note"
