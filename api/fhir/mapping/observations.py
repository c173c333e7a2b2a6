"""Observation → DXA T-scores (by LOINC + bodySite), labs with unit conversion, height and weight.

Within the look-back window a lab or vital sign takes the latest value; a T-score takes the most
specific site first, then the latest (ties: the lower T-score, i.e. the worse side).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from api.fhir.mapping.common import Entry, as_dict, codings, describe_codes, first_date, known_code, text
from api.fhir.mapping.context import Context
from api.fhir.terminology import SITE_FEMORAL_NECK, SITE_HIP, SITE_LUMBAR_SPINE, SNOMED

USABLE_STATUS = frozenset({"final", "amended", "corrected"})
DXA_FIELDS = ("t_score_femoral_neck", "t_score_total_hip", "t_score_lumbar_spine")
T_SCORE_UNITS = frozenset({"", "1", "{t-score}", "t-score", "{tscore}", "tscore"})
Convert = Callable[[float], float]


def _same(value: float) -> float:
    return value


# meaning → (contract field, {lower-case unit: conversion to the contract unit}).
LABS: dict[str, tuple[str, dict[str, Convert]]] = {
    # "mL/min" is accepted: the LOINC code itself is per 1.73 m², some feeds print the short unit.
    "egfr": ("egfr", dict.fromkeys(("ml/min/{1.73_m2}", "ml/min/1.73m2", "ml/min/1.73_m2", "ml/min"), _same)),
    "calcium_total": ("serum_calcium_mg_dl", {"mg/dl": _same, "mmol/l": lambda v: v * 4.008}),
    "calcium_corrected": ("serum_calcium_mg_dl", {"mg/dl": _same, "mmol/l": lambda v: v * 4.008}),
    "vitamin_d": ("vitamin_d_ng_ml", {"ng/ml": _same, "ug/l": _same, "nmol/l": lambda v: v / 2.496}),
    "alkaline_phosphatase": ("alkaline_phosphatase_u_l", dict.fromkeys(("u/l", "iu/l", "[iu]/l"), _same)),
    "weight": ("weight_kg", {"kg": _same, "g": lambda v: v / 1000, "[lb_av]": lambda v: v * 0.45359237}),
    "height": ("height_cm", {"cm": _same, "m": lambda v: v * 100, "mm": lambda v: v / 10,
                             "[in_i]": lambda v: v * 2.54}),
}  # fmt: skip
RANK = {"calcium_corrected": 1}  # albumin-corrected calcium wins over total on the same day


@dataclass(frozen=True, slots=True)
class Candidate:
    """One usable value for one contract field."""

    field: str
    value: float
    date: dt.date
    rank: int
    reference: str


def _sites(resource: dict[str, object]) -> set[str]:
    return {str(c.get("code")) for c in codings(resource.get("bodySite")) if c.get("system") == SNOMED}


def dxa_target(meaning: str, sites: set[str]) -> tuple[str, int] | None:
    """The T-score field and specificity rank of a DXA code and its bodySite codes."""
    if SITE_FEMORAL_NECK in sites and meaning in {
        "t_score_femur",
        "t_score_total_hip",
        "t_score_site_unknown",
    }:
        return "t_score_femoral_neck", 2 if meaning != "t_score_site_unknown" else 1
    if meaning == "t_score_lumbar_spine":
        return "t_score_lumbar_spine", 2
    if meaning in {"t_score_femur", "t_score_total_hip"}:
        return "t_score_total_hip", 2
    if meaning == "t_score_spine_any" or SITE_LUMBAR_SPINE in sites:
        return "t_score_lumbar_spine", 1
    if meaning == "t_score_site_unknown":
        return "t_score_total_hip", 1 if sites & SITE_HIP else 0
    return None


def _quantity(entry: Entry, ctx: Context) -> tuple[float, str] | None:
    quantity = as_dict(entry.resource.get("valueQuantity"))
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        ctx.report.ignore(entry.reference, "no numeric valueQuantity")
        return None
    unit = text(quantity.get("code")) or text(quantity.get("unit")) or ""
    return float(value), unit


def _convert(meaning: str, value: float, unit: str) -> tuple[str, float, int] | None:
    if meaning in LABS:
        field, units = LABS[meaning]
        convert = units.get(unit.lower())
        return None if convert is None else (field, round(convert(value), 2), RANK.get(meaning, 0))
    return None


def _usable(entry: Entry, ctx: Context) -> bool:
    """Status and date checks; an unusable Observation is reported as ignored."""
    resource, ref = entry.resource, entry.reference
    if resource.get("status") not in USABLE_STATUS:
        ctx.report.ignore(ref, f"status {resource.get('status')!r}: only final/amended/corrected are used")
        return False
    date = first_date(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    if date is None or date > ctx.assessment_date or date < ctx.lookback_start:
        ctx.report.ignore(ref, "no effective date" if date is None else _date_reason(date, ctx))
        return False
    return True


def _target(
    meaning: str, resource: dict[str, object], value: float, unit: str
) -> tuple[str, float, int] | None:
    if meaning.startswith("t_score"):
        target = dxa_target(meaning, _sites(resource))
        ok = unit.lower() in T_SCORE_UNITS and target is not None
        return (target[0], round(value, 2), target[1]) if ok and target else None
    return _convert(meaning, value, unit)


def _candidate(entry: Entry, ctx: Context) -> Candidate | None:
    resource, ref = entry.resource, entry.reference
    code = known_code(resource.get("code"))
    if code is None:
        ctx.report.ignore(ref, f"unknown code {describe_codes(resource.get('code'))}")
        return None
    if not _usable(entry, ctx):
        return None
    measured = _quantity(entry, ctx)
    if measured is None:
        return None
    target = _target(code.meaning, resource, *measured)
    if target is None:
        ctx.report.ignore(ref, f"unit {measured[1]!r} not convertible for {code.meaning}")
        return None
    date = first_date(resource, "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued")
    assert date is not None  # _usable checked it
    return Candidate(target[0], target[1], date, target[2], ref)


def _date_reason(date: dt.date, ctx: Context) -> str:
    if date > ctx.assessment_date:
        return f"dated {date}, after the assessment date {ctx.assessment_date}"
    return f"dated {date}, outside the {ctx.lookback_months}-month look-back (from {ctx.lookback_start})"


def _key(candidate: Candidate) -> tuple[object, ...]:
    if candidate.field in DXA_FIELDS:
        return (candidate.rank, candidate.date, -candidate.value)
    return (candidate.date, candidate.rank, -candidate.value)


def _drop_generic_hip(candidates: list[Candidate], ctx: Context) -> list[Candidate]:
    """A site-unknown T-score (rank 0) fills total hip only when no femur/hip value exists."""
    specific = any(
        c.field in {"t_score_femoral_neck", "t_score_total_hip"} and c.rank > 0 for c in candidates
    )
    if not specific:
        return candidates
    generic = [c for c in candidates if c.field == "t_score_total_hip" and c.rank == 0]
    for c in generic:
        ctx.report.ignore(c.reference, "site-unknown T-score (38265-5): a site-specific hip value exists")
    return [c for c in candidates if c not in generic]


def map_observations(entries: list[Entry], ctx: Context) -> None:
    """Pick one value per field, report the rest as ignored, set ``dxa_date``."""
    candidates = [c for c in (_candidate(e, ctx) for e in entries) if c is not None]
    candidates = _drop_generic_hip(candidates, ctx)
    dxa_dates: list[tuple[dt.date, str]] = []
    for field in sorted({c.field for c in candidates}):
        ranked = sorted((c for c in candidates if c.field == field), key=_key, reverse=True)
        best = ranked[0]
        ctx.use(field, best.value, best.reference, best.date)
        if field in DXA_FIELDS:
            dxa_dates.append((best.date, best.reference))
        for other in ranked[1:]:
            ctx.report.ignore(other.reference, f"{field}: superseded by {best.reference} ({best.date})")
    if dxa_dates:
        date, ref = max(dxa_dates)
        ctx.use("dxa_date", date, ref, date)
