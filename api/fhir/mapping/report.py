"""The mapping report: what was found, what is missing, what was ignored and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from risk.contract import PatientRecord


class Found(BaseModel):
    """A value taken from the bundle: contract field (or a report-only key), value, source, date."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: Any
    source: str
    date: dt.date | None = None


class Ignored(BaseModel):
    """A resource (or one value of it) that was not used, and why."""

    model_config = ConfigDict(frozen=True)

    source: str
    reason: str


class Assumed(BaseModel):
    """A value used with an assumption the clinician should know of (a partial date, a capped count)."""

    model_config = ConfigDict(frozen=True)

    source: str
    note: str


class MappingReport(BaseModel):
    """Everything the mapping decided, for the clinician and the OperationOutcome."""

    found: list[Found] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    ignored: list[Ignored] = Field(default_factory=list)
    assumed: list[Assumed] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="Why no PatientRecord could be built.")
    not_applicable: bool = False

    def add(self, field: str, value: Any, source: str, date: dt.date | None = None) -> None:
        """Record a found value."""
        self.found.append(Found(field=field, value=value, source=source, date=date))

    def ignore(self, source: str, reason: str) -> None:
        """Record an ignored resource or value."""
        self.ignored.append(Ignored(source=source, reason=reason))

    def assume(self, source: str, note: str) -> None:
        """Record an assumption made about a value that is used."""
        self.assumed.append(Assumed(source=source, note=note))

    def found_field(self, field: str) -> list[Found]:
        """The found entries of one field."""
        return [f for f in self.found if f.field == field]


class MappingResult(BaseModel):
    """A PatientRecord (None when it cannot be built) and the report that explains it."""

    record: PatientRecord | None
    report: MappingReport
    patient_reference: str | None = None
    basis: list[str] = Field(default_factory=list, description="References of the resources used.")
    absolute_urls: dict[str, str] = Field(
        default_factory=dict, description="Reference → absolute fullUrl of the input entry, where given."
    )

    @property
    def applicable(self) -> bool:
        """Whether an assessment can be made."""
        return self.record is not None
