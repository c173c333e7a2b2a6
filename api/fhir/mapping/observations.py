"""Observation → DXA T-scores (by LOINC + bodySite), labs with unit conversion, height and weight.

Within the look-back window a lab or vital sign takes the latest value; a T-score takes the most
specific site first, then the latest (ties: the lower T-score, i.e. the worse side).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from api.fhir.mapping.common import Entry, as_dict, codings, describe_codes, first_date, known_code, text
from api.fhir.mapping.context import Context
from api.fhir.terminology import SITE_FEMORAL_NECK, SNOMED
from api.fhir.units import to_contract_unit, without_float_noise

USABLE_STATUS = frozenset({"final", "amended", "corrected"})
DXA_FIELDS = ("t_score_femoral_neck", "t_score_total_hip", "t_score_lumbar_spine")
TOTAL_CALCIUM, ALBUMIN = "_total_calcium", "_albumin"  # inputs of the adjusted calcium, not fields
T_SCORE_UNITS = frozenset({"", "1", "{t-score}", "t-score", "{tscore}", "tscore"})
# meaning → (field, unit kinds of api/fhir/data/units.csv, rank: a higher rank wins on the same day).
LABS: dict[str, tuple[str, tuple[str, ...], int]] = {
    "egfr": ("egfr", ("egfr",), 1),
    "egfr_race_specific": ("egfr", ("egfr",), 0),
    "calcium_corrected": ("serum_calcium_mg_dl", ("calcium_mass", "calcium_molar"), 1),
    "calcium_total": (TOTAL_CALCIUM, ("calcium_mass", "calcium_molar"), 0),
    "albumin": (ALBUMIN, ("albumin",), 0),
    "vitamin_d": ("vitamin_d_ng_ml", ("vitamin_d_mass", "vitamin_d_molar"), 0),
    "alkaline_phosphatase": ("alkaline_phosphatase_u_l", ("enzyme",), 0),
    "weight": ("weight_kg", ("weight",), 0),
    "height": ("height_cm", ("height",), 0),
}
# Payne et al., BMJ 1973;4:643: adjusted Ca (mg/dL) = total Ca + 0.8 x (4.0 - albumin g/dL).
PAYNE_SLOPE, PAYNE_ALBUMIN_G_DL = 0.8, 4.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """One usable value for one contract field."""

    field: str
    value: float
    date: dt.date
    rank: int
    reference: str


# A bodySite written only as text or display ("Femoral neck, left") names the neck as well as
# SNOMED 29627003 does; read as the total hip, its T-score went to the wrong contract field.
NECK_WORDS = re.compile(r"\bneck\b|\bcollum\b", re.IGNORECASE)


def _sites(resource: dict[str, object]) -> set[str]:
    site = resource.get("bodySite")
    codes = {str(c.get("code")) for c in codings(site) if c.get("system") == SNOMED}
    words = [text(as_dict(site).get("text")) or ""] + [text(c.get("display")) or "" for c in codings(site)]
    if any(NECK_WORDS.search(word) for word in words):
        codes.add(SITE_FEMORAL_NECK)
    return codes


def dxa_target(meaning: str, sites: set[str]) -> tuple[str, int] | None:
    """The T-score field and specificity rank of a DXA code and its bodySite codes (None: not ours)."""
    if meaning in {"t_score_femur", "t_score_total_hip"}:
        return ("t_score_femoral_neck" if SITE_FEMORAL_NECK in sites else "t_score_total_hip"), 2
    if meaning == "t_score_lumbar_spine":
        return "t_score_lumbar_spine", 2
    if meaning == "t_score_spine_any":
        return "t_score_lumbar_spine", 1
    return None  # forearm (radius/ulna) T-scores are not one of the contract's three sites


def _quantity(entry: Entry, ctx: Context) -> tuple[float, str] | None:
    quantity = as_dict(entry.resource.get("valueQuantity"))
    value = quantity.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        ctx.report.ignore(entry.reference, "no numeric valueQuantity")
        return None
    comparator = text(quantity.get("comparator"))
    if comparator:
        # ">60" or "<4" bounds the result; reading it as 60 or 4 would be a guess at the value.
        reason = f"censored result {comparator}{value}: not an exact value, not used"
        ctx.report.ignore(entry.reference, reason)
        return None
    unit = text(quantity.get("code")) or text(quantity.get("unit")) or ""
    return float(value), unit


def _convert(meaning: str, value: float, unit: str) -> tuple[str, float, int] | None:
    field, kinds, rank = LABS[meaning]
    for kind in kinds:
        converted = to_contract_unit(kind, value, unit)
        if converted is not None:
            return field, without_float_noise(converted), rank
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
        return (target[0], value, target[1]) if ok and target else None
    return _convert(meaning, value, unit) if meaning in LABS else None


def _candidate(entry: Entry, ctx: Context) -> Candidate | None:
    resource, ref = entry.resource, entry.reference
    code = known_code(resource.get("code"))
    if code is None:
        ctx.report.ignore(ref, f"unknown code {describe_codes(resource.get('code'))}")
        return None
    if code.meaning == "t_score_forearm":
        ctx.report.ignore(
            ref, f"{code.code} is a forearm (radius/ulna) T-score: not a hip, femoral-neck or spine site"
        )
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
    if code.meaning == "t_score_femur" and not resource.get("bodySite"):
        ctx.report.assume(ref, f"femur T-score {code.code} names no site: read as the total-hip T-score")
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


def _adjusted_calcium(candidates: list[Candidate], ctx: Context) -> list[Candidate]:
    """Total calcium becomes albumin-adjusted calcium only with an albumin of the same day (Payne)."""
    albumin = {c.date: c for c in candidates if c.field == ALBUMIN}
    kept = [c for c in candidates if c.field not in {TOTAL_CALCIUM, ALBUMIN}]
    for total in (c for c in candidates if c.field == TOTAL_CALCIUM):
        same_day = albumin.get(total.date)
        if same_day is None:
            ctx.report.ignore(
                total.reference,
                "total calcium is not albumin-adjusted and no albumin of the same day was found: not used",
            )
            continue
        adjusted = without_float_noise(total.value + PAYNE_SLOPE * (PAYNE_ALBUMIN_G_DL - same_day.value))
        ctx.use(
            "calcium_adjusted_with_albumin", same_day.reference, total.reference, total.date, contract=False
        )
        kept.append(Candidate("serum_calcium_mg_dl", adjusted, total.date, 0, total.reference))
    return kept


def map_observations(entries: list[Entry], ctx: Context) -> None:
    """Pick one value per field, report the rest as ignored, set ``dxa_date``."""
    candidates = [c for c in (_candidate(e, ctx) for e in entries) if c is not None]
    candidates = _adjusted_calcium(candidates, ctx)
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
