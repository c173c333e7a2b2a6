"""Condition → RA, diabetes, myeloma, active malignancy, osteoporosis, and fracture events.

Refuted and entered-in-error conditions are dropped. Chronic diseases count while active,
recurrent, relapsed or in remission; "active malignancy" only while active/recurrence/relapse.
A fracture stays a (prior) fracture once resolved, so clinicalStatus does not filter fractures.
A missing clinicalStatus counts as active (report says so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from api.fhir.mapping.common import (
    Entry,
    describe_codes,
    first_date,
    first_date_text,
    known_code,
    partial_date_note,
    status_code,
)
from api.fhir.mapping.context import Context
from api.fhir.terminology import CONDITION_CLINICAL, CONDITION_VERIFICATION

HISTORY_OF_FRACTURE = "Z87.310"
DROPPED_VERIFICATION = frozenset({"refuted", "entered-in-error"})
CHRONIC = frozenset({"active", "recurrence", "relapse", "remission", None})
ACTIVE = frozenset({"active", "recurrence", "relapse", None})
FRACTURES = frozenset(
    {"vertebral_osteoporotic", "vertebral_collapse", "vertebral_traumatic_code", "fragility_other"}
)
# meaning → (field, value, statuses that count, is a contract field)
DISEASES: dict[str, tuple[str, object, frozenset[str | None], bool]] = {
    "rheumatoid_arthritis": ("rheumatoid_arthritis", True, CHRONIC, True),
    "diabetes_type1": ("diabetes", "type1", CHRONIC, True),
    "diabetes_type2": ("diabetes", "type2", CHRONIC, True),
    "myeloma": ("myeloma", True, CHRONIC, True),
    "malignancy": ("active_malignancy", True, ACTIVE, True),
    "osteoporosis": ("osteoporosis_diagnosis", True, CHRONIC, False),
}


@dataclass(frozen=True, slots=True)
class FractureEvent:
    """A fracture condition: kind (terminology meaning), onset date (None: history only), source."""

    kind: str
    date: dt.date | None
    reference: str


def _disease(meaning: str, clinical: str | None, date: dt.date | None, ref: str, ctx: Context) -> None:
    field, value, statuses, contract = DISEASES[meaning]
    if clinical not in statuses:
        ctx.report.ignore(ref, f"{meaning}: clinicalStatus {clinical!r} does not count")
        return
    if field == "diabetes" and ctx.fields.get("diabetes") == "type1":
        ctx.report.ignore(ref, "diabetes: type 1 already found (type 1 wins over type 2)")
        return
    if clinical is None:
        ctx.report.ignore(ref, f"{meaning}: no clinicalStatus, counted as active")
    ctx.use(field, value, ref, date, contract=contract)


def map_conditions(entries: list[Entry], ctx: Context) -> list[FractureEvent]:
    """Set disease fields; return the fracture events for ``fractures.map_fractures``."""
    events: list[FractureEvent] = []
    for entry in entries:
        resource, ref = entry.resource, entry.reference
        verification = status_code(resource.get("verificationStatus"), CONDITION_VERIFICATION)
        if verification in DROPPED_VERIFICATION:
            ctx.report.ignore(ref, f"verificationStatus {verification!r}")
            continue
        code = known_code(resource.get("code"))
        if code is None or (code.meaning not in FRACTURES and code.meaning not in DISEASES):
            ctx.report.ignore(ref, f"unknown code {describe_codes(resource.get('code'))}")
            continue
        date = first_date(resource, "onsetDateTime", "onsetPeriod", "recordedDate")
        if date is not None and date > ctx.assessment_date:
            ctx.report.ignore(ref, f"onset {date} after the assessment date")
            continue
        if code.meaning in FRACTURES:
            history = code.code == HISTORY_OF_FRACTURE  # no fracture date, only that one happened
            raw = first_date_text(resource, "onsetDateTime", "onsetPeriod", "recordedDate")
            note = (
                None
                if history
                else partial_date_note(raw, "fracture date", "so are the rules counting from it")
            )
            if note:
                ctx.report.assume(ref, note)
            events.append(FractureEvent(code.meaning, None if history else date, ref))
            continue
        clinical = status_code(resource.get("clinicalStatus"), CONDITION_CLINICAL)
        _disease(code.meaning, clinical, date, ref, ctx)
    return events
