"""Required code bindings fhir.resources does not check, as one table, and strict R4B subclasses.

``binding_problems`` is used both on what we read (a failing resource is ignored with a report
line) and, through the ``Strict*`` classes, on everything we emit.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from pydantic import model_validator

from api.fhir.r4b import model_class
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


# Every resource type with a binding gets a strict class; the bindings are what it checks.
STRICT = frozenset(rtype for rtype, _ in BINDINGS)


@functools.cache
def strict_class(resource_type: str) -> type[Any]:
    """The R4B class of ``resource_type`` with the binding table checked first, built on first use.

    Built on demand, like the R4B classes themselves (``api.fhir.r4b``); KeyError if we emit no such type.
    """
    if resource_type not in STRICT:
        raise KeyError(resource_type)
    checks = ", ".join(path for rtype, path in BINDINGS if rtype == resource_type)
    namespace = {"__doc__": f"{resource_type} with {checks} checked.", "__module__": __name__}
    return type(f"Strict{resource_type}", (_Bindings, model_class(resource_type)), namespace)


def validate_emitted(resource: dict[str, Any]) -> None:
    """Validate an emitted resource with its strict R4B class (raises pydantic.ValidationError)."""
    strict_class(str(resource["resourceType"])).model_validate(resource)
