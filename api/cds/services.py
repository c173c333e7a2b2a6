"""The two CDS services as data: ids, hooks, texts and the shared prefetch templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PATIENT_VIEW_ID = "osteoref-refracture-risk"
ORDER_SIGN_ID = "osteoref-osteoporosis-referral"

_OBSERVATION_CODES = ",".join(
    f"http://loinc.org|{code}"
    for code in (
        "38263-0", "38264-8", "38267-1", "80948-3", "80947-5", "80946-7", "80945-9",
        "62292-8", "1989-3", "98979-8", "98980-6", "33914-3", "17861-6", "29265-6",
        "6768-6", "29463-7", "8302-2",
    )
)  # fmt: skip

# Keys are also the order in which a collection Bundle is assembled.
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "observations": f"Observation?patient={{{{context.patientId}}}}&code={_OBSERVATION_CODES}&_sort=-date",
    "conditions": "Condition?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
}


@dataclass(frozen=True, slots=True)
class CdsService:
    """One discovery entry."""

    id: str
    hook: str
    title: str
    description: str

    def discovery(self) -> dict[str, Any]:
        """The service as the discovery document lists it."""
        return {
            "hook": self.hook,
            "title": self.title,
            "description": self.description,
            "id": self.id,
            "prefetch": dict(PREFETCH),
            "usageRequirements": (
                "Signed JWT (ES384 or RS384) from an allow-listed issuer; "
                "FHIR R4 read access to the patient's Patient, Observation, Condition, "
                "Procedure and MedicationRequest resources."
            ),
        }


SERVICES: dict[str, CdsService] = {
    s.id: s
    for s in (
        CdsService(
            id=PATIENT_VIEW_ID,
            hook="patient-view",
            title="Re-fracture risk after kyphoplasty/vertebroplasty",
            description=(
                "When the chart opens, shows the 12- and 24-month risk of a new vertebral fracture "
                "and the osteoporosis referral decision for patients with a vertebral augmentation "
                "in the look-back period."
            ),
        ),
        CdsService(
            id=ORDER_SIGN_ID,
            hook="order-sign",
            title="Osteoporosis referral after kyphoplasty/vertebroplasty",
            description=(
                "When orders are signed for a post-augmentation patient without anti-osteoporosis "
                "therapy among them, suggests the PCP referral and the recommended drug class."
            ),
        ),
    )
}


def discovery_document() -> dict[str, Any]:
    """The body of ``GET /cds-services``."""
    return {"services": [s.discovery() for s in SERVICES.values()]}
