"""FHIR R4 test resources: a post-kyphoplasty patient, her prefetch, and draft orders."""

from __future__ import annotations

import datetime as dt
from typing import Any

PATIENT_ID = "pat-4711"
SECRET_TOKEN = "fhir-access-token-DO-NOT-LEAK-123"


def days_ago(days: int) -> str:
    """An ISO date ``days`` before today (UTC)."""
    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)).isoformat()


def patient(gender: str = "female", birth_date: str = "1944-03-02") -> dict[str, Any]:
    """The Patient."""
    return {"resourceType": "Patient", "id": PATIENT_ID, "gender": gender, "birthDate": birth_date}


def kyphoplasty(days: int = 30, code: str = "22514", level: str = "L1") -> dict[str, Any]:
    """A completed kyphoplasty ``days`` ago at ``level``."""
    return {
        "resourceType": "Procedure",
        "id": f"proc-{code}-{days}",
        "status": "completed",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": code}]},
        "performedDateTime": days_ago(days),
        "bodySite": [{"text": f"{level} vertebra"}],
    }


def t_score(value: float, code: str = "38264-8") -> dict[str, Any]:
    """A DXA T-score Observation (default total hip)."""
    return {
        "resourceType": "Observation",
        "id": f"obs-{code}",
        "status": "final",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "effectiveDateTime": days_ago(40),
        "valueQuantity": {
            "value": value,
            "unit": "T-Score",
            "system": "http://unitsofmeasure.org",
            "code": "1",
        },
    }


def myeloma() -> dict[str, Any]:
    """An active multiple myeloma Condition."""
    return {
        "resourceType": "Condition",
        "id": "cond-myeloma",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "code": {
            "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C90.00"}],
            "text": "Multiple myeloma",
        },
    }


def alendronate(status: str = "draft") -> dict[str, Any]:
    """A MedicationRequest for alendronate."""
    return {
        "resourceType": "MedicationRequest",
        "id": "med-alendronate",
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {
            "coding": [
                {
                    "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "code": "904419",
                    "display": "Alendronic acid 10 MG Oral Tablet",
                }
            ]
        },
    }


def paracetamol() -> dict[str, Any]:
    """A MedicationRequest unrelated to osteoporosis."""
    return {
        "resourceType": "MedicationRequest",
        "id": "med-paracetamol",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {"text": "Paracetamol 500 mg tablet"},
    }


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    """A searchset Bundle of ``resources``."""
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def prefetch(*, conditions: tuple[dict[str, Any], ...] = (), procedures: int = 30) -> dict[str, Any]:
    """A complete prefetch of a post-kyphoplasty patient with osteoporosis."""
    return {
        "patient": patient(),
        "observations": searchset(t_score(-3.2)),
        "conditions": searchset(*conditions),
        "procedures": searchset(kyphoplasty(procedures)),
        "medicationrequests": searchset(),
        "medicationstatements": searchset(),
        "medicationadministrations": searchset(),
        "medicationdispenses": searchset(),
    }


def hook_body(hook: str = "patient-view", **overrides: Any) -> dict[str, Any]:
    """A hook request with the complete prefetch."""
    context: dict[str, Any] = {"userId": "Practitioner/dr-1", "patientId": PATIENT_ID}
    if hook == "order-sign":
        context["draftOrders"] = {"resourceType": "Bundle", "type": "collection", "entry": []}
    body = {
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": context,
        "prefetch": prefetch(),
    }
    return body | overrides


def draft_orders(*resources: dict[str, Any]) -> dict[str, Any]:
    """A draftOrders Bundle."""
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}


def denosumab_given(days: int) -> list[dict[str, Any]]:
    """A denosumab order and its clinic injection ``days`` ago (how clinics record Prolia)."""
    prolia = {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "993456"}]}
    order = {
        "resourceType": "MedicationRequest", "id": "mr-prolia", "status": "active", "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"}, "authoredOn": days_ago(days + 400),
        "medicationReference": {"reference": "Medication/prolia"},
    }  # fmt: skip
    given = {
        "resourceType": "MedicationAdministration", "id": "ma-prolia", "status": "completed",
        "subject": {"reference": f"Patient/{PATIENT_ID}"}, "effectiveDateTime": days_ago(days),
        "medicationCodeableConcept": prolia,
    }  # fmt: skip
    return [order, given, {"resourceType": "Medication", "id": "prolia", "code": prolia}]
