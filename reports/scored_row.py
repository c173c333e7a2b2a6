"""The one form a patient takes through a letter run: validated, scored and addressed, once.

A cohort row is read, validated and scored into a ``ScoredRow``; that same object is
rendered into letters and, with ``--store``, stored as a referral. Nothing downstream
re-validates, re-scores or converts it into another model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports.models import Recipient, Referrer
from risk.contract import Assessment, PatientRecord


@dataclass(frozen=True, slots=True)
class ScoredRow:
    """One patient of a letter run: record, its assessment, the PCP and referrer, the input cells.

    ``cells`` are the input row's own §3/§4 cells, which the manifest carries through
    unchanged (contract §1); ``None`` for rows not read from a file.
    """

    record: PatientRecord
    assessment: Assessment
    recipient: Recipient | None
    referrer: Referrer | None
    row_id: str | int
    cells: Mapping[str, Any] | None = None
