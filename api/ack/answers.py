"""The four answers a PCP can give, what each needs, and how each moves the referral.

``MOVES`` maps (answer, current status) to the statuses to pass through; every step is a
move of ``api.referrals.states.TRANSITIONS`` (a test walks the table). A status missing
from an answer's row (a final one) means the answer can no longer change anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from api.errors import field_errors
from api.referrals.states import Status
from risk.contract.enums import CurrentTreatment
from risk.errors import FieldError, InvalidInput

Answer = Literal["received", "treatment_started", "declined", "not_registered"]
ANSWERS: tuple[Answer, ...] = get_args(Answer)
ANSWER_TEXT: dict[Answer, str] = {
    "received": "Received — we will act on it",
    "treatment_started": "Treatment started",
    "declined": "Treatment declined or not appropriate",
    "not_registered": "Patient not registered with this practice",
}
# The drugs of the contract's current_treatment (patient-record.md §1), so an answer maps onto
# the same vocabulary as the record.
DrugClass = CurrentTreatment
DRUG_TEXT: dict[str, str] = {
    "oral_bisphosphonate": "Oral bisphosphonate (alendronate, risedronate, ibandronate)",
    "zoledronic_acid": "Zoledronic acid (intravenous)",
    "denosumab": "Denosumab",
    "teriparatide": "Teriparatide",
    "abaloparatide": "Abaloparatide",
    "romosozumab": "Romosozumab",
    "raloxifene": "Raloxifene",
    "hormone_therapy": "Hormone therapy",
}
DRUG_CLASSES: tuple[str, ...] = tuple(d for d in get_args(CurrentTreatment) if d != "none")
MAX_REASON = 500

MOVES: dict[Answer, dict[Status, tuple[Status, ...]]] = {
    # A reply proves the letter arrived, so a draft (a send that timed out) becomes sent first.
    "received": {"draft": ("sent", "acknowledged"), "sent": ("acknowledged",), "acknowledged": ()},
    "treatment_started": {
        "draft": ("sent", "acknowledged", "treatment_started"),
        "sent": ("acknowledged", "treatment_started"),
        "acknowledged": ("treatment_started",),
    },
    "declined": {"draft": ("sent", "declined"), "sent": ("declined",), "acknowledged": ("declined",)},
    "not_registered": {
        "draft": ("sent", "not_registered"),
        "sent": ("not_registered",),
        "acknowledged": ("not_registered",),
    },
}
# Answers after which the PCP may still have news: they get a fresh link for it.
FOLLOW_UP: frozenset[Answer] = frozenset({"received"})


class PcpAnswerIn(BaseModel):
    """The answer form, validated: a drug and a date for a start, a reason for a decline."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: Answer
    drug_class: DrugClass | None = None
    treatment_start_date: dt.date | None = None
    reason: str | None = Field(default=None, max_length=MAX_REASON)

    @model_validator(mode="after")
    def _details_of_the_answer(self) -> PcpAnswerIn:
        if self.answer == "treatment_started" and (
            self.drug_class in (None, "none") or not self.treatment_start_date
        ):
            raise ValueError("treatment started: choose the drug and give the start date")
        if self.answer == "declined" and not self.reason:
            raise ValueError("declined: give the reason")
        return self


def parse_answer(form: dict[str, str], procedure_date: dt.date, today: dt.date) -> PcpAnswerIn:
    """The posted form as an answer; InvalidInput naming each field on any problem."""
    values = {k: v for k, v in form.items() if k in PcpAnswerIn.model_fields and v.strip()}
    try:
        parsed = PcpAnswerIn.model_validate(values)
    except ValidationError as error:
        raise InvalidInput("the answer is incomplete", field_errors(error.errors())) from None
    start = parsed.treatment_start_date
    if parsed.answer == "treatment_started" and start is not None and not procedure_date <= start <= today:
        rule = f"between the procedure ({procedure_date.isoformat()}) and today ({today.isoformat()})"
        raise InvalidInput(
            "the start date is out of range", [FieldError("treatment_start_date", start, rule)]
        )
    return parsed


def moves_for(answer: Answer, current: str) -> tuple[Status, ...] | None:
    """The statuses to move through, or None when the referral is closed to this answer."""
    return next((path for status, path in MOVES[answer].items() if status == current), None)


def event_reason(answer: PcpAnswerIn) -> str:
    """The reason recorded on the status events: which answer, and the PCP's own words if any."""
    if answer.answer == "declined":
        return f"PCP answered: declined — {answer.reason}"
    if answer.answer == "treatment_started" and answer.drug_class and answer.treatment_start_date:
        return f"PCP answered: {answer.drug_class} started {answer.treatment_start_date.isoformat()}"
    return f"PCP answered: {answer.answer.replace('_', ' ')}"
