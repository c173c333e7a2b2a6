"""A Dosage → mg per day, when dose (in mg) and timing say so; otherwise None."""

from __future__ import annotations

from api.fhir.mapping.common import as_dict, as_list, codings, text

PERIOD_DAYS = {"h": 1 / 24, "d": 1.0, "wk": 7.0, "mo": 30.4375}
# HL7 v3 GTSAbbreviation timing codes: doses per day.
TIMING_CODES = {"QD": 1, "BID": 2, "TID": 3, "QID": 4}


def _dose_mg(dosage: dict[str, object]) -> float | None:
    for dose_and_rate in as_list(dosage.get("doseAndRate")):
        quantity = as_dict(as_dict(dose_and_rate).get("doseQuantity"))
        value = quantity.get("value")
        unit = (text(quantity.get("code")) or text(quantity.get("unit")) or "").lower()
        if isinstance(value, int | float) and not isinstance(value, bool) and unit == "mg":
            return float(value)
    return None


def _per_day(timing: dict[str, object]) -> float | None:
    repeat = as_dict(timing.get("repeat"))
    if repeat:
        frequency = repeat.get("frequency", 1)
        period = repeat.get("period", 1)
        days = PERIOD_DAYS.get(str(repeat.get("periodUnit", "d")))
        if isinstance(frequency, int | float) and isinstance(period, int | float) and days and period > 0:
            return float(frequency) / (float(period) * days)
    for coding in codings(timing.get("code")):
        per_day = TIMING_CODES.get(str(coding.get("code")))
        if per_day is not None:
            return float(per_day)
    return None


def daily_dose_mg(dosage: object) -> float | None:
    """mg per day of one Dosage (dose × frequency / period), or None if not derivable."""
    dosage_dict = as_dict(dosage)
    dose = _dose_mg(dosage_dict)
    per_day = _per_day(as_dict(dosage_dict.get("timing")))
    return None if dose is None or per_day is None else dose * per_day
