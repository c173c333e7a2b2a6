"""The one seam to the FHIR mapping: ``map_bundle`` and the anti-osteoporosis drug test.

Interim: ``api.fhir`` (map_bundle, terminology) is being written in parallel; until it lands
this module holds a deliberately small stand-in that reads only what the CDS tests need.
Switching is one import line here; nothing else in ``api.cds`` knows where mapping lives.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from risk.contract import PatientRecord

AUGMENTATION_CPT = {"22510", "22511", "22512", "22513", "22514", "22515"}
KYPHOPLASTY_SNOMED = {"429616001"}
# RxNorm ingredients and ATC classes of interop.md §2.6; names catch SCD/SBD-level text.
ANTI_OSTEOPOROSIS_CODES = {"46041", "73056", "115264", "77655", "993449", "72143"}
ANTI_OSTEOPOROSIS_ATC_PREFIXES = ("M05B", "H05AA", "G03XC")
ANTI_OSTEOPOROSIS_NAMES = (
    "alendron", "risedron", "ibandron", "zoledron", "denosumab", "teriparatide",
    "abaloparatide", "romosozumab", "raloxifene",
)  # fmt: skip
T_SCORE_FIELDS = {"38263-0": "t_score_femoral_neck", "38264-8": "t_score_total_hip"}
LEVEL = re.compile(r"\b([TL]\d{1,2})\b")


@dataclass(frozen=True)
class MappingResult:
    """The mapped record (None when the bundle holds no qualifying procedure) and a report."""

    record: PatientRecord | None
    report: list[str] = field(default_factory=list)


def map_bundle(bundle: dict[str, Any], *, assessment_date: dt.date, lookback_months: int) -> MappingResult:
    """A PatientRecord from a collection Bundle (interim stand-in for ``api.fhir.map_bundle``)."""
    resources = list(_resources(bundle))
    patient = next((r for r in resources if r.get("resourceType") == "Patient"), None)
    earliest = assessment_date - dt.timedelta(days=round(lookback_months * 30.44))
    procedure = _index_procedure(resources, earliest, assessment_date)
    if patient is None or procedure is None:
        return MappingResult(None, ["no patient or no kyphoplasty/vertebroplasty in the look-back"])
    try:
        record = PatientRecord.model_validate(_fields(patient, procedure, resources, assessment_date))
    except ValidationError as exc:
        return MappingResult(None, [f"record invalid: {exc.error_count()} problem(s)"])
    return MappingResult(record)


def is_anti_osteoporosis(resource: dict[str, Any]) -> bool:
    """Whether a MedicationRequest orders an anti-osteoporosis drug (code, ATC class or name)."""
    concept = resource.get("medicationCodeableConcept") or {}
    for coding in concept.get("coding") or []:
        code = str(coding.get("code", ""))
        if code in ANTI_OSTEOPOROSIS_CODES or code.startswith(ANTI_OSTEOPOROSIS_ATC_PREFIXES):
            return True
    texts = [concept.get("text") or ""] + [c.get("display") or "" for c in concept.get("coding") or []]
    return any(name in t.lower() for t in texts for name in ANTI_OSTEOPOROSIS_NAMES)


def _resources(bundle: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource")
        if isinstance(resource, dict):
            yield resource


def _index_procedure(
    resources: list[dict[str, Any]], earliest: dt.date, latest: dt.date
) -> dict[str, Any] | None:
    found = []
    for r in resources:
        codes = {c.get("code") for c in (r.get("code") or {}).get("coding") or []}
        performed = str(r.get("performedDateTime", ""))[:10]
        if r.get("resourceType") != "Procedure" or r.get("status") != "completed" or not performed:
            continue
        if (
            codes & (AUGMENTATION_CPT | KYPHOPLASTY_SNOMED)
            and earliest <= dt.date.fromisoformat(performed) <= latest
        ):
            found.append((performed, r))
    return min(found, key=lambda pair: pair[0])[1] if found else None


def _fields(
    patient: dict[str, Any], procedure: dict[str, Any], resources: list[dict[str, Any]], today: dt.date
) -> dict[str, Any]:
    sites = " ".join(s.get("text", "") for s in procedure.get("bodySite") or [])
    codes = {c.get("code") for c in procedure["code"].get("coding") or []}
    fields: dict[str, Any] = {
        "patient_id": str(patient.get("id", "unknown")),
        "sex": patient.get("gender"),
        "birth_date": dt.date.fromisoformat(patient["birthDate"]) if patient.get("birthDate") else None,
        "assessment_date": today,
        "procedure_date": dt.date.fromisoformat(procedure["performedDateTime"][:10]),
        "procedure_type": "vertebroplasty" if codes <= {"22510", "22511", "22512"} else "kyphoplasty",
        "treated_levels": sorted(set(LEVEL.findall(sites))),
    }
    for r in resources:
        if r.get("resourceType") == "Observation":
            code = next((c.get("code") for c in r.get("code", {}).get("coding") or []), None)
            if code in T_SCORE_FIELDS and "valueQuantity" in r:
                fields[T_SCORE_FIELDS[code]] = float(r["valueQuantity"]["value"])
        if r.get("resourceType") == "Condition" and "myeloma" in str(r.get("code", {})).lower():
            fields["myeloma"] = True
    return fields
