"""One FHIR assessment, shared by the route and the CLI: map, assess if applicable, build the Bundle."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from api.fhir.bindings import validate_emitted
from api.fhir.emit.assessment import assessment_bundle
from api.fhir.mapping import MappingResult, map_bundle
from risk.assess import Assessor
from risk.contract import Assessment


@dataclass(frozen=True, slots=True)
class FhirAssessment:
    """The mapping, the assessment (None if not applicable) and the output Bundle."""

    mapping: MappingResult
    assessment: Assessment | None
    bundle: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        """The CLI's JSON object: record, assessment, mapping_report."""
        record = self.mapping.record
        return {
            "record": record.model_dump(mode="json") if record else None,
            "assessment": self.assessment.model_dump(mode="json") if self.assessment else None,
            "mapping_report": self.mapping.report.model_dump(mode="json"),
        }


def assess_bundle(
    bundle: dict[str, Any],
    assessor: Assessor,
    *,
    assessment_date: dt.date,
    lookback_months: int,
    base_url: str,
) -> FhirAssessment:
    """Map, assess (when a record could be built) and emit; every emitted resource is checked."""
    mapping = map_bundle(bundle, assessment_date=assessment_date, lookback_months=lookback_months)
    assessment = assessor.assess(mapping.record) if mapping.record is not None else None
    output = assessment_bundle(assessment, mapping, base_url)
    for entry in output["entry"]:
        validate_emitted(entry["resource"])
    validate_emitted(output)
    return FhirAssessment(mapping, assessment, output)
