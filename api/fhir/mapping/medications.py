"""MedicationRequest/Statement/Administration/Dispense → current anti-osteoporosis drug and steroid dose.

A drug class counts when a request/statement is active or on hold, or its last activity (dose,
start or prescription) lies within the look-back. The most recent class wins; its start is the
earliest start of that class and its last dose the latest administration, dispense or statement end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from api.fhir.drugs import GLUCOCORTICOID, prednisolone_factor
from api.fhir.mapping.common import JSON, Entry, as_dict, as_list, first_date
from api.fhir.mapping.context import Context
from api.fhir.mapping.dosage import daily_dose_mg
from api.fhir.mapping.medication_source import identify
from api.fhir.units import without_float_noise

ORDER_INTENTS = frozenset({"order", "original-order", "reflex-order", "filler-order", "instance-order"})
USABLE: dict[str, frozenset[str]] = {
    "MedicationRequest": frozenset({"active", "on-hold", "completed", "stopped"}),
    "MedicationStatement": frozenset({"active", "on-hold", "completed", "stopped"}),
    "MedicationAdministration": frozenset({"completed"}),
    "MedicationDispense": frozenset({"completed"}),
}
# Given or handed over: these resources date a dose, not a plan.
DOSE_EVENTS = frozenset({"MedicationAdministration", "MedicationDispense"})
CURRENT_STATUS = frozenset({"active", "on-hold"})
DAYS_PER_MONTH = 30.4375
Resolve = Callable[[str], JSON | None]


@dataclass(frozen=True, slots=True)
class Exposure:
    """One usable medication resource of a class we know."""

    meaning: str
    ingredient: str
    start: dt.date | None
    last_dose: dt.date | None
    current: bool
    reference: str
    dose_mg_per_day: float | None

    @property
    def activity(self) -> dt.date:
        """The latest date this resource tells about."""
        return max(d for d in (self.last_dose, self.start, dt.date.min) if d is not None)


def _dates(kind: str, resource: JSON) -> tuple[dt.date | None, dt.date | None]:
    """(start, last dose) of one resource."""
    if kind == "MedicationAdministration":
        date = first_date(resource, "effectiveDateTime", "effectivePeriod")
        return date, date
    if kind == "MedicationDispense":
        date = first_date(resource, "whenHandedOver", "whenPrepared")
        return date, date
    if kind == "MedicationStatement":
        period = as_dict(resource.get("effectivePeriod"))
        start = first_date(period, "start") or first_date(resource, "effectiveDateTime")
        return start, first_date(period, "end") or first_date(resource, "effectiveDateTime")
    bounds = as_dict(as_dict(as_dict(_first(resource.get("dosageInstruction"))).get("timing")).get("repeat"))
    return first_date(resource, "authoredOn") or first_date(
        as_dict(bounds.get("boundsPeriod")), "start"
    ), None


def _first(value: object) -> object:
    items = as_list(value)
    return items[0] if items else None


def _exposure(entry: Entry, resolve: Resolve, ctx: Context) -> Exposure | None:
    resource, ref, kind = entry.resource, entry.reference, entry.type
    match = identify(entry, resolve, ctx)
    if match is None:
        return None
    status = str(resource.get("status"))
    if status not in USABLE[kind]:
        ctx.report.ignore(ref, f"status {status!r}: not evidence of use")
        return None
    if kind == "MedicationRequest" and resource.get("intent") not in ORDER_INTENTS:
        ctx.report.ignore(ref, f"intent {resource.get('intent')!r}: not a prescription")
        return None
    if kind == "MedicationRequest" and resource.get("doNotPerform") is True:
        ctx.report.ignore(ref, "doNotPerform: an order not to give it, not evidence of use")
        return None
    start, last_dose = _dates(kind, resource)
    if start is not None and start > ctx.assessment_date:
        ctx.report.ignore(ref, f"starts {start}, after the assessment date")
        return None
    dosage = resource.get("dosageInstruction") or resource.get("dosage")
    current = status in CURRENT_STATUS and kind not in DOSE_EVENTS
    dose = daily_dose_mg(_first(dosage), match.drug.strength)
    return Exposure(match.drug.meaning, match.drug.ingredient, start, last_dose, current, ref, dose)


def _recent(exposure: Exposure, ctx: Context) -> bool:
    return exposure.current or exposure.activity >= ctx.lookback_start


def _treatment(exposures: list[Exposure], ctx: Context) -> None:
    recent = [e for e in exposures if _recent(e, ctx)]
    for e in exposures:
        if not _recent(e, ctx):
            ctx.report.ignore(
                e.reference, f"{e.meaning}: not current and last used before {ctx.lookback_start}"
            )
    if not recent:
        return
    best = max(recent, key=lambda e: (e.activity, e.current))
    same = [e for e in exposures if e.meaning == best.meaning]
    for e in recent:
        if e.meaning != best.meaning:
            ctx.report.ignore(e.reference, f"{e.meaning}: {best.meaning} is more recent")
    ctx.use("current_treatment", best.meaning, best.reference, best.activity)
    starts = [(e.start, e.reference) for e in same if e.start is not None]
    if starts:
        start, ref = min(starts)
        ctx.use("treatment_start_date", start, ref, start)
    doses = [(e.last_dose, e.reference) for e in same if e.last_dose is not None]
    if doses:
        last, ref = max(doses)
        ctx.use("last_dose_date", last, ref, last)


def _glucocorticoid(exposures: list[Exposure], ctx: Context) -> None:
    current = [e for e in exposures if e.current]
    for e in exposures:
        if not e.current:
            ctx.report.ignore(e.reference, "glucocorticoid not current: no current dose")
    if not current:
        return
    best = max(current, key=lambda e: e.activity)
    factor = prednisolone_factor().get(best.ingredient)
    if best.dose_mg_per_day is None or factor is None:
        why = "no prednisolone equivalence listed" if factor is None else "dose and timing needed"
        ctx.report.ignore(best.reference, f"glucocorticoid ({best.ingredient}) dose not derivable: {why}")
        return
    dose = without_float_noise(best.dose_mg_per_day * factor)
    ctx.use("glucocorticoid_mg_per_day", dose, best.reference, best.start)
    if best.start is not None:
        # Not rounded to a tenth: 90 days (2.96 months) became 3.0 and met the 3-month steroid criterion.
        months = without_float_noise((ctx.assessment_date - best.start).days / DAYS_PER_MONTH)
        ctx.use("glucocorticoid_months", months, best.reference, best.start)


def map_medications(entries: list[Entry], resolve: Resolve, ctx: Context) -> None:
    """Set current_treatment, treatment_start_date, last_dose_date and the glucocorticoid fields."""
    exposures = [e for e in (_exposure(x, resolve, ctx) for x in entries) if e is not None]
    _treatment([e for e in exposures if e.meaning != GLUCOCORTICOID], ctx)
    _glucocorticoid([e for e in exposures if e.meaning == GLUCOCORTICOID], ctx)
