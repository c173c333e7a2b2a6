"""The two CDS services as data: ids, hooks, texts and the shared prefetch templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.cds.fhir_adapter import ACCEPTED_OBSERVATION_CODES

PATIENT_VIEW_ID = "osteoref-refracture-risk"
ORDER_SIGN_ID = "osteoref-osteoporosis-referral"

# Every LOINC code the mapping accepts (DXA and labs), from the terminology tables themselves.
_OBSERVATION_CODES = ",".join(f"{system}|{code}" for system, code in ACCEPTED_OBSERVATION_CODES)
_PATIENT = "patient={{context.patientId}}"


def _medications(resource_type: str) -> str:
    # _include brings the referenced Medication; clients that ignore it are completed by fhir_fetch.
    return f"{resource_type}?{_PATIENT}&_include={resource_type}:medication"


# Keys are also the order in which a collection Bundle is assembled.
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "observations": f"Observation?{_PATIENT}&code={_OBSERVATION_CODES}&_sort=-date",
    "conditions": f"Condition?{_PATIENT}",
    "procedures": f"Procedure?{_PATIENT}",
    "medicationrequests": _medications("MedicationRequest"),
    "medicationstatements": _medications("MedicationStatement"),
    "medicationadministrations": _medications("MedicationAdministration"),
    "medicationdispenses": _medications("MedicationDispense"),
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
                "FHIR R4 read access to the patient's Patient, Observation, Condition, Procedure, "
                "MedicationRequest, MedicationStatement, MedicationAdministration, MedicationDispense "
                "and Medication resources."
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
