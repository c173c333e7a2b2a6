"""Procedure → the index kyphoplasty/vertebroplasty: date, type and treated levels from bodySite."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from api.fhir.mapping.common import (
    Entry,
    as_dict,
    as_list,
    codings,
    describe_codes,
    first_date_text,
    known_code,
    parse_date,
    partial_date_note,
    text,
)
from api.fhir.mapping.context import Context
from api.fhir.terminology import SNOMED, VERTEBRAE
from risk.contract.enums import LEVELS

AUGMENTATION = frozenset({"kyphoplasty", "vertebroplasty"})
VERTEBRA_LEVELS = {c.code: c.meaning for c in VERTEBRAE}
# Any spinal level, so a range that starts or ends outside the contract ("C7-T2") still expands,
# and a level outside it ("L6", a transitional vertebra) is reported rather than silently lost.
# "L1", "T12", "Th12", "L 2", ranges "T11-L1" / "T11–L1" / "T11 to L1"; word-bounded, case-insensitive.
LEVEL = r"(?:C|TH|T|L|S)\s?\d{1,2}"
LEVEL_OR_RANGE = re.compile(rf"\b({LEVEL})(?:\s*(?:-|–|to)\s*({LEVEL}))?\b", re.IGNORECASE)
# Spine order for ranges: cervical, the contract's thoracic and lumbar levels, sacral.
SPINE = (*(f"C{n}" for n in range(1, 8)), *LEVELS, *(f"S{n}" for n in range(1, 6)))


@dataclass(frozen=True, slots=True)
class Augmentation:
    """One completed kyphoplasty or vertebroplasty Procedure."""

    reference: str
    date: dt.date
    kind: str
    levels: tuple[str, ...]


def _level(raw: str) -> str:
    return re.sub(r"\s", "", raw.upper()).replace("TH", "T")


def _span(first: str, last: str) -> list[str]:
    """A range in spine order; one with an end outside SPINE (L6, T13) is just its two ends."""
    if first not in SPINE or last not in SPINE:
        return [first] if first == last else [first, last]
    lo, hi = sorted((SPINE.index(first), SPINE.index(last)))
    return list(SPINE[lo : hi + 1])


def named_levels(label: str) -> list[str]:
    """Every spinal level a body-site text or display names, ranges expanded in spine order."""
    found: list[str] = []
    for match in LEVEL_OR_RANGE.finditer(label):
        first = _level(match.group(1))
        span = _span(first, _level(match.group(2)) if match.group(2) else first)
        found.extend(level for level in span if level not in found)
    return found


def parse_levels(label: str) -> list[str]:
    """The contract's vertebral levels (T1–L5) a body-site text or display names."""
    return [level for level in named_levels(label) if level in LEVELS]


def _site_levels(site: object) -> list[str]:
    found = [VERTEBRA_LEVELS[str(c.get("code"))] for c in codings(site)
             if c.get("system") == SNOMED and str(c.get("code")) in VERTEBRA_LEVELS]  # fmt: skip
    labels = [text(as_dict(site).get("text")) or ""] + [text(c.get("display")) or "" for c in codings(site)]
    return found + [level for label in labels for level in named_levels(label)]


def body_site_levels(resource: dict[str, object]) -> list[str]:
    """Levels named by every bodySite: SNOMED vertebra codes (DICOM CID 7603), its text, each display."""
    levels: list[str] = []
    for site in as_list(resource.get("bodySite")):
        levels.extend(level for level in _site_levels(site) if level not in levels)
    return levels


def _augmentation(entry: Entry, ctx: Context) -> Augmentation | None:
    resource = entry.resource
    code = known_code(resource.get("code"))
    if code is None or code.meaning not in AUGMENTATION:
        ctx.report.ignore(entry.reference, f"unknown code {describe_codes(resource.get('code'))}")
        return None
    status = resource.get("status")
    if status != "completed":
        ctx.report.ignore(entry.reference, f"status {status!r}: only completed procedures count")
        return None
    raw = first_date_text(resource, "performedDateTime", "performedPeriod", "performedString")
    date = parse_date(raw)
    if date is None:
        ctx.report.ignore(entry.reference, "no performed date")
        return None
    if date > ctx.assessment_date:
        ctx.report.ignore(entry.reference, f"performed {date} after the assessment date")
        return None
    note = partial_date_note(raw, "performed date", "the time rules count from that day")
    if note:
        ctx.report.assume(entry.reference, note)
    named = body_site_levels(resource)
    outside = [level for level in named if level not in LEVELS]
    if outside:
        reason = (
            f"bodySite names {', '.join(outside)}: not a level of the contract (T1–T12, L1–L5), not counted"
        )
        ctx.report.ignore(entry.reference, reason)
    return Augmentation(
        entry.reference, date, code.meaning, tuple(level for level in named if level in LEVELS)
    )


def map_procedures(entries: list[Entry], ctx: Context) -> list[Augmentation]:
    """Set the index procedure (the latest day with one); return the earlier ones (prior fractures)."""
    found = [a for a in (_augmentation(e, ctx) for e in entries) if a is not None]
    if not found:
        return []
    index_date = max(a.date for a in found)
    index = [a for a in found if a.date == index_date]
    kind = "kyphoplasty" if any(a.kind == "kyphoplasty" for a in index) else "vertebroplasty"
    levels = [level for level in LEVELS if any(level in a.levels for a in index)]
    first = index[0].reference
    ctx.use("procedure_date", index_date, first, index_date)
    ctx.use("procedure_type", kind, first, index_date)
    for augmentation in index[1:]:
        ctx.use("procedure_date", index_date, augmentation.reference, index_date, contract=False)
    if levels:
        ctx.use("treated_levels", levels, first, index_date)
    return [a for a in found if a.date < index_date]
