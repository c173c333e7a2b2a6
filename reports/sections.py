"""The clinical sections of the PCP letter (clinical.md §9 elements 2–7), as plain data.

Thresholds are never re-derived here: whether a value is abnormal comes from the
assessment's flags (the rules own the numbers); a value is only shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reports import fmt
from reports.wording import (
    BIOPSY,
    LEAKAGE,
    MECHANISM,
    MECHANISM_ON_PATHWAY,
    TIER_VS_MODEL,
    VERY_HIGH_SHORT,
)
from risk.contract import LEVELS, Assessment, PatientRecord

TL_JUNCTION = frozenset({"T11", "T12", "L1", "L2"})
LUMBAR_DXA_LEVELS = ("L1", "L2", "L3", "L4")


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a findings table: what, the value, and what it means or what to do."""

    label: str
    value: str
    note: str = ""


def flag_codes(assessment: Assessment) -> set[str]:
    """The codes of the flags that fired."""
    return {flag.code for flag in assessment.flags}


def sandwich_levels(levels: Sequence[str]) -> list[str]:
    """Untreated vertebrae between two cemented ones (a 'sandwich' raises their risk)."""
    treated = {LEVELS.index(level) for level in levels}
    return [LEVELS[i] for i in range(1, len(LEVELS) - 1) if {i - 1, i + 1} <= treated - {i}]


def mechanism_text(record: PatientRecord, pathway: str) -> str:
    """The fracture mechanism as the pathway's letter words it."""
    cause = record.fracture_cause
    return MECHANISM_ON_PATHWAY.get(pathway, {}).get(cause, MECHANISM[cause])


def index_event(record: PatientRecord, pathway: str = "osteoporosis") -> list[Row]:
    """Element 2: the fracture and the procedure."""
    return [
        Row("Fracture", fmt.day(record.index_fracture_date), mechanism_text(record, pathway)),
        Row(
            "Procedure",
            f"{record.procedure_type.capitalize()}, {fmt.day(record.procedure_date)}",
            f"level(s) {fmt.levels_text(record.treated_levels)}",
        ),
        Row("Biopsy", BIOPSY[record.biopsy_result]),
    ]


def procedure_findings(record: PatientRecord) -> list[Row]:
    """Element 5: what the procedure showed that bears on the risk of the next fracture."""
    levels = record.treated_levels
    junction = sorted(TL_JUNCTION.intersection(levels), key=LEVELS.index)
    sandwich = sandwich_levels(levels)
    cleft = {True: "yes", False: "no", None: "not recorded"}[record.intravertebral_cleft]
    return [
        Row("Levels treated", f"{len(levels)}: {fmt.levels_text(levels)}"),
        Row(
            "Thoracolumbar junction (T11–L2)",
            ", ".join(junction) if junction else "no",
            "higher risk of an adjacent-level fracture" if junction else "",
        ),
        Row("Cement leakage", LEAKAGE[record.cement_leakage]),
        Row(
            "Sandwich vertebra",
            ", ".join(sandwich) if sandwich else "no",
            "untreated level between two cemented levels" if sandwich else "",
        ),
        Row("Intravertebral cleft", cleft),
    ]


def _spine_row(record: PatientRecord, unreliable: bool) -> Row | None:
    if record.t_score_lumbar_spine is None:
        return None
    evaluable = record.lumbar_vertebrae_evaluable
    counted = f"{evaluable} evaluable vertebrae" if evaluable is not None else "count not recorded"
    note = "not used: fewer than 2 evaluable vertebrae" if unreliable else counted
    return Row("T-score lumbar spine", f"{record.t_score_lumbar_spine:.1f}", note)


def bone_density(record: PatientRecord, assessment: Assessment) -> list[Row]:
    """Element 6: DXA T-scores (hip preferred) and CT attenuation, where recorded."""
    rows = [
        Row(label, f"{value:.1f}")
        for label, value in (
            ("T-score femoral neck", record.t_score_femoral_neck),
            ("T-score total hip", record.t_score_total_hip),
        )
        if value is not None
    ]
    spine = _spine_row(record, "SPINE_DXA_UNRELIABLE" in flag_codes(assessment))
    rows += [spine] if spine else []
    if rows:
        rows.append(Row("DXA date", fmt.day(record.dxa_date)))
    if record.ct_hu is not None:
        rows.append(Row("CT attenuation (L1 or nearest)", f"{record.ct_hu:.0f} HU"))
    return rows


def dxa_request(record: PatientRecord) -> str | None:
    """Element 6: what DXA to request when there is no T-score, naming levels to exclude."""
    if any(
        t is not None
        for t in (record.t_score_femoral_neck, record.t_score_total_hip, record.t_score_lumbar_spine)
    ):
        return None
    cemented = [level for level in LUMBAR_DXA_LEVELS if level in record.treated_levels]
    spine = (
        f"lumbar spine L1–L4 excluding the cemented level(s) {', '.join(cemented)}"
        if cemented
        else "lumbar spine L1–L4 excluding any fractured level"
    )
    return (
        f"No bone density result is recorded. Please request a baseline DXA of the hip "
        f"(femoral neck and total hip) and of the {spine}; hip values are preferred after "
        "kyphoplasty. Vertebral fracture assessment or a lateral spine X-ray shows other fractures."
    )


def tier_explanation(assessment: Assessment) -> str | None:
    """One sentence when a very-high tier sits beside a model risk under the HIGH_MODEL_RISK line.

    Whether the model risk is "low" is the rule layer's call (the flag did not fire); this
    only says why the two disagree.
    """
    risk = assessment.risk
    if assessment.risk_tier != "very_high" or risk is None or "HIGH_MODEL_RISK" in flag_codes(assessment):
        return None
    criteria = [VERY_HIGH_SHORT[c.code] for c in assessment.criteria if c.code in VERY_HIGH_SHORT]
    return TIER_VS_MODEL.format(
        risk=f"{fmt.percent(risk.new_vertebral_fracture_12m)} at 12 months",
        criteria=", ".join(criteria) or "very-high-risk features",
    )
