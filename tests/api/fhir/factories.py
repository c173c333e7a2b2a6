"""Hand-made FHIR resources and Bundles (collection, searchset, transaction) for the mapping tests."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from api.fhir.terminology import ATC, CONDITION_CLINICAL, CONDITION_VERIFICATION, CPT, ICD10CM, LOINC, SNOMED

PATIENT_UUID = "6b1f6f4e-0000-4000-8000-000000000001"
BASE = "http://ehr.test/fhir"
JSON = dict[str, Any]

# Public FHIR data written by others (Synthea bundles, the official JSON schema), kept beside
# the repository in ../shared/fhir-samples; OSTEOREF_FHIR_SAMPLES points elsewhere (a clone
# in another folder). The tests that need them skip, with the reason, when they are absent.
SHARED_FHIR_SAMPLES = Path(
    os.environ.get("OSTEOREF_FHIR_SAMPLES")
    or Path(__file__).resolve().parents[3].parent / "shared" / "fhir-samples"
)


def patient(gender: str = "female") -> JSON:
    """The patient of every hand-made bundle."""
    return {
        "resourceType": "Patient",
        "id": "pt-1",
        "gender": gender,
        "birthDate": "1948-05-17",
        "name": [{"use": "official", "given": ["Ada"], "family": "Lovelace"}],
    }


def observation(rid: str, loinc: str, value: float, unit: str, date: str, **extra: Any) -> JSON:
    """A final Observation with a valueQuantity."""
    return {
        "resourceType": "Observation",
        "id": rid,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": loinc}]},
        "subject": {"reference": "Patient/pt-1"},
        "effectiveDateTime": date,
        "valueQuantity": {"value": value, "unit": unit},
    } | extra


def condition(
    rid: str, system: str, code: str, onset: str, clinical: str = "active", verification: str = "confirmed"
) -> JSON:
    """A Condition with clinical and verification status."""
    return {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": clinical}]},
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": verification}]},
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": "Patient/pt-1"},
        "onsetDateTime": onset,
    }


def kyphoplasty(rid: str = "proc-1", date: str = "2024-03-01", status: str = "completed") -> JSON:
    """A lumbar kyphoplasty at T12 (SNOMED display) and L1 (text)."""
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": status,
        "code": {"coding": [{"system": CPT, "code": "22514"}]},
        "subject": {"reference": "Patient/pt-1"},
        "performedDateTime": date,
        "bodySite": [
            {"coding": [{"system": SNOMED, "code": "000000", "display": "T12 vertebral body"}]},
            {"text": "L1"},
        ],
    }


def denosumab_resources() -> list[JSON]:
    """A denosumab prescription (start) and an administration (last dose), coded by ATC."""
    concept = {"coding": [{"system": ATC, "code": "M05BX04", "display": "denosumab"}]}
    return [
        {
            "resourceType": "MedicationRequest",
            "id": "mr-dmab",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": concept,
            "subject": {"reference": "Patient/pt-1"},
            "authoredOn": "2022-03-15",
        },
        {
            "resourceType": "MedicationAdministration",
            "id": "ma-dmab",
            "status": "completed",
            "medicationCodeableConcept": concept,
            "subject": {"reference": "Patient/pt-1"},
            "effectiveDateTime": "2023-09-15",
        },
    ]


def full_patient() -> list[JSON]:
    """The full post-kyphoplasty patient of docs/fhir.md's worked example."""
    neck_site = {"bodySite": {"coding": [{"system": SNOMED, "code": "29627003"}]}}
    return [
        patient(),
        kyphoplasty(),
        condition("fx-1", ICD10CM, "M80.08XA", "2024-02-20"),
        condition("myeloma", ICD10CM, "C90.00", "2024-02-28"),
        condition("ra-refuted", ICD10CM, "M06.9", "2015-01-01", verification="refuted"),
        observation("dxa-neck", "38263-0", -2.8, "{T-score}", "2023-10-01", **neck_site),
        observation("dxa-spine", "38267-1", -3.1, "1", "2023-10-01"),
        observation("dxa-generic", "38265-5", -2.1, "{T-score}", "2023-11-01"),
        observation("egfr", "98979-8", 55, "mL/min/{1.73_m2}", "2024-02-25"),
        observation("vitd", "62292-8", 50, "nmol/L", "2024-02-25"),
        observation("ca", "29265-6", 2.35, "mmol/L", "2024-02-25"),
        observation("alp-old", "6768-6", 90, "U/L", "2020-01-01"),
        observation("weight-eie", "29463-7", 99, "kg", "2024-03-01", status="entered-in-error"),
        observation("weight", "29463-7", 62, "kg", "2024-02-01"),
        observation("height", "8302-2", 1.6, "m", "2024-02-01"),
        *denosumab_resources(),
    ]


def bundle(resources: list[JSON], kind: str = "collection") -> JSON:
    """A Bundle of ``kind``; a transaction uses urn:uuid fullUrls and references to the patient."""
    resources = copy.deepcopy(resources)
    entries = []
    for index, resource in enumerate(resources):
        if kind == "transaction":
            if "subject" in resource:
                resource["subject"] = {"reference": f"urn:uuid:{PATIENT_UUID}"}
            uid = (
                PATIENT_UUID
                if resource["resourceType"] == "Patient"
                else f"00000000-0000-4000-8000-{index:012d}"
            )
            entries.append(
                {
                    "fullUrl": f"urn:uuid:{uid}",
                    "resource": resource,
                    "request": {"method": "POST", "url": resource["resourceType"]},
                }
            )
            continue
        entry: JSON = {"fullUrl": f"{BASE}/{resource['resourceType']}/{resource['id']}", "resource": resource}
        if kind == "searchset":
            entry["search"] = {"mode": "match" if resource["resourceType"] == "Patient" else "include"}
        entries.append(entry)
    if kind == "searchset":
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "information", "code": "informational"}],
        }
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    return {"resourceType": "Bundle", "type": kind, "entry": entries}
