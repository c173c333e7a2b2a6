"""order-sign: spot anti-osteoporosis therapy among the draft orders, else suggest the referral."""

from __future__ import annotations

import uuid
from typing import Any

from api.cds.cards import THERAPY, TIER, CardSite, base_card, detail_markdown
from api.cds.fhir_adapter import is_anti_osteoporosis
from risk.contract import Assessment

REFERRAL_CATEGORY = {"system": "http://snomed.info/sct", "code": "3457005", "display": "Patient referral"}
REFERRAL_TEXT = "Evaluation and treatment of osteoporosis after vertebral fracture"
REQUEST_PRIORITY = {"urgent": "urgent", "soon": "asap", "routine": "routine"}
OVERRIDE_SYSTEM = "https://osteoref.example.org/fhir/CodeSystem/cds-override-reason"
OVERRIDE_REASONS = [
    {
        "system": OVERRIDE_SYSTEM,
        "code": "already-treated",
        "display": "Already on or starting therapy elsewhere",
    },
    {
        "system": OVERRIDE_SYSTEM,
        "code": "referred-elsewhere",
        "display": "Already referred / followed elsewhere",
    },
    {"system": OVERRIDE_SYSTEM, "code": "patient-declined", "display": "Patient declined"},
    {"system": OVERRIDE_SYSTEM, "code": "not-appropriate", "display": "Not clinically appropriate"},
]


def draft_resources(draft_orders: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The resources of the draftOrders Bundle."""
    entries = (draft_orders or {}).get("entry") or []
    return [e["resource"] for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)]


def has_anti_osteoporosis_therapy(draft_orders: dict[str, Any] | None) -> bool:
    """Whether any draft MedicationRequest orders an anti-osteoporosis drug (by resolved ingredient)."""
    return any(
        r.get("resourceType") == "MedicationRequest" and is_anti_osteoporosis(r, draft_orders)
        for r in draft_resources(draft_orders)
    )


def referral_request(assessment: Assessment, patient_id: str, user_id: str) -> dict[str, Any]:
    """The proposed PCP referral as an R4 ServiceRequest (draft, proposal)."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "proposal",
        "category": [{"coding": [REFERRAL_CATEGORY]}],
        "priority": REQUEST_PRIORITY[assessment.priority],
        "code": {"text": REFERRAL_TEXT},
        "subject": {"reference": f"Patient/{patient_id}"},
        "reasonCode": [{"text": "Vertebral fracture treated by kyphoplasty/vertebroplasty"}],
        "note": [{"text": f"Recommended drug class: {THERAPY[assessment.recommended_therapy]}."}],
    }
    if user_id.startswith(("Practitioner/", "PractitionerRole/")):
        resource["requester"] = {"reference": user_id}
    return resource


def referral_card(assessment: Assessment, site: CardSite, patient_id: str, user_id: str) -> dict[str, Any]:
    """The order-sign card: no therapy in the orders, so suggest the referral."""
    tier = TIER.get(assessment.risk_tier or "", "raised")
    summary = f"No anti-osteoporosis therapy in these orders ({tier} re-fracture risk): refer to PCP"
    card = base_card(assessment, site, summary, detail_markdown(assessment, site))
    card["suggestions"] = [
        {
            "label": "Refer to PCP for osteoporosis treatment",
            "uuid": str(uuid.uuid4()),
            "isRecommended": True,
            "actions": [
                {
                    "type": "create",
                    "description": f"Propose a {assessment.priority} PCP referral ({REFERRAL_TEXT.lower()})",
                    "resource": referral_request(assessment, patient_id, user_id),
                }
            ],
        }
    ]
    card["selectionBehavior"] = "at-most-one"
    card["overrideReasons"] = OVERRIDE_REASONS
    return card
