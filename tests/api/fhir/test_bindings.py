"""Binding checks on strict R4B classes, and no FHIR model import outside fhir.resources.R4B."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.fhir.bindings import BINDINGS, STRICT, binding_problems, strict_class, validate_emitted
from api.fhir.r4b import model_class

ROOT = Path(__file__).resolve().parents[3]
FHIR_IMPORT = re.compile(r"^\s*(?:from|import)\s+fhir\.resources(\.[\w.]+)?", re.MULTILINE)


def _python_files() -> list[Path]:
    skip = {".venv", ".git", "node_modules", ".mypy_cache", ".ruff_cache"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def test_fhir_models_are_imported_only_from_r4b() -> None:
    offenders = []
    for path in _python_files():
        for match in FHIR_IMPORT.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if not (match.group(1) or "").startswith(".R4B"):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0).strip()}")
    assert offenders == []


def test_the_import_scan_catches_r5_imports() -> None:
    r5_import = " ".join(["from", "fhir.resources.patient", "import", "Patient"])  # not a real import
    assert FHIR_IMPORT.search(r5_import)
    assert FHIR_IMPORT.search("import fhir.resources").group(1) is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ({"resourceType": "Patient", "gender": "femalex"}, "Patient.gender 'femalex'"),
        ({"resourceType": "Observation", "status": "finished", "code": {"text": "x"}}, "Observation.status"),
        (
            {"resourceType": "Procedure", "status": "done", "subject": {"reference": "Patient/1"}},
            "Procedure.status",
        ),
        (
            {
                "resourceType": "ServiceRequest",
                "status": "draft",
                "intent": "suggestion",
                "subject": {"reference": "Patient/1"},
            },
            "ServiceRequest.intent",
        ),
        (
            {"resourceType": "RiskAssessment", "status": "done", "subject": {"reference": "Patient/1"}},
            "RiskAssessment.status",
        ),
    ],
)
def test_strict_classes_reject_codes_the_library_accepts(resource: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        validate_emitted(resource)


def test_condition_status_codes_are_checked_only_in_their_system() -> None:
    condition = {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "finished"},
                {"system": "http://local", "code": "whatever"},
            ]
        },
        "subject": {"reference": "Patient/1"},
    }
    allowed = "active, inactive, recurrence, relapse, remission, resolved"
    assert binding_problems(condition) == [f"Condition.clinicalStatus 'finished' is not one of: {allowed}"]


def test_valid_codes_pass() -> None:
    assert binding_problems({"resourceType": "Patient", "gender": "other"}) == []
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "warning", "code": "incomplete"}]}
    assert binding_problems(outcome) == []
    outcome["issue"][0]["severity"] = "warn"  # type: ignore[index]
    assert binding_problems(outcome) != []


# The resource types we read or emit with a strict class, written out (STRICT derives from BINDINGS).
STRICT_TYPES = frozenset({
    "Patient", "Observation", "Condition", "Procedure", "MedicationRequest", "MedicationStatement",
    "MedicationAdministration", "MedicationDispense", "RiskAssessment", "ServiceRequest",
    "DocumentReference", "Communication", "Device", "OperationOutcome", "Bundle",
})  # fmt: skip


def test_the_strict_types_are_the_fifteen_we_check_and_emit() -> None:
    # A type dropped from the binding table must not silently lose its strict class.
    assert STRICT == STRICT_TYPES


@pytest.mark.parametrize("resource_type", sorted(STRICT))
def test_each_strict_class_is_its_r4b_class_built_once(resource_type: str) -> None:
    strict = strict_class(resource_type)
    assert issubclass(strict, model_class(resource_type))
    assert strict.__name__ == f"Strict{resource_type}"
    checked = [path for rtype, path in BINDINGS if rtype == resource_type]
    assert strict.__doc__ == f"{resource_type} with {', '.join(checked)} checked."
    assert strict_class(resource_type) is strict


def test_a_type_we_never_emit_has_no_strict_class() -> None:
    with pytest.raises(KeyError):
        strict_class("Medication")
