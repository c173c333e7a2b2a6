"""Required code bindings fhir.resources does not check, as one table, and strict R4B subclasses.

``binding_problems`` is used both on what we read (a failing resource is ignored with a report
line) and, through the ``Strict*`` classes, on everything we emit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.device import Device
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationdispense import MedicationDispense
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from fhir.resources.R4B.riskassessment import RiskAssessment
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import model_validator

from api.fhir.terminology import CONDITION_CLINICAL, CONDITION_VERIFICATION

OBSERVATION_STATUS = frozenset(
    {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}
)
REQUEST_STATUS = frozenset(
    {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"}
)
REQUEST_INTENT = frozenset(
    {"proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order",
     "instance-order", "option"}
)  # fmt: skip
EVENT_STATUS = frozenset(
    {
        "preparation",
        "in-progress",
        "not-done",
        "on-hold",
        "stopped",
        "completed",
        "entered-in-error",
        "unknown",
    }
)
ISSUE_TYPES = frozenset(
    {"invalid", "structure", "required", "value", "invariant", "security", "login", "unknown", "expired",
     "forbidden", "suppressed", "processing", "not-supported", "duplicate", "multiple-matches", "not-found",
     "deleted", "too-long", "code-invalid", "extension", "too-costly", "business-rule", "conflict",
     "transient", "lock-error", "no-store", "exception", "timeout", "incomplete", "throttled",
     "informational"}
)  # fmt: skip

# (resource type, dotted path) → allowed codes. A path through a list checks every item.
BINDINGS: dict[tuple[str, str], frozenset[str]] = {
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
    ("Observation", "status"): OBSERVATION_STATUS,
    ("Condition", "clinicalStatus"): frozenset(
        {"active", "recurrence", "relapse", "inactive", "remission", "resolved"}
    ),
    ("Condition", "verificationStatus"): frozenset(
        {"unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"}
    ),
    ("Procedure", "status"): EVENT_STATUS,
    ("MedicationRequest", "status"): frozenset(
        {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"}
    ),
    ("MedicationRequest", "intent"): frozenset(
        {
            "proposal",
            "plan",
            "order",
            "original-order",
            "reflex-order",
            "filler-order",
            "instance-order",
            "option",
        }
    ),
    ("MedicationStatement", "status"): frozenset(
        {"active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"}
    ),
    ("MedicationAdministration", "status"): frozenset(
        {"in-progress", "not-done", "on-hold", "completed", "entered-in-error", "stopped", "unknown"}
    ),
    ("MedicationDispense", "status"): frozenset(
        {
            "preparation",
            "in-progress",
            "cancelled",
            "on-hold",
            "completed",
            "entered-in-error",
            "stopped",
            "declined",
            "unknown",
        }
    ),
    ("RiskAssessment", "status"): OBSERVATION_STATUS,
    ("ServiceRequest", "status"): REQUEST_STATUS,
    ("ServiceRequest", "intent"): REQUEST_INTENT,
    ("DocumentReference", "status"): frozenset({"current", "superseded", "entered-in-error"}),
    ("DocumentReference", "docStatus"): frozenset({"preliminary", "final", "amended", "entered-in-error"}),
    ("Communication", "status"): EVENT_STATUS,
    ("Device", "status"): frozenset({"active", "inactive", "entered-in-error", "unknown"}),
    ("Bundle", "type"): frozenset(
        {
            "document",
            "message",
            "transaction",
            "transaction-response",
            "batch",
            "batch-response",
            "history",
            "searchset",
            "collection",
        }
    ),
    ("OperationOutcome", "issue.severity"): frozenset({"fatal", "error", "warning", "information"}),
    ("OperationOutcome", "issue.code"): ISSUE_TYPES,
}
# Condition statuses are CodeableConcepts: only codings in these systems are checked.
CONCEPT_SYSTEMS: dict[tuple[str, str], str] = {
    ("Condition", "clinicalStatus"): CONDITION_CLINICAL,
    ("Condition", "verificationStatus"): CONDITION_VERIFICATION,
}


def _values(data: Any, path: list[str]) -> Iterator[Any]:
    if not path:
        yield data
        return
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict) and path[0] in item:
            yield from _values(item[path[0]], path[1:])


def _codes_at(resource_type: str, path: str, data: dict[str, Any]) -> Iterator[Any]:
    system = CONCEPT_SYSTEMS.get((resource_type, path))
    for value in _values(data, path.split(".")):
        if system is None:
            yield value
            continue
        codings = value.get("coding", []) if isinstance(value, dict) else []
        yield from (c.get("code") for c in codings if isinstance(c, dict) and c.get("system") == system)


def binding_problems(data: dict[str, Any]) -> list[str]:
    """Each broken binding of this resource (JSON dict), as 'Type.path 'code' not in {…}'."""
    resource_type = str(data.get("resourceType"))
    problems = []
    for (rtype, path), allowed in BINDINGS.items():
        if rtype != resource_type:
            continue
        for code in _codes_at(rtype, path, data):
            if code not in allowed:
                problems.append(f"{rtype}.{path} {code!r} is not one of: {', '.join(sorted(allowed))}")
    return problems


class _Bindings:
    """Mixin: the binding table is checked before the R4B model validates."""

    @model_validator(mode="before")
    @classmethod
    def _bindings(cls, data: Any) -> Any:
        if isinstance(data, dict):
            # fhir.resources drops "resourceType" before model validators run: name it again.
            resource_type = getattr(cls, "get_resource_type")()  # noqa: B009 - mixin has no such attribute
            problems = binding_problems(data | {"resourceType": resource_type})
            if problems:
                raise ValueError("; ".join(problems))
        return data


class StrictPatient(_Bindings, Patient):
    """Patient with gender checked."""


class StrictObservation(_Bindings, Observation):
    """Observation with status checked."""


class StrictCondition(_Bindings, Condition):
    """Condition with clinicalStatus and verificationStatus codes checked."""


class StrictProcedure(_Bindings, Procedure):
    """Procedure with status checked."""


class StrictMedicationRequest(_Bindings, MedicationRequest):
    """MedicationRequest with status and intent checked."""


class StrictMedicationStatement(_Bindings, MedicationStatement):
    """MedicationStatement with status checked."""


class StrictMedicationAdministration(_Bindings, MedicationAdministration):
    """MedicationAdministration with status checked."""


class StrictMedicationDispense(_Bindings, MedicationDispense):
    """MedicationDispense with status checked."""


class StrictRiskAssessment(_Bindings, RiskAssessment):
    """RiskAssessment with status checked."""


class StrictServiceRequest(_Bindings, ServiceRequest):
    """ServiceRequest with status and intent checked."""


class StrictDocumentReference(_Bindings, DocumentReference):
    """DocumentReference with status and docStatus checked."""


class StrictCommunication(_Bindings, Communication):
    """Communication with status checked."""


class StrictDevice(_Bindings, Device):
    """Device with status checked."""


class StrictOperationOutcome(_Bindings, OperationOutcome):
    """OperationOutcome with issue severity and code checked."""


class StrictBundle(_Bindings, Bundle):
    """Bundle with type checked (entries are checked by their own strict classes)."""


STRICT: dict[str, type[Any]] = {
    cls.__mro__[2].__name__: cls
    for cls in (StrictPatient, StrictObservation, StrictCondition, StrictProcedure, StrictMedicationRequest,
                StrictMedicationStatement, StrictMedicationAdministration, StrictMedicationDispense,
                StrictRiskAssessment,
                StrictServiceRequest, StrictDocumentReference, StrictCommunication, StrictDevice,
                StrictOperationOutcome, StrictBundle)
}  # fmt: skip


def validate_emitted(resource: dict[str, Any]) -> None:
    """Validate an emitted resource with its strict R4B class (raises pydantic.ValidationError)."""
    STRICT[str(resource["resourceType"])].model_validate(resource)
