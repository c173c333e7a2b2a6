"""The collected fields → a PatientRecord validated by the contract, or None with the reasons."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from api.fhir.mapping.context import Context
from risk.contract import PatientRecord

REQUIRED = frozenset({"patient_id", "sex", "birth_date", "procedure_date", "treated_levels"})
NOT_FROM_FHIR = frozenset({"patient_id", "given_name", "family_name", "age_years", "assessment_date"})
MAX_RETRIES = 10


def missing_fields(ctx: Context) -> list[str]:
    """Contract fields the bundle gave no value for (the contract default, if any, applies)."""
    return [f for f in PatientRecord.model_fields if f not in ctx.fields and f not in NOT_FROM_FHIR]


def _droppable(name: str) -> bool:
    """Whether a value may be dropped: only where missing means unknown (the default is None).

    Dropping a field with a default asserts the default: prednisolone 375 mg/day, beyond the
    contract's 200, would have been assessed as no steroid at all.
    """
    field = PatientRecord.model_fields.get(name)
    return name not in REQUIRED and field is not None and field.default is None


def _drop_bad_values(ctx: Context, fields: dict[str, Any], exc: ValidationError) -> bool:
    """Drop optional values that broke the contract (reported); False if one that cannot be dropped broke."""
    dropped = False
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        if name not in fields or not _droppable(name):
            problem = f"{name or 'record'} = {error.get('input')!r}: {error['msg']}"
            if name in fields and name not in REQUIRED:
                default = PatientRecord.model_fields[name].default
                problem += f"; not dropped, since its default ({default!r}) would contradict the record"
            ctx.report.problems.append(problem)
            return False
        source = ctx.sources.get(name, "bundle")
        ctx.report.ignore(source, f"{name} = {fields.pop(name)!r} breaks the contract: {error['msg']}")
        dropped = True
    return dropped


def build_record(ctx: Context) -> PatientRecord | None:
    """Validate; bad optional values are dropped one round at a time. None if not buildable."""
    ctx.report.missing = missing_fields(ctx)
    if "procedure_date" not in ctx.fields:
        ctx.report.not_applicable = True
        ctx.report.problems.insert(0, "no completed kyphoplasty or vertebroplasty Procedure: not applicable")
    if "procedure_date" in ctx.fields and "treated_levels" not in ctx.fields:
        ctx.report.problems.append("treated_levels: no vertebral level in the procedure's bodySite")
    if "birth_date" not in ctx.fields:
        ctx.report.problems.append("birth_date: the Patient has no birthDate")
    if ctx.report.problems:
        return None
    fields = dict(ctx.fields) | {"assessment_date": ctx.assessment_date}
    for _ in range(MAX_RETRIES):
        try:
            return PatientRecord.model_validate(fields)
        except ValidationError as exc:
            if not _drop_bad_values(ctx, fields, exc):
                return None
    return None  # pragma: no cover - every retry drops a field, so this is never reached
