"""The plan sections of the PCP letter (clinical.md §9 elements 7–14), as plain data.

Abnormal values are named by the assessment's flags (the rules own the thresholds);
this module only decides what to say about them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports import fmt
from reports.sections import Row, flag_codes
from reports.wording import ANABOLIC_REASON, DRUG_NAME, SPECIALIST_REASON
from risk.contract import Assessment, Flag, PatientRecord
from risk.rules.table import RULES_BY_CODE

# (label, record field, unit, flags that mark it abnormal, what to check when missing)
_LAB_ROWS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("eGFR", "egfr", "mL/min/1.73 m²", ("EGFR_BELOW_30", "EGFR_BELOW_35")),
    ("Adjusted calcium", "serum_calcium_mg_dl", "mg/dL", ("HYPOCALCAEMIA", "HYPERCALCAEMIA")),
    ("25-OH vitamin D", "vitamin_d_ng_ml", "ng/mL", ("VITAMIN_D_DEFICIENT",)),
    ("Alkaline phosphatase", "alkaline_phosphatase_u_l", "U/L", ("RAISED_ALP",)),
)

CORE_LABS = (
    "full blood count, phosphate, liver enzymes, TSH, ESR/CRP, serum protein electrophoresis "
    "± free light chains"
)
INDICATED_LABS = "PTH if calcium is abnormal; coeliac serology; 24-hour urine calcium"
MALE_LABS = "testosterone, SHBG, LH and FSH"

ANTIRESORPTIVE_CHECKS: tuple[tuple[str, str, str], ...] = (
    # (flag, what to do if it fired, what to do if the value is missing)
    ("EGFR_BELOW_30", "eGFR below 30: bisphosphonates not advised; denosumab risks severe "
     "hypocalcaemia — specialist", "Check eGFR before any bisphosphonate."),
    ("EGFR_BELOW_35", "eGFR below 35: avoid zoledronic acid and alendronate", ""),
    ("HYPOCALCAEMIA", "Correct low calcium before any antiresorptive", "Check adjusted calcium."),
    ("VITAMIN_D_DEFICIENT", "Replete vitamin D before zoledronic acid or denosumab",
     "Check 25-OH vitamin D."),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Task:
    """One row of the responsibilities table: who does what by when."""

    who: str
    what: str
    when: str


def _flag_messages(assessment: Assessment, codes: tuple[str, ...]) -> str:
    return " ".join(f.message for f in assessment.flags if f.code in codes)


def lab_rows(
    record: PatientRecord, assessment: Assessment, fields: tuple[str, ...] | None = None
) -> list[Row]:
    """Element 7: the recorded key labs (all, or ``fields``), each with its flag message or 'to check'."""
    rows = []
    for label, field, unit, codes in _LAB_ROWS:
        if fields is not None and field not in fields:
            continue
        value = getattr(record, field)
        if value is None:
            rows.append(Row(label, "not recorded", "please check"))
            continue
        note = _flag_messages(assessment, codes) or "no flag raised"
        rows.append(Row(label, f"{value:g} {unit}", note))
    return rows


def labs_to_order(record: PatientRecord) -> list[str]:
    """Element 7: the work-up bloods the PCP should order (or confirm)."""
    extra = [MALE_LABS] if record.sex == "male" else []
    return [CORE_LABS, *extra, f"as indicated: {INDICATED_LABS}"]


def treatment_checks(record: PatientRecord, assessment: Assessment) -> list[str]:
    """Element 8: safety checks before starting, from flags and missing values."""
    codes = flag_codes(assessment)
    fields = {"EGFR_BELOW_30": "egfr", "HYPOCALCAEMIA": "serum_calcium_mg_dl",
              "VITAMIN_D_DEFICIENT": "vitamin_d_ng_ml", "EGFR_BELOW_35": "egfr"}  # fmt: skip
    checks = []
    for code, fired, missing in ANTIRESORPTIVE_CHECKS:
        if code in codes:
            checks.append(fired)
        elif missing and getattr(record, fields[code]) is None:
            checks.append(missing)
    checks.append("Dental check before zoledronic acid or denosumab if dentition is poor.")
    if assessment.recommended_therapy == "anabolic_first":
        checks.append("Romosozumab: not within a year of a myocardial infarction or stroke.")
    return checks


def current_therapy(record: PatientRecord) -> list[Row]:
    """Element 9: the drug at the time of the fracture, dosing dates and steroids."""
    if record.current_treatment == "none":
        rows = [Row("Bone treatment", "none at the time of the fracture")]
    else:
        rows = [
            Row("Bone treatment", DRUG_NAME[record.current_treatment]),
            Row("Started", fmt.day(record.treatment_start_date)),
            Row("Last dose", fmt.day(record.last_dose_date), _days_ago(record)),
        ]
    if record.glucocorticoid_mg_per_day > 0:
        rows.append(
            Row(
                "Glucocorticoid",
                # Shown to a tenth; the rules use every digit (FHIR gives 182 days as 5.9795 months).
                f"{round(record.glucocorticoid_mg_per_day, 1):g} mg/day prednisolone-equivalent",
                f"for {round(record.glucocorticoid_months, 1):g} months; review the dose",
            )
        )
    return rows


def _days_ago(record: PatientRecord) -> str:
    if record.last_dose_date is None:
        return ""
    return f"{(record.assessment_date - record.last_dose_date).days} days ago"


def alerts(assessment: Assessment) -> list[Flag]:
    """Urgent flags (e.g. DENOSUMAB_OVERDUE) shown in the top box, first lines of the letter."""
    return [flag for flag in assessment.flags if flag.severity == "urgent"]


def specialist_reasons(assessment: Assessment) -> list[str]:
    """Element 11: why a specialist referral is warranted (empty when it is not)."""
    if not assessment.refer_to_specialist:
        return []
    # Which flags send a patient to a specialist is the rule table's call; wording is ours.
    reasons = [
        SPECIALIST_REASON.get(f.code, f.message)
        for f in assessment.flags
        if f.code in RULES_BY_CODE and RULES_BY_CODE[f.code].specialist
    ]
    if assessment.recommended_therapy == "anabolic_first":
        reasons.append(ANABOLIC_REASON)
    return reasons or ["clinical judgement of the referring team"]


def follow_up(assessment: Assessment) -> list[Row]:
    """Element 12: when the service and the PCP look again."""
    start = assessment.assessment_date
    return [
        Row(
            "Fracture liaison contact",
            f"{fmt.day(fmt.add_weeks(start, 12))} – {fmt.day(fmt.add_weeks(start, 16))}",
            "12–16 weeks: treatment started, tolerated, labs done",
        ),
        Row("Adherence check", fmt.day(start + dt.timedelta(days=365)), "12 months"),
        Row("Repeat DXA", "in 1–3 years", "review at 3 years (IV zoledronic acid) or 5 (oral)"),
        Row("New back pain or height loss", "any time", "spine imaging for a new fracture"),
    ]


def responsibilities(
    assessment: Assessment, pcp_task: str, due: dt.date, service: str, needs_dxa: bool
) -> list[Task]:
    """Element 14: who does what by when (PCP, specialist, sending service, patient)."""
    start = assessment.assessment_date
    tasks = [Task("PCP", pcp_task, fmt.day(due)), Task("PCP", "Order the bloods listed", fmt.day(due))]
    if needs_dxa:
        tasks.append(Task("PCP", "Request DXA (hip; spine without cemented levels)", fmt.day(due)))
    if assessment.refer_to_specialist:
        tasks.append(Task("Bone specialist", "Review and advise on treatment", fmt.day(due)))
    tasks += [
        Task(service, "Contact patient: treatment started?", fmt.day(fmt.add_weeks(start, 16))),
        Task(service, "Adherence check", fmt.day(start + dt.timedelta(days=365))),
        Task("Patient", "Calcium, vitamin D, exercise; report warning signs", "ongoing"),
    ]
    return tasks
