"""PatientRecord: the validated input of every assessment (contract §1).

Types are strict: a JSON bool is never a number, a number never a bool, a string
never either. Nothing is clipped: an out-of-range value is an error that names the
field, the value and the rule. Cross-field rules live in ``risk.contract.cross_field``
so that batch validation of a cohort applies the very same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from risk.contract.cross_field import record_violations
from risk.contract.enums import (
    BiopsyResult,
    CementLeakage,
    CurrentTreatment,
    Diabetes,
    FractureCause,
    Level,
    ProcedureType,
    Sex,
)
from risk.facts import facts_from_record


def _integral_float_to_int(value: Any) -> Any:
    # JSON Schema counts 2.0 as an integer; accept it, but never a bool.
    if isinstance(value, float) and not isinstance(value, bool) and value.is_integer():
        return int(value)
    return value


def _unique_levels(levels: list[str]) -> list[str]:
    duplicates = sorted({level for level in levels if levels.count(level) > 1})
    if duplicates:
        raise PydanticCustomError(
            "unique_levels",
            "treated_levels must not repeat a level; repeated: {duplicates}",
            {"duplicates": ", ".join(duplicates)},
        )
    return levels


ISO_DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # ASCII digits: \d also takes "２０２４"
_ISO_DATE = re.compile(ISO_DATE_PATTERN)


def _iso_date(value: Any) -> dt.date:
    # Parsed here, not by pydantic: its JSON date reads a string of digits as Unix seconds or
    # milliseconds ("1710460800" was 2024-03-15, "0" 1970-01-01), even in strict mode, and
    # the contract's dates are YYYY-MM-DD. Python callers may pass a date, never a datetime.
    if type(value) is dt.date:
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value) is not None:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:  # 2026-02-30
            raise PydanticCustomError(
                "date_value", "must be a real date YYYY-MM-DD: {why}", {"why": str(exc)}
            ) from None
    raise PydanticCustomError("date_format", "must be a date YYYY-MM-DD")


WholeNumber = Annotated[int, BeforeValidator(_integral_float_to_int)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
TScore = Annotated[float, Field(ge=-7.0, le=4.0)]

PATIENT_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"


class PatientRecord(BaseModel):
    """One post-kyphoplasty patient, flat, exactly as contract §1 names the fields."""

    model_config = ConfigDict(
        strict=True,
        frozen=True,  # validated once; the facts computed then stay true (see ``facts``)
        extra="forbid",
        allow_inf_nan=False,
        str_strip_whitespace=False,
        json_schema_extra={"additionalProperties": False},
    )

    patient_id: str = Field(
        pattern=PATIENT_ID_PATTERN,
        min_length=1,
        max_length=64,
        description="Opaque identifier (1–64 chars of A-Z a-z 0-9 . _ -); never a name.",
    )
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    birth_date: IsoDate | None = Field(default=None, description="One of birth_date / age_years is required.")
    age_years: float | None = Field(default=None, ge=18, le=110)
    sex: Sex = Field(description="Sex used for clinical risk.")
    weight_kg: float | None = Field(default=None, ge=25, le=250)
    height_cm: float | None = Field(default=None, ge=120, le=220)
    assessment_date: IsoDate = Field(
        default_factory=dt.date.today,
        description="The 'as of' date of every time rule; default today.",
    )
    fracture_date: IsoDate | None = Field(
        default=None, description="Date of the index fracture; default procedure_date."
    )
    fracture_cause: FractureCause = "unknown"
    procedure_type: ProcedureType = "kyphoplasty"
    procedure_date: IsoDate
    treated_levels: Annotated[list[Level], Field(min_length=1), AfterValidator(_unique_levels)]
    cement_leakage: CementLeakage = "unknown"
    intravertebral_cleft: bool | None = None
    biopsy_result: BiopsyResult = "not_done"
    t_score_femoral_neck: TScore | None = None
    t_score_total_hip: TScore | None = None
    t_score_lumbar_spine: TScore | None = None
    lumbar_vertebrae_evaluable: Annotated[WholeNumber, Field(ge=0, le=4)] | None = None
    dxa_date: IsoDate | None = None
    ct_hu: float | None = Field(default=None, ge=-200, le=1000)
    prior_fragility_fractures: Annotated[WholeNumber, Field(ge=0, le=20)] = 0
    prior_vertebral_fractures: Annotated[WholeNumber, Field(ge=0, le=20)] = 0
    falls_last_12_months: Annotated[WholeNumber, Field(ge=0, le=50)] = 0
    parent_hip_fracture: bool = False
    current_smoker: bool = False
    alcohol_3_or_more_units_per_day: bool = False
    rheumatoid_arthritis: bool = False
    diabetes: Diabetes = "none"
    glucocorticoid_mg_per_day: float = Field(default=0, ge=0, le=200)
    glucocorticoid_months: float = Field(default=0, ge=0, le=600)
    active_malignancy: bool = False
    myeloma: bool = False
    egfr: float | None = Field(default=None, ge=1, le=200)
    serum_calcium_mg_dl: float | None = Field(default=None, ge=4, le=16)
    vitamin_d_ng_ml: float | None = Field(default=None, ge=1, le=200)
    alkaline_phosphatase_u_l: float | None = Field(default=None, ge=5, le=3000)
    current_treatment: CurrentTreatment = "none"
    treatment_start_date: IsoDate | None = None
    last_dose_date: IsoDate | None = None
    history_atypical_femoral_fracture: bool = False
    history_osteonecrosis_of_jaw: bool = False

    @model_validator(mode="after")
    def _cross_field_rules(self) -> PatientRecord:
        if self.fracture_date is None:
            object.__setattr__(self, "fracture_date", self.procedure_date)  # contract default
        facts = self.facts  # computed here, once: the cross-field rules need them
        violations = record_violations(self, facts)
        if violations:
            raise ValidationError.from_exception_data(
                "PatientRecord",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("cross_field", v.message),
                        loc=(v.field,),
                        input=getattr(self, v.field),
                    )
                    for v in violations
                ],
            )
        return self

    @cached_property
    def facts(self) -> dict[str, Any]:
        """The record's facts (``risk.facts``), computed once at validation; treat as read-only.

        A cached_property (pydantic keeps it out of fields, dumps and equality): after the
        first look-up it is a plain instance attribute, the cheapest read on the request path.
        """
        return facts_from_record(self)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a record validated afresh, with facts of its own.

        pydantic's copy skips validation and carries the cached ``facts`` over: an updated
        copy (``egfr`` 20, a malignant biopsy) was assessed on the old facts. The fields the
        caller set, with the update on top, are validated again, so defaults derived from
        other fields (``fracture_date``) follow the update and a bad value is an error.
        """
        if not update:
            return super().model_copy(deep=deep)
        return self.model_validate({**self.model_dump(exclude_unset=True), **update})

    @property
    def index_fracture_date(self) -> dt.date:
        """The fracture date actually used (defaults to the procedure date)."""
        return self.fracture_date or self.procedure_date
