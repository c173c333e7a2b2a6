"""A stored referral (api.referrals) as FHIR: its ServiceRequest, its letter as a DocumentReference,
and each sending on the FHIR channel as a Communication.

Our workflow statuses map onto R4 RequestStatus; the patient is a logical reference (our
``patient_id`` under ``<base>/fhir/sid/patient-id``), the PCP and the referrer are contained, and
the DocumentReference points back at the ServiceRequest's absolute URL on this server, and a
Communication points at both by absolute URL, so an EHR can follow them from any one of them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from api.fhir.emit.referral import letter_communication, letter_document, service_request
from api.fhir.terminology import COMMUNICATION_CATEGORIES, ELECTRONIC
from api.referrals.schemas import ReferralDetail

PATIENT_ID_PATH = "/fhir/sid/patient-id"
# workflow status → (R4 ServiceRequest.status, intent). A draft is only proposed; once sent it is an order.
# Every ending short of treatment revokes the order: declined, cancelled, or the patient not on the
# practice's list (the coordinator refers again, to the right practice, as a new referral).
STATUS: dict[str, tuple[str, str]] = {
    "draft": ("draft", "proposal"),
    "sent": ("active", "order"),
    "acknowledged": ("active", "order"),
    "treatment_started": ("completed", "order"),
    "declined": ("revoked", "order"),
    "not_registered": ("revoked", "order"),
    "cancelled": ("revoked", "order"),
}
REQUEST_PRIORITY = {"urgent": "urgent", "soon": "asap", "routine": "routine"}


def service_request_url(base_url: str, referral_id: object) -> str:
    """The absolute URL of a referral's ServiceRequest on this server."""
    return f"{base_url.rstrip('/')}/fhir/ServiceRequest/{referral_id}"


def letter_url(base_url: str, referral_id: object) -> str:
    """The absolute URL of a referral's letter (DocumentReference) on this server."""
    return f"{base_url.rstrip('/')}/fhir/DocumentReference/letter-{referral_id}"


def communication_url(base_url: str, communication_id: object) -> str:
    """The absolute URL of a Communication on this server."""
    return f"{base_url.rstrip('/')}/fhir/Communication/{communication_id}"


def patient_reference(base_url: str, patient_id: str) -> dict[str, Any]:
    """The patient as a logical reference by our patient_id (we serve no Patient resource)."""
    system = base_url.rstrip("/") + PATIENT_ID_PATH
    return {"type": "Patient", "identifier": {"system": system, "value": patient_id}}


def _referrer(detail: ReferralDetail) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": "referrer", "name": [{"text": detail.referrer.name}]}


def referral_service_request(detail: ReferralDetail, base_url: str) -> dict[str, Any]:
    """The ServiceRequest of one stored referral."""
    status, intent = STATUS[detail.status]
    resource = service_request(
        subject_ref=patient_reference(base_url, detail.patient_id),
        risk_assessment_ref=None,
        requester_ref="#referrer",
        pcp_name=detail.pcp.name,
        sent=False,
        authored_on=detail.created_at,
    )
    resource["contained"] = [*resource.get("contained", []), _referrer(detail)]
    tier = (detail.assessment.risk_tier or "no").replace("_", " ")
    procedure = detail.patient.get("procedure_type", "vertebral augmentation")
    return resource | {
        "id": str(detail.id),
        "status": status,
        "intent": intent,
        "priority": REQUEST_PRIORITY[detail.priority],
        "reasonCode": [
            {"text": f"Vertebral fracture treated by {procedure}; {tier} re-fracture risk tier; "
                     f"pathway {detail.pathway}"}
        ],
    }  # fmt: skip


def referral_letter(detail: ReferralDetail, pdf: bytes, base_url: str) -> dict[str, Any]:
    """The PCP letter of one referral as a DocumentReference with the PDF attached."""
    resource = letter_document(
        pdf,
        subject_ref=patient_reference(base_url, detail.patient_id),
        service_request_ref=service_request_url(base_url, detail.id),
        title=f"Referral letter {detail.id}",
        created=detail.created_at if detail.created_at.tzinfo else detail.created_at.replace(tzinfo=dt.UTC),
    )
    return resource | {"id": f"letter-{detail.id}"}


@dataclass(frozen=True, slots=True)
class Sending:
    """One sending of the letter on the FHIR channel, as the FHIR layer reads it (not the row)."""

    id: uuid.UUID
    purpose: str  # "letter" or "reminder"
    sent_at: dt.datetime


def _recipients(detail: ReferralDetail) -> list[dict[str, Any]]:
    pcp = {"resourceType": "Practitioner", "id": "pcp", "name": [{"text": detail.pcp.name}]}
    if not detail.pcp.practice:
        return [pcp]
    return [pcp, {"resourceType": "Organization", "id": "practice", "name": detail.pcp.practice}]


def referral_communication(detail: ReferralDetail, sending: Sending, base_url: str) -> dict[str, Any]:
    """The sending of one referral's letter (or a reminder) to the PCP and their practice."""
    recipients = _recipients(detail)
    resource = letter_communication(
        subject_ref=patient_reference(base_url, detail.patient_id),
        service_request_ref=service_request_url(base_url, detail.id),
        document_ref={"reference": letter_url(base_url, detail.id), "type": "DocumentReference"},
        recipient_refs=[f"#{r['id']}" for r in recipients],
        sender_ref="#referrer",
        sent=sending.sent_at if sending.sent_at.tzinfo else sending.sent_at.replace(tzinfo=dt.UTC),
        category=COMMUNICATION_CATEGORIES[sending.purpose],
        medium=ELECTRONIC,
    )
    return (
        {"resourceType": "Communication", "id": str(sending.id)}
        | resource
        | {"contained": [*recipients, _referrer(detail)]}
    )
