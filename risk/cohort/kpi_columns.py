"""The cohort columns behind each FLS KPI, as one data table (docs/analysts.md is generated from it).

Columns marked ``contract`` are PatientRecord fields or Assessment outputs; ``KPI-only``
columns are optional extras an FLS exports beside the cohort. They are carried through by
``risk.scale`` scoring and checked by ``risk.cohort.schemas``; absent means "not measurable".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["date", "bool", "enum", "string"]
Origin = Literal["contract §1", "contract §2", "KPI-only"]


@dataclass(frozen=True, slots=True)
class KpiColumn:
    """One input column of the KPI calculations."""

    name: str
    kind: Kind
    origin: Origin
    meaning: str
    used_by: tuple[str, ...]


INDEX_DATE_NOTE = "index date = `fracture_date`, else `procedure_date`; every KPI window counts from it"

KPI_COLUMNS: tuple[KpiColumn, ...] = (
    KpiColumn("procedure_date", "date", "contract §1", "date of the augmentation; the index date when "
              "`fracture_date` is empty", ("all windowed KPIs", "trend by month")),
    KpiColumn("fracture_date", "date", "contract §1", "date of the index fracture (index date)",
              ("all windowed KPIs", "trend by month")),
    KpiColumn("dxa_date", "date", "contract §1", "DXA scan date", ("dxa_12w",)),
    KpiColumn("pathway", "enum", "contract §2", "care pathway chosen by the rules",
              ("treatment_recommended",)),
    KpiColumn("recommended_therapy", "enum", "contract §2", "drug-class recommendation",
              ("treatment_recommended", "treatment_started_16w")),
    KpiColumn("fls_identification_date", "date", "KPI-only", "date the FLS identified the patient",
              ("identification",)),
    KpiColumn("fls_assessment_date", "date", "KPI-only", "date of the FLS bone-health assessment",
              ("assessment_12w", "assessment_90d")),
    KpiColumn("falls_assessment_date", "date", "KPI-only",
              "date a falls-risk assessment was done or referred", ("falls_assessment",)),
    KpiColumn("treatment_start_date_after", "date", "KPI-only",
              "first bone-therapy start (or restart) after the index fracture",
              ("treatment_started_16w", "on_treatment_52w")),
    KpiColumn("follow_up_contact_date", "date", "KPI-only", "date of the monitoring contact",
              ("follow_up_12_16w",)),
    KpiColumn("on_treatment_52w", "bool", "KPI-only", "still on bone therapy 52 weeks after the index date",
              ("on_treatment_52w",)),
)  # fmt: skip

KPI_ONLY_NAMES: tuple[str, ...] = tuple(c.name for c in KPI_COLUMNS if c.origin == "KPI-only")


def kpi_column(name: str) -> KpiColumn:
    """The table row of one column."""
    for column in KPI_COLUMNS:
        if column.name == name:
            return column
    raise KeyError(name)


def kpi_columns_markdown() -> str:
    """The table as markdown, in the contract's style."""
    lines = [
        "| column | type | origin | meaning | used by |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{c.name}` | {c.kind} | {c.origin} | {c.meaning} | {', '.join(c.used_by)} |" for c in KPI_COLUMNS
    ]
    return "\n".join(lines) + f"\n\nThe {INDEX_DATE_NOTE}.\n"
