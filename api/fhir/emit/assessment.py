"""The $assess answer: a collection Bundle with RiskAssessment, its Device and the OperationOutcome."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from api.fhir.emit.outcome import operation_outcome
from api.fhir.mapping.common import add_months
from api.fhir.mapping.report import MappingResult
from api.fhir.terminology import LOCAL_BAND_PATH, OUTCOME, local_band, qualitative_risk
from risk.contract import Assessment

HORIZONS = (12, 24)


def device(assessment: Assessment) -> dict[str, Any]:
    """The model (name + version) as a Device, the RiskAssessment's performer."""
    model = assessment.model
    device_id = re.sub(r"[^A-Za-z0-9.-]", "-", f"{model.name}-{model.version}")[:64]
    return {
        "resourceType": "Device",
        "id": device_id,
        "status": "active",
        "deviceName": [{"name": model.name, "type": "model-name"}],
        "version": [{"value": model.version}],
    }


def rationale(assessment: Assessment) -> str:
    """The fired criteria and flags, 'CODE: message' joined (or why there are none)."""
    lines = [f"{c.code}: {c.message}" for c in assessment.criteria]
    lines += [f"{f.code} ({f.severity}): {f.message}" for f in assessment.flags]
    return "; ".join(lines) or "No criterion or flag fired."


def _prediction(probability: float, months: int, assessment: Assessment, base_url: str) -> dict[str, Any]:
    hl7 = qualitative_risk(probability)
    band_code, band_display = local_band(probability)
    start = assessment.assessment_date
    return {
        "outcome": {
            "coding": [{"system": OUTCOME.system, "code": OUTCOME.code, "display": OUTCOME.display}],
            "text": f"New vertebral fracture within {months} months (untreated)",
        },
        "probabilityDecimal": round(probability, 4),
        "qualitativeRisk": {
            "coding": [
                {"system": hl7.system, "code": hl7.code, "display": hl7.display},
                {
                    "system": base_url.rstrip("/") + LOCAL_BAND_PATH,
                    "code": band_code,
                    "display": band_display,
                },
            ]
        },
        "whenPeriod": {"start": start.isoformat(), "end": add_months(start, months).isoformat()},
        "rationale": rationale(assessment),
    }


def risk_assessment(
    assessment: Assessment, mapping: MappingResult, device_ref: str, base_url: str
) -> dict[str, Any]:
    """The RiskAssessment: one prediction per horizon (none on the oncology pathway)."""
    risk = assessment.risk
    probabilities = {12: risk.new_vertebral_fracture_12m, 24: risk.new_vertebral_fracture_24m} if risk else {}
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": str(uuid.uuid4()),
        "status": "final",
        "subject": {"reference": mapping.patient_reference},
        "occurrenceDateTime": assessment.assessment_date.isoformat(),
        "performer": {"reference": device_ref},
        "basis": [{"reference": ref} for ref in mapping.basis],
        "note": [{"text": f"Pathway {assessment.pathway}; priority {assessment.priority}; "
                          f"recommended therapy {assessment.recommended_therapy}. {rationale(assessment)}"}],
    }  # fmt: skip
    predictions = [
        _prediction(probabilities[m], m, assessment, base_url) for m in HORIZONS if m in probabilities
    ]
    if predictions:
        resource["prediction"] = predictions
    if not resource["basis"]:
        del resource["basis"]
    return resource


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}


def assessment_bundle(assessment: Assessment | None, mapping: MappingResult, base_url: str) -> dict[str, Any]:
    """Collection Bundle: RiskAssessment + Device + OperationOutcome, or the OperationOutcome alone."""
    outcome = operation_outcome(mapping.report)
    entries = []
    if assessment is not None and mapping.patient_reference:
        dev = device(assessment)
        ra = risk_assessment(assessment, mapping, f"Device/{dev['id']}", base_url)
        entries = [_entry(ra), _entry(dev)]
    entries.append(_entry(outcome))
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "entry": entries,
    }
