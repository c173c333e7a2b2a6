"""The $assess answer: a collection Bundle with RiskAssessment, its Device and the OperationOutcome.

Every reference resolves: our own resources point at each other by the ``urn:uuid`` fullUrls of
this Bundle; the patient and the basis point at the input entries' absolute fullUrls where the
input gave them, otherwise they are logical references (``type`` + ``display``) that claim no
resolvable address.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from api.fhir.emit.outcome import operation_outcome
from api.fhir.mapping.common import add_months
from api.fhir.mapping.report import MappingResult
from api.fhir.terminology import (
    ASSESSMENT_CODE,
    LOCAL_ASSESSMENT_PATH,
    LOCAL_MODEL_PATH,
    LOCAL_TIER_PATH,
    OUTCOME,
    RISK_TIERS,
)
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


def input_reference(reference: str, mapping: MappingResult) -> dict[str, Any]:
    """A reference to an input resource: its absolute fullUrl, else a logical, non-resolving one."""
    absolute = mapping.absolute_urls.get(reference)
    if absolute:
        return {"reference": absolute}
    rtype = reference.split("/", 1)[0] if "/" in reference and not reference.startswith("urn:") else None
    logical: dict[str, Any] = {"display": f"{reference} of the submitted Bundle"}
    return logical | ({"type": rtype} if rtype and rtype[:1].isupper() else {})


def qualitative_risk(assessment: Assessment, base: str) -> dict[str, Any] | None:
    """The guideline tier the card shows (very high / high), in the local tier CodeSystem."""
    tier = RISK_TIERS.get(assessment.risk_tier or "")
    if tier is None:
        return None
    code, display = tier
    return {"coding": [{"system": base + LOCAL_TIER_PATH, "code": code, "display": display}], "text": display}


def _prediction(probability: float, months: int, assessment: Assessment, base: str) -> dict[str, Any]:
    start = assessment.assessment_date
    prediction: dict[str, Any] = {
        "outcome": {
            "coding": [{"system": OUTCOME.system, "code": OUTCOME.code, "display": OUTCOME.display}],
            "text": f"New vertebral fracture within {months} months (untreated)",
        },
        "probabilityDecimal": round(probability, 4),
        "whenPeriod": {"start": start.isoformat(), "end": add_months(start, months).isoformat()},
        "rationale": rationale(assessment),
    }
    tier = qualitative_risk(assessment, base)
    if tier is not None:
        prediction["qualitativeRisk"] = tier
    return prediction


def _code_and_method(assessment: Assessment, base: str) -> dict[str, Any]:
    code, display = ASSESSMENT_CODE
    model = assessment.model
    return {
        "code": {"coding": [{"system": base + LOCAL_ASSESSMENT_PATH, "code": code, "display": display}],
                 "text": display},
        "method": {
            "coding": [{"system": base + LOCAL_MODEL_PATH, "code": model.name, "version": model.version}],
            "text": f"Guideline rules and the {model.name} model {model.version}",
        },
    }  # fmt: skip


def risk_assessment(
    assessment: Assessment, mapping: MappingResult, device_ref: str, base_url: str
) -> dict[str, Any]:
    """The RiskAssessment: one prediction per horizon (none on the oncology pathway)."""
    base = base_url.rstrip("/")
    risk = assessment.risk
    probabilities = {12: risk.new_vertebral_fracture_12m, 24: risk.new_vertebral_fracture_24m} if risk else {}
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": str(uuid.uuid4()),
        "status": "final",
        **_code_and_method(assessment, base),
        "subject": input_reference(str(mapping.patient_reference), mapping),
        "occurrenceDateTime": assessment.assessment_date.isoformat(),
        "performer": {"reference": device_ref},
        "basis": [input_reference(ref, mapping) for ref in mapping.basis],
        "note": [{"text": f"Pathway {assessment.pathway}; priority {assessment.priority}; "
                          f"recommended therapy {assessment.recommended_therapy}. {rationale(assessment)}"}],
    }  # fmt: skip
    predictions = [_prediction(probabilities[m], m, assessment, base) for m in HORIZONS if m in probabilities]
    if predictions:
        resource["prediction"] = predictions
    if not resource["basis"]:
        del resource["basis"]
    return resource


def _full_url() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def assessment_bundle(assessment: Assessment | None, mapping: MappingResult, base_url: str) -> dict[str, Any]:
    """Collection Bundle: RiskAssessment + Device + OperationOutcome, or the OperationOutcome alone."""
    entries = []
    if assessment is not None and mapping.patient_reference:
        device_url = _full_url()
        ra = risk_assessment(assessment, mapping, device_url, base_url)
        entries = [
            {"fullUrl": _full_url(), "resource": ra},
            {"fullUrl": device_url, "resource": device(assessment)},
        ]
    entries.append({"fullUrl": _full_url(), "resource": operation_outcome(mapping.report)})
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "entry": entries,
    }
