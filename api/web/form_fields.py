"""The assessment form: PatientRecord fields grouped as a clinician thinks, with labels and units.

Kinds, ranges, choices and defaults are read off the contract (``risk.cohort.columns``), so the
form cannot drift from PatientRecord; only the words, units and grouping are written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from risk.cohort.columns import CONTRACT_COLUMNS, ColumnSpec

SPECS: dict[str, ColumnSpec] = {spec.name: spec for spec in CONTRACT_COLUMNS}
# Names are asked for only when a letter is written (the referral form), never to score.
NAME_FIELDS: tuple[str, ...] = ("given_name", "family_name")


@dataclass(frozen=True, slots=True)
class FormField:
    """One input: its contract spec plus the words around it."""

    spec: ColumnSpec
    label: str
    unit: str = ""
    hint: str = ""

    @property
    def name(self) -> str:
        """The contract field name (also the input's name)."""
        return self.spec.name

    @property
    def widget(self) -> str:
        """number, date, select, checkbox, tristate, levels or text."""
        kind = self.spec.kind
        if kind in ("number", "integer"):
            return "number"
        if kind == "bool":
            return "tristate" if self.spec.nullable else "checkbox"
        if kind == "enum":
            return "select"
        return {"date": "date", "levels": "levels"}.get(kind, "text")

    @property
    def step(self) -> str:
        """The number input's step: whole numbers for integers."""
        return "1" if self.spec.kind == "integer" else "any"


@dataclass(frozen=True, slots=True)
class FieldGroup:
    """A fieldset of the form; optional groups fold away (a native <details>) until needed."""

    key: str
    legend: str
    fields: tuple[FormField, ...]
    contents: str = ""  # what an optional group holds, shown while it is folded

    @property
    def optional(self) -> bool:
        """Whether the group folds away: it holds no required field."""
        return bool(self.contents)


def _f(name: str, label: str, unit: str = "", hint: str = "") -> FormField:
    return FormField(SPECS[name], label, unit, hint)


GROUPS: tuple[FieldGroup, ...] = (
    # What every assessment needs, and what decides the pathway, first; then the optional
    # details, folded, so the keyboard reaches Assess quickly (a browser test counts the Tabs).
    FieldGroup("patient", "Patient, fracture and procedure", (
        _f("patient_id", "Patient ID", hint="Opaque identifier: letters, digits, . _ - (never a name)"),
        _f("birth_date", "Date of birth", hint="YYYY-MM-DD; or give the age instead"),
        _f("age_years", "Age", "years", "Only if there is no date of birth"),
        _f("sex", "Sex", hint="Sex used for clinical risk"),
        _f("procedure_date", "Procedure date", hint="YYYY-MM-DD"),
        _f("procedure_type", "Procedure"),
        _f("treated_levels", "Treated (cemented) levels"),
        _f("fracture_date", "Fracture date", hint="YYYY-MM-DD; blank: the procedure date"),
        _f("fracture_cause", "Mechanism of the fracture"),
        _f("biopsy_result", "Biopsy result"),
        _f("active_malignancy", "Active malignancy"),
        _f("myeloma", "Myeloma or plasmacytoma"),
        _f("assessment_date", "Assessment date", hint="YYYY-MM-DD: the ‘as of’ date of every time rule"),
    )),
    FieldGroup("findings", "Procedure findings", (
        _f("cement_leakage", "Cement leakage"),
        _f("intravertebral_cleft", "Intravertebral cleft"),
    ), "cement leakage, intravertebral cleft"),
    FieldGroup("bone_density", "Body size and bone density", (
        _f("weight_kg", "Weight", "kg"),
        _f("height_cm", "Height", "cm"),
        _f("t_score_femoral_neck", "T-score, femoral neck", "SD"),
        _f("t_score_total_hip", "T-score, total hip", "SD"),
        _f("t_score_lumbar_spine", "T-score, lumbar spine (L1–L4)", "SD"),
        _f("lumbar_vertebrae_evaluable", "Evaluable lumbar vertebrae", "vertebrae",
           "Left in the spine region after excluding fractured and cemented ones"),
        _f("dxa_date", "DXA date", hint="YYYY-MM-DD"),
        _f("ct_hu", "CT attenuation of L1", "HU", "Trabecular, or the nearest untreated level"),
    ), "weight, height, DXA T-scores, CT attenuation"),
    FieldGroup("history", "History", (
        _f("prior_fragility_fractures", "Prior fragility fractures", "fractures",
           "Low-trauma fractures since age 50, index fracture excluded"),
        _f("prior_vertebral_fractures", "Of those, vertebral", "fractures"),
        _f("falls_last_12_months", "Falls in the last 12 months", "falls"),
        _f("parent_hip_fracture", "Parent had a hip fracture"),
        _f("current_smoker", "Current smoker"),
        _f("alcohol_3_or_more_units_per_day", "Alcohol 3 or more units a day"),
        _f("rheumatoid_arthritis", "Rheumatoid arthritis"),
        _f("diabetes", "Diabetes"),
        _f("glucocorticoid_mg_per_day", "Glucocorticoid dose", "mg/day", "Prednisolone equivalent"),
        _f("glucocorticoid_months", "Glucocorticoid duration", "months"),
        _f("history_atypical_femoral_fracture", "History of atypical femoral fracture"),
        _f("history_osteonecrosis_of_jaw", "History of osteonecrosis of the jaw"),
    ), "prior fractures, falls, smoking, alcohol, diabetes, glucocorticoids, jaw osteonecrosis"),
    FieldGroup("labs", "Laboratory results", (
        _f("egfr", "eGFR", "mL/min/1.73 m²"),
        _f("serum_calcium_mg_dl", "Serum calcium (albumin-adjusted)", "mg/dL"),
        _f("vitamin_d_ng_ml", "25-OH vitamin D", "ng/mL", "1 ng/mL = 2.5 nmol/L"),
        _f("alkaline_phosphatase_u_l", "Alkaline phosphatase", "U/L"),
    ), "eGFR, calcium, vitamin D, alkaline phosphatase"),
    FieldGroup("treatment", "Current treatment", (
        _f("current_treatment", "Anti-osteoporosis drug at the time of the fracture"),
        _f("treatment_start_date", "Treatment start date", hint="YYYY-MM-DD"),
        _f("last_dose_date", "Last injection or infusion",
           hint="YYYY-MM-DD; denosumab, zoledronic acid, romosozumab"),
    ), "bone drug, start date, last injection"),
)  # fmt: skip

FIELDS: dict[str, FormField] = {f.name: f for group in GROUPS for f in group.fields}


def default_values(today: dt.date) -> dict[str, str | list[str]]:
    """The blank form: contract defaults, and today as the assessment date."""
    values: dict[str, str | list[str]] = {}
    for name, form_field in FIELDS.items():
        default = form_field.spec.default
        if form_field.widget == "levels":
            values[name] = []
        elif isinstance(default, bool):
            values[name] = "on" if default else ""
        else:
            values[name] = "" if default is None else str(default)
    values["assessment_date"] = today.isoformat()
    return values


def open_groups(values: dict[str, str | list[str]], errors: dict[str, str], today: dt.date) -> set[str]:
    """Optional groups shown unfolded: those holding an entered value or an error."""
    blank = default_values(today)
    return {
        group.key
        for group in GROUPS
        if group.optional
        and any(values.get(f.name, "") != blank[f.name] or f.name in errors for f in group.fields)
    }
