"""Fracture events → the index fracture date/cause and the prior fragility/vertebral fracture counts.

Index fracture: the latest vertebral fracture condition at most 12 months before the procedure.
Events less than 90 days apart are one fracture (an initial and a follow-up code, a fracture and
its "osteoporotic fracture" companion code). Earlier augmentation procedures are prior vertebral
fractures. Z87.310 (history of osteoporosis fracture) counts as one prior fracture if nothing
else is dated before the index.
"""

from __future__ import annotations

import datetime as dt

from api.fhir.mapping.conditions import FractureEvent
from api.fhir.mapping.context import Context
from api.fhir.mapping.procedures import Augmentation

VERTEBRAL = frozenset({"vertebral_osteoporotic", "vertebral_collapse", "vertebral_traumatic_code"})
TRAUMATIC = "vertebral_traumatic_code"  # S22.0/S32.0: dates the index fracture, says nothing of energy
SAME_FRACTURE = dt.timedelta(days=90)
INDEX_WINDOW = dt.timedelta(days=365)
MAX_COUNT = 20


def _clusters(dates: list[dt.date]) -> int:
    count, start = 0, None
    for date in sorted(dates):
        if start is None or date - start >= SAME_FRACTURE:
            count, start = count + 1, date
    return count


def _index(events: list[FractureEvent], procedure: dt.date, ctx: Context) -> FractureEvent | None:
    vertebral = [e for e in events if e.kind in VERTEBRAL and e.date is not None]
    near = [e for e in vertebral if e.date is not None and procedure - INDEX_WINDOW <= e.date <= procedure]
    if not near:
        return None
    index = max(near, key=lambda e: e.date or procedure)
    assert index.date is not None
    ctx.use("fracture_date", index.date, index.reference, index.date)
    if index.kind == "vertebral_osteoporotic":
        ctx.use("fracture_cause", "low_energy", index.reference, index.date)
    return index


def _fiftieth_birthday(ctx: Context) -> dt.date | None:
    birth = ctx.fields.get("birth_date")
    if not isinstance(birth, dt.date):
        return None
    # Born on 29 February: the 50th birthday is 1 March of a year without one.
    return (
        dt.date(birth.year + 50, 3, 1)
        if (birth.month, birth.day) == (2, 29)
        else birth.replace(year=birth.year + 50)
    )


def _before_fifty(reference: str, date: dt.date | None, fifty: dt.date | None, ctx: Context) -> bool:
    """The contract counts low-trauma fractures since age 50; an earlier one is reported, not counted."""
    if date is None or fifty is None or date >= fifty:
        return False
    ctx.report.ignore(reference, f"dated {date}, before age 50 ({fifty}): not a prior fragility fracture")
    return True


def _note_cap(count: int, what: str, sources: list[str], ctx: Context) -> None:
    if count > MAX_COUNT and sources:
        ctx.report.assume(sources[0], f"{count} {what} counted; the contract's maximum, {MAX_COUNT}, is used")


def _split(events: list[FractureEvent], before: dt.date, ctx: Context) -> list[FractureEvent]:
    prior = []
    for event in events:
        if event.reference in ctx.sources.values():
            continue
        if event.date is not None and event.date >= before:
            ctx.report.ignore(
                event.reference, "same fracture as the index one, or later: not a prior fracture"
            )
        else:
            prior.append(event)
    return prior


def map_fractures(events: list[FractureEvent], earlier_procedures: list[Augmentation], ctx: Context) -> None:
    """Set fracture_date / fracture_cause and the prior fracture counts."""
    procedure = ctx.fields.get("procedure_date")
    index = _index(events, procedure, ctx) if isinstance(procedure, dt.date) else None
    if index is not None and index.date is not None:
        cutoff = index.date - SAME_FRACTURE
    else:
        cutoff = procedure if isinstance(procedure, dt.date) else ctx.assessment_date + dt.timedelta(days=1)
    prior = _split(events, cutoff, ctx)
    for event in (e for e in prior if e.kind == TRAUMATIC):
        ctx.report.ignore(
            event.reference, "traumatic vertebral fracture code: not a prior fragility fracture"
        )
    prior = [e for e in prior if e.kind != TRAUMATIC]
    fifty = _fiftieth_birthday(ctx)
    prior = [e for e in prior if not _before_fifty(e.reference, e.date, fifty, ctx)]
    earlier_procedures = [p for p in earlier_procedures if not _before_fifty(p.reference, p.date, fifty, ctx)]
    vertebral = [e.date for e in prior if e.kind in VERTEBRAL and e.date is not None]
    vertebral += [p.date for p in earlier_procedures]
    other = [e.date for e in prior if e.kind not in VERTEBRAL and e.date is not None]
    n_vertebral = _clusters(vertebral)
    n_fragility = n_vertebral + _clusters(other)
    if n_fragility == 0 and any(e.date is None for e in prior):
        n_fragility = 1
    sources = [e.reference for e in prior] + [p.reference for p in earlier_procedures]
    _note_cap(n_fragility, "prior fragility fractures", sources, ctx)
    _note_cap(n_vertebral, "prior vertebral fractures", sources, ctx)
    for ref in sources:
        if n_fragility:
            ctx.use("prior_fragility_fractures", min(n_fragility, MAX_COUNT), ref, contract=False)
    if n_fragility:
        ctx.fields["prior_fragility_fractures"] = min(n_fragility, MAX_COUNT)
    if n_vertebral:
        ctx.fields["prior_vertebral_fractures"] = min(n_vertebral, MAX_COUNT)
        for ref in [e.reference for e in prior if e.kind in VERTEBRAL] + [
            p.reference for p in earlier_procedures
        ]:
            ctx.use("prior_vertebral_fractures", min(n_vertebral, MAX_COUNT), ref, contract=False)
