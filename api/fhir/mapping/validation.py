"""Strict about what the mapping reads, tolerant of the rest: R4B validation of the read fields only.

Each resource of a type the mapping reads is validated by its R4B model. An error in a field the
mapping reads (``READ_FIELDS``) is a field-level 422; an error only in fields it never reads
leaves the resource usable (the report says which field was malformed and not read). Resources
of other types are not validated at all: they cannot change the answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from api.fhir.r4b import model_class
from risk.errors import FieldError, InvalidInput

MEDICATION_FIELDS = frozenset({
    "status", "intent", "medicationCodeableConcept", "medicationReference", "subject", "contained",
    "authoredOn", "dosageInstruction", "dosage", "effectiveDateTime", "effectivePeriod",
    "whenHandedOver", "whenPrepared",
})  # fmt: skip
# resourceType → the top-level elements the mapping reads (the prefetch test derives from it too).
READ_FIELDS: dict[str, frozenset[str]] = {
    "Patient": frozenset({"id", "gender", "birthDate", "name", "deceasedBoolean", "deceasedDateTime",
                          "extension"}),
    "Observation": frozenset({"id", "status", "code", "subject", "effectiveDateTime", "effectivePeriod",
                              "effectiveInstant", "issued", "valueQuantity", "bodySite"}),
    "Condition": frozenset({"id", "code", "clinicalStatus", "verificationStatus", "subject", "onsetDateTime",
                            "onsetPeriod", "recordedDate"}),
    "Procedure": frozenset({"id", "code", "status", "subject", "performedDateTime", "performedPeriod",
                            "performedString", "bodySite"}),
    "MedicationRequest": MEDICATION_FIELDS | {"id", "doNotPerform"},
    "MedicationStatement": MEDICATION_FIELDS | {"id"},
    "MedicationAdministration": MEDICATION_FIELDS | {"id"},
    "MedicationDispense": MEDICATION_FIELDS | {"id"},
    "Medication": frozenset({"id", "code", "form", "ingredient"}),
}  # fmt: skip


def _field_errors(
    index: int, exc: ValidationError, read: frozenset[str]
) -> tuple[list[FieldError], list[str]]:
    errors: list[FieldError] = []
    tolerated: list[str] = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        name = loc[0] if loc else ""
        if name and name not in read:
            tolerated.append(name)
            continue
        # The value is not echoed: it may be a name or an identifier (CDS and FHIR bodies carry PHI).
        errors.append(FieldError(".".join([f"entry.{index}.resource", *loc]), None, error["msg"]))
    return errors, tolerated


def check_read_resource(index: int, resource: dict[str, Any]) -> list[str]:
    """Validate one read resource; InvalidInput for a broken read field, else the unread fields that broke."""
    rtype = str(resource.get("resourceType"))
    read = READ_FIELDS[rtype]
    try:
        model_class(rtype).model_validate({k: v for k, v in resource.items() if k != "resourceType"})
    except ValidationError as exc:
        errors, tolerated = _field_errors(index, exc, read)
        if errors:
            raise InvalidInput(f"{rtype} in entry {index} has malformed values", errors) from None
        return sorted(set(tolerated))
    return []
