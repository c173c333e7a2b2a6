"""The state one mapping run shares: dates, the report, the fields found and the basis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from api.fhir.mapping.common import months_before
from api.fhir.mapping.report import MappingReport


@dataclass
class Context:
    """Assessment date, look-back window and everything collected so far."""

    assessment_date: dt.date
    lookback_months: int
    report: MappingReport = field(default_factory=MappingReport)
    fields: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    basis: list[str] = field(default_factory=list)

    @property
    def lookback_start(self) -> dt.date:
        """The earliest date a lab, vital sign or DXA value may have."""
        return months_before(self.assessment_date, self.lookback_months)

    def use(self, name: str, value: Any, source: str, date: dt.date | None = None, *,
            contract: bool = True) -> None:  # fmt: skip
        """Take a value for a contract field (or a report-only key) and remember its source."""
        if contract:
            self.fields[name] = value
            self.sources[name] = source
        self.report.add(name, value, source, date)
        if source not in self.basis:
            self.basis.append(source)
