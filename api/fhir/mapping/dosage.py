"""A Dosage → mg per day, when the dose and the timing say so; otherwise None (never a guess).

The dose is a mass (mg, g, ug) or a count of units (tablets, capsules) or a volume in mL of a
product whose strength the medication table states (``Drug.strength``).
"""

from __future__ import annotations

from api.fhir.mapping.common import as_dict, as_list, codings, text

PERIOD_DAYS = {"h": 1 / 24, "d": 1.0, "wk": 7.0, "mo": 30.4375}
# HL7 v3 GTSAbbreviation timing codes: doses per day.
TIMING_CODES = {"QD": 1, "BID": 2, "TID": 3, "QID": 4}
MASS_MG = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "mcg": 0.001}
UNIT_DOSES = frozenset({"{tablet}", "{tbl}", "tablet", "tablets", "tab", "tabs", "{capsule}", "capsule",
                        "capsules", "cap"})  # fmt: skip
VOLUME_ML = {"ml": 1.0}
Strength = tuple[float, str] | None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _dose_mg(dosage: dict[str, object], strength: Strength) -> float | None:
    for dose_and_rate in as_list(dosage.get("doseAndRate")):
        quantity = as_dict(as_dict(dose_and_rate).get("doseQuantity"))
        value = _number(quantity.get("value"))
        unit = (text(quantity.get("code")) or text(quantity.get("unit")) or "").strip().lower()
        if value is None:
            continue
        if unit in MASS_MG:
            return value * MASS_MG[unit]
        if strength is not None and unit in UNIT_DOSES and strength[1] == "unit":
            return value * strength[0]
        if strength is not None and unit in VOLUME_ML and strength[1] == "mL":
            return value * strength[0]
    return None


def _per_day(timing: dict[str, object]) -> float | None:
    repeat = as_dict(timing.get("repeat"))
    if repeat:
        frequency = _number(repeat.get("frequency", 1))
        period = _number(repeat.get("period", 1))
        days = PERIOD_DAYS.get(str(repeat.get("periodUnit", "d")))
        if frequency is not None and period is not None and days and period > 0:
            return frequency / (period * days)
    for coding in codings(timing.get("code")):
        per_day = TIMING_CODES.get(str(coding.get("code")))
        if per_day is not None:
            return float(per_day)
    return None


def daily_dose_mg(dosage: object, strength: Strength = None) -> float | None:
    """mg per day of one Dosage (dose × frequency / period), or None if not derivable."""
    dosage_dict = as_dict(dosage)
    dose = _dose_mg(dosage_dict, strength)
    per_day = _per_day(as_dict(dosage_dict.get("timing")))
    return None if dose is None or per_day is None else dose * per_day
