"""Referral builders: ServiceRequest (referral), DocumentReference (PDF letter), Communication (sent)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from api.fhir.terminology import REFERRAL_CATEGORY, REFERRAL_NOTE

REFERRAL_TEXT = "Evaluation and treatment of osteoporosis after vertebral fracture"


def _coding(code: Any) -> dict[str, Any]:
    return {"coding": [{"system": code.system, "code": code.code, "display": code.display}]}


def _pcp(pcp_name: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": "pcp", "name": [{"text": pcp_name}]}


Ref = str | dict[str, Any]  # a literal reference, or a whole Reference (logical, contained, ...)


def _ref(value: Ref) -> dict[str, Any]:
    return {"reference": value} if isinstance(value, str) else value


def service_request(
    *,
    subject_ref: Ref,
    risk_assessment_ref: Ref | None,
    requester_ref: Ref | None,
    pcp_name: str | None = None,
    pcp_ref: str | None = None,
    sent: bool = False,
    authored_on: dt.datetime | None = None,
) -> dict[str, Any]:
    """The referral: draft/proposal until sent, then active/order; PCP referenced or contained."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "active" if sent else "draft",
        "intent": "order" if sent else "proposal",
        "category": [_coding(REFERRAL_CATEGORY)],
        "code": {"text": REFERRAL_TEXT},
        "subject": _ref(subject_ref),
        "authoredOn": (authored_on or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
    }
    if requester_ref is not None:
        resource["requester"] = _ref(requester_ref)
    if risk_assessment_ref is not None:
        resource["reasonReference"] = [_ref(risk_assessment_ref)]
    if pcp_ref:
        resource["performer"] = [{"reference": pcp_ref}]
    elif pcp_name:
        resource["contained"] = [_pcp(pcp_name)]
        resource["performer"] = [{"reference": "#pcp"}]
    return resource


def letter_document(
    pdf: bytes,
    *,
    subject_ref: Ref,
    service_request_ref: str,
    title: str,
    created: dt.datetime,
    author_ref: str | None = None,
) -> dict[str, Any]:
    """The PDF letter as a DocumentReference (LOINC 57133-1), with base64 SHA-1 hash and size."""
    attachment = {
        "contentType": "application/pdf",
        "data": base64.b64encode(pdf).decode("ascii"),
        "size": len(pdf),
        # R4 Attachment.hash is a base64 SHA-1 by definition; it identifies, it does not protect.
        "hash": base64.b64encode(hashlib.sha1(pdf, usedforsecurity=False).digest()).decode("ascii"),
        "title": title,
        "creation": created.isoformat(timespec="seconds"),
    }
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "status": "current",
        "docStatus": "final",
        "type": _coding(REFERRAL_NOTE),
        "subject": _ref(subject_ref),
        "date": created.isoformat(timespec="seconds"),
        "content": [{"attachment": attachment}],
        "context": {"related": [{"reference": service_request_ref}]},
    }
    if author_ref:
        resource["author"] = [{"reference": author_ref}]
    return resource


def letter_communication(
    *,
    subject_ref: Ref,
    service_request_ref: Ref,
    document_ref: Ref,
    recipient_refs: Sequence[Ref],
    sender_ref: Ref | None,
    sent: dt.datetime,
    category: Any = None,
    medium: Any = None,
) -> dict[str, Any]:
    """The fact that the letter was sent to the PCP (category and medium are terminology Codes)."""
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "basedOn": [_ref(service_request_ref)],
        "status": "completed",
        "subject": _ref(subject_ref),
        "sent": sent.isoformat(timespec="seconds"),
        "recipient": [_ref(r) for r in recipient_refs],
        "payload": [{"contentReference": _ref(document_ref)}],
    }
    if category is not None:
        resource["category"] = [_coding(category)]
    if medium is not None:
        resource["medium"] = [_coding(medium)]
    if sender_ref is not None:
        resource["sender"] = _ref(sender_ref)
    return resource
