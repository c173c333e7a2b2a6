"""Small formatters shared by the letter sections (dates, percentages, names)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from risk.contract import LEVELS, PatientRecord


def day(date: dt.date | None) -> str:
    """A date as '5 Mar 2026' (unambiguous across locales), or 'not recorded'."""
    if date is None:
        return "not recorded"
    return f"{date.day} {date:%b %Y}"


def percent(p: float | None) -> str:
    """A probability as a percentage; one decimal below 10% so small risks are not 0%."""
    if p is None:
        return "—"
    return f"{p * 100:.1f}%" if p < 0.1 else f"{p * 100:.0f}%"


def patient_name(record: PatientRecord) -> str | None:
    """Given and family name when recorded, else None (the letters then name the ID once)."""
    parts = [p for p in (record.given_name, record.family_name) if p and p.strip()]
    return " ".join(parts) if parts else None


def patient_reference(record: PatientRecord) -> str:
    """How a 'Re:' line names the patient: the name, else 'patient ID …' (never 'Patient ID-…')."""
    return patient_name(record) or f"patient ID {record.patient_id}"


def age_text(record: PatientRecord) -> str:
    """Date of birth (with age) when known, else the recorded age."""
    if record.birth_date is not None:
        born = record.birth_date
        on = record.assessment_date
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        return f"born {day(born)} (age {years})"
    return f"age {record.age_years:.0f}" if record.age_years is not None else "age not recorded"


def levels_text(levels: Sequence[str]) -> str:
    """Levels as 'T12, L1' in spinal order."""
    return ", ".join(sorted(levels, key=LEVELS.index))


def add_weeks(date: dt.date, weeks: int) -> dt.date:
    """The date ``weeks`` weeks later."""
    return date + dt.timedelta(weeks=weeks)
