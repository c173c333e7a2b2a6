"""The mapping report as an OperationOutcome: found, ignored = information; missing, assumed = warning."""

from __future__ import annotations

from typing import Any

from api.fhir.mapping.report import MappingReport


def _issue(severity: str, code: str, message: str) -> dict[str, Any]:
    return {"severity": severity, "code": code, "details": {"text": message}}


def operation_outcome(report: MappingReport) -> dict[str, Any]:
    """One issue per problem, found value, missing field and ignored resource."""
    severity = "information" if report.not_applicable else "error"
    issues = [_issue(severity, "not-supported" if report.not_applicable else "incomplete", p)
              for p in report.problems]  # fmt: skip
    issues += [
        _issue("information", "informational", f"found {f.field} = {f.value} from {f.source}"
               + (f" ({f.date.isoformat()})" if f.date else ""))
        for f in report.found
    ]  # fmt: skip
    issues += [
        _issue("warning", "incomplete", f"missing {name}: no data in the bundle") for name in report.missing
    ]
    issues += [
        _issue("information", "informational", f"ignored {i.source}: {i.reason}") for i in report.ignored
    ]
    issues += [
        _issue("warning", "informational", f"assumed from {a.source}: {a.note}") for a in report.assumed
    ]
    if not issues:
        issues = [_issue("information", "informational", "nothing to report")]
    return {"resourceType": "OperationOutcome", "issue": issues}
